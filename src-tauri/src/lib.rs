//! The Tauri 2 shell of Handoff Desk: opens the store, starts the demo source, registers the
//! commands and emits events. All domain logic lives in `desk-core`.

pub mod cli;
mod commands;
pub mod config;
mod drafting;
mod error;
mod events;
mod logging;
mod session;

use desk_core::storage::MetaStore;
use desk_core::people::Accounts;
use desk_store_sqlite::Store;
use tauri::Manager;

/// What every command can reach. Cheap to clone: the pool is shared and synchronised.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: config::Config,
    pub sessions: session::Sessions,
    /// The queue, escalations and the quarantine.
    pub queue: desk_core::queue::QueueService,
    /// The audit log, as the signed-in person may read it.
    pub audit: desk_core::audit::AuditLog,
    /// Tool calls behind approval gates (and their executor and policy).
    pub gates: desk_core::gates::GateService,
    /// What team leads see, and its exports.
    pub analytics: desk_core::analytics::AnalyticsService,
    /// Drafts, decisions, replies and the knowledge base.
    pub drafts: desk_core::drafts::service::DraftService,
    /// The draft engines as configured on this desk, and the knowledge base folder.
    pub engines: desk_core::drafts::engines::DraftEngines,
    /// Where replies go when the escalation did not come from a bot platform.
    pub demo_channel: std::sync::Arc<desk_demo::DemoChannel>,
    /// Team mode: every command goes to this server, which holds the sessions and decides.
    pub remote: Option<desk_client::DeskClient>,
}

impl AppState {
    /// Team mode: the services are built over the local database but not called; every
    /// command goes to `client` (see `remote`).
    fn remote(store: Store, config: config::Config, client: desk_client::DeskClient) -> Self {
        let db: std::sync::Arc<dyn desk_core::storage::Database> = std::sync::Arc::new(store.clone());
        let executor = desk_core::gates::executor::ToolExecutor::new("http://127.0.0.1:9", std::time::Duration::from_secs(1));
        Self {
            queue: desk_core::queue::QueueService::new(db.clone(), config.bands, config.sla),
            audit: desk_core::audit::AuditLog::new(db.clone()),
            drafts: desk_core::drafts::service::DraftService::new(db.clone()),
            engines: tauri::async_runtime::block_on(desk_core::drafts::engines::DraftEngines::load(db.clone(), desk_core::secrets::Secret::llm_api_key())),
            analytics: desk_core::analytics::AnalyticsService::new(db.clone()),
            sessions: config.sessions(db.clone()),
            gates: desk_core::gates::GateService::new(db, desk_core::gates::Gates::default(), executor),
            demo_channel: Default::default(),
            remote: Some(client),
            store,
            config,
        }
    }
}

