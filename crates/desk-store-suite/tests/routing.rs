//! Availability and the team board on both stores: agents set themselves available or away
//! ("since" moves only on a change); supervisors see every active agent, available first, with
//! how many escalations each holds; nobody else sees the board or sets an availability.

#[path = "../../desk-core/tests/common/mod.rs"]
mod common;

use common::*;
use desk_core::handoff::Channel;
use desk_core::people::{PeopleError, Role};
use desk_core::routing::{self, OfferState, RoutingPolicy, Skills};
use desk_store_suite::{fresh, on_both, person, Backend};

const T0: i64 = 1_795_000_000_000;

async fn agents_are_away_until_they_say_otherwise_and_supervisors_see_the_team(b: Backend) {
    let t = fresh(b).await;
    let db = &*t.db;
    let ana = person(db, "ana", "Ana Agent", &[Role::Agent], T0).await;
    let ben = person(db, "ben", "Ben Agent", &[Role::Agent], T0).await;
    let sam = person(db, "sam", "Sam Supervisor", &[Role::Supervisor], T0).await;
    let lee = person(db, "lee", "Lee Lead", &[Role::TeamLead], T0).await;

    let a = routing::mine(db, &ana, T0).await.unwrap();
    assert_eq!((a.available, a.since_ms), (false, None), "away until set");
    let a = routing::set_available(db, &ana, true, T0 + 1).await.unwrap();
    assert_eq!((a.available, a.since_ms), (true, Some(T0 + 1)));
    let a = routing::set_available(db, &ana, true, T0 + 2).await.unwrap();
    assert_eq!(a.since_ms, Some(T0 + 1), "saying it again does not move since when");
    routing::set_available(db, &ben, true, T0 + 3).await.unwrap();
    routing::set_available(db, &ben, false, T0 + 4).await.unwrap();
    assert_eq!(routing::mine(db, &ben, T0).await.unwrap(), routing::Availability { available: false, since_ms: Some(T0 + 4) });

    db.ingest(&bytes(&valid_doc()), "test").await.unwrap();
    db.ingest(&bytes(&doc("hf_two", "normal", "2026-12-03T10:00:00Z", "order_status", 0.7)), "test").await.unwrap();
    desk_core::claims::claim(db, &ana, "hf_2f9c01", T0).await.unwrap();
    desk_core::claims::claim(db, &ana, "hf_two", T0).await.unwrap();

    let board = routing::team(db, &sam, T0).await.unwrap();
    let rows: Vec<(&str, bool, i64)> = board.iter().map(|m| (m.username.as_str(), m.available, m.holding)).collect();
    assert_eq!(rows, vec![("ana", true, 2), ("ben", false, 0), ("sam", false, 0)], "available first, then the fewest held; no team lead");
    let held: Vec<&str> = board[0].held.iter().map(|h| h.handoff_id.as_str()).collect();
    assert_eq!(held, vec!["hf_2f9c01", "hf_two"], "what Ana holds, oldest claim first");
    assert_eq!(board[0].held[0].customer, "Ada L.");

    assert!(matches!(routing::team(db, &ana, T0).await, Err(PeopleError::Forbidden(_))), "agents do not see the board");
    assert!(matches!(routing::set_available(db, &lee, true, T0).await, Err(PeopleError::Forbidden(_))), "team leads take no escalations");
}

const POLICY: RoutingPolicy = RoutingPolicy { offer_ms: 60_000, capacity: 5, lookahead: 500 };

fn waiting(id: &str, priority: &str, at: &str, intent: &str, language: &str) -> Vec<u8> {
    let mut d = doc(id, priority, at, intent, 0.6);
    d["customer"]["language"] = serde_json::json!(language);
    bytes(&d)
}

