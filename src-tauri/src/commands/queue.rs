use desk_core::ipc::HandoffDetail;
use desk_core::people::now_ms;
use desk_core::queue::{QueueFacets, QueuePage, QueueQuery};
use tauri::State;

use crate::error::CmdResult;
use crate::AppState;

#[tauri::command]
pub async fn queue_page(state: State<'_, AppState>, query: QueueQuery) -> CmdResult<QueuePage> {
    if let Some(r) = &state.remote {
        return r.queue_page(&query).await;
    }
    let s = state.sessions.require("queue_page").await?;
    Ok(state.queue.page(&s, &query, now_ms()).await?)
}

#[tauri::command]
pub async fn queue_facets(state: State<'_, AppState>) -> CmdResult<QueueFacets> {
    if let Some(r) = &state.remote {
        return r.queue_facets().await;
    }
    let s = state.sessions.require("queue_facets").await?;
    Ok(state.queue.facets(&s, now_ms()).await?)
}

#[tauri::command]
pub async fn get_handoff(state: State<'_, AppState>, handoff_id: String) -> CmdResult<HandoffDetail> {
    if let Some(r) = &state.remote {
        return r.get_handoff(&handoff_id).await;
    }
    let s = state.sessions.require("get_handoff").await?;
    Ok(state.queue.handoff(&s, &handoff_id, now_ms()).await?)
}
