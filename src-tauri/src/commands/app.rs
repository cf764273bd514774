use desk_core::ipc::AppStatus;
use tauri::State;

use crate::error::CmdResult;
use crate::AppState;

#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> CmdResult<AppStatus> {
    let c = &state.config;
    Ok(AppStatus {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        database_path: c.database_path().display().to_string(),
        log_dir: c.log_dir().display().to_string(),
        demo_source: c.demo,
        bands: c.bands,
        sla: c.sla,
    })
}
