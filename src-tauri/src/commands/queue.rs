use desk_core::ipc::HandoffDetail;
use desk_core::people::now_ms;
use desk_core::queue::{QueueFacets, QueuePage, QueueQuery};
use tauri::State;

use crate::error::CmdResult;
use crate::AppState;

#[tauri::command]
pub async fn queue_page(state: State<'_, AppState>, query: QueueQuery) -> CmdResult<QueuePage> {
    let s = state.sessions.require("queue_page")?;
    Ok(state.queue.page(&s, &query, now_ms()).await?)
}

#[tauri::command]
pub async fn queue_facets(state: State<'_, AppState>) -> CmdResult<QueueFacets> {
    let s = state.sessions.require("queue_facets")?;
    Ok(state.queue.facets(&s, now_ms()).await?)
}

#[tauri::command]
pub async fn get_handoff(state: State<'_, AppState>, handoff_id: String) -> CmdResult<HandoffDetail> {
    let s = state.sessions.require("get_handoff")?;
    Ok(state.queue.handoff(&s, &handoff_id, now_ms()).await?)
}
