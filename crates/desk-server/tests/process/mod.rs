#![allow(dead_code)]
//! The real `desk-server` binary as a child process on loopback (plain HTTP), for tests that
//! kill it or cut its clients off: a killed process takes its connections with it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct ServerProcess {
    pub child: Child,
    pub url: String,
}

impl ServerProcess {
    /// SIGKILL (on Unix): the server finishes nothing, and every connection drops.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        let _ = self.child.wait();
    }
}

impl ServerProcess {
    /// Resident memory now and at its peak, in MiB (Linux `/proc`).
    pub fn memory(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        let kb = |key: &str| status.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        (kb("VmRSS:") / 1024.0, kb("VmHWM:") / 1024.0)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The binary: Cargo's for desk-server's own tests, otherwise the workspace's debug build
/// (`scripts/test.sh` builds it before the end-to-end tests).
pub fn binary() -> std::path::PathBuf {
    match option_env!("CARGO_BIN_EXE_desk-server") {
        Some(p) => p.into(),
        None => {
            let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/debug/desk-server");
            assert!(p.exists(), "{} not found: build it with `cargo build -p desk-server` (scripts/test.sh does)", p.display());
            p
        }
    }
}

/// Starts the server on `port` over `database_url`, executing against `backend`, and waits
/// until it answers.
pub async fn start(database_url: &str, backend: &str, dir: &std::path::Path, port: u16) -> ServerProcess {
    start_with(database_url, backend, dir, port, &[]).await
}

/// As [`start`], with more of the server's environment.
pub async fn start_with(database_url: &str, backend: &str, dir: &std::path::Path, port: u16, env: &[(&str, &str)]) -> ServerProcess {
    let child = Command::new(binary())
        .env("DESK_SERVER_DATABASE_URL", database_url)
        .env("DESK_SERVER_ADDR", format!("127.0.0.1:{port}"))
        .env("DESK_SERVER_TLS", "off")
        .env("DESK_SERVER_BACKEND_URL", backend)
        .env("DESK_SERVER_DATA_DIR", dir)
        .env("RUST_LOG", "warn")
        // Last: the caller's settings win.
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .spawn()
        .expect("start desk-server");
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if reqwest::get(format!("{url}/v1/health")).await.is_ok_and(|r| r.status().is_success()) {
            return ServerProcess { child, url };
        }
        assert!(Instant::now() < deadline, "desk-server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A fresh database with a team on it, before any server starts: Ada the admin, then `people`
/// (username, display name, roles), everyone with `password`.
pub async fn team(database_url: &str, password: &str, people: &[(&str, &str, &[desk_core::people::Role])]) -> std::sync::Arc<dyn desk_core::storage::Database> {
    use desk_core::people::{now_ms, Accounts, NewUser, Role};
    let db: std::sync::Arc<dyn desk_core::storage::Database> = std::sync::Arc::new(desk_store_postgres::PgStore::connect(database_url, 4).await.unwrap());
    let admin = NewUser { username: "ada".into(), display_name: "Ada Admin".into(), password: password.into(), roles: vec![Role::Admin] };
    db.create_first_admin(admin).await.unwrap();
    let ada = db.sign_in("ada", password, now_ms()).await.unwrap();
    for (u, name, roles) in people {
        db.create_user(&ada, NewUser { username: (*u).into(), display_name: (*name).into(), password: password.into(), roles: roles.to_vec() }, now_ms()).await.unwrap();
    }
    db
}

/// Probes every 100 ms until `probe` gives a value, or fails the test after `timeout`.
pub async fn until<T>(what: &str, timeout: Duration, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
