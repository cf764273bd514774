//! Availability and the team board on both stores: agents set themselves available or away
//! ("since" moves only on a change); supervisors see every active agent, available first, with
//! how many escalations each holds; nobody else sees the board or sets an availability.

#[path = "../../desk-core/tests/common/mod.rs"]
mod common;

use common::*;
use desk_core::people::{PeopleError, Role};
use desk_core::routing;
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

    assert!(matches!(routing::team(db, &ana, T0).await, Err(PeopleError::Forbidden(_))), "agents do not see the board");
    assert!(matches!(routing::set_available(db, &lee, true, T0).await, Err(PeopleError::Forbidden(_))), "team leads take no escalations");
}

on_both!(agents_are_away_until_they_say_otherwise_and_supervisors_see_the_team);
