//! Executes approved tool calls against a backend, outside the desktop app: used by the crash
//! test, which kills this process (SIGKILL) at a chosen point and restarts it.
//!
//! desk-gate-worker --db PATH --backend URL [--call ID --crash-at before_send|after_response|after_record]
//!
//! With `--call`, executes that call (and kills itself at `--crash-at`). Without it, does what the
//! app does on start: reconciles calls left executing, then executes approved ones.

use std::time::Duration;

use desk_core::gates::executor::ToolExecutor;
use desk_core::gates::{self, CrashPoint, Gates};
use desk_core::Store;

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
        eprintln!("usage: desk-gate-worker --db PATH --backend URL [--call ID --crash-at POINT]");
        std::process::exit(2);
    };
    let crash_at = match arg(&args, "--crash-at").as_deref() {
        Some("before_send") => Some(CrashPoint::BeforeSend),
        Some("after_response") => Some(CrashPoint::AfterResponse),
        Some("after_record") => Some(CrashPoint::AfterRecord),
        _ => None,
    };
    let hook = move |p: CrashPoint| {
        if Some(p) == crash_at {
            die_now();
        }
    };
    let store = Store::open(std::path::Path::new(&db)).await.expect("open the database");
    let gates = Gates::default();
    let executor = ToolExecutor::new(backend, Duration::from_secs(5));
    let result = match arg(&args, "--call") {
        Some(id) => gates::execute(&store, &gates, &executor, &id, "system", &hook).await,
        None => async {
            gates::reconcile(&store, &gates, &executor, &gates::no_hook).await?;
            for id in store.approved_tool_calls().await? {
                gates::execute(&store, &gates, &executor, &id, "system", &gates::no_hook).await?;
            }
            Ok(())
        }
        .await,
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
