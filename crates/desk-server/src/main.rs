//! `desk-server`: see the crate documentation and the README ("Team server").
//!
//! Configuration, by environment (secrets from files, never on a command line):
//! * `DESK_SERVER_DATABASE_URL_FILE` — a file holding the PostgreSQL URL (with its password), or
//!   `DESK_SERVER_DATABASE_URL` for a URL without a secret (e.g. peer authentication on a socket);
//! * `DESK_SERVER_ADDR` — where to listen (default `127.0.0.1:8787`);
//! * `DESK_SERVER_BACKEND_URL` — the orders/billing backend approved tool calls go to; without it
//!   the server starts the demo backend on loopback (`DESK_SERVER_DATA_DIR` keeps its file);
//! * `DESK_SERVER_KB_DIR` — the knowledge base folder (default `$DESK_SERVER_DATA_DIR/kb`, the
//!   starter articles on first start);
//! * `DESK_SERVER_CHECKPOINT_SECS` — how often the audit chain's head is signed (default 300);
//! * `DESK_SERVER_EVENTS_KEEP_HOURS` — how long the event stream keeps events for replay (default 168);
//! * `DESK_SERVER_OFFER_SECS` — how long an agent has to accept an offered escalation before it
//!   goes to someone else (default 60);
//! * `DESK_SERVER_ROUTING_CAPACITY` — how many escalations an agent holds before no more are
//!   offered to them (default 5);
//! * `DESK_SERVER_IDLE_LOCK_MINS` — minutes without activity after which a desk's session locks
//!   until its password is entered again (default 15);
//! * `DESK_SERVER_SOURCE_URL` — a bot platform to pull escalations from (the HTTP bot source's
//!   protocol, as a desk pulls them), with its bearer token in the file
//!   `DESK_SERVER_SOURCE_TOKEN_FILE`; every `DESK_SERVER_SOURCE_POLL_SECS` (default 5);
//! * `DESK_SERVER_PLATFORMS_FILE` — a TOML file of the bot platforms allowed to push escalations,
//!   `name = "bearer token"` per line under `[platforms]`.

use std::sync::Arc;
use std::time::Duration;

use desk_core::gates::executor::ToolExecutor;
use desk_core::gates::{GateService, Gates, Silent};
use desk_core::people::Accounts;
use desk_server::{router, AppState, Platform};
use desk_store_postgres::PgStore;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn database_url() -> Result<String, String> {
    if let Some(path) = env("DESK_SERVER_DATABASE_URL_FILE") {
        return std::fs::read_to_string(&path).map(|s| s.trim().to_owned()).map_err(|e| format!("cannot read DESK_SERVER_DATABASE_URL_FILE ({path}): {e}"));
    }
    env("DESK_SERVER_DATABASE_URL").ok_or_else(|| "set DESK_SERVER_DATABASE_URL_FILE (or DESK_SERVER_DATABASE_URL) to the PostgreSQL database".to_owned())
}

/// The bot platform the server pulls from, if one is set.
fn pull_source() -> Result<Option<(desk_core::sources::http::HttpSource, Duration)>, String> {
    let Some(url) = env("DESK_SERVER_SOURCE_URL") else { return Ok(None) };
    let token = match env("DESK_SERVER_SOURCE_TOKEN_FILE") {
        Some(path) => {
            Some(std::fs::read_to_string(&path).map(|s| s.trim().to_owned()).map_err(|e| format!("cannot read DESK_SERVER_SOURCE_TOKEN_FILE ({path}): {e}"))?).filter(|t| !t.is_empty())
        }
        None => None,
    };
    desk_core::sources::http::check_url(&url, token.is_some()).map_err(|e| format!("DESK_SERVER_SOURCE_URL: {e}"))?;
    let poll = env("DESK_SERVER_SOURCE_POLL_SECS").and_then(|s| s.parse().ok()).filter(|s: &u64| *s > 0).unwrap_or(5);
    Ok(Some((desk_core::sources::http::HttpSource::new(&url, token, Duration::from_secs(20)), Duration::from_secs(poll))))
}

fn platforms() -> Result<Vec<Platform>, String> {
    let Some(path) = env("DESK_SERVER_PLATFORMS_FILE") else { return Ok(vec![]) };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read DESK_SERVER_PLATFORMS_FILE ({path}): {e}"))?;
    desk_server::parse_platforms(&text).map_err(|e| format!("{path}: {e}"))
}

