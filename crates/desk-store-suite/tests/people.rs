//! Accounts and sign-in through desk-core's rules on both stores: argon2id hashes, one answer
//! for a wrong password and an unknown user, the rate limit and its record in the audit log,
//! step-up, the first admin, the last admin who keeps the role even when two admins race, and
//! who may read and export the audit log.

use std::sync::Arc;

use desk_core::people::{Accounts, NewUser, PeopleError, Role, Session, DEMO_PASSWORD};
use desk_core::storage::Database;
use desk_store_suite::{fresh, on_both, Backend};

const T0: i64 = 1_795_000_000_000;

async fn demo_desk(b: Backend) -> (desk_store_suite::TestDb, Arc<dyn Database>) {
    let t = fresh(b).await;
    let db = t.db.clone();
    assert!(db.seed_demo_users().await.unwrap());
    assert!(!db.seed_demo_users().await.unwrap(), "seeding happens once");
    (t, db)
}

async fn session(db: &dyn Database, user: &str) -> Session {
    db.sign_in(user, DEMO_PASSWORD, T0).await.unwrap_or_else(|e| panic!("{user}: {e}"))
}

async fn sign_in_checks_the_password_and_never_says_which_part_was_wrong(b: Backend) {
    let (_t, db) = demo_desk(b).await;
    let s = session(&*db, "ana").await;
    assert_eq!(s.actor.roles, vec![Role::Agent]);
    assert_eq!(db.sign_in("ANA", DEMO_PASSWORD, T0).await.unwrap().actor.username, "ana", "usernames ignore case");
    assert_eq!(db.sign_in("  sam ", DEMO_PASSWORD, T0).await.unwrap().actor.roles, vec![Role::Agent, Role::Supervisor]);
    let wrong = db.sign_in("ana", "wrong password", T0).await.unwrap_err();
    let nobody = db.sign_in("nobody", "wrong password", T0).await.unwrap_err();
    assert_eq!(wrong.to_string(), nobody.to_string());
    assert!(matches!(wrong, PeopleError::WrongCredentials));
    // The hash is argon2id; the password is nowhere in the database.
    let hash = db.credentials("ana").await.unwrap().unwrap().password_hash;
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(DEMO_PASSWORD));
    // A deactivated user cannot sign in, with the same answer.
    let ada = session(&*db, "ada").await;
    db.update_user(&ada, s.actor.user_id, vec![Role::Agent], false, T0).await.unwrap();
    assert!(matches!(db.sign_in("ana", DEMO_PASSWORD, T0).await, Err(PeopleError::WrongCredentials)));
}

async fn repeated_failures_lock_the_username_for_the_window_and_are_recorded(b: Backend) {
    let (_t, db) = demo_desk(b).await;
    for i in 0..5 {
        assert!(matches!(db.sign_in("sam", "nope nope", T0 + i).await, Err(PeopleError::WrongCredentials)));
    }
    // Now even the right password is refused until the window passes, whatever the case.
    match db.sign_in("SAM", DEMO_PASSWORD, T0 + 10).await {
        Err(PeopleError::RateLimited { retry_after_secs }) => assert!(retry_after_secs > 800 && retry_after_secs <= 900),
        other => panic!("expected a rate limit, got {other:?}"),
    }
    // Other users are not affected.
    session(&*db, "ana").await;
    // After the window the user can sign in again.
    db.sign_in("sam", DEMO_PASSWORD, T0 + 16 * 60 * 1000).await.unwrap();
    let attempts = db.sign_in_attempts("sam").await.unwrap();
    assert_eq!(attempts.iter().filter(|a| !a.1 && a.2 == "sign_in").count(), 5, "every failure is recorded");
    assert!(attempts.iter().any(|a| a.2 == "locked"), "the refusal while locked is recorded");
    assert!(attempts[0].1, "the last attempt succeeded");
    let audit: Vec<String> = db.audit_list(&Default::default(), None, 50).await.unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(audit.iter().filter(|k| *k == "auth.sign_in_failed").count(), 5, "failures are in the audit log");
    assert!(audit.contains(&"auth.sign_in_refused_locked".to_owned()));
    assert!(desk_core::audit::verify(&*db).await.unwrap().ok);
}

