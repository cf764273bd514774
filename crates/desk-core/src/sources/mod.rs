//! Where escalations come from. The embedded default is [`demo::DemoBot`], which replays
//! realistic escalations built from public customer-service dialogues, so the app is alive on
//! its first run; [`http::HttpSource`] pulls from a bot platform over HTTP. Every source hands raw `handoff/v1` JSON to the same validation as an import.

pub mod demo;
pub mod http;
