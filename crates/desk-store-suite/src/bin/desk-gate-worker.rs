//! Executes approved tool calls against a backend, outside the desktop app: used by the crash
//! test, which kills this process (SIGKILL) at a chosen point and restarts it.
//!
//! desk-gate-worker --db PATH|postgres://… --backend URL [--call ID --crash-at before_send|after_response|after_record]
//!
//! With `--call`, executes that call (and kills itself at `--crash-at`). Without it, does what the
//! app does on start: resumes calls left executing, then executes approved ones.

use std::time::Duration;

use desk_core::gates::executor::ToolExecutor;
use desk_core::gates::{CrashPoint, GateService, Gates};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn die_now() -> ! {
    let pid = std::process::id().to_string();
    let _ = std::process::Command::new("kill").args(["-KILL", &pid]).status();
    loop {
        std::thread::sleep(Duration::from_secs(1));
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(db), Some(backend)) = (arg(&args, "--db"), arg(&args, "--backend")) else {
        eprintln!("usage: desk-gate-worker --db PATH|URL --backend URL [--call ID --crash-at POINT]");
        std::process::exit(2);
    };
    let crash_at = match arg(&args, "--crash-at").as_deref() {
        Some("before_send") => Some(CrashPoint::BeforeSend),
        Some("after_response") => Some(CrashPoint::AfterResponse),
        Some("after_record") => Some(CrashPoint::AfterRecord),
        _ => None,
    };
    let db = desk_store_suite::open(&db).await;
    let service = GateService::new(db, Gates::default(), ToolExecutor::new(backend, Duration::from_secs(5))).with_crash_hook(move |p| {
        if Some(p) == crash_at {
            die_now();
        }
    });
    let result = match arg(&args, "--call") {
        Some(id) => service.execute(&id, "system").await,
        None => service.reconcile().await.map(|_| ()),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
