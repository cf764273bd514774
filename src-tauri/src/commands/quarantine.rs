use desk_core::store::QuarantineEntry;
use tauri::State;

use crate::error::CmdResult;
use crate::AppState;

#[tauri::command]
pub async fn list_quarantine(
    state: State<'_, AppState>,
    before_id: Option<i64>,
    limit: i64,
) -> CmdResult<Vec<QuarantineEntry>> {
    state.sessions.require("list_quarantine")?;
    Ok(state.store.quarantine_list(before_id, limit.clamp(1, 500)).await?)
}