async fn run() -> Result<(), String> {
    let url = database_url()?;
    let store = PgStore::connect(&url, 16).await.map_err(|e| format!("cannot open the database: {e}"))?;
    let pg = store.clone();
    let db: Arc<dyn desk_core::storage::Database> = Arc::new(store);
    let backend = match env("DESK_SERVER_BACKEND_URL") {
        Some(u) => u,
        None => {
            let dir = std::path::PathBuf::from(env("DESK_SERVER_DATA_DIR").unwrap_or_else(|| ".".into()));
            let backend = desk_demo::DemoBackend::start(&dir.join("demo-backend.db"), "127.0.0.1:0".parse().expect("addr"))
                .await
                .map_err(|e| format!("cannot start the demo backend: {e}"))?;
            tracing::info!(url = backend.base_url(), "no DESK_SERVER_BACKEND_URL: approved calls go to the demo backend");
            backend.base_url()
        }
    };
    let gates = GateService::new(db.clone(), Gates::default(), ToolExecutor::new(backend, Duration::from_secs(10))).in_background(Arc::new(Silent));
    // The knowledge base drafts are grounded in: the starter articles on first start.
    let data_dir = std::path::PathBuf::from(env("DESK_SERVER_DATA_DIR").unwrap_or_else(|| ".".into()));
    let kb_dir = env("DESK_SERVER_KB_DIR").map(std::path::PathBuf::from).unwrap_or_else(|| data_dir.join("kb"));
    desk_core::drafts::kb::install_starter(&kb_dir).map_err(|e| format!("cannot install the knowledge base in {}: {e}", kb_dir.display()))?;
    let kb = desk_core::drafts::kb::reindex(&*db, &kb_dir).await.map_err(|e| format!("cannot index the knowledge base: {e}"))?;
    tracing::info!(articles = kb.articles, passages = kb.passages, dir = %kb_dir.display(), "knowledge base indexed");
    let setup_code = if db.has_users().await.map_err(|e| e.to_string())? { None } else { Some(desk_server::setup_code()) };
    let platforms = platforms()?;
    let pull = pull_source()?;
    let addr = env("DESK_SERVER_ADDR").unwrap_or_else(|| "127.0.0.1:8787".into());
    let tls = desk_server::tls::Tls::from_setting(
        env("DESK_SERVER_TLS").as_deref(),
        &data_dir,
        env("DESK_SERVER_TLS_CERT").map(Into::into),
        env("DESK_SERVER_TLS_KEY").map(Into::into),
    )?;
    let pem = tls.pem()?;
    let listener = std::net::TcpListener::bind(&addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let (scheme, curl_tls) = match &tls {
        desk_server::tls::Tls::Off => ("http", String::new()),
        desk_server::tls::Tls::SelfSigned(dir) => ("https", format!(" --cacert {}", dir.join("cert.pem").display())),
        desk_server::tls::Tls::Files { .. } => ("https", String::new()),
    };
    let host = if local.ip().is_loopback() && pem.is_some() { format!("localhost:{}", local.port()) } else { local.to_string() };
    println!("desk-server listening on {scheme}://{host}");
    if let desk_server::tls::Tls::SelfSigned(dir) = &tls {
        println!("TLS with a self-signed certificate for localhost: {} (give it to the desks that connect)", dir.join("cert.pem").display());
    }
    if let Some(code) = &setup_code {
        // Shown once, on the terminal that started the server; never logged.
        println!("No users yet. Create the first admin with this one-time code: {code}");
        println!("  curl{curl_tls} -X POST {scheme}://{host}/v1/setup -H 'content-type: application/json' \\");
        println!("       -d '{{\"code\":\"{code}\",\"username\":\"admin\",\"display_name\":\"Admin\",\"password\":\"…\",\"roles\":[\"admin\"]}}'");
    }
    tracing::info!(platforms = platforms.len(), "ready");
    tokio::spawn(gates.clone().keep(Duration::from_secs(15)));
    // The event stream keeps a week by default: a desk away longer reads everything again.
    let keep_hours = env("DESK_SERVER_EVENTS_KEEP_HOURS").and_then(|s| s.parse().ok()).filter(|h: &u64| *h > 0).unwrap_or(168);
    tokio::spawn(desk_core::events::keep_for(db.clone(), Duration::from_secs(keep_hours * 3600), Duration::from_secs(3600)));
    // Signed audit checkpoints, outside the database, at start and then periodically.
    let checkpointer = desk_server::checkpoints::Checkpointer::open(&data_dir).map_err(|e| format!("cannot open the audit signing key: {e}"))?;
    println!("Audit checkpoints: {} (public key {})", checkpointer.file().display(), hex::encode(checkpointer.public_key().to_bytes()));
    let every = env("DESK_SERVER_CHECKPOINT_SECS").and_then(|s| s.parse().ok()).unwrap_or(300u64).max(1);
    let log = db.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(every));
        loop {
            tick.tick().await;
            match checkpointer.checkpoint(&*log, desk_core::people::now_ms()).await {
                Ok(Some(c)) => tracing::info!(last_id = c.last_id, "audit checkpoint signed"),
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "could not write an audit checkpoint"),
            }
        }
    });
    // Routing: every two seconds, offer what waits to whoever is available and skilled.
    let defaults = desk_core::routing::RoutingPolicy::default();
    let policy = desk_core::routing::RoutingPolicy {
        offer_ms: env("DESK_SERVER_OFFER_SECS").and_then(|s| s.parse().ok()).filter(|s: &i64| *s > 0).map(|s| s * 1000).unwrap_or(defaults.offer_ms),
        capacity: env("DESK_SERVER_ROUTING_CAPACITY").and_then(|s| s.parse().ok()).filter(|c: &i64| *c > 0).unwrap_or(defaults.capacity),
        ..defaults
    };
    tokio::spawn(desk_core::routing::keep_routing(db.clone(), policy, Duration::from_secs(2)));
    if let Some((source, poll)) = pull {
        tracing::info!(url = source.base_url(), "pulling escalations from the bot platform");
        tokio::spawn(desk_core::sources::http::keep_pulling(db.clone(), source, poll, Arc::new(desk_core::sources::http::Unwatched)));
    }
    let mut state = AppState::new(db, gates, platforms, setup_code);
    let idle = env("DESK_SERVER_IDLE_LOCK_MINS").and_then(|s| s.parse().ok());
    state.sessions = state.sessions.with_rules(desk_core::people::tokens::SessionRules::default().with_idle_minutes(idle));
    tokio::spawn(desk_server::deliver_replies(state.db.clone(), state.platforms.clone(), Duration::from_secs(2)));
    pg.spawn_event_wakeups(state.wake.clone());
    tokio::select! {
        served = desk_server::tls::serve(listener, router(state), pem) => served.map_err(|e| e.to_string()),
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}