/// Knocking on a locked account does not keep it locked: a refusal while locked is recorded but
/// is not a new failure, so the owner gets in once the window after the last real failure ends.
/// An absurdly long username is refused like a wrong password and leaves no trace.
async fn a_lock_ends_however_often_someone_knocks_and_long_usernames_leave_no_trace(b: Backend) {
    let (_t, db) = demo_desk(b).await;
    for i in 0..5 {
        assert!(matches!(db.sign_in("ana", "nope nope", T0 + i).await, Err(PeopleError::WrongCredentials)));
    }
    // Someone keeps trying every minute for the whole window.
    for m in 1..15 {
        assert!(matches!(db.sign_in("ana", "nope nope", T0 + m * 60_000).await, Err(PeopleError::RateLimited { .. })));
    }
    db.sign_in("ana", DEMO_PASSWORD, T0 + desk_core::people::RATE_WINDOW_MS + 10).await.expect("the lock ends with its window");

    let long = "x".repeat(10_000);
    let before = db.audit_list(&Default::default(), None, 500).await.unwrap().len();
    assert!(matches!(db.sign_in(&long, "whatever", T0).await, Err(PeopleError::WrongCredentials)));
    assert_eq!(db.audit_list(&Default::default(), None, 500).await.unwrap().len(), before, "nothing recorded");
    assert!(db.sign_in_attempts(&long).await.unwrap().is_empty());
}

async fn step_up_asks_the_password_again(b: Backend) {
    let (_t, db) = demo_desk(b).await;
    let lee = session(&*db, "lee").await;
    let later = T0 + desk_core::people::STEP_UP_WINDOW_MS + 1;
    assert!(!lee.stepped_up(later));
    assert!(matches!(db.step_up(&lee, "wrong", later).await, Err(PeopleError::WrongCredentials)));
    let lee = db.step_up(&lee, DEMO_PASSWORD, later).await.unwrap();
    assert!(lee.stepped_up(later + 1));
    assert_eq!(db.sign_in_attempts("lee").await.unwrap()[0].2, "step_up");
}

async fn admins_manage_users_and_nobody_else_does(b: Backend) {
    let (_t, db) = demo_desk(b).await;
    let ada = session(&*db, "ada").await;
    let sam = session(&*db, "sam").await;
    let new = NewUser { username: "bo".into(), display_name: "Bo Agent".into(), password: "long enough".into(), roles: vec![Role::Agent] };
    assert!(matches!(db.create_user(&sam, new.clone(), T0).await, Err(PeopleError::Forbidden(_))));
    assert!(matches!(db.list_users(&sam, T0).await, Err(PeopleError::Forbidden(_))));
    let bo = db.create_user(&ada, new.clone(), T0).await.unwrap();
    assert_eq!(bo.roles, vec![Role::Agent]);
    assert!(matches!(db.create_user(&ada, NewUser { username: "BO".into(), ..new.clone() }, T0).await, Err(PeopleError::Conflict(_))), "usernames are unique whatever the case");
    let short = NewUser { username: "x".into(), display_name: "X".into(), password: "short".into(), roles: vec![Role::Agent] };
    assert!(matches!(db.create_user(&ada, short, T0).await, Err(PeopleError::Invalid(_))));
    let names: Vec<String> = db.list_users(&ada, T0).await.unwrap().into_iter().map(|u| u.username).collect();
    assert_eq!(names, vec!["ada", "ana", "bo", "lee", "sam"]);
    let bo = db.update_user(&ada, bo.id, vec![Role::Supervisor, Role::Agent], true, T0).await.unwrap();
    assert_eq!(bo.roles, vec![Role::Agent, Role::Supervisor]);
    assert!(matches!(db.update_user(&ada, 999_999, vec![Role::Agent], true, T0).await, Err(PeopleError::Invalid(_))));
    // Managing users needs a fresh step-up.
    let stale = T0 + desk_core::people::STEP_UP_WINDOW_MS + 1;
    assert!(matches!(db.update_user(&ada, bo.id, vec![Role::Agent], true, stale).await, Err(PeopleError::StepUpRequired)));
    // Every change to users is in the audit log, with who made it; refused ones leave nothing.
    let events: Vec<_> = db.audit_list(&Default::default(), None, 100).await.unwrap().into_iter().filter(|e| e.kind.starts_with("user.")).collect();
    let created: Vec<_> = events.iter().filter(|e| e.kind == "user.created").map(|e| (e.subject.as_str(), e.actor.as_str())).collect();
    assert_eq!(created.len(), 5, "the four demo users and bo, not the refused duplicate: {created:?}");
    assert!(created.contains(&("user:bo", desk_core::audit::user_actor(ada.actor.user_id, "ada").as_str())), "{created:?}");
    let changed: Vec<_> = events.iter().filter(|e| e.kind == "user.access_changed").collect();
    assert_eq!(changed.len(), 1, "the step-up refusal and the unknown user changed nothing: {changed:?}");
    assert_eq!(changed[0].subject, format!("user:{}", bo.id));
    assert_eq!(changed[0].payload["roles_before"], serde_json::json!(["agent"]));
    assert_eq!(changed[0].payload["roles"], serde_json::json!(["supervisor", "agent"]));
    assert!(!changed[0].payload.to_string().contains("long enough"), "no password in the log");
    assert!(desk_core::audit::verify(&*db).await.unwrap().ok);
}

