use desk_core::drafts::kb::KbReport;
use desk_core::drafts::llm::LlmSettings;
use desk_core::drafts::service::{DraftDecision, DraftIntentMetrics, DraftView, OutboxEntry};
use desk_core::ipc::LlmStatus;
use desk_core::people::now_ms;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

use crate::error::CmdResult;
use crate::{drafting, events, AppState};

/// The draft for the latest customer message; tokens stream over `on_token` while it is made.
#[tauri::command]
pub async fn draft_for(app: AppHandle, state: State<'_, AppState>, handoff_id: String, on_token: Channel<String>) -> CmdResult<Option<DraftView>> {
    if let Some(r) = &state.remote {
        return r.draft_for(&handoff_id, |t| {
            let _ = on_token.send(t.to_owned());
        })
        .await;
    }
    let s = state.sessions.require("draft_for").await?;
    let setup = state.engines.setup().await;
    let sink = move |t: &str| {
        let _ = on_token.send(t.to_owned());
    };
    let d = state.drafts.draft(&s, &setup, &handoff_id, now_ms(), &sink).await?;
    events::drafts_changed(&app, &handoff_id);
    Ok(d)
}

#[tauri::command]
pub async fn drafts_of(state: State<'_, AppState>, handoff_id: String) -> CmdResult<Vec<DraftView>> {
    if let Some(r) = &state.remote {
        return r.drafts_of(&handoff_id).await;
    }
    let s = state.sessions.require("drafts_of").await?;
    Ok(state.drafts.drafts(&s, &handoff_id, now_ms()).await?)
}

#[tauri::command]
pub async fn decide_draft(app: AppHandle, state: State<'_, AppState>, draft_id: String, decision: DraftDecision) -> CmdResult<DraftView> {
    if let Some(r) = &state.remote {
        return r.decide_draft(&draft_id, &decision).await;
    }
    let s = state.sessions.require("decide_draft").await?;
    let d = state.drafts.decide(&s, &draft_id, decision, now_ms()).await?;
    events::drafts_changed(&app, &d.handoff_id);
    drafting::deliver_now(app.clone(), state.inner().clone());
    Ok(d)
}

#[tauri::command]
pub async fn outbox_of(state: State<'_, AppState>, handoff_id: String) -> CmdResult<Vec<OutboxEntry>> {
    if let Some(r) = &state.remote {
        return r.outbox_of(&handoff_id).await;
    }
    let s = state.sessions.require("outbox_of").await?;
    Ok(state.drafts.outbox(&s, &handoff_id, now_ms()).await?)
}

#[tauri::command]
pub async fn draft_metrics(state: State<'_, AppState>) -> CmdResult<Vec<DraftIntentMetrics>> {
    if let Some(r) = &state.remote {
        return r.draft_metrics().await;
    }
    let s = state.sessions.require("draft_metrics").await?;
    Ok(state.drafts.metrics(&s, now_ms()).await?)
}

#[tauri::command]
pub async fn llm_status(state: State<'_, AppState>) -> CmdResult<LlmStatus> {
    if state.remote.is_some() {
        return Err(desk_client::api::on_the_server("The draft engine"));
    }
    let s = state.sessions.require("llm_status").await?;
    Ok(state.engines.status(&s, now_ms()).await?)
}

/// Saves the model server's settings (not the key); needs an admin with a fresh step-up.
#[tauri::command]
pub async fn save_llm_settings(state: State<'_, AppState>, settings: LlmSettings, enabled: bool) -> CmdResult<LlmStatus> {
    if state.remote.is_some() {
        return Err(desk_client::api::on_the_server("The draft engine"));
    }
    let s = state.sessions.require("save_llm_settings").await?;
    Ok(state.engines.save(&s, settings, enabled, now_ms()).await?)
}

/// Stores the API key in the OS keyring (an empty key removes it).
#[tauri::command]
pub async fn set_llm_api_key(state: State<'_, AppState>, api_key: String) -> CmdResult<LlmStatus> {
    if state.remote.is_some() {
        return Err(desk_client::api::on_the_server("The draft engine's API key"));
    }
    let s = state.sessions.require("set_llm_api_key").await?;
    Ok(state.engines.set_key(&s, &api_key, now_ms()).await?)
}

#[tauri::command]
pub async fn kb_reindex(state: State<'_, AppState>) -> CmdResult<KbReport> {
    if state.remote.is_some() {
        return Err(desk_client::api::on_the_server("The knowledge base"));
    }
    let s = state.sessions.require("kb_reindex").await?;
    Ok(state.drafts.kb_reindex(&s, &state.config.kb_dir(), now_ms()).await?)
}
