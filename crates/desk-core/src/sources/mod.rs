//! Where escalations come from: [`http::HttpSource`] pulls from a bot platform over HTTP. (The
//! desktop's embedded default, the demo bot, lives in the `desk-demo` crate.) Every source hands raw `handoff/v1` JSON to the same validation as an import.

pub mod http;
