//! Handoff Desk's domain, with no desktop around it.
//!
//! * [`handoff`]: the `handoff/v1` contract (types, limits, validation with JSON paths).
//! * [`storage`]: the storage the services need, one trait per area, implemented on SQLite
//!   (`desk-store-sqlite`) and PostgreSQL (`desk-store-postgres`); [`store`] holds what both share.
//! * [`queue`]: the escalation queue: filters, sorts, keyset pagination, full-text search.
//! * [`ingest`]: importing handoff documents and JSON Lines files, line by line, losing nothing;
//!   [`quarantine`] keeps what failed validation, with every reason.
//! * [`sources`]: where escalations come from; the embedded default is the demo bot.
//! * [`people`]: users, roles, sign-in and the permission matrix; [`claims`] on escalations.
//! * [`ratings`] of handoff quality by team leads, and [`analytics`] over them.
//! * [`events`]: what changed, in commit order, for clients that follow a desk live.
//! * [`ipc`]: the types the desktop shell exchanges with its window (exported to TypeScript).

pub mod analytics;
pub mod audit;
pub mod claims;
pub mod drafts;
pub mod events;
pub mod gates;
pub mod handoff;
pub mod ingest;
pub mod ipc;
pub mod people;
pub mod quarantine;
pub mod queue;
pub mod ratings;
pub mod routing;
pub mod secrets;
pub mod sources;
pub mod storage;
pub mod store;

