//! Token sessions on both stores: a token stands for its user with the roles they have now;
//! it expires, it is revoked by signing out, a deactivated user's token stops working, and the
//! store keeps only the token's hash.

#[path = "../../desk-core/tests/common/mod.rs"]
mod common;

use desk_core::people::tokens::{token_hash, TokenSessions};
use desk_core::people::{Accounts, NewUser, PeopleError, Permission, Role};
use desk_store_suite::{fresh, on_both, Backend};

const T0: i64 = 1_795_000_000_000;
const PASSWORD: &str = "a-long-password-1";

async fn tokens_resolve_expire_and_revoke(b: Backend) {
    let t = fresh(b).await;
    let db = &*t.db;
    let admin = db.create_first_admin(NewUser { username: "ada".into(), display_name: "Ada".into(), password: PASSWORD.into(), roles: vec![Role::Admin] }).await.unwrap();
    let sessions = TokenSessions::new(t.db.clone()).with_ttl(60_000);
    let (ada_token, ada) = sessions.sign_in("ada", PASSWORD, T0).await.unwrap();
    let sam = db.create_user(&ada, NewUser { username: "sam".into(), display_name: "Sam".into(), password: PASSWORD.into(), roles: vec![Role::Supervisor] }, T0).await.unwrap();
    let (token, session) = sessions.sign_in("sam", PASSWORD, T0).await.unwrap();
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

on_both!(tokens_resolve_expire_and_revoke);