/// `desk-server audit verify [--public-key FILE]`: the chain, then every signed checkpoint.
async fn audit_verify(args: &[String]) -> Result<bool, String> {
    let data_dir = std::path::PathBuf::from(env("DESK_SERVER_DATA_DIR").unwrap_or_else(|| ".".into()));
    let key_file = match args.iter().position(|a| a == "--public-key") {
        Some(i) => std::path::PathBuf::from(args.get(i + 1).ok_or("--public-key needs a file")?),
        None => data_dir.join("audit-signing.pub"),
    };
    let key = desk_server::checkpoints::read_public_key(&key_file).map_err(|e| e.to_string())?;
    let store = PgStore::connect(&database_url()?, 2).await.map_err(|e| format!("cannot open the database: {e}"))?;
    let r = desk_server::checkpoints::verify(&store, &data_dir.join("audit-checkpoints.jsonl"), &key).await.map_err(|e| e.to_string())?;
    if !r.chain.ok {
        println!("The audit chain is broken at event {}: {}", r.chain.first_broken_id.unwrap_or(0), r.chain.problem.clone().unwrap_or_default());
    } else {
        println!("The audit chain verifies: {} events.", r.chain.events);
    }
    match &r.problem {
        Some(p) => println!("Checkpoints: {p}."),
        None => println!("Checkpoints: all {} signed heads match the log.", r.checkpoints),
    }
    Ok(r.ok())
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into())).init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        None => run().await.map(|_| true),
        Some("audit") if args.get(1).map(String::as_str) == Some("verify") => audit_verify(&args[2..]).await,
        Some(other) => Err(format!("unknown command {other:?}: run `desk-server` to serve, or `desk-server audit verify [--public-key FILE]`")),
    };
    match outcome {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("desk-server: {e}");
            std::process::exit(2);
        }
    }
}
