//! The embedded demo, outside the core: what makes a fresh desk alive and its tests real without
//! a bot platform or a billing system.
//!
//! * [`bot`]: the demo bot, escalations built from real public customer-service dialogues
//!   (`demo-data/`, with their licences), and the source that feeds them to a desk.
//! * [`backend`]: a demo orders/billing backend on loopback that honours idempotency keys, so
//!   approved tool calls go over the real HTTP path.
//! * [`channel`]: the demo bot's reply channel, which receives replies by their id.
//!
//! The desktop uses both as its embedded default; `desk-core` and a team server do not depend
//! on this crate.

pub mod backend;
pub mod bot;
pub mod channel;

pub use backend::{DemoBackend, Faults};
pub use bot::{DemoBot, DemoSource};
pub use channel::DemoChannel;
