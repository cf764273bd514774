//! The knowledge base folder and the outbox delivery loop of this desk. The draft engines and
//! their settings are `desk_core::drafts::engines::DraftEngines`.

use tauri::AppHandle;

use crate::{events, AppState};

/// Installs the starter knowledge base on first run and indexes the folder.
pub fn start(app: AppHandle, state: AppState) {
    tauri::async_runtime::spawn(async move {
        let dir = state.config.kb_dir();
        match desk_core::drafts::kb::install_starter(&dir) {
            Ok(true) => tracing::info!(dir = %dir.display(), "installed the starter knowledge base"),
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "cannot install the starter knowledge base"),
        }
        match desk_core::drafts::kb::reindex(&state.store, &dir).await {
            Ok(r) => tracing::info!(articles = r.articles, passages = r.passages, changed = r.changed, "knowledge base indexed"),
            Err(e) => tracing::error!(error = %e, "cannot index the knowledge base"),
        }
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
        loop {
            tick.tick().await;
            deliver(&app, &state).await;
        }
    });
}

async fn deliver(app: &AppHandle, state: &AppState) {
    match desk_core::drafts::outbox::deliver(&state.store, &*state.demo_channel, &desk_core::people::now_ms).await {
        Ok(r) => events::replies_changed(app, &state.store, &r).await,
        Err(e) => tracing::error!(error = %e, "outbox delivery failed; it will be retried"),
    }
}

/// Delivers now rather than at the next tick (after an agent sends something).
pub fn deliver_now(app: AppHandle, state: AppState) {
    tauri::async_runtime::spawn(async move { deliver(&app, &state).await });
}
