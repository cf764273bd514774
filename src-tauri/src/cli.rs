//! The command line of the app binary: `handoff-desk import FILE...` imports without opening a
//! window, through the same validation as the app. With no subcommand the window opens.

use desk_core::ingest::Ingest;
use desk_store_sqlite::Store;

use crate::config::Config;

const USAGE: &str = "\
Handoff Desk

USAGE:
    handoff-desk                  open the desk (the window)
    handoff-desk import FILE...   import handoff/v1 JSON Lines files into the desk's database
    handoff-desk audit verify     verify the audit log's hash chain (exit 1 and the first broken event if not)
    handoff-desk audit export FILE  write the audit log as JSON Lines
    handoff-desk source set-token   store the HTTP bot source's token in the OS keyring (read from stdin)
    handoff-desk source clear-token remove it
    handoff-desk source pull      pull once from $HANDOFF_DESK_SOURCE_URL and print what was stored
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
        Some("source") => match args.get(1).map(String::as_str) {
            Some("set-token") => Some(set_token()),
            Some("clear-token") => Some(match desk_core::secrets::Secret::source_token().delete() {
                Ok(()) => {
                    println!("the source token is removed from the OS keyring");
                    0
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    2
                }
            }),
            Some("pull") => Some(pull()),
            _ => {
                eprintln!("usage: handoff-desk source set-token | clear-token | pull\n\n{USAGE}");
                Some(2)
            }
        },
        Some(other) => {
            eprintln!("unknown command or missing argument: {other}\n\n{USAGE}");
            Some(2)
        }
    }
}

/// Runs `f` on the desk's database in a small runtime; exit 2 when it cannot be opened.
fn with_store<F, Fut>(config: &Config, f: F) -> i32
where
    F: FnOnce(Store) -> Fut,
    Fut: std::future::Future<Output = i32>,
{
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    runtime.block_on(async {
        match Store::open(&config.database_path()).await {
            Ok(store) => f(store).await,
            Err(e) => {
                eprintln!("error: cannot open {}: {e}", config.database_path().display());
                2
            }
        }
    })
}

fn import(files: &[String]) -> i32 {
    let config = Config::from_env();
    let db = config.database_path();
    with_store(&config, |store| async move {
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
            let report = match store.import_jsonl(&bytes, &format!("import:{file}"), &mut |_| {}).await {
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
        println!("database: {}", db.display());
        code
    })
}

fn audit(export_to: Option<&str>) -> i32 {
    let config = Config::from_env();
    with_store(&config, |store| async move {
        if let Some(path) = export_to {
            let file = match std::fs::File::create(path) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("error: cannot write {path}: {e}");
                    return 2;
                }
            };
            let mut w = std::io::BufWriter::new(file);
            return match desk_core::audit::export(&store, &mut w).await {
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
        match desk_core::audit::verify(&store).await {
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

/// Reads the token from stdin (so it is in neither the shell history nor the process list).
fn set_token() -> i32 {
    let mut token = String::new();
    if let Err(e) = std::io::stdin().read_line(&mut token) {
        eprintln!("error: cannot read the token from stdin: {e}");
        return 2;
    }
    let token = token.trim();
    if token.is_empty() {
        eprintln!("error: no token on stdin (e.g. `printf %s \"$TOKEN\" | handoff-desk source set-token`)");
        return 2;
    }
    match desk_core::secrets::Secret::source_token().set(token) {
        Ok(()) => {
            println!("the source token is stored in the OS keyring");
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

/// One pull from the HTTP source; exit 0 when everything was stored, 3 when some documents were
/// quarantined, 2 on an error.
fn pull() -> i32 {
    let config = Config::from_env();
    let source = match config.http_source() {
        Ok(Some(s)) => s,
        Ok(None) => {
            eprintln!("error: HANDOFF_DESK_SOURCE_URL is not set");
            return 2;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    with_store(&config, |store| async move {
        match source.pull(&store).await {
            Ok(r) => {
                println!(
                    "{}: {} pages: {} new or revised, {} unchanged, {} quarantined",
                    source.base_url(),
                    r.pages,
                    r.arrived.len(),
                    r.unchanged,
                    r.quarantined
                );
                if r.quarantined > 0 {
                    3
                } else {
                    0
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                2
            }
        }
    })
}
