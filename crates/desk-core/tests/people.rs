//! People on SQLite: step-up against an export, the permission and command matrices, claims,
//! and calibration by hand (analytics against hand counts run on both stores in
//! `crates/desk-store-suite/tests/analytics.rs`). Sign-in, the rate limit, user management and
//! the last admin run on both stores in `crates/desk-store-suite/tests/people.rs`, ratings in
//! `ratings.rs` there.

mod common;

use common::*;
use desk_core::analytics::{calibrate, AnalyticsFilter, AnalyticsService, ExportTable};
use desk_core::people::{NewUser, PeopleError, Permission, Role, Session, DEMO_PASSWORD, STEP_UP_WINDOW_MS};
use desk_store_sqlite::Store;

const T0: i64 = 1_795_000_000_000;

async fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("desk.db")).await.unwrap();
    store.seed_demo_users().await.unwrap();
    (dir, store)
}

fn analytics(store: &Store) -> AnalyticsService {
    AnalyticsService::new(std::sync::Arc::new(store.clone()))
}

async fn session(store: &Store, user: &str) -> Session {
    store.sign_in(user, DEMO_PASSWORD, T0).await.unwrap_or_else(|e| panic!("{user}: {e}"))
}

#[tokio::test]
async fn step_up_expires() {
    let (_d, store) = open().await;
    let lee = session(&store, "lee").await;
    let f = AnalyticsFilter::default();
    // Signing in is a fresh step-up; it lasts five minutes.
    analytics(&store).export_csv(&lee, ExportTable::ByIntent, &f, T0 + 1000).await.unwrap();
    let later = T0 + STEP_UP_WINDOW_MS + 1;
    assert!(matches!(analytics(&store).export_csv(&lee, ExportTable::ByIntent, &f, later).await, Err(PeopleError::StepUpRequired)));
    assert!(matches!(store.step_up(&lee, "wrong", later).await, Err(PeopleError::WrongCredentials)));
    let lee = store.step_up(&lee, DEMO_PASSWORD, later).await.unwrap();
    analytics(&store).export_csv(&lee, ExportTable::ByIntent, &f, later + 1).await.unwrap();
}

/// For every permission (and so every command that needs it), each role is allowed or refused
/// exactly as this table says.
#[test]
fn permission_matrix() {
    use Permission::*;
    let expected: &[(Permission, &[Role])] = &[
        (ViewQueue, &[Role::Agent, Role::Supervisor, Role::TeamLead, Role::Admin]),
        (ViewQuarantine, &[Role::Agent, Role::Supervisor, Role::TeamLead, Role::Admin]),
        (ClaimHandoff, &[Role::Agent, Role::Supervisor]),
        (ReassignHandoff, &[Role::Supervisor]),
        (ImportHandoffs, &[Role::Supervisor, Role::Admin]),
        (RateHandoffs, &[Role::TeamLead]),
        (ViewAnalytics, &[Role::Supervisor, Role::TeamLead, Role::Admin]),
        (ExportData, &[Role::TeamLead, Role::Admin]),
        (ManageUsers, &[Role::Admin]),
        (ProposeToolCalls, &[Role::Agent, Role::Supervisor]),
        (ApproveToolCalls, &[Role::Supervisor]),
        (ChangePolicy, &[Role::Admin]),
        (ViewAudit, &[Role::Agent, Role::Supervisor, Role::TeamLead, Role::Admin]),
        (ReplyToCustomers, &[Role::Agent, Role::Supervisor]),
        (ConfigureDrafts, &[Role::Admin]),
    ];
    assert_eq!(expected.len(), Permission::ALL.len(), "every permission is in the table");
    for (p, allowed) in expected {
        for r in Role::ALL {
            assert_eq!(r.grants(*p), allowed.contains(r), "{r:?} / {p:?}");
        }
    }
}