/// Runs the desktop app.
pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            let config = config::Config::from_env();
            let _guard = logging::init(&config.log_dir());
            // The log writer must live as long as the app.
            app.manage(LogGuard(std::sync::Mutex::new(_guard)));
            tracing::info!(data_dir = %config.data_dir.display(), demo = config.demo, "starting Handoff Desk");
            let mut config = config;
            let store = tauri::async_runtime::block_on(Store::open(&config.database_path()))
                .map_err(|e| format!("cannot open the database at {}: {e}", config.database_path().display()))?;
            let saved = |key| tauri::async_runtime::block_on(store.meta(key)).ok().flatten();
            config.apply_saved_server(saved(commands::app::SERVER_URL_KEY), saved(commands::app::SERVER_CA_KEY));
            let remote = config.server().map_err(|e| format!("cannot connect to the team server: {e}"))?;
            if let Some(client) = remote {
                // Team mode: the server holds the queue, the people and the authority; this desk
                // runs none of the local workers (no demo bot, backend, gate keeper or drafting).
                tracing::info!(server = client.url(), "team mode: working on the team server");
                let state = AppState::remote(store, config, client.clone());
                app.manage(state);
                events::start_server_follower(app.handle().clone(), client);
                return Ok(());
            }
            if config.demo {
                tauri::async_runtime::block_on(store.seed_demo_users())
                    .map_err(|e| format!("cannot create the demo users: {e}"))?;
            }
            let gates = config.gates().map_err(|e| format!("cannot load the gate configuration: {e}"))?;
            let backend_url = match &config.backend_url {
                Some(url) => url.clone(),
                None => {
                    // The embedded default: the demo orders/billing backend on loopback.
                    let db = config.data_dir.join("demo-backend.db");
                    let backend = tauri::async_runtime::block_on(desk_demo::DemoBackend::start(&db, "127.0.0.1:0".parse().expect("addr")))
                        .map_err(|e| format!("cannot start the demo backend: {e}"))?;
                    backend.base_url()
                }
            };
            let executor = desk_core::gates::executor::ToolExecutor::new(backend_url, std::time::Duration::from_secs(10));
            let db: std::sync::Arc<dyn desk_core::storage::Database> = std::sync::Arc::new(store.clone());
            let queue = desk_core::queue::QueueService::new(db.clone(), config.bands, config.sla);
            let audit = desk_core::audit::AuditLog::new(db.clone());
            let drafts = desk_core::drafts::service::DraftService::new(db.clone());
            let engines = tauri::async_runtime::block_on(desk_core::drafts::engines::DraftEngines::load(db.clone(), desk_core::secrets::Secret::llm_api_key()));
            let analytics = desk_core::analytics::AnalyticsService::new(db.clone());
            let sessions = config.sessions(db.clone());
            let gates = desk_core::gates::GateService::new(db, gates, executor)
                .in_background(std::sync::Arc::new(events::WindowNotifier(app.handle().clone())));
            let state = AppState { store, config, sessions, queue, audit, analytics, gates, drafts, engines, demo_channel: Default::default(), remote: None };
            events::start_gate_keeper(state.clone());
            // Nobody follows a single desk's event stream from afar: a day is plenty.
            tauri::async_runtime::spawn(desk_core::events::keep_for(
                std::sync::Arc::new(state.store.clone()),
                std::time::Duration::from_secs(24 * 3600),
                std::time::Duration::from_secs(3600),
            ));
            drafting::start(app.handle().clone(), state.clone());
            app.manage(state.clone());
            match state.config.http_source() {
                Ok(Some(source)) => {
                    tracing::info!(url = source.base_url(), "pulling escalations from the HTTP bot source");
                    events::start_http_source(app.handle().clone(), state.clone(), source);
                }
                Ok(None) => {}
                // A wrong setting is reported (in the log and the status line), and the desk
                // still opens on what it has.
                Err(e) => {
                    tracing::error!(error = %e, "the HTTP bot source is not started");
                    let status = desk_core::ipc::SourceStatus {
                        url: state.config.source_url.clone().unwrap_or_default(),
                        last_error: Some(format!("not started: {e}")),
                        last_error_ms: Some(desk_core::people::now_ms()),
                        ..Default::default()
                    };
                    let json = serde_json::to_string(&status).expect("json");
                    if let Err(e) = tauri::async_runtime::block_on(state.store.set_meta(desk_core::ipc::SourceStatus::META_KEY, &json)) {
                        tracing::warn!(error = %e, "could not record the source status");
                    }
                }
            }
            if state.config.demo {
                events::start_demo_source(app.handle().clone(), state);
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::queue::queue_page,
            commands::queue::queue_facets,
            commands::queue::get_handoff,
            commands::quarantine::list_quarantine,
            commands::import::import_file,
            commands::app::app_status,
            commands::people::session_state,
            commands::people::sign_in,
            commands::people::sign_out,
            commands::people::step_up,
            commands::people::session_activity,
            commands::people::create_first_admin,
            commands::ratings::claim_handoff,
            commands::ratings::release_handoff,
            commands::ratings::rate_handoff,
            commands::ratings::handoff_ratings,
            commands::ratings::next_unrated,
            commands::ratings::analytics,
            commands::ratings::export_csv,
            commands::ratings::export_eval_cases,
            commands::people::list_users,
            commands::people::create_user,
            commands::people::update_user,
            commands::gates::list_tools,
            commands::gates::tool_calls_for,
            commands::gates::propose_tool_call,
            commands::gates::confirm_tool_call,
            commands::gates::pending_approvals,
            commands::gates::approval_history,
            commands::gates::approve_tool_call,
            commands::gates::deny_tool_call,
            commands::gates::retry_tool_call,
            commands::gates::escalate_tool_call,
            commands::drafts::draft_for,
            commands::drafts::drafts_of,
            commands::drafts::decide_draft,
            commands::drafts::outbox_of,
            commands::drafts::draft_metrics,
            commands::drafts::llm_status,
            commands::drafts::save_llm_settings,
            commands::drafts::set_llm_api_key,
            commands::drafts::kb_reindex,
            commands::app::team_server,
            commands::app::set_team_server,
            commands::people::my_availability,
            commands::people::set_availability,
            commands::people::team_board,
            commands::people::my_offer,
            commands::people::accept_offer,
            commands::people::decline_offer,
            commands::people::set_skills,
            commands::people::reassign,
            commands::gates::audit_list,
            commands::gates::audit_verify,
            commands::gates::audit_export,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("Handoff Desk could not start: {e}");
            std::process::exit(1);
        });
}

struct LogGuard(#[allow(dead_code)] std::sync::Mutex<Option<tracing_appender::non_blocking::WorkerGuard>>);


#[cfg(test)]
mod tests {
    #[test]
    fn registered_commands_match_the_typed_bindings() {
        // Every typed command is registered in the handler, has an autogenerated permission
        // (build.rs) and is granted to the window (capabilities), and nothing else is.
        let handler = include_str!("lib.rs");
        let build = include_str!("../build.rs");
        let capabilities = include_str!("../capabilities/default.json");
        let typed: Vec<&str> = desk_core::ipc::COMMANDS.iter().map(|(name, _, _)| *name).collect();
        assert_eq!(build.matches("\n            \"").count(), typed.len(), "build.rs lists exactly the typed commands");
        assert_eq!(capabilities.matches("\"allow-").count(), typed.len(), "the window is granted exactly the typed commands");
        for name in &typed {
            assert!(handler.contains(&format!("::{name},")), "{name} is not in generate_handler!");
            assert!(build.contains(&format!("\"{name}\"")), "{name} is not in build.rs");
            let permission = format!("\"allow-{}\"", name.replace('_', "-"));
            assert!(capabilities.contains(&permission), "capability for {name} missing");
        }
    }
}
