#![allow(dead_code)]
//! Starts the real app through tauri-driver and connects a WebDriver client to its window.
//! Needs an X display (scripts/test.sh runs the tests under Xvfb and a D-Bus session). When
//! anything is missing the test FAILS with the reason: it never skips.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

/// The app binary under test: `HANDOFF_DESK_APP`, default `target/debug/handoff-desk`.
pub fn app_binary() -> PathBuf {
    let p = std::env::var_os("HANDOFF_DESK_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/debug/handoff-desk"));
    assert!(p.exists(), "app binary {} not found: build it with scripts/test.sh (custom-protocol build)", p.display());
    p
}

pub fn output_dir() -> PathBuf {
    let d = workspace_root().join("tests/e2e/output");
    std::fs::create_dir_all(&d).expect("output dir");
    d
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

pub struct App {
    pub client: Client,
    pub data_dir: tempfile::TempDir,
    driver: Child,
}

impl App {
    /// Starts tauri-driver, which starts WebKitWebDriver, which starts the app with a fresh data
    /// directory; `env` is passed to the app.
    pub async fn start(env: &[(&str, &str)]) -> App {
        Self::start_in(tempfile::tempdir().expect("tempdir"), env).await
    }

    /// The app's database in `data_dir` (for preparing it before the app starts).
    pub fn database_in(data_dir: &tempfile::TempDir) -> PathBuf {
        data_dir.path().join("desk/handoff-desk.db")
    }

    /// Starts the app on a data directory prepared beforehand.
    pub async fn start_in(data_dir: tempfile::TempDir, env: &[(&str, &str)]) -> App {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "no DISPLAY: end-to-end tests need an X server (run them through scripts/test.sh, which starts Xvfb)"
        );
        let app = app_binary();
        let xdg = data_dir.path().join("xdg");
        for sub in ["data", "cache", "config"] {
            std::fs::create_dir_all(xdg.join(sub)).expect("xdg dir");
        }
        let port = free_port();
        let native_port = free_port();
        let driver_bin = std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into());
        let mut cmd = Command::new(&driver_bin);
        cmd.args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("HANDOFF_DESK_DATA_DIR", data_dir.path().join("desk"))
            .env("XDG_DATA_HOME", xdg.join("data"))
            .env("XDG_CACHE_HOME", xdg.join("cache"))
            .env("XDG_CONFIG_HOME", xdg.join("config"))
            .env("NO_AT_BRIDGE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let driver = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {driver_bin}: {e} (install it with `cargo install tauri-driver --locked`)"));

        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tauri-driver did not listen on port {port} within 30 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert("tauri:options".into(), serde_json::json!({ "application": app }));
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| panic!("WebDriver session for {} failed: {e}", app.display()));
        App { client, data_dir, driver }
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.path().join("desk/handoff-desk.db")
    }

    /// Waits until `css` matches at least `n` elements; returns how many matched.
    pub async fn wait_count(&self, css: &str, n: usize, timeout: Duration) -> usize {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self.client.find_all(Locator::Css(css)).await.map(|v| v.len()).unwrap_or(0);
            if found >= n {
                return found;
            }
            if Instant::now() > deadline {
                self.screenshot("timeout").await;
                panic!("waited {timeout:?} for {n} × {css}, found {found}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.expect("text")
    }

    /// The element's text, or `None` while it is absent or being re-rendered
    /// (a stale element between find and read counts as absent).
    pub async fn try_text(&self, css: &str) -> Option<String> {
        let el = self.client.find(Locator::Css(css)).await.ok()?;
        el.text().await.ok()
    }

    /// Polls until the element's text satisfies `pred`; returns that text.
    /// Tolerates the element disappearing while the view reloads.
    pub async fn wait_text(&self, css: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let seen = self.try_text(css).await;
            if let Some(t) = &seen {
                if pred(t) {
                    return t.clone();
                }
            }
            if Instant::now() > deadline {
                self.screenshot("timeout").await;
                panic!("waited {timeout:?} for {css} to match; last text: {seen:?}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits until the top bar shows `display_name` at the desk (in its text or its title).
    pub async fn wait_user(&self, display_name: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let el = self.client.find(Locator::Css("[data-testid=current-user]")).await.ok();
            let title = match &el {
                Some(el) => el.attr("title").await.ok().flatten().unwrap_or_default(),
                None => String::new(),
            };
            if title.contains(display_name) {
                return;
            }
            if Instant::now() > deadline {
                self.screenshot("user-timeout").await;
                panic!("waited {timeout:?} for {display_name} at the desk; the top bar says {title:?}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The id of the queue row the selection is on, if it is drawn.
    pub async fn selected(&self) -> Option<String> {
        let el = self.client.find(Locator::Css("[data-testid=queue-row][aria-selected=true]")).await.ok()?;
        el.attr("data-handoff-id").await.ok().flatten()
    }

    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        let path = output_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        println!("screenshot: {}", path.display());
        path
    }

    /// Presses keys as a person would, on the focused element.
    pub async fn keys(&self, keys: &str) {
        self.client.active_element().await.expect("active element").send_keys(keys).await.expect("send keys");
    }

    /// Signs in through the sign-in screen (demo accounts, demo password).
    pub async fn sign_in(&self, username: &str) {
        self.wait_count("[data-testid=signin-username]", 1, Duration::from_secs(60)).await;
        let user = self.client.find(Locator::Css("[data-testid=signin-username]")).await.expect("username field");
        user.clear().await.ok();
        user.send_keys(username).await.expect("type username");
        let pw = self.client.find(Locator::Css("[data-testid=signin-password]")).await.expect("password field");
        pw.clear().await.ok();
        pw.send_keys(desk_core::people::DEMO_PASSWORD).await.expect("type password");
        self.client.find(Locator::Css("[data-testid=signin-submit]")).await.expect("submit").click().await.expect("click submit");
        let display = desk_core::people::DEMO_USERS
            .iter()
            .find(|(u, _, _)| *u == username)
            .map(|(_, d, _)| d.split(' ').next().unwrap_or(d).to_owned())
            .unwrap_or_else(|| username.to_owned());
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen: String;
        loop {
            match self.client.find(Locator::Css("[data-testid=current-user]")).await {
                Ok(el) => {
                    seen = el.text().await.unwrap_or_else(|e| format!("(text failed: {e})"));
                    let title = el.attr("title").await.ok().flatten().unwrap_or_default();
                    if seen.contains(&display) || title.contains(&display) {
                        break;
                    }
                }
                Err(e) => seen = format!("(not found: {e})"),
            }
            if Instant::now() > deadline {
                self.screenshot("signin-timeout").await;
                panic!("signing in as {username} did not reach the desk; current-user shows {seen:?}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Whether an element matching `css` exists now.
    pub async fn exists(&self, css: &str) -> bool {
        self.client.find_all(Locator::Css(css)).await.map(|v| !v.is_empty()).unwrap_or(false)
    }

    /// Clicks the first element matching `css`, waiting up to ten seconds for it to appear, as a
    /// person waits for a button to render after a sign-in or a navigation. A timeout leaves a
    /// screenshot named after the selector.
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let el = loop {
            match self.client.find(Locator::Css(css)).await {
                Ok(el) => break el,
                Err(e) if Instant::now() > deadline => {
                    let name: String = css.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
                    self.screenshot(&format!("click-timeout{name}")).await;
                    panic!("{css}: not found within 10 s: {e}");
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(150)).await,
            }
        };
        el.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Proposes a refund of `amount` USD on order A123 from the open conversation.
    pub async fn propose_refund(&self, amount: &str) {
        self.click("[data-testid=propose-action]").await;
        self.wait_count("[data-testid=propose-form]", 1, Duration::from_secs(10)).await;
        let tool = self.client.find(Locator::Css("[data-testid=propose-tool]")).await.unwrap();
        tool.select_by_value("billing.refund").await.unwrap();
        self.wait_count("[data-testid=param-amount]", 1, Duration::from_secs(5)).await;
        for (name, value) in [("order_id", "A123"), ("amount", amount), ("reason", "Arrived damaged")] {
            let f = self.client.find(Locator::Css(&format!("[data-testid=param-{name}]"))).await.unwrap();
            f.clear().await.ok();
            f.send_keys(value).await.unwrap();
        }
        if let Ok(c) = self.client.find(Locator::Css("[data-testid=param-currency]")).await {
            c.select_by_value("USD").await.ok();
        }
        self.click("[data-testid=propose-submit]").await;
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
        // Drop stops the driver.
    }
}

impl Drop for App {
    /// A failed test must not leave tauri-driver (and the app) running.
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}