/// For every command the window can call, each role (and nobody) is allowed or refused.
#[tokio::test]
async fn command_matrix_for_every_role() {
    use desk_core::ipc::{authorize_command, COMMANDS};
    let (_d, store) = open().await;
    let sessions = [
        ("ana", session(&store, "ana").await),
        ("sam", session(&store, "sam").await),
        ("lee", session(&store, "lee").await),
        ("ada", session(&store, "ada").await),
    ];
    // command → who may call it (besides Public commands, which everyone may).
    let expected: &[(&str, &[&str])] = &[
        ("queue_page", &["ana", "sam", "lee", "ada"]),
        ("queue_facets", &["ana", "sam", "lee", "ada"]),
        ("get_handoff", &["ana", "sam", "lee", "ada"]),
        ("list_quarantine", &["ana", "sam", "lee", "ada"]),
        ("import_file", &["sam", "ada"]),
        ("step_up", &["ana", "sam", "lee", "ada"]),
        ("session_activity", &["ana", "sam", "lee", "ada"]),
        ("claim_handoff", &["ana", "sam"]),
        ("release_handoff", &["ana", "sam"]),
        ("rate_handoff", &["lee"]),
        ("handoff_ratings", &["sam", "lee", "ada"]),
        ("next_unrated", &["lee"]),
        ("analytics", &["sam", "lee", "ada"]),
        ("export_csv", &["lee", "ada"]),
        ("export_eval_cases", &["lee", "ada"]),
        ("list_users", &["ada"]),
        ("create_user", &["ada"]),
        ("update_user", &["ada"]),
        ("list_tools", &["ana", "sam", "lee", "ada"]),
        ("tool_calls_for", &["ana", "sam", "lee", "ada"]),
        ("propose_tool_call", &["ana", "sam"]),
        ("confirm_tool_call", &["ana", "sam"]),
        ("pending_approvals", &["sam"]),
        ("approval_history", &["sam"]),
        ("approve_tool_call", &["sam"]),
        ("deny_tool_call", &["sam"]),
        ("retry_tool_call", &["ana", "sam"]),
        ("escalate_tool_call", &["ana", "sam"]),
        ("audit_list", &["ana", "sam", "lee", "ada"]),
        ("audit_verify", &["ana", "sam", "lee", "ada"]),
        ("audit_export", &["lee", "ada"]),
        ("draft_for", &["ana", "sam"]),
        ("drafts_of", &["ana", "sam", "lee", "ada"]),
        ("decide_draft", &["ana", "sam"]),
        ("outbox_of", &["ana", "sam", "lee", "ada"]),
        ("draft_metrics", &["sam", "lee", "ada"]),
        ("llm_status", &["ana", "sam", "lee", "ada"]),
        ("save_llm_settings", &["ada"]),
        ("set_llm_api_key", &["ada"]),
        ("kb_reindex", &["ada"]),
        ("team_server", &["ana", "sam", "lee", "ada"]),
        ("set_team_server", &["ana", "sam", "lee", "ada"]),
        ("my_availability", &["ana", "sam"]),
        ("set_availability", &["ana", "sam"]),
        ("team_board", &["sam"]),
        ("my_offer", &["ana", "sam"]),
        ("accept_offer", &["ana", "sam"]),
        ("decline_offer", &["ana", "sam"]),
        ("set_skills", &["sam"]),
        ("reassign", &["sam"]),
    ];
    let public = ["app_status", "session_state", "sign_in", "sign_out", "create_first_admin"];
    assert_eq!(expected.len() + public.len(), COMMANDS.len(), "every command is in the table");
    for (command, _, _) in COMMANDS {
        let allowed: &[&str] = expected.iter().find(|(c, _)| c == command).map(|(_, a)| *a).unwrap_or(&[]);
        let is_public = public.contains(command);
        assert!(is_public || expected.iter().any(|(c, _)| c == command), "{command} missing from the table");
        assert_eq!(authorize_command(None, command, T0).is_ok(), is_public, "nobody / {command}");
        for (name, s) in &sessions {
            let ok = authorize_command(Some(s), command, T0 + 1).is_ok();
            assert_eq!(ok, is_public || allowed.contains(name), "{name} / {command}");
        }
    }
    assert!(authorize_command(Some(&sessions[0].1), "no_such_command", T0).is_err());
}

