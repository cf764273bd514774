//! Property tests of the pure gate lifecycle over random event sequences.

use desk_core::gates::lifecycle::{Call, CallState, Effect, Event};
use desk_core::gates::policy::Decision;
use proptest::prelude::*;

const REQUESTER: i64 = 1;
const TTL: i64 = 1_000;

fn decision() -> impl Strategy<Value = Decision> {
    prop_oneof![Just(Decision::Allow), Just(Decision::Confirm), Just(Decision::Approve), Just(Decision::Deny)]
}

fn event() -> impl Strategy<Value = Event> {
    let who = prop_oneof![Just(REQUESTER), Just(2i64), Just(3i64)];
    let sha = prop_oneof![Just("good".to_owned()), Just("tampered".to_owned())];
    let now = 0i64..3_000;
    prop_oneof![
        (who.clone(), now.clone()).prop_map(|(by, now)| Event::Confirm { by, now }),
        (who.clone(), any::<bool>(), sha.clone(), now.clone()).prop_map(|(by, may_approve, params_sha256, now)| Event::Approve {
            by,
            may_approve,
            params_sha256,
            now,
            approval_ttl_ms: TTL
        }),
        (who, any::<bool>(), prop_oneof![Just(String::new()), Just("not refundable".to_owned())])
            .prop_map(|(by, may_approve, reason)| Event::Deny { by, may_approve, reason }),
        now.clone().prop_map(|now| Event::Expire { now }),
        (sha, now.clone()).prop_map(|(params_sha256, now)| Event::StartExecution { params_sha256, now }),
        now.prop_map(|now| Event::Resend { now }),
        Just(Event::Succeeded),
        any::<bool>().prop_map(|retryable| Event::Failed { retryable }),
    ]
}

/// The transitions the lifecycle allows.
fn allowed(from: CallState, to: CallState) -> bool {
    use CallState::*;
    from == to && matches!(from, Executing)
        || matches!(
            (from, to),
            (Proposed, Approved)
                | (Proposed, Expired)
                | (Pending, Approved)
                | (Pending, Denied)
                | (Pending, Expired)
                | (Approved, Expired)
                | (Approved, Executing)
                | (Executing, Succeeded)
                | (Executing, Failed)
                | (Failed, Executing)
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, .. ProptestConfig::default() })]

    #[test]
    fn no_execution_without_a_valid_approval_and_at_most_one_start(d in decision(), events in prop::collection::vec(event(), 0..24)) {
        let (mut call, _) = Call::new(d, REQUESTER, "good".into(), 0, TTL);
        let mut fresh_starts = 0;
        for ev in &events {
            let before = call.clone();
            match call.apply(ev) {
                Err(_) => { /* refused: nothing changes */ }
                Ok((next, effects)) => {
                    prop_assert!(!before.state.is_terminal(), "left terminal state {:?} with {:?}", before.state, ev);
                    prop_assert!(allowed(before.state, next.state), "{:?} -> {:?} via {:?}", before.state, next.state, ev);
                    if next.state == CallState::Approved && before.state != CallState::Approved {
                        match ev {
                            Event::Approve { by, may_approve, params_sha256, now, .. } => {
                                prop_assert!(*may_approve);
                                prop_assert_ne!(*by, REQUESTER, "four eyes");
                                prop_assert_eq!(params_sha256.as_str(), "good");
                                prop_assert!(*now < before.expires_at_ms);
                            }
                            Event::Confirm { by, .. } => {
                                prop_assert_eq!(d, Decision::Confirm);
                                prop_assert_eq!(*by, REQUESTER);
                            }
                            other => prop_assert!(false, "approved by {:?}", other),
                        }
                    }
                    if let Event::StartExecution { params_sha256, now } = ev {
                        fresh_starts += 1;
                        prop_assert_eq!(before.state, CallState::Approved);
                        prop_assert_eq!(params_sha256.as_str(), "good");
                        prop_assert_eq!(before.approved_sha256.as_deref(), Some("good"));
                        prop_assert!(*now < before.expires_at_ms, "expired approval used");
                        prop_assert!(d != Decision::Deny);
                        if d == Decision::Approve {
                            prop_assert!(before.approved_by.is_some_and(|a| a != REQUESTER));
                        }
                    }
                    if effects.contains(&Effect::Send) {
                        prop_assert_eq!(next.state, CallState::Executing);
                    }
                    call = next;
                }
            }
        }
        prop_assert!(fresh_starts <= 1, "an approval was used twice");
        if d == Decision::Deny {
            prop_assert_eq!(call.state, CallState::Denied);
        }
    }
}

#[test]
fn the_happy_path_and_its_audit_trail() {
    let (c, e) = Call::new(Decision::Approve, REQUESTER, "good".into(), 0, TTL);
    assert_eq!(c.state, CallState::Pending);
    assert_eq!(e, vec![Effect::Audit("tool_call.proposed"), Effect::Audit("tool_call.approval_requested"), Effect::RequestApproval]);
    assert!(c.apply(&Event::Approve { by: REQUESTER, may_approve: true, params_sha256: "good".into(), now: 1, approval_ttl_ms: TTL }).is_err());
    let (c, e) = c.apply(&Event::Approve { by: 2, may_approve: true, params_sha256: "good".into(), now: 1, approval_ttl_ms: TTL }).unwrap();
    assert_eq!(e, vec![Effect::Audit("tool_call.approved"), Effect::Execute], "an approval asks the driver to execute");
    let (c, e) = c.apply(&Event::StartExecution { params_sha256: "good".into(), now: 2 }).unwrap();
    assert_eq!(e, vec![Effect::Audit("tool_call.execution_started"), Effect::Send]);
    assert!(c.apply(&Event::StartExecution { params_sha256: "good".into(), now: 3 }).is_err(), "never twice");
    let (c, _) = c.apply(&Event::Failed { retryable: true }).unwrap();
    let (c, e) = c.apply(&Event::Resend { now: 4 }).unwrap();
    assert_eq!(e[1], Effect::Send);
    assert_eq!(c.attempts, 2);
    let (c, _) = c.apply(&Event::Succeeded).unwrap();
    assert!(c.state.is_terminal());
}
