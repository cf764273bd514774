use desk_core::audit::{AuditEvent, AuditFilter, AuditVerification};
use desk_core::gates::tools::ToolSpec;
use desk_core::gates::{PendingApproval, ProposeInput, ToolCallView};
use desk_core::ipc::IpcError;
use desk_core::people::now_ms;
use tauri::State;

use crate::error::CmdResult;
use crate::AppState;

#[tauri::command]
pub async fn list_tools(state: State<'_, AppState>) -> CmdResult<Vec<ToolSpec>> {
    if let Some(r) = &state.remote {
        return r.list_tools().await;
    }
    let s = state.sessions.require("list_tools").await?;
    Ok(state.gates.tools(&s, now_ms())?)
}

#[tauri::command]
pub async fn tool_calls_for(state: State<'_, AppState>, handoff_id: String) -> CmdResult<Vec<ToolCallView>> {
    if let Some(r) = &state.remote {
        return r.tool_calls_for(&handoff_id).await;
    }
    let s = state.sessions.require("tool_calls_for").await?;
    Ok(state.gates.tool_calls_for(&s, &handoff_id, now_ms()).await?)
}

/// Proposes a tool call; the policy decides (an allowed call executes at once).
#[tauri::command]
pub async fn propose_tool_call(state: State<'_, AppState>, input: ProposeInput) -> CmdResult<ToolCallView> {
    if let Some(r) = &state.remote {
        return r.propose_tool_call(&input).await;
    }
    let s = state.sessions.require("propose_tool_call").await?;
    Ok(state.gates.propose(&s, input, now_ms()).await?)
}

#[tauri::command]
pub async fn confirm_tool_call(state: State<'_, AppState>, call_id: String) -> CmdResult<ToolCallView> {
    if let Some(r) = &state.remote {
        return r.confirm_tool_call(&call_id).await;
    }
    let s = state.sessions.require("confirm_tool_call").await?;
    Ok(state.gates.confirm(&s, &call_id, now_ms()).await?)
}

#[tauri::command]
pub async fn pending_approvals(state: State<'_, AppState>) -> CmdResult<Vec<PendingApproval>> {
    if let Some(r) = &state.remote {
        return r.pending_approvals().await;
    }
    let s = state.sessions.require("pending_approvals").await?;
    Ok(state.gates.pending_approvals(&s, now_ms()).await?)
}

#[tauri::command]
pub async fn approval_history(state: State<'_, AppState>) -> CmdResult<Vec<ToolCallView>> {
    if let Some(r) = &state.remote {
        return r.approval_history().await;
    }
    let s = state.sessions.require("approval_history").await?;
    Ok(state.gates.approval_history(&s, 200, now_ms()).await?)
}

/// Approves exactly the parameters the supervisor was shown; the call then executes.
#[tauri::command]
pub async fn approve_tool_call(state: State<'_, AppState>, call_id: String, params_sha256: String) -> CmdResult<ToolCallView> {
    if let Some(r) = &state.remote {
        return r.approve_tool_call(&call_id, &params_sha256).await;
    }
    let gates = &state.gates;
    state.sessions.0.decide("approve_tool_call", now_ms(), |s| async move { gates.approve(&s, &call_id, &params_sha256, now_ms()).await.map_err(IpcError::from) }).await
}

#[tauri::command]
pub async fn deny_tool_call(state: State<'_, AppState>, call_id: String, reason: String) -> CmdResult<ToolCallView> {
    if let Some(r) = &state.remote {
        return r.deny_tool_call(&call_id, &reason).await;
    }
    let gates = &state.gates;
    state.sessions.0.decide("deny_tool_call", now_ms(), |s| async move { gates.deny(&s, &call_id, &reason, now_ms()).await.map_err(IpcError::from) }).await
}

/// A person retries a failed, retryable call (same idempotency key: executed at most once).
#[tauri::command]
pub async fn retry_tool_call(state: State<'_, AppState>, call_id: String) -> CmdResult<ToolCallView> {
    if let Some(r) = &state.remote {
        return r.retry_tool_call(&call_id).await;
    }
    let s = state.sessions.require("retry_tool_call").await?;
    Ok(state.gates.retry(&s, &call_id, now_ms()).await?)
}

/// Escalates an overdue pending request to every supervisor.
#[tauri::command]
pub async fn escalate_tool_call(state: State<'_, AppState>, call_id: String) -> CmdResult<ToolCallView> {
    if let Some(r) = &state.remote {
        return r.escalate_tool_call(&call_id).await;
    }
    let s = state.sessions.require("escalate_tool_call").await?;
    Ok(state.gates.escalate(&s, &call_id, now_ms()).await?)
}

#[tauri::command]
pub async fn audit_list(state: State<'_, AppState>, filter: AuditFilter, before_id: Option<i64>, limit: i64) -> CmdResult<Vec<AuditEvent>> {
    if let Some(r) = &state.remote {
        return r.audit_list(&filter, before_id, limit).await;
    }
    let s = state.sessions.require("audit_list").await?;
    Ok(state.audit.list(&s, &filter, before_id, limit, now_ms()).await?)
}

#[tauri::command]
pub async fn audit_verify(state: State<'_, AppState>) -> CmdResult<AuditVerification> {
    if let Some(r) = &state.remote {
        return r.audit_verify().await;
    }
    let s = state.sessions.require("audit_verify").await?;
    Ok(state.audit.verify(&s, now_ms()).await?)
}

/// Writes the whole audit log as JSON Lines to `path`; returns the number of events.
#[tauri::command]
pub async fn audit_export(state: State<'_, AppState>, path: String) -> CmdResult<i64> {
    let path = path.trim().to_owned();
    if path.is_empty() {
        return Err(IpcError::invalid_input("Choose where to save the export."));
    }
    let (buf, n) = match &state.remote {
        Some(r) => {
            let (body, n) = r.audit_export().await?;
            (body.into_bytes(), n)
        }
        None => {
            let s = state.sessions.require("audit_export").await?;
            let mut buf = Vec::new();
            let n = state.audit.export(&s, &mut buf, now_ms()).await?;
            (buf, n)
        }
    };
    tokio::fs::write(&path, buf).await.map_err(|e| IpcError::invalid_input(format!("Cannot write {path}: {e}")))?;
    Ok(n)
}