async fn escalations_are_offered_by_urgency_and_skill_and_re_offered_when_declined_or_not_taken(b: Backend) {
    let t = fresh(b).await;
    let db = &*t.db;
    let ana = person(db, "ana", "Ana Agent", &[Role::Agent], T0).await;
    let ben = person(db, "ben", "Ben Agent", &[Role::Agent], T0).await;
    let cy = person(db, "cy", "Cy Agent", &[Role::Agent], T0).await;
    let sam = person(db, "sam", "Sam Supervisor", &[Role::Supervisor], T0).await;
    for (id, p, at, intent, lang) in [
        ("hf_old_normal", "normal", "2026-12-03T09:00:00Z", "order_status", "en"),
        ("hf_urgent", "urgent", "2026-12-03T10:00:00Z", "refund_request", "en"),
        ("hf_spanish", "normal", "2026-12-03T09:30:00Z", "order_status", "es-MX"),
    ] {
        db.ingest(&waiting(id, p, at, intent, lang), "test").await.unwrap();
    }
    // Cy takes Spanish only; nobody is offered anything while away.
    assert!(matches!(routing::set_skills(db, &ana, cy.actor.user_id, Skills::default(), T0).await, Err(PeopleError::Forbidden(_))), "agents do not set skills");
    let cy_skills = routing::set_skills(db, &sam, cy.actor.user_id, Skills { languages: vec![" ES ".into()], channels: vec![Channel::Web], ..Default::default() }, T0).await.unwrap();
    assert_eq!(cy_skills.languages, vec!["es"]);
    let audited = db.audit_list(&desk_core::audit::AuditFilter { kind_prefix: Some("user.skills_changed".into()), ..Default::default() }, None, 10).await.unwrap();
    assert_eq!(audited.len(), 1, "skill changes are audited");
    assert_eq!(routing::route_once(db, POLICY, T0).await.unwrap().offered, 0, "everyone is away");

    routing::set_available(db, &ana, true, T0 + 1).await.unwrap();
    routing::set_available(db, &ben, true, T0 + 2).await.unwrap();
    routing::set_available(db, &cy, true, T0 + 3).await.unwrap();
    let r = routing::route_once(db, POLICY, T0 + 10).await.unwrap();
    assert_eq!(r.offered, 3);
    let offer_of = |s: &desk_core::people::Session| {
        let s = s.clone();
        async move { routing::my_offer(db, &s, T0 + 11).await.unwrap().map(|o| (o.id, o.handoff_id)) }
    };
    let (ana_offer, h) = offer_of(&ana).await.expect("Ana has an offer");
    assert_eq!(h, "hf_urgent", "the most urgent first, to who has been available longest");
    let (ben_offer, h) = offer_of(&ben).await.expect("Ben has an offer");
    assert_eq!(h, "hf_old_normal", "then the longest waiting");
    assert_eq!(offer_of(&cy).await.map(|o| o.1).as_deref(), Some("hf_spanish"), "the Spanish one to the Spanish speaker");
    assert_eq!(routing::route_once(db, POLICY, T0 + 12).await.unwrap(), routing::RoundReport::default(), "one open offer per agent and per escalation");

    // Ana accepts: she holds it. Ben cannot accept her offer; accepting twice is harmless.
    assert!(matches!(routing::accept_offer(db, &ben, ana_offer, T0 + 13).await, Err(PeopleError::Conflict(_))));
    assert_eq!(routing::accept_offer(db, &ana, ana_offer, T0 + 13).await.unwrap(), "hf_urgent");
    assert_eq!(routing::accept_offer(db, &ana, ana_offer, T0 + 14).await.unwrap(), "hf_urgent");
    assert_eq!(db.claim_holder("hf_urgent").await.unwrap().map(|h| h.0), Some(ana.actor.user_id));
    assert_eq!(db.offer(ana_offer).await.unwrap().unwrap().state, "accepted");

    // Ben declines: it goes to Ana (free again), never back to Ben.
    routing::decline_offer(db, &ben, ben_offer, T0 + 15).await.unwrap();
    assert!(matches!(routing::decline_offer(db, &ben, ben_offer, T0 + 15).await, Err(PeopleError::Conflict(_))), "declined already");
    routing::route_once(db, POLICY, T0 + 16).await.unwrap();
    assert_eq!(offer_of(&ana).await.map(|o| o.1).as_deref(), Some("hf_old_normal"));
    assert_eq!(offer_of(&ben).await, None, "nothing else Ben may take");

    // Cy lets hers expire: it goes to Ben (who has not refused it), not back to Cy.
    let expired = T0 + 10 + POLICY.offer_ms;
    assert_eq!(routing::my_offer(db, &cy, expired).await.unwrap(), None, "an offer past its time is not shown");
    let r = routing::route_once(db, POLICY, expired).await.unwrap();
    assert_eq!(r.expired, 1);
    assert_eq!(routing::my_offer(db, &ben, expired).await.unwrap().map(|o| o.handoff_id).as_deref(), Some("hf_spanish"));
    assert_eq!(routing::my_offer(db, &cy, expired).await.unwrap(), None);

    // A claim from the queue makes an offer moot: withdrawn at the next round, and accepting says so.
    let (ana_second, _) = offer_of(&ana).await.expect("Ana's second offer");
    desk_core::claims::claim(db, &cy, "hf_old_normal", expired + 1).await.unwrap();
    assert!(matches!(routing::accept_offer(db, &ana, ana_second, expired + 2).await, Err(PeopleError::Conflict(_))), "Cy has it");
    assert_eq!(db.offer(ana_second).await.unwrap().unwrap().state, OfferState::Withdrawn.as_str());

    // Going away withdraws one's open offer.
    routing::set_available(db, &ben, false, expired + 3).await.unwrap();
    let r = routing::route_once(db, POLICY, expired + 4).await.unwrap();
    assert_eq!(r.withdrawn, 1);

    // The supervisor reassigns to a named agent; the board shows who holds what and what is offered.
    assert!(matches!(routing::reassign(db, &ana, "hf_urgent", ben.actor.user_id, expired + 5).await, Err(PeopleError::Forbidden(_))));
    assert!(matches!(routing::reassign(db, &sam, "hf_urgent", 999_999, expired + 5).await, Err(_)), "no such person");
    routing::reassign(db, &sam, "hf_urgent", ben.actor.user_id, expired + 5).await.unwrap();
    let board = routing::team(db, &sam, expired + 6).await.unwrap();
    let ben_row = board.iter().find(|m| m.username == "ben").unwrap();
    assert_eq!(ben_row.held.iter().map(|h| h.handoff_id.as_str()).collect::<Vec<_>>(), vec!["hf_urgent"]);
    let cy_row = board.iter().find(|m| m.username == "cy").unwrap();
    assert_eq!(cy_row.skills.languages, vec!["es"]);
    assert!(board.iter().all(|m| m.offered.is_none() || m.available), "only available agents have offers");
}

