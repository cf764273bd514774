//! Shadow mode: the AI drafts replies that agents approve, edit or reject. This slice holds the
//! guardrails every draft engine goes through.

pub mod engine;
pub mod engines;
pub mod guardrails;
pub mod kb;
pub mod lifecycle;
pub mod llm;
pub mod outbox;
pub mod record;
pub mod service;
