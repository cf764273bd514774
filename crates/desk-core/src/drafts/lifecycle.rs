//! The draft lifecycle, pure: `ready → stale | approved | edited | rejected`. A draft answers
//! one customer message; it goes stale when the customer writes again before it is decided, and
//! it is decided once. Nothing here touches a store: [`decide`] says what a decision writes (or
//! why it is refused), and the service writes it compare-and-set on `ready`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::service::{edit_distance, DraftDecision, RejectReason};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DraftState {
    Ready,
    Stale,
    Approved,
    Edited,
    Rejected,
}

impl DraftState {
    pub const ALL: [DraftState; 5] = [DraftState::Ready, DraftState::Stale, DraftState::Approved, DraftState::Edited, DraftState::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            DraftState::Ready => "ready",
            DraftState::Stale => "stale",
            DraftState::Approved => "approved",
            DraftState::Edited => "edited",
            DraftState::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Self {
        Self::ALL.into_iter().find(|st| st.as_str() == s).unwrap_or(DraftState::Ready)
    }

    /// The audit event a decision into this state writes.
    pub fn event_kind(self) -> String {
        format!("draft.{}", self.as_str())
    }
}

/// What a draft is, as far as deciding it goes.
#[derive(Debug, Clone, Copy)]
pub struct Decidable<'a> {
    pub state: DraftState,
    /// A note to the agent, not a reply: it cannot be approved as it is.
    pub is_note: bool,
    pub text: &'a str,
}

/// What a decision writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided {
    pub state: DraftState,
    /// The text that goes to the customer, if any.
    pub send: Option<String>,
    pub reject_reason: Option<RejectReason>,
    pub reject_note: Option<String>,
    /// How many characters the agent changed (approve: 0; edit: the distance; reject: none).
    pub edit_distance: Option<i64>,
}

/// Why a decision is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The draft is no longer ready (stale, or decided already).
    #[error("{0}")]
    Conflict(String),
    /// The decision itself is incomplete.
    #[error("{0}")]
    Invalid(String),
}

fn trimmed(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned)
}

/// The one transition out of `ready`.
pub fn decide(d: Decidable<'_>, decision: &DraftDecision) -> Result<Decided, Refused> {
    match d.state {
        DraftState::Ready => {}
        DraftState::Stale => return Err(Refused::Conflict("The customer wrote again since this draft was made: a fresh draft answers the new message.".into())),
        decided => return Err(Refused::Conflict(format!("This draft was already {}.", decided.as_str()))),
    }
    Ok(match decision {
        DraftDecision::Approve => {
            if d.is_note {
                return Err(Refused::Invalid("This is a note to you, not a reply: edit it into a reply or write your own.".into()));
            }
            Decided { state: DraftState::Approved, send: Some(d.text.to_owned()), reject_reason: None, reject_note: None, edit_distance: Some(0) }
        }
        DraftDecision::Edit { text } => {
            let Some(text) = trimmed(Some(text)) else {
                return Err(Refused::Invalid("The reply is empty.".into()));
            };
            let distance = edit_distance(d.text, &text) as i64;
            Decided { state: DraftState::Edited, send: Some(text), reject_reason: None, reject_note: None, edit_distance: Some(distance) }
        }
        DraftDecision::Reject { reason, note, own_reply } => {
            let note = trimmed(note.as_deref());
            if *reason == RejectReason::Other && note.is_none() {
                return Err(Refused::Invalid("Say why the draft was rejected.".into()));
            }
            Decided { state: DraftState::Rejected, send: trimmed(own_reply.as_deref()), reject_reason: Some(*reason), reject_note: note, edit_distance: None }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready(text: &str) -> Decidable<'_> {
        Decidable { state: DraftState::Ready, is_note: false, text }
    }

    #[test]
    fn only_a_ready_draft_is_decided() {
        for st in DraftState::ALL {
            let r = decide(Decidable { state: st, is_note: false, text: "x" }, &DraftDecision::Approve);
            assert_eq!(r.is_ok(), st == DraftState::Ready, "{st:?}");
        }
    }

    #[test]
    fn decisions_write_what_they_say() {
        let a = decide(ready("Hello"), &DraftDecision::Approve).unwrap();
        assert_eq!((a.state, a.send.as_deref(), a.edit_distance), (DraftState::Approved, Some("Hello"), Some(0)));
        let e = decide(ready("Hello"), &DraftDecision::Edit { text: "  Hallo  ".into() }).unwrap();
        assert_eq!((e.state, e.send.as_deref(), e.edit_distance), (DraftState::Edited, Some("Hallo"), Some(1)));
        let r = decide(ready("Hello"), &DraftDecision::Reject { reason: RejectReason::WrongTone, note: Some(" too curt ".into()), own_reply: Some("  ".into()) }).unwrap();
        assert_eq!((r.state, r.reject_reason, r.reject_note.as_deref(), r.send), (DraftState::Rejected, Some(RejectReason::WrongTone), Some("too curt"), None));
    }

    #[test]
    fn incomplete_decisions_are_refused() {
        assert!(matches!(decide(Decidable { state: DraftState::Ready, is_note: true, text: "note" }, &DraftDecision::Approve), Err(Refused::Invalid(_))));
        assert!(matches!(decide(ready("x"), &DraftDecision::Edit { text: " ".into() }), Err(Refused::Invalid(_))));
        let other = DraftDecision::Reject { reason: RejectReason::Other, note: None, own_reply: None };
        assert!(matches!(decide(ready("x"), &other), Err(Refused::Invalid(_))));
    }

    #[test]
    fn edit_distance_counts_characters() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(edit_distance("café", "cafe"), 1, "characters, not bytes");
    }

}
