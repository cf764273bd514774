//! The command line of the app binary: `handoff-desk import FILE...` imports without opening a
//! window, through the same validation as the app. With no subcommand the window opens.

use desk_core::Store;

use crate::config::Config;

const USAGE: &str = "\
Handoff Desk

USAGE:
    handoff-desk                  open the desk (the window)
    handoff-desk import FILE...   import handoff/v1 JSON Lines files into the desk's database
    handoff-desk audit verify     verify the audit log's hash chain (exit 1 and the first broken event if not)
    handoff-desk audit export FILE  write the audit log as JSON Lines
    handoff-desk --help | --version

The database is $HANDOFF_DESK_DATA_DIR/handoff-desk.db (default: the user's data directory).
import exits 0 when every line was stored, 3 when some lines were quarantined, 2 on an error.";

/// Runs a subcommand and returns its exit code, or `None` to open the window.
pub fn run(args: &[String]) -> Option<i32> {
    match args.first().map(String::as_str) {
        None => None,
        Some(a) if a.starts_with("-psn_") => None, // macOS process serial number
        Some("--help" | "-h" | "help") => {
            println!("{USAGE}");
            Some(0)
        }
        Some("--version" | "-V") => {
            println!("handoff-desk {}", env!("CARGO_PKG_VERSION"));
            Some(0)
        }
        Some("import") if args.len() > 1 => Some(import(&args[1..])),
        Some("audit") if args.get(1).map(String::as_str) == Some("verify") => Some(audit(None)),
        Some("audit") if args.get(1).map(String::as_str) == Some("export") && args.len() == 3 => Some(audit(Some(&args[2]))),
        Some(other) => {
            eprintln!("unknown command or missing argument: {other}\n\n{USAGE}");
            Some(2)
        }
    }
}

fn import(files: &[String]) -> i32 {
    let config = Config::from_env();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    runtime.block_on(async {
        let store = match Store::open(&config.database_path()).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: cannot open {}: {e}", config.database_path().display());
                return 2;
            }
        };
        let mut code = 0;
        for file in files {
            let bytes = match std::fs::read(file) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("error: cannot read {file}: {e}");
                    code = 2;
                    continue;
                }
            };
            let report = match store.import_jsonl(&bytes, &format!("import:{file}"), |_| {}).await {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: importing {file}: {e}");
                    code = 2;
                    continue;
                }
            };
            println!(
                "{file}: {} lines: {} accepted, {} updated, {} unchanged, {} quarantined",
                report.lines, report.accepted, report.updated, report.unchanged, report.quarantined
            );
            for e in &report.line_errors {
                for fe in &e.errors {
                    println!("  line {}: {}: {}", e.line, fe.path, fe.message);
                }
            }
            if report.quarantined > 0 && code == 0 {
                code = 3;
            }
        }
        println!("database: {}", config.database_path().display());
        code
    })
}

fn audit(export_to: Option<&str>) -> i32 {
    let config = Config::from_env();
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return 2 };
    runtime.block_on(async {
        let store = match Store::open(&config.database_path()).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: cannot open {}: {e}", config.database_path().display());
                return 2;
            }
        };
        if let Some(path) = export_to {
            let file = match std::fs::File::create(path) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("error: cannot write {path}: {e}");
                    return 2;
                }
            };
            let mut w = std::io::BufWriter::new(file);
            return match store.audit_export(&mut w).await {
                Ok(n) => {
                    println!("{path}: {n} audit events");
                    0
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    2
                }
            };
        }
        match store.audit_verify().await {
            Ok(v) if v.ok => {
                println!("audit chain verified: {} events", v.events);
                0
            }
            Ok(v) => {
                println!(
                    "audit chain BROKEN at event {}: {}",
                    v.first_broken_id.unwrap_or_default(),
                    v.problem.unwrap_or_default()
                );
                1
            }
            Err(e) => {
                eprintln!("error: {e}");
                2
            }
        }
    })
}
