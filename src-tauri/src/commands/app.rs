use desk_core::storage::MetaStore;
use desk_core::ipc::{AppStatus, DemoAccount, IpcError, IpcErrorKind, TeamServerSetting};
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

/// Where Settings → Team server is kept (in this desk's own database: a URL and a path, no secret).
pub const SERVER_URL_KEY: &str = "team.server_url";
pub const SERVER_CA_KEY: &str = "team.server_ca";

async fn setting(state: &AppState) -> CmdResult<TeamServerSetting> {
    let c = &state.config;
    let (url, ca_path) = if c.server_from_env {
        (c.server_url.clone(), c.server_ca.as_ref().map(|p| p.display().to_string()))
    } else {
        let saved = |v: Option<String>| v.filter(|s| !s.is_empty());
        (saved(state.store.meta(SERVER_URL_KEY).await?), saved(state.store.meta(SERVER_CA_KEY).await?))
    };
    Ok(TeamServerSetting { url, ca_path, from_env: c.server_from_env, connected: state.remote.as_ref().map(|r| r.url().to_owned()) })
}

/// Anyone signed in on this desk (here or at its server) may see and change its server.
async fn signed_in(state: &AppState, command: &str) -> CmdResult<()> {
    match &state.remote {
        Some(r) if r.current().is_some() => Ok(()),
        Some(_) => Err(desk_core::people::PeopleError::NotSignedIn.into()),
        None => state.sessions.require(command).await.map(|_| ()),
    }
}

#[tauri::command]
pub async fn team_server(state: State<'_, AppState>) -> CmdResult<TeamServerSetting> {
    signed_in(&state, "team_server").await?;
    setting(&state).await
}

/// Saves the team server (or none: the desk's own database) after checking that it answers,
/// then restarts the app on it.
#[tauri::command]
pub async fn set_team_server(app: tauri::AppHandle, state: State<'_, AppState>, url: Option<String>, ca_path: Option<String>) -> CmdResult<TeamServerSetting> {
    signed_in(&state, "set_team_server").await?;
    if state.config.server_from_env {
        return Err(IpcError { kind: IpcErrorKind::Conflict, message: "HANDOFF_DESK_SERVER_URL decides this desk's server; change it there.".into() });
    }
    let url = url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
    let ca_path = ca_path.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
    if let Some(u) = &url {
        let ca = match &ca_path {
            Some(p) => Some(tokio::fs::read(p).await.map_err(|e| IpcError::invalid_input(format!("Cannot read the certificate {p}: {e}")))?),
            None => None,
        };
        let client = desk_client::DeskClient::new(u, ca.as_deref()).map_err(|e| IpcError::invalid_input(format!("Not a usable server URL: {e}.")))?;
        client.needs_setup().await.map_err(|e| IpcError { kind: e.kind, message: format!("The server did not answer, so nothing was saved: {}", e.message) })?;
    }
    state.store.set_meta(SERVER_URL_KEY, url.as_deref().unwrap_or("")).await?;
    state.store.set_meta(SERVER_CA_KEY, ca_path.as_deref().unwrap_or("")).await?;
    tracing::info!(server = url.as_deref().unwrap_or("(none)"), "team server changed; restarting");
    let saved = setting(&state).await?;
    // The answer reaches the window first; then the desk starts again on its new server.
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        app.request_restart();
    });
    Ok(saved)
}
