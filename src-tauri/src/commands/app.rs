use desk_core::storage::MetaStore;
use desk_core::ipc::{AppStatus, DemoAccount};
use desk_core::people::{Accounts, DEMO_PASSWORD, DEMO_USERS};
use tauri::State;

use crate::error::CmdResult;
use crate::AppState;

#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> CmdResult<AppStatus> {
    let c = &state.config;
    // In team mode the people are the server's: no demo accounts here, and the server says
    // whether its first admin is still to be made (unknown while it cannot be reached).
    let needs_first_admin = match &state.remote {
        Some(r) => r.needs_setup().await.unwrap_or(false),
        None => !state.store.has_users().await?,
    };
    let demo = c.demo && state.remote.is_none();
    let demo_accounts = if demo {
        DEMO_USERS
            .iter()
            .map(|(u, d, r)| DemoAccount { username: (*u).into(), display_name: (*d).into(), roles: r.to_vec() })
            .collect()
    } else {
        vec![]
    };
    Ok(AppStatus {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        database_path: c.database_path().display().to_string(),
        log_dir: c.log_dir().display().to_string(),
        demo_source: demo,
        bands: c.bands,
        sla: c.sla,
        needs_first_admin,
        demo_password: demo.then(|| DEMO_PASSWORD.to_owned()),
        server: state.remote.as_ref().map(|r| r.link()),
        demo_accounts,
        password_min: desk_core::people::PASSWORD_MIN,
        http_source: match &c.source_url {
            Some(url) => Some(
                state
                    .store
                    .meta(desk_core::ipc::SourceStatus::META_KEY)
                    .await
                    .ok()
                    .flatten()
                    .and_then(|s| serde_json::from_str(&s).ok())
                    .unwrap_or_else(|| desk_core::ipc::SourceStatus { url: url.clone(), ..Default::default() }),
            ),
            None => None,
        },
    })
}
