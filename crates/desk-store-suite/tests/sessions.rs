//! Token sessions on both stores: a token stands for its user with the roles they have now;
//! it expires, it is revoked by signing out, a deactivated user's token stops working, and the
//! store keeps only the token's hash.

#[path = "../../desk-core/tests/common/mod.rs"]
mod common;

use desk_core::people::desk::DeskSessions;
use desk_core::people::tokens::{token_hash, SessionRules, TokenSessions, SWITCH_USER_MS};
use desk_core::people::{Accounts, NewUser, PeopleError, Permission, Role, Session};
use desk_store_suite::{fresh, on_both, Backend};

const T0: i64 = 1_795_000_000_000;
const PASSWORD: &str = "a-long-password-1";

async fn tokens_resolve_expire_and_revoke(b: Backend) {
    let t = fresh(b).await;
    let db = &*t.db;
    let admin = db.create_first_admin(NewUser { username: "ada".into(), display_name: "Ada".into(), password: PASSWORD.into(), roles: vec![Role::Admin] }).await.unwrap();
    let sessions = TokenSessions::new(t.db.clone()).with_ttl(60_000);
    let (ada_token, ada) = sessions.sign_in("ada", PASSWORD, T0).await.unwrap();
    let ada = ada.session;
    let sam = db.create_user(&ada, NewUser { username: "sam".into(), display_name: "Sam".into(), password: PASSWORD.into(), roles: vec![Role::Supervisor] }, T0).await.unwrap();
    let (token, session) = sessions.sign_in("sam", PASSWORD, T0).await.unwrap();
    let session = session.session;
    assert_eq!(token.len(), 64);
    assert!(db.live_session(&token, T0).await.unwrap().is_none(), "the token itself is not a key in the store");
    assert!(db.live_session(&token_hash(&token), T0).await.unwrap().is_some());
    let resolved = sessions.resolve(&token, T0 + 1).await.unwrap();
    assert_eq!((resolved.actor.user_id, resolved.actor.roles.clone()), (session.actor.user_id, vec![Role::Supervisor]));
    assert!(resolved.authorize(Permission::ApproveToolCalls, T0 + 1).is_ok());
    assert!(matches!(sessions.resolve("not-a-token", T0).await, Err(PeopleError::NotSignedIn)));
    assert!(matches!(sessions.resolve(&token, T0 + 60_000).await, Err(PeopleError::NotSignedIn)), "expired");
    // The roles are read on every call: a demotion counts at once.
    db.update_user(&ada, sam.id, vec![Role::Agent], true, T0 + 2).await.unwrap();
    let demoted = sessions.resolve(&token, T0 + 3).await.unwrap();
    assert!(matches!(demoted.authorize(Permission::ApproveToolCalls, T0 + 3), Err(PeopleError::Forbidden(_))));
    // Step-up is recorded on the session.
    let later = T0 + 30_000;
    assert!(!sessions.resolve(&token, later).await.unwrap().stepped_up(later + 10 * 60_000));
    assert!(matches!(sessions.step_up(&token, "wrong-password", later).await, Err(PeopleError::WrongCredentials)));
    sessions.step_up(&token, PASSWORD, later).await.unwrap();
    assert_eq!(sessions.resolve(&token, later + 1).await.unwrap().stepped_up_ms, Some(later));
    // Deactivated: signed out everywhere.
    db.update_user(&ada, sam.id, vec![Role::Agent], false, T0 + 4).await.unwrap();
    assert!(matches!(sessions.resolve(&token, T0 + 5).await, Err(PeopleError::NotSignedIn)));
    // Signing out revokes that token only.
    sessions.sign_out(&ada_token, T0 + 6).await.unwrap();
    assert!(matches!(sessions.resolve(&ada_token, T0 + 7).await, Err(PeopleError::NotSignedIn)));
    assert!(!db.revoke_session(&token_hash(&ada_token), T0 + 8).await.unwrap(), "revoked once");
    let (again, _) = sessions.sign_in("ada", PASSWORD, T0 + 9).await.unwrap();
    assert_eq!(sessions.resolve(&again, T0 + 10).await.unwrap().actor.user_id, admin.id);
    assert_eq!(db.revoke_user_sessions(admin.id, T0 + 11).await.unwrap(), 1);
    assert!(sessions.resolve(&again, T0 + 12).await.is_err());
}

/// An admin and a supervisor with an agent's desk: (admin session, the desk's sessions).
async fn desk_with_people(t: &desk_store_suite::TestDb, rules: SessionRules) -> (Session, DeskSessions) {
    let db = &*t.db;
    db.create_first_admin(NewUser { username: "ada".into(), display_name: "Ada".into(), password: PASSWORD.into(), roles: vec![Role::Admin] }).await.unwrap();
    let ada = db.sign_in("ada", PASSWORD, T0).await.unwrap();
    for (u, name, roles) in [("ana", "Ana Agent", vec![Role::Agent]), ("sam", "Sam Supervisor", vec![Role::Supervisor, Role::Agent])] {
        db.create_user(&ada, NewUser { username: u.into(), display_name: name.into(), password: PASSWORD.into(), roles }, T0).await.unwrap();
    }
    (ada, DeskSessions::new(TokenSessions::new(t.db.clone()).with_rules(rules)))
}

