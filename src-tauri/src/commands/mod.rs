//! Thin commands: pull the state, call `desk-core`, convert the error.

pub mod app;
pub mod drafts;
pub mod gates;
pub mod import;
pub mod people;
pub mod quarantine;
pub mod queue;
pub mod ratings;