async fn the_first_admin_can_only_be_created_on_an_empty_database_and_the_last_admin_stays(b: Backend) {
    let t = fresh(b).await;
    let db = t.db.clone();
    assert!(!db.has_users().await.unwrap());
    let root = NewUser { username: "root".into(), display_name: "Root".into(), password: "correct horse".into(), roles: vec![] };
    let admin = db.create_first_admin(root).await.unwrap();
    assert_eq!(admin.roles, vec![Role::Admin]);
    let eve = NewUser { username: "eve".into(), display_name: "Eve".into(), password: "correct horse".into(), roles: vec![] };
    assert!(matches!(db.create_first_admin(eve.clone()).await, Err(PeopleError::Conflict(_))));
    let s = db.sign_in("root", "correct horse", T0).await.unwrap();
    assert!(matches!(db.update_user(&s, admin.id, vec![Role::Agent], true, T0).await, Err(PeopleError::Conflict(_))));
    assert!(matches!(db.update_user(&s, admin.id, vec![Role::Admin], false, T0).await, Err(PeopleError::Conflict(_))));

    // Two admins demoting each other at the same moment: one of them stays admin.
    let second = db.create_user(&s, NewUser { roles: vec![Role::Admin], ..eve }, T0).await.unwrap();
    let e = db.sign_in("eve", "correct horse", T0).await.unwrap();
    for _ in 0..10 {
        let (a, b) = tokio::join!(
            db.update_user(&s, second.id, vec![Role::Agent], true, T0),
            db.update_user(&e, admin.id, vec![Role::Agent], true, T0),
        );
        assert!(a.is_ok() != b.is_ok(), "exactly one demotion succeeds: {a:?} / {b:?}");
        let admins = db.users().await.unwrap().into_iter().filter(|u| u.active && u.roles.contains(&Role::Admin)).count();
        assert_eq!(admins, 1);
        // Make both admins again for the next round.
        let (keeper, other) = if a.is_ok() { (&s, second.id) } else { (&e, admin.id) };
        db.update_user(keeper, other, vec![Role::Admin], true, T0).await.unwrap();
    }
}

async fn the_audit_log_checks_who_reads_and_who_exports(b: Backend) {
    let (_t, db) = demo_desk(b).await;
    let log = desk_core::audit::AuditLog::new(db.clone());
    let ana = session(&*db, "ana").await;
    let lee = session(&*db, "lee").await;
    let nobody = desk_store_suite::person(&*db, "nobody", "No Role", &[], T0).await;
    // Everyone with a role reads and verifies; nobody else does.
    assert!(log.list(&ana, &Default::default(), None, 10, T0).await.unwrap().iter().any(|e| e.kind == "auth.signed_in"));
    assert!(log.verify(&ana, T0).await.unwrap().ok);
    assert!(matches!(log.list(&nobody, &Default::default(), None, 10, T0).await, Err(PeopleError::Forbidden(_))));
    assert!(matches!(log.verify(&nobody, T0).await, Err(PeopleError::Forbidden(_))));
    // Exporting is a team lead's or an admin's, with a fresh step-up.
    let mut out = Vec::new();
    assert!(matches!(log.export(&ana, &mut out, T0).await, Err(PeopleError::Forbidden(_))));
    let stale = T0 + desk_core::people::STEP_UP_WINDOW_MS + 1;
    assert!(matches!(log.export(&lee, &mut out, stale).await, Err(PeopleError::StepUpRequired)));
    assert!(out.is_empty(), "nothing written when refused");
    let n = log.export(&lee, &mut out, T0).await.unwrap();
    assert_eq!(n as usize, String::from_utf8(out).unwrap().lines().count());
}

on_both!(
    the_audit_log_checks_who_reads_and_who_exports,
    sign_in_checks_the_password_and_never_says_which_part_was_wrong,
    repeated_failures_lock_the_username_for_the_window_and_are_recorded,
    a_lock_ends_however_often_someone_knocks_and_long_usernames_leave_no_trace,
    step_up_asks_the_password_again,
    admins_manage_users_and_nobody_else_does,
    the_first_admin_can_only_be_created_on_an_empty_database_and_the_last_admin_stays,
);
