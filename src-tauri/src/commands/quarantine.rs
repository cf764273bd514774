use desk_core::people::now_ms;
use desk_core::quarantine::QuarantineEntry;
use tauri::State;

use crate::error::CmdResult;
use crate::AppState;

#[tauri::command]
pub async fn list_quarantine(state: State<'_, AppState>, before_id: Option<i64>, limit: i64) -> CmdResult<Vec<QuarantineEntry>> {
    if let Some(r) = &state.remote {
        return r.list_quarantine(before_id, limit).await;
    }
    let s = state.sessions.require("list_quarantine").await?;
    Ok(state.queue.quarantine(&s, before_id, limit, now_ms()).await?)
}
