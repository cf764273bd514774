//! Carrying replies to the customer: one driver ([`deliver`]) for every channel. A reply is sent
//! at least once (a crash after the channel took it and before it is marked sent hands it over
//! again) and the channel deduplicates by the reply's id; it is marked sent, with its
//! `reply.sent` audit event, exactly once.

use async_trait::async_trait;
use serde_json::json;

use super::record::{Carries, OutboxRecord};
use crate::storage::{Database, NewAuditEvent};
use crate::store::StoreError;

/// Where replies go: the bot platform a conversation came from, or the demo bot.
#[async_trait]
pub trait ReplyChannel: Send + Sync {
    /// Recorded on the `reply.sent` event.
    fn name(&self) -> &str;
    /// The escalations whose replies this channel carries.
    fn carries(&self) -> Carries<'_>;
    /// Hands one reply over; the reply's id is its deduplication key.
    async fn send(&self, reply: &OutboxRecord) -> Result<(), ChannelError>;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// The channel refused this reply for good; it stays pending with the reason shown, and the
    /// replies after it still go.
    #[error("{0}")]
    Refused(String),
    /// The channel cannot be reached now; the round stops and is tried again later.
    #[error("{0}")]
    Unavailable(String),
}

/// What a round of delivery did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct DeliveryReport {
    /// Replies the channel took this round.
    pub sent: Vec<String>,
    /// Replies the channel refused for good (they stay pending), with the reason.
    pub refused: Vec<(String, String)>,
    /// Why the round stopped early, when the channel could not be reached.
    pub unavailable: Option<String>,
}

impl DeliveryReport {
    /// Every reply whose state or error changed this round.
    pub fn touched(&self) -> impl Iterator<Item = &String> {
        self.sent.iter().chain(self.refused.iter().map(|(id, _)| id))
    }
}

/// Replies handed over in one round at most.
const ROUND: i64 = 100;

/// Hands the pending replies `channel` carries to it, oldest first, each marked sent at `clock()`
/// when it took it. A refused reply keeps its reason; an unreachable channel ends the round with
/// the reason recorded on the reply it was given.
pub async fn deliver(db: &dyn Database, channel: &dyn ReplyChannel, clock: &(dyn Fn() -> i64 + Send + Sync)) -> Result<DeliveryReport, StoreError> {
    let mut report = DeliveryReport::default();
    for reply in db.pending_replies(channel.carries(), ROUND).await? {
        db.outbox_attempt(&reply.id).await?;
        match channel.send(&reply).await {
            Ok(()) => {
                let event = NewAuditEvent::new(clock(), "system", "reply.sent", &reply.id, json!({ "channel": channel.name() }));
                db.outbox_sent(&reply.id, &event).await?;
                report.sent.push(reply.id);
            }
            Err(e) => {
                // Shown on the reply in the transcript until it goes.
                db.outbox_failed(&reply.id, &e.to_string()).await?;
                match e {
                    ChannelError::Refused(why) => {
                        tracing::warn!(outbox_id = %reply.id, channel = channel.name(), error = %why, "a reply was refused; it stays pending");
                        report.refused.push((reply.id, why));
                    }
                    ChannelError::Unavailable(why) => {
                        report.unavailable = Some(why);
                        break;
                    }
                }
            }
        }
    }
    Ok(report)
}
