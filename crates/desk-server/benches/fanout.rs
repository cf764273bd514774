//! Fan-out under load: simulated desktops hold the live event stream (`GET /v1/events`) while
//! bot platforms push escalations into the real `desk-server` process (release build) on the
//! PostgreSQL server scripts/with-postgres.sh starts. First one server, then two on the same
//! database with the pushes going into the first and half the desks following each: "direct"
//! is a desk on the server that took the push, "cross" one on the other server. Delivery latency
//! is from the event's commit time (`at_ms`, written in the pushing transaction) to the moment
//! the desk has read it. A first phase with no desk following gives intake alone. The bench
//! process (the desks and the platforms) runs on the same cores as the servers and PostgreSQL.
//! Run:
//! `scripts/with-postgres.sh cargo bench -p desk-server --bench fanout`
//! (BENCH_DESKS, default 200; BENCH_RATE pushes/s, default 1000; BENCH_SECS, default 60).

#[path = "../../desk-core/tests/common/mod.rs"]
mod common;
#[path = "../tests/process/mod.rs"]
mod process;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use desk_core::people::{now_ms, Accounts, NewUser, Role};
use desk_core::storage::Database;
use desk_store_postgres::PgStore;

const PASSWORD: &str = "a-long-password-1";
const PLATFORM_TOKEN: &str = "bench-platform-token-0123456789";

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

type Server = process::ServerProcess;

/// A server with the bench's platform, executing against its own demo backend.
async fn start(database_url: &str, dir: &std::path::Path, backend: &str) -> Server {
    std::fs::create_dir_all(dir).unwrap();
    let platforms = dir.join("platforms.toml");
    std::fs::write(&platforms, format!("[platforms]\nbench = \"{PLATFORM_TOKEN}\"\n")).unwrap();
    process::start_with(database_url, backend, dir, process::free_port(), &[("DESK_SERVER_PLATFORMS_FILE", platforms.to_str().unwrap()), ("RUST_LOG", "error")]).await
}

/// What the desks saw: latencies (ms) of the events of this phase, by path.
#[derive(Default)]
struct Seen {
    direct: Vec<f64>,
    cross: Vec<f64>,
}

/// One simulated desktop: follows the stream from now on, recording each arrival's latency.
async fn desk(http: reqwest::Client, url: String, token: String, direct: bool, seen: Arc<Mutex<Seen>>, connected: Arc<AtomicU64>, stop: tokio::sync::watch::Receiver<bool>) {
    let mut resp = http.get(format!("{url}/v1/events")).bearer_auth(&token).send().await.expect("follow");
    assert!(resp.status().is_success());
    connected.fetch_add(1, Ordering::SeqCst);
    let mut buf = Vec::new();
    let mut local = Vec::new();
    loop {
        if *stop.borrow() {
            break;
        }
        let chunk = match tokio::time::timeout(Duration::from_millis(500), resp.chunk()).await {
            Ok(Ok(Some(c))) => c,
            Ok(_) => break,
            Err(_) => continue,
        };
        let now = now_ms() as f64;
        buf.extend_from_slice(&chunk);
        while let Some(nl) = buf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = buf.drain(..=nl).collect();
            if let Some(data) = line.strip_prefix(b"data: ") {
                if let Ok(e) = serde_json::from_slice::<desk_core::events::DeskEvent>(data) {
                    if e.kind == "handoff.arrived" {
                        local.push(now - e.at_ms as f64);
                    }
                }
            }
        }
    }
    let mut s = seen.lock().unwrap();
    if direct { s.direct.extend(local) } else { s.cross.extend(local) }
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

struct Phase {
    name: &'static str,
    pushed: u64,
    refused: u64,
    secs: f64,
    seen: Seen,
    memory: Vec<(f64, f64)>,
}

