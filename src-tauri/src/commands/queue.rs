use desk_core::ipc::HandoffDetail;
use desk_core::queue::{QueueFacets, QueuePage, QueueQuery};
use tauri::State;

use crate::error::CmdResult;
use crate::AppState;

#[tauri::command]
pub async fn queue_page(state: State<'_, AppState>, query: QueueQuery) -> CmdResult<QueuePage> {
    let s = state.sessions.require("queue_page")?;
    Ok(state.store.queue_page(&query, state.config.bands, state.config.sla, Some(s.actor.user_id)).await?)
}

#[tauri::command]
pub async fn queue_facets(state: State<'_, AppState>) -> CmdResult<QueueFacets> {
    state.sessions.require("queue_facets")?;
    Ok(state.store.queue_facets().await?)
}

#[tauri::command]
pub async fn get_handoff(state: State<'_, AppState>, handoff_id: String) -> CmdResult<HandoffDetail> {
    state.sessions.require("get_handoff")?;
    let stored = state.store.handoff(&handoff_id).await?;
    Ok(HandoffDetail::new(stored, state.config.bands, state.config.sla))
}