async fn an_idle_session_locks_and_only_its_password_unlocks_it(b: Backend) {
    let t = fresh(b).await;
    let rules = SessionRules::default().with_idle_minutes(Some(15));
    let (_, desk) = desk_with_people(&t, rules).await;
    desk.sign_in("ana", PASSWORD, false, T0).await.unwrap();
    let active = T0 + 14 * 60_000;
    desk.require("queue_page", active).await.unwrap();
    desk.activity(active).await.unwrap();
    // Reads do not keep a desk awake; only reported activity does.
    let idle = active + 15 * 60_000 + 1;
    assert!(matches!(desk.require("queue_page", idle).await, Err(PeopleError::Locked { idle_mins: 15 })));
    assert!(matches!(desk.activity(idle).await, Err(PeopleError::Locked { .. })), "activity cannot unlock");
    let state = desk.state(idle).await;
    let info = state.current.expect("still Ana's desk");
    assert!(info.locked && info.actor.username == "ana");
    assert!(desk.authorize("app_status", idle).await.unwrap().is_none(), "public commands still answer");
    assert!(matches!(desk.step_up("wrong-password", idle).await, Err(PeopleError::WrongCredentials)));
    assert!(desk.state(idle).await.current.unwrap().locked);
    let unlocked = desk.step_up(PASSWORD, idle + 1).await.unwrap();
    assert!(!unlocked.current.unwrap().locked);
    desk.require("queue_page", idle + 2).await.unwrap();
    // Signing out works on a locked desk.
    let later = idle + 20 * 60_000;
    assert!(desk.state(later).await.current.unwrap().locked);
    assert!(desk.sign_out(later).await.current.is_none());
}

async fn a_switch_user_session_ends_after_its_decision_or_two_minutes(b: Backend) {
    let t = fresh(b).await;
    let (_, desk) = desk_with_people(&t, SessionRules::default()).await;
    desk.sign_in("ana", PASSWORD, false, T0).await.unwrap();
    let state = desk.sign_in("sam", PASSWORD, true, T0 + 1000).await.unwrap();
    let sam = state.current.unwrap();
    assert!(sam.switched && sam.ends_at_ms == Some(T0 + 1000 + SWITCH_USER_MS));
    assert_eq!(state.previous.unwrap().username, "ana");
    // Signing in on someone else's desk is not a step-up.
    let s = desk.require("approve_tool_call", T0 + 2000).await.unwrap();
    assert!(!s.stepped_up(T0 + 2000));
    // One decision, and the desk is Ana's again.
    let made: Result<&str, PeopleError> = desk.decide("approve_tool_call", T0 + 3000, |s| async move {
        assert_eq!(s.actor.username, "sam");
        Ok("approved")
    }).await;
    assert_eq!(made.unwrap(), "approved");
    let back = desk.state(T0 + 3001).await;
    assert_eq!(back.current.unwrap().actor.username, "ana");
    assert!(back.previous.is_none());
    assert!(matches!(desk.require("approve_tool_call", T0 + 3002).await, Err(PeopleError::Forbidden(_))), "Ana cannot approve");
    // A decision that fails does not end it; two minutes do, and nothing runs as Ana instead.
    desk.sign_in("sam", PASSWORD, true, T0 + 10_000).await.unwrap();
    let failed: Result<(), PeopleError> = desk.decide("deny_tool_call", T0 + 11_000, |_| async { Err(PeopleError::Invalid("no reason".into())) }).await;
    assert!(failed.is_err());
    assert_eq!(desk.state(T0 + 11_001).await.current.unwrap().actor.username, "sam");
    let expired = T0 + 10_000 + SWITCH_USER_MS;
    let err = desk.require("claim_handoff", expired).await.unwrap_err();
    assert!(matches!(&err, PeopleError::SessionEnded(m) if m.contains("Sam Supervisor") && m.contains("Ana Agent")), "{err}");
    assert_eq!(desk.require("claim_handoff", expired + 1).await.unwrap().actor.username, "ana");
    // A plain sign-in is not a switch, whatever the flag says when nobody is signed in.
    desk.sign_out(expired + 2).await;
    assert!(!desk.sign_in("sam", PASSWORD, true, expired + 3).await.unwrap().current.unwrap().switched);
}

async fn roles_and_deactivation_count_at_the_next_command(b: Backend) {
    let t = fresh(b).await;
    let (ada, desk) = desk_with_people(&t, SessionRules::default()).await;
    desk.sign_in("sam", PASSWORD, false, T0).await.unwrap();
    let sam = desk.require("approve_tool_call", T0 + 1).await.unwrap();
    t.db.update_user(&ada, sam.actor.user_id, vec![Role::Agent], true, T0 + 2).await.unwrap();
    assert!(matches!(desk.require("approve_tool_call", T0 + 3).await, Err(PeopleError::Forbidden(_))), "demoted at once");
    t.db.update_user(&ada, sam.actor.user_id, vec![Role::Agent], false, T0 + 4).await.unwrap();
    assert!(matches!(desk.require("queue_page", T0 + 5).await, Err(PeopleError::NotSignedIn)), "deactivated at once");
    assert!(desk.state(T0 + 6).await.current.is_none());
}

on_both!(
    tokens_resolve_expire_and_revoke,
    an_idle_session_locks_and_only_its_password_unlocks_it,
    a_switch_user_session_ends_after_its_decision_or_two_minutes,
    roles_and_deactivation_count_at_the_next_command,
);