async fn phase(name: &'static str, servers: &[&Server], tokens: &[String], rate: u64, secs: u64, offset: u64) -> Phase {
    let http = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();
    let seen: Arc<Mutex<Seen>> = Default::default();
    let connected = Arc::new(AtomicU64::new(0));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut desks = vec![];
    for (i, token) in tokens.iter().enumerate() {
        let on = servers[i % servers.len()];
        desks.push(tokio::spawn(desk(http.clone(), on.url.clone(), token.clone(), i % servers.len() == 0, seen.clone(), connected.clone(), stop_rx.clone())));
    }
    while connected.load(Ordering::SeqCst) < tokens.len() as u64 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The pushes, all into the first server, paced to `rate` per second by 32 platforms' workers.
    let mut template = common::valid_doc();
    template["handoff_id"] = serde_json::json!("HF_ID");
    let template = Arc::new(serde_json::to_string(&template).unwrap());
    let total = rate * secs;
    let next = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers = 32;
    let mut pushers = vec![];
    for _ in 0..workers {
        let (http, url, template, next, refused) = (http.clone(), servers[0].url.clone(), template.clone(), next.clone(), refused.clone());
        pushers.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n >= total {
                    break;
                }
                let due = started + Duration::from_secs_f64(n as f64 / rate as f64);
                tokio::time::sleep_until(due.into()).await;
                let body = template.replace("HF_ID", &format!("hf_bench_{}", offset + n));
                match http.post(format!("{url}/v1/handoffs")).bearer_auth(PLATFORM_TOKEN).header("content-type", "application/json").body(body).send().await {
                    Ok(r) if r.status().is_success() => {}
                    _ => {
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    let mut memory = vec![(0.0, 0.0); servers.len()];
    for p in pushers {
        p.await.unwrap();
    }
    let secs_taken = started.elapsed().as_secs_f64();
    for (i, s) in servers.iter().enumerate() {
        memory[i] = s.memory();
    }
    // Let the streams drain.
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop_tx.send(true).unwrap();
    for d in desks {
        let _ = d.await;
    }
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    Phase { name, pushed: total - refused.load(Ordering::SeqCst), refused: refused.load(Ordering::SeqCst), secs: secs_taken, seen, memory }
}

fn report(p: &mut Phase, desks: usize) {
    println!("\n{}", p.name);
    println!("  intake: {} accepted ({} refused or failed) in {:.1} s = {:.0} handoffs/s", p.pushed, p.refused, p.secs, p.pushed as f64 / p.secs);
    for (label, v) in [("direct", &mut p.seen.direct), ("cross", &mut p.seen.cross)] {
        if v.is_empty() {
            continue;
        }
        let n = v.len();
        println!(
            "  delivery ({label}): {} of {} arrivals × desks seen; p50 {:.0} ms, p95 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
            n,
            p.pushed as usize * desks,
            pct(v, 0.5),
            pct(v, 0.95),
            pct(v, 0.99),
            pct(v, 1.0)
        );
    }
    for (i, (rss, peak)) in p.memory.iter().enumerate() {
        println!("  server {} memory: {rss:.0} MiB resident at the end, {peak:.0} MiB peak", i + 1);
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let desks = env_u64("BENCH_DESKS", 200) as usize;
    let rate = env_u64("BENCH_RATE", 1000);
    let secs = env_u64("BENCH_SECS", 60);
    let dir = tempfile::tempdir().unwrap();
    let database_url = desk_store_suite::fresh_postgres_url().await;
    let db: Arc<dyn Database> = Arc::new(PgStore::connect(&database_url, 4).await.unwrap());
    db.create_first_admin(NewUser { username: "ada".into(), display_name: "Ada".into(), password: PASSWORD.into(), roles: vec![Role::Admin] }).await.unwrap();
    let ada = db.sign_in("ada", PASSWORD, now_ms()).await.unwrap();
    db.create_user(&ada, NewUser { username: "desk".into(), display_name: "Desk".into(), password: PASSWORD.into(), roles: vec![Role::Agent] }, now_ms()).await.unwrap();
    let backend = desk_demo::DemoBackend::start(&dir.path().join("backend.db"), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let one = start(&database_url, &dir.path().join("one"), &backend.base_url()).await;
    let http = reqwest::Client::new();
    let mut tokens = vec![];
    for _ in 0..desks {
        let v: serde_json::Value = http.post(format!("{}/v1/sessions", one.url)).json(&serde_json::json!({"username": "desk", "password": PASSWORD})).send().await.unwrap().json().await.unwrap();
        tokens.push(v["token"].as_str().expect("a token").to_owned());
    }
    println!("{desks} desks, {rate} pushes/s for {secs} s, on {} cores", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0));
    let mut base = phase("one server, no desk following (intake alone)", &[&one], &[], rate, secs, 0).await;
    report(&mut base, 0);
    let mut a = phase("one server", &[&one], &tokens, rate, secs, rate * secs).await;
    report(&mut a, desks);
    let two = start(&database_url, &dir.path().join("two"), &backend.base_url()).await;
    let mut b = phase("two servers on one database (pushes into server 1; half the desks on each)", &[&one, &two], &tokens, rate, secs, 2 * rate * secs).await;
    report(&mut b, desks / 2);
}