#[tokio::test]
async fn services_refuse_roles_without_the_permission() {
    let (_d, store) = open().await;
    store.ingest(&bytes(&valid_doc()), "test").await.unwrap();
    let (ana, sam, lee, ada) = (session(&store, "ana").await, session(&store, "sam").await, session(&store, "lee").await, session(&store, "ada").await);
    let f = AnalyticsFilter::default();
    // Ratings: team leads only.
    for s in [&ana, &sam, &ada] {
        assert!(matches!(store.rate(s, "hf_2f9c01", rubric(true, 4), T0).await, Err(PeopleError::Forbidden(Permission::RateHandoffs))));
    }
    store.rate(&lee, "hf_2f9c01", rubric(true, 4), T0).await.unwrap();
    // Analytics: not agents.
    assert!(matches!(analytics(&store).analytics(&ana, &f, T0).await, Err(PeopleError::Forbidden(_))));
    for s in [&sam, &lee, &ada] {
        analytics(&store).analytics(s, &f, T0).await.unwrap();
    }
    // Export: team leads and admins; supervisors and agents never.
    for s in [&ana, &sam] {
        assert!(matches!(analytics(&store).export_eval_cases(s, &f, T0).await, Err(PeopleError::Forbidden(_))));
    }
    // Users: admins only.
    for s in [&ana, &sam, &lee] {
        assert!(matches!(store.list_users(s, T0).await, Err(PeopleError::Forbidden(_))));
    }
    assert_eq!(store.list_users(&ada, T0).await.unwrap().len(), 4);
    // Claims: agents and supervisors, not team leads or admins.
    for s in [&lee, &ada] {
        assert!(matches!(desk_core::claims::claim(&store, s, "hf_2f9c01", T0).await, Err(PeopleError::Forbidden(_))));
    }
}

#[tokio::test]
async fn claims_show_who_has_it_and_only_a_supervisor_takes_over() {
    let (_d, store) = open().await;
    store.ingest(&bytes(&valid_doc()), "test").await.unwrap();
    let (ana, sam) = (session(&store, "ana").await, session(&store, "sam").await);
    let bob = store
        .create_user(
            &session(&store, "ada").await,
            NewUser { username: "bob".into(), display_name: "Bob Agent".into(), password: "long enough".into(), roles: vec![Role::Agent] },
            T0,
        )
        .await
        .unwrap();
    let bob = store.sign_in(&bob.username, "long enough", T0).await.unwrap();
    desk_core::claims::claim(&store, &ana, "hf_2f9c01", T0 + 5_000).await.unwrap();
    assert_eq!(desk_core::claims::holder(&store, &sam, "hf_2f9c01", T0).await.unwrap().unwrap().1, "Ana Agent");
    assert!(matches!(desk_core::claims::claim(&store, &bob, "hf_2f9c01", T0).await, Err(PeopleError::Conflict(_))));
    assert!(matches!(desk_core::claims::release(&store, &bob, "hf_2f9c01", T0).await, Err(PeopleError::Conflict(_))));
    desk_core::claims::claim(&store, &sam, "hf_2f9c01", T0).await.unwrap();
    assert_eq!(desk_core::claims::holder(&store, &sam, "hf_2f9c01", T0).await.unwrap().unwrap().1, "Sam Supervisor");
    // The queue shows the holder and filters by claim.
    use desk_core::queue::*;
    let q = QueueQuery { filter: QueueFilter { claim: ClaimFilter::Mine, ..Default::default() }, limit: 10, ..Default::default() };
    let queue = QueueService::new(std::sync::Arc::new(store.clone()), ConfidenceBands::default(), SlaPolicy::default());
    let mine = queue.page(&sam, &q, T0).await.unwrap();
    assert_eq!(mine.rows.len(), 1);
    assert_eq!(mine.rows[0].claimed_by.as_deref(), Some("Sam Supervisor"));
    let theirs = queue.page(&ana, &q, T0).await.unwrap();
    assert!(theirs.rows.is_empty());
}

#[test]
fn calibration_by_hand() {
    // Bin [0.3, 0.4): 0.30 ✓, 0.35 ✗ → mean 0.325, share 0.5.
    // Bin [0.9, 1.0]: 0.90 ✓, 0.95 ✓, 1.00 ✗ → mean 0.95, share 2/3.
    let c = calibrate(&[(0.30, true), (0.35, false), (0.90, true), (0.95, true), (1.0, false)]);
    assert_eq!(c.rated, 5);
    let b3 = &c.bins[3];
    assert_eq!((b3.lower, b3.upper, b3.rated), (0.3, 0.4, 2));
    assert!((b3.mean_confidence.unwrap() - 0.325).abs() < 1e-9);
    assert!((b3.share_correct.unwrap() - 0.5).abs() < 1e-9);
    let b9 = &c.bins[9];
    assert_eq!(b9.rated, 3);
    assert!((b9.mean_confidence.unwrap() - 0.95).abs() < 1e-9);
    assert!((b9.share_correct.unwrap() - 2.0 / 3.0).abs() < 1e-9);
    assert!(c.bins[0].share_correct.is_none());
    // ECE = 2/5·|0.5 − 0.325| + 3/5·|0.6667 − 0.95| = 0.07 + 0.17 = 0.24.
    assert!((c.ece.unwrap() - 0.24).abs() < 1e-9, "{:?}", c.ece);
}

