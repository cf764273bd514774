use desk_core::ipc::SessionState;
use desk_core::routing::{Availability, RoutingOffer, Skills, TeamMember};
use desk_core::people::{now_ms, Accounts, NewUser, Role, UserSummary};
use tauri::{AppHandle, State};

use crate::error::CmdResult;
use crate::AppState;

#[tauri::command]
pub async fn session_state(state: State<'_, AppState>) -> CmdResult<SessionState> {
    if let Some(r) = &state.remote {
        return Ok(r.session_state());
    }
    Ok(state.sessions.state().await)
}

#[tauri::command]
pub async fn sign_in(state: State<'_, AppState>, username: String, password: String, switch_user: bool) -> CmdResult<SessionState> {
    if let Some(r) = &state.remote {
        return r.sign_in(&username, &password, switch_user).await;
    }
    state.sessions.authorize("sign_in").await?;
    Ok(state.sessions.0.sign_in(&username, &password, switch_user, now_ms()).await?)
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> CmdResult<SessionState> {
    if let Some(r) = &state.remote {
        return Ok(r.sign_out().await);
    }
    Ok(state.sessions.0.sign_out(now_ms()).await)
}

#[tauri::command]
pub async fn step_up(state: State<'_, AppState>, password: String) -> CmdResult<SessionState> {
    if let Some(r) = &state.remote {
        return r.step_up(&password).await;
    }
    // Not `require`: the password also unlocks an idle-locked desk.
    Ok(state.sessions.0.step_up(&password, now_ms()).await?)
}

/// The window reports that the person at the desk is active (keys, pointer): the idle lock's
/// clock starts again.
#[tauri::command]
pub async fn session_activity(state: State<'_, AppState>) -> CmdResult<()> {
    if let Some(r) = &state.remote {
        return r.activity().await;
    }
    state.sessions.require("session_activity").await?;
    Ok(state.sessions.0.activity(now_ms()).await?)
}

#[tauri::command]
pub async fn create_first_admin(state: State<'_, AppState>, user: NewUser, setup_code: Option<String>) -> CmdResult<SessionState> {
    if let Some(r) = &state.remote {
        return r.create_first_admin(user, setup_code).await;
    }
    let password = user.password.clone();
    let created = state.store.create_first_admin(user).await?;
    Ok(state.sessions.0.sign_in(&created.username, &password, false, now_ms()).await?)
}

#[tauri::command]
pub async fn list_users(state: State<'_, AppState>) -> CmdResult<Vec<UserSummary>> {
    if let Some(r) = &state.remote {
        return r.list_users().await;
    }
    let s = state.sessions.require("list_users").await?;
    Ok(state.store.list_users(&s, now_ms()).await?)
}

#[tauri::command]
pub async fn create_user(state: State<'_, AppState>, user: NewUser) -> CmdResult<UserSummary> {
    if let Some(r) = &state.remote {
        return r.create_user(&user).await;
    }
    let s = state.sessions.require("create_user").await?;
    Ok(state.store.create_user(&s, user, now_ms()).await?)
}

#[tauri::command]
pub async fn update_user(state: State<'_, AppState>, user_id: i64, roles: Vec<Role>, active: bool) -> CmdResult<UserSummary> {
    if let Some(r) = &state.remote {
        return r.update_user(user_id, &roles, active).await;
    }
    let s = state.sessions.require("update_user").await?;
    Ok(state.store.update_user(&s, user_id, roles, active, now_ms()).await?)
}

#[tauri::command]
pub async fn my_availability(state: State<'_, AppState>) -> CmdResult<Availability> {
    if let Some(r) = &state.remote {
        return r.my_availability().await;
    }
    let s = state.sessions.require("my_availability").await?;
    Ok(desk_core::routing::mine(&state.store, &s, now_ms()).await?)
}

/// Available for escalations, or away.
#[tauri::command]
pub async fn set_availability(state: State<'_, AppState>, available: bool) -> CmdResult<Availability> {
    if let Some(r) = &state.remote {
        return r.set_availability(available).await;
    }
    let s = state.sessions.require("set_availability").await?;
    Ok(desk_core::routing::set_available(&state.store, &s, available, now_ms()).await?)
}

/// The escalation offered to the signed-in agent now (team mode; a single desk routes nothing).
#[tauri::command]
pub async fn my_offer(state: State<'_, AppState>) -> CmdResult<Option<RoutingOffer>> {
    if let Some(r) = &state.remote {
        return r.my_offer().await;
    }
    let s = state.sessions.require("my_offer").await?;
    Ok(desk_core::routing::my_offer(&state.store, &s, now_ms()).await?)
}

/// Takes the offered escalation; returns its id (now claimed by this agent).
#[tauri::command]
pub async fn accept_offer(app: AppHandle, state: State<'_, AppState>, offer_id: i64) -> CmdResult<String> {
    if let Some(r) = &state.remote {
        return r.accept_offer(offer_id).await;
    }
    let s = state.sessions.require("accept_offer").await?;
    let id = desk_core::routing::accept_offer(&state.store, &s, offer_id, now_ms()).await?;
    crate::events::queue_changed(&app, vec![id.clone()], 0);
    Ok(id)
}

#[tauri::command]
pub async fn decline_offer(state: State<'_, AppState>, offer_id: i64) -> CmdResult<()> {
    if let Some(r) = &state.remote {
        return r.decline_offer(offer_id).await;
    }
    let s = state.sessions.require("decline_offer").await?;
    Ok(desk_core::routing::decline_offer(&state.store, &s, offer_id, now_ms()).await?)
}

/// What an agent takes: intents, channels, languages (empty means any).
#[tauri::command]
pub async fn set_skills(state: State<'_, AppState>, user_id: i64, skills: Skills) -> CmdResult<Skills> {
    if let Some(r) = &state.remote {
        return r.set_skills(user_id, &skills).await;
    }
    let s = state.sessions.require("set_skills").await?;
    Ok(desk_core::routing::set_skills(&state.store, &s, user_id, skills, now_ms()).await?)
}

/// Gives an escalation to a named agent.
#[tauri::command]
pub async fn reassign(app: AppHandle, state: State<'_, AppState>, handoff_id: String, user_id: i64) -> CmdResult<()> {
    if let Some(r) = &state.remote {
        return r.reassign(&handoff_id, user_id).await;
    }
    let s = state.sessions.require("reassign").await?;
    desk_core::routing::reassign(&state.store, &s, &handoff_id, user_id, now_ms()).await?;
    crate::events::queue_changed(&app, vec![handoff_id], 0);
    Ok(())
}

/// Who is available and who holds how many escalations.
#[tauri::command]
pub async fn team_board(state: State<'_, AppState>) -> CmdResult<Vec<TeamMember>> {
    if let Some(r) = &state.remote {
        return r.team_board().await;
    }
    let s = state.sessions.require("team_board").await?;
    Ok(desk_core::routing::team(&state.store, &s, now_ms()).await?)
}
