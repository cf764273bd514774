use desk_core::audit::{AuditEvent, AuditFilter, AuditVerification};
use desk_core::gates::tools::ToolSpec;
use desk_core::gates::{PendingApproval, ProposeInput, ToolCallView};
use desk_core::ipc::IpcError;
use desk_core::people::now_ms;
use tauri::{AppHandle, State};

use crate::error::CmdResult;
use crate::{events, AppState};

fn gate_err(e: desk_core::gates::GateError) -> IpcError {
    e.into()
}

#[tauri::command]
pub async fn list_tools(state: State<'_, AppState>) -> CmdResult<Vec<ToolSpec>> {
    state.sessions.require("list_tools")?;
    Ok(state.gates.tools.all().to_vec())
}

#[tauri::command]
pub async fn tool_calls_for(state: State<'_, AppState>, handoff_id: String) -> CmdResult<Vec<ToolCallView>> {
    state.sessions.require("tool_calls_for")?;
    state.store.tool_calls_for(&state.gates, state.executor.base_url(), &handoff_id).await.map_err(gate_err)
}

/// Proposes a tool call; the policy decides. An allowed call executes at once.
#[tauri::command]
pub async fn propose_tool_call(app: AppHandle, state: State<'_, AppState>, input: ProposeInput) -> CmdResult<ToolCallView> {
    let s = state.sessions.require("propose_tool_call")?;
    let id = state.store.propose_tool_call(&state.gates, &s, input, now_ms()).await.map_err(gate_err)?;
    let view = state.store.tool_call(&state.gates, state.executor.base_url(), &id).await.map_err(gate_err)?;
    events::gates_changed(&app, &view);
    if view.state == desk_core::gates::lifecycle::CallState::Approved {
        events::execute_in_background(app.clone(), state.inner().clone(), id, desk_core::audit::user_actor(s.actor.user_id, &s.actor.username));
    }
    if view.state == desk_core::gates::lifecycle::CallState::Pending {
        events::approval_requested(&app, &view);
    }
    Ok(view)
}

#[tauri::command]
pub async fn confirm_tool_call(app: AppHandle, state: State<'_, AppState>, call_id: String) -> CmdResult<ToolCallView> {
    let s = state.sessions.require("confirm_tool_call")?;
    state.store.confirm_tool_call(&s, &call_id, now_ms()).await.map_err(gate_err)?;
    let actor = desk_core::audit::user_actor(s.actor.user_id, &s.actor.username);
    let view = state.store.tool_call(&state.gates, state.executor.base_url(), &call_id).await.map_err(gate_err)?;
    events::gates_changed(&app, &view);
    events::execute_in_background(app.clone(), state.inner().clone(), call_id.clone(), actor);
    Ok(view)
}

#[tauri::command]
pub async fn pending_approvals(state: State<'_, AppState>) -> CmdResult<Vec<PendingApproval>> {
    let s = state.sessions.require("pending_approvals")?;
    state.store.pending_approvals(&state.gates, state.executor.base_url(), &s, now_ms()).await.map_err(gate_err)
}

#[tauri::command]
pub async fn approval_history(state: State<'_, AppState>) -> CmdResult<Vec<ToolCallView>> {
    let s = state.sessions.require("approval_history")?;
    state.store.approval_history(&state.gates, state.executor.base_url(), &s, 200, now_ms()).await.map_err(gate_err)
}

/// Approves exactly the parameters the supervisor was shown, then executes the call.
#[tauri::command]
pub async fn approve_tool_call(app: AppHandle, state: State<'_, AppState>, call_id: String, params_sha256: String) -> CmdResult<ToolCallView> {
    let s = state.sessions.require("approve_tool_call")?;
    state.store.approve_tool_call(&state.gates, &s, &call_id, &params_sha256, now_ms()).await.map_err(gate_err)?;
    let actor = desk_core::audit::user_actor(s.actor.user_id, &s.actor.username);
    events::execute_in_background(app.clone(), state.inner().clone(), call_id.clone(), actor);
    let view = state.store.tool_call(&state.gates, state.executor.base_url(), &call_id).await.map_err(gate_err)?;
    events::gates_changed(&app, &view);
    Ok(view)
}

#[tauri::command]
pub async fn deny_tool_call(app: AppHandle, state: State<'_, AppState>, call_id: String, reason: String) -> CmdResult<ToolCallView> {
    let s = state.sessions.require("deny_tool_call")?;
    state.store.deny_tool_call(&s, &call_id, &reason, now_ms()).await.map_err(gate_err)?;
    let view = state.store.tool_call(&state.gates, state.executor.base_url(), &call_id).await.map_err(gate_err)?;
    events::gates_changed(&app, &view);
    Ok(view)
}

/// A person retries a failed, retryable call (same idempotency key: executed at most once).
#[tauri::command]
pub async fn retry_tool_call(app: AppHandle, state: State<'_, AppState>, call_id: String) -> CmdResult<ToolCallView> {
    let s = state.sessions.require("retry_tool_call")?;
    state.store.retry_tool_call(&state.gates, &state.executor, &s, &call_id, now_ms()).await.map_err(gate_err)?;
    let view = state.store.tool_call(&state.gates, state.executor.base_url(), &call_id).await.map_err(gate_err)?;
    events::gates_changed(&app, &view);
    Ok(view)
}

/// Escalates an overdue pending request to every supervisor.
#[tauri::command]
pub async fn escalate_tool_call(app: AppHandle, state: State<'_, AppState>, call_id: String) -> CmdResult<ToolCallView> {
    let s = state.sessions.require("escalate_tool_call")?;
    state.store.escalate_tool_call(&state.gates, &s, &call_id, now_ms()).await.map_err(gate_err)?;
    let view = state.store.tool_call(&state.gates, state.executor.base_url(), &call_id).await.map_err(gate_err)?;
    events::gates_changed(&app, &view);
    events::approval_requested(&app, &view);
    Ok(view)
}

#[tauri::command]
pub async fn audit_list(state: State<'_, AppState>, filter: AuditFilter, before_id: Option<i64>, limit: i64) -> CmdResult<Vec<AuditEvent>> {
    state.sessions.require("audit_list")?;
    Ok(state.store.audit_list(&filter, before_id, limit).await?)
}

#[tauri::command]
pub async fn audit_verify(state: State<'_, AppState>) -> CmdResult<AuditVerification> {
    state.sessions.require("audit_verify")?;
    Ok(state.store.audit_verify().await?)
}

/// Writes the whole audit log as JSON Lines to `path`; returns the number of events.
#[tauri::command]
pub async fn audit_export(state: State<'_, AppState>, path: String) -> CmdResult<i64> {
    state.sessions.require("audit_export")?;
    let path = path.trim().to_owned();
    if path.is_empty() {
        return Err(IpcError::invalid_input("Choose where to save the export."));
    }
    let mut buf = Vec::new();
    let n = state.store.audit_export(&mut buf).await?;
    tokio::fs::write(&path, buf).await.map_err(|e| IpcError::invalid_input(format!("Cannot write {path}: {e}")))?;
    Ok(n)
}