/// Two servers routing at the same moment make each offer once.
async fn rounds_at_the_same_moment_never_double_an_offer(b: Backend) {
    let t = fresh(b).await;
    let db = &*t.db;
    let mut agents = Vec::new();
    for i in 0..4 {
        let a = person(db, &format!("agent{i}"), &format!("Agent {i}"), &[Role::Agent], T0).await;
        routing::set_available(db, &a, true, T0 + i).await.unwrap();
        agents.push(a);
    }
    for i in 0..10 {
        db.ingest(&waiting(&format!("hf_{i}"), "normal", &format!("2026-12-03T09:{i:02}:00Z"), "order_status", "en"), "test").await.unwrap();
    }
    let rounds = futures_util::future::join_all((0..4).map(|_| routing::route_once(db, POLICY, T0 + 100))).await;
    let offered: usize = rounds.into_iter().map(|r| r.unwrap().offered).sum();
    assert_eq!(offered, 4, "one offer per agent, however many rounds ran");
    let open = db.open_offers().await.unwrap();
    let mut escalations: Vec<i64> = open.iter().map(|o| o.handoff_seq).collect();
    escalations.dedup();
    assert_eq!(escalations.len(), 4, "each escalation offered once");
}

on_both!(
    agents_are_away_until_they_say_otherwise_and_supervisors_see_the_team,
    escalations_are_offered_by_urgency_and_skill_and_re_offered_when_declined_or_not_taken,
    rounds_at_the_same_moment_never_double_an_offer
);
