//! Validation of `handoff/v1`: every required field, wrong types, ranges, enums, limits, and the
//! JSON Schema kept in agreement with the Rust validator.

mod common;

use common::*;
use desk_core::handoff::{parse_document, validate_value, Channel, Handoff, Priority};
use serde_json::{json, Value};

fn errors_of(v: &Value) -> Vec<(String, String)> {
    match validate_value(v) {
        Ok(_) => vec![],
        Err(e) => e.errors.into_iter().map(|e| (e.path, e.message)).collect(),
    }
}

fn assert_single_error(v: &Value, path: &str, fragment: &str) {
    let errs = errors_of(v);
    assert!(
        errs.iter().any(|(p, m)| p == path && m.contains(fragment)),
        "expected an error at {path} containing {fragment:?}, got {errs:?}"
    );
}

#[test]
fn the_contract_example_is_valid_and_typed() {
    let h: Handoff = validate_value(&valid_doc()).expect("valid");
    assert_eq!(h.handoff_id, "hf_2f9c01");
    assert_eq!(h.channel, Channel::Web);
    assert_eq!(h.priority, Priority::High);
    assert_eq!(h.intent.alternatives[0].name, "order_status");
    assert_eq!(h.attempted_actions.len(), 2);
    assert_eq!(h.transcript[1].sources.as_deref(), Some(&["kb/returns".to_owned()][..]));
}

#[test]
fn each_required_field_missing_is_reported_with_its_path() {
    let required = [
        "/schema", "/handoff_id", "/conversation_id", "/escalated_at", "/channel", "/customer", "/intent",
        "/sentiment", "/reason", "/priority", "/summary", "/collected_fields", "/attempted_actions",
        "/transcript", "/bot", "/customer/id", "/customer/name", "/customer/email", "/customer/tier",
        "/customer/verified", "/customer/language", "/intent/name", "/intent/confidence",
        "/intent/alternatives", "/sentiment/label", "/sentiment/score", "/attempted_actions/0/tool",
        "/attempted_actions/0/params", "/attempted_actions/0/status", "/attempted_actions/0/result",
        "/attempted_actions/0/at", "/transcript/0/role", "/transcript/0/text", "/transcript/0/at",
        "/bot/name", "/bot/version", "/intent/alternatives/0/name", "/intent/alternatives/0/confidence",
    ];
    for pointer in required {
        let v = mutate(valid_doc(), pointer, None);
        let path = pointer_to_path(pointer);
        assert_single_error(&v, &path, "required field is missing");
    }
}

fn pointer_to_path(pointer: &str) -> String {
    let mut out = String::from("$");
    for part in pointer.split('/').skip(1) {
        if part.parse::<usize>().is_ok() {
            out.push_str(&format!("[{part}]"));
        } else {
            out.push('.');
            out.push_str(part);
        }
    }
    out
}

#[test]
fn nullable_fields_accept_null() {
    let mut v = valid_doc();
    v["customer"]["name"] = Value::Null;
    v["customer"]["email"] = Value::Null;
    v["customer"]["tier"] = Value::Null;
    v["attempted_actions"][0]["result"] = Value::Null;
    v["attempted_actions"][0]["status"] = json!("pending");
    v["transcript"][1].as_object_mut().unwrap().remove("sources");
    validate_value(&v).expect("nulls where the contract allows them");
}

#[test]
fn wrong_types_are_reported() {
    let cases = [
        ("/handoff_id", json!(42), "expected a string, found number"),
        ("/customer/verified", json!("yes"), "expected a boolean, found string"),
        ("/intent/confidence", json!("0.6"), "expected a number, found string"),
        ("/transcript", json!({}), "expected an array, found object"),
        ("/collected_fields", json!([]), "expected an object, found array"),
        ("/collected_fields/amount", json!(59.0), "expected a string, found number"),
        ("/attempted_actions/0/params", json!("order_id=A123"), "expected an object, found string"),
        ("/customer/name", json!(false), "expected a string, found boolean"),
    ];
    for (pointer, value, fragment) in cases {
        assert_single_error(&mutate(valid_doc(), pointer, Some(value)), &pointer_to_path(pointer), fragment);
    }
}

#[test]
fn ranges_are_inclusive_and_enforced() {
    for ok in [0.0, 1.0, 0.5] {
        validate_value(&mutate(valid_doc(), "/intent/confidence", Some(json!(ok)))).expect("in range");
    }
    for bad in [-0.01, 1.01, 1.4, -3.0] {
        assert_single_error(&mutate(valid_doc(), "/intent/confidence", Some(json!(bad))), "$.intent.confidence", "between 0 and 1");
    }
    assert_single_error(
        &mutate(valid_doc(), "/intent/alternatives/0/confidence", Some(json!(2))),
        "$.intent.alternatives[0].confidence",
        "between 0 and 1",
    );
    assert_single_error(&mutate(valid_doc(), "/sentiment/score", Some(json!(-1.5))), "$.sentiment.score", "between -1 and 1");
    validate_value(&mutate(valid_doc(), "/sentiment/score", Some(json!(-1)))).expect("-1 is in range");
}

#[test]
fn non_finite_numbers_are_not_json() {
    let raw = String::from_utf8(bytes(&valid_doc())).unwrap().replace("0.62", "NaN");
    let err = parse_document(raw.as_bytes()).unwrap_err();
    assert_eq!(err.errors[0].path, "$");
    assert!(err.errors[0].message.contains("not valid JSON"), "{:?}", err.errors);
}

#[test]
fn enum_values_are_exact_and_case_sensitive() {
    let cases = [
        ("/channel", "Web"),
        ("/channel", "telegram"),
        ("/reason", "LOW_CONFIDENCE"),
        ("/priority", "critical"),
        ("/sentiment/label", "sad"),
        ("/attempted_actions/1/status", "Denied"),
        ("/transcript/0/role", "user"),
    ];
    for (pointer, value) in cases {
        assert_single_error(&mutate(valid_doc(), pointer, Some(json!(value))), &pointer_to_path(pointer), "is not one of");
    }
}

#[test]
fn timestamps_need_rfc3339_with_an_offset() {
    for bad in ["2026-11-23T18:00:00", "2026-11-23 18:00:00Z", "yesterday", "2026-02-30T10:00:00Z", "1700000000"] {
        assert_single_error(&mutate(valid_doc(), "/escalated_at", Some(json!(bad))), "$.escalated_at", "RFC 3339");
    }
    for ok in ["2026-11-23T18:00:00+05:30", "2026-11-23T18:00:00.123Z", "2026-11-23t18:00:00z"] {
        validate_value(&mutate(valid_doc(), "/escalated_at", Some(json!(ok)))).expect(ok);
    }
}

#[test]
fn limits_reject_with_the_path_and_the_limit_never_truncate() {
    let long_summary = "x".repeat(2001);
    assert_single_error(&mutate(valid_doc(), "/summary", Some(json!(long_summary))), "$.summary", "the limit is 2000");
    validate_value(&mutate(valid_doc(), "/summary", Some(json!("x".repeat(2000))))).expect("2000 is allowed");

    assert_single_error(&mutate(valid_doc(), "/handoff_id", Some(json!("h".repeat(129)))), "$.handoff_id", "the limit is 128");
    assert_single_error(&mutate(valid_doc(), "/handoff_id", Some(json!("hf 1"))), "$.handoff_id", "may contain only");

    let turn = valid_doc()["transcript"][0].clone();
    let many: Vec<Value> = (0..501).map(|_| turn.clone()).collect();
    assert_single_error(&mutate(valid_doc(), "/transcript", Some(json!(many))), "$.transcript", "the limit is 500");

    let deep = json!({"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}});
    assert_single_error(&mutate(valid_doc(), "/attempted_actions/0/params", Some(deep)), "$.attempted_actions[0].params", "the limit is 5");

    let big = vec![b' '; desk_core::handoff::limits::DOCUMENT_BYTES_MAX + 1];
    let err = parse_document(&big).unwrap_err();
    assert!(err.errors[0].message.contains("the limit is 1048576 bytes"));
}

#[test]
fn empty_and_control_character_strings_are_rejected() {
    assert_single_error(&mutate(valid_doc(), "/summary", Some(json!("   "))), "$.summary", "must not be empty");
    assert_single_error(&mutate(valid_doc(), "/transcript", Some(json!([]))), "$.transcript", "at least one turn");
    assert_single_error(&mutate(valid_doc(), "/summary", Some(json!("bell\u{7}"))), "$.summary", "control character");
    validate_value(&mutate(valid_doc(), "/summary", Some(json!("two\nlines\tok")))).expect("newlines and tabs are fine");
}

#[test]
fn unknown_fields_and_wrong_schema_are_rejected() {
    assert_single_error(&mutate(valid_doc(), "/extra", Some(json!(1))), "$.extra", "unknown field");
    assert_single_error(&mutate(valid_doc(), "/customer/phone", Some(json!("555"))), "$.customer.phone", "unknown field");
    assert_single_error(&mutate(valid_doc(), "/schema", Some(json!("handoff/v2"))), "$.schema", "expected \"handoff/v1\"");
}

#[test]
fn all_errors_are_reported_at_once_and_the_id_is_kept() {
    let mut v = valid_doc();
    v["intent"]["confidence"] = json!(7);
    v["channel"] = json!("fax");
    v.as_object_mut().unwrap().remove("summary");
    v["transcript"][0]["at"] = json!("soon");
    let err = validate_value(&v).unwrap_err();
    let paths: Vec<&str> = err.errors.iter().map(|e| e.path.as_str()).collect();
    for p in ["$.intent.confidence", "$.channel", "$.summary", "$.transcript[0].at"] {
        assert!(paths.contains(&p), "missing {p} in {paths:?}");
    }
    assert_eq!(err.handoff_id.as_deref(), Some("hf_2f9c01"));
}

#[test]
fn raw_bytes_errors_are_clear() {
    for (raw, fragment) in [
        (&b"\xff\xfe{}"[..], "not valid UTF-8"),
        (b"   \t ", "only whitespace"),
        (b"{\"schema\": ", "not valid JSON"),
        (b"[1, 2]", "expected an object, found array"),
    ] {
        let err = parse_document(raw).unwrap_err();
        assert!(err.errors[0].message.contains(fragment), "{raw:?}: {:?}", err.errors);
    }
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend(bytes(&valid_doc()));
    parse_document(&with_bom).expect("a BOM is ignored");
}

/// The JSON Schema in the repo and the Rust validator accept and reject the same documents.
#[test]
fn json_schema_agrees_with_the_rust_validator() {
    let schema: Value = serde_json::from_str(include_str!("../../../schema/handoff-v1.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");

    // The schema's top-level properties are exactly the Rust type's fields.
    let h = validate_value(&valid_doc()).unwrap();
    let rust_keys: std::collections::BTreeSet<String> =
        serde_json::to_value(&h).unwrap().as_object().unwrap().keys().cloned().collect();
    let schema_keys: std::collections::BTreeSet<String> =
        schema["properties"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(rust_keys, schema_keys);
    let required: std::collections::BTreeSet<String> =
        schema["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    assert_eq!(required, schema_keys, "every top-level field is required");

    let turn = valid_doc()["transcript"][0].clone();
    let mutations: Vec<(&str, Option<Value>)> = vec![
        ("/summary", Some(json!("x".repeat(2000)))),
        ("/summary", Some(json!("x".repeat(2001)))),
        ("/summary", Some(json!(""))),
        ("/summary", Some(json!(" \n "))),
        ("/summary", Some(json!("ok\u{1}"))),
        ("/summary", Some(json!("tab\tnewline\n"))),
        ("/summary", None),
        ("/handoff_id", Some(json!("a".repeat(128)))),
        ("/handoff_id", Some(json!("a".repeat(129)))),
        ("/handoff_id", Some(json!("hf/1"))),
        ("/handoff_id", Some(json!(""))),
        ("/conversation_id", Some(json!(5))),
        ("/escalated_at", Some(json!("2026-11-23T18:00:00"))),
        ("/escalated_at", Some(json!("2026-11-23T18:00:00.5-07:00"))),
        ("/escalated_at", Some(json!("2026-11-23 18:00:00Z"))),
        ("/channel", Some(json!("in_app"))),
        ("/channel", Some(json!("In_App"))),
        ("/customer/name", Some(Value::Null)),
        ("/customer/name", Some(json!(""))),
        ("/customer/email", Some(json!("not-an-email"))),
        ("/customer/email", Some(json!("a@b.co"))),
        ("/customer/email", Some(json!("a@b."))),
        ("/customer/email", Some(Value::Null)),
        ("/customer/tier", Some(json!("x".repeat(65)))),
        ("/customer/verified", Some(json!(1))),
        ("/customer/language", Some(json!("pt-BR"))),
        ("/customer/language", Some(json!("english!"))),
        ("/customer/extra", Some(json!(true))),
        ("/intent/confidence", Some(json!(0))),
        ("/intent/confidence", Some(json!(1))),
        ("/intent/confidence", Some(json!(1.0000001))),
        ("/intent/alternatives", Some(json!([]))),
        ("/intent/alternatives", Some(json!((0..11).map(|_| json!({"name": "x", "confidence": 0.1})).collect::<Vec<_>>()))),
        ("/sentiment/score", Some(json!(-1))),
        ("/sentiment/score", Some(json!(-1.01))),
        ("/sentiment/label", Some(json!("angry"))),
        ("/reason", Some(json!("max_turns"))),
        ("/reason", Some(json!("bored"))),
        ("/priority", Some(json!("urgent"))),
        ("/collected_fields", Some(json!({}))),
        ("/collected_fields/amount", Some(json!(59))),
        ("/collected_fields/note", Some(json!(""))),
        ("/attempted_actions", Some(json!([]))),
        ("/attempted_actions/0/result", Some(Value::Null)),
        ("/attempted_actions/0/status", Some(json!("pending"))),
        ("/attempted_actions/0/params", Some(json!([]))),
        ("/attempted_actions/0/extra", Some(json!(1))),
        ("/transcript", Some(json!([]))),
        ("/transcript", Some(json!((0..500).map(|_| turn.clone()).collect::<Vec<_>>()))),
        ("/transcript", Some(json!((0..501).map(|_| turn.clone()).collect::<Vec<_>>()))),
        ("/transcript/0/role", Some(json!("agent"))),
        ("/transcript/0/sources", Some(json!(["kb/a", "kb/b"]))),
        ("/transcript/0/sources", Some(json!([""]))),
        ("/transcript/0/sources", Some(json!("kb/a"))),
        ("/bot/version", Some(json!(""))),
        ("/bot/extra", Some(json!(""))),
        ("/schema", Some(json!("handoff/v2"))),
        ("/unknown", Some(json!(null))),
    ];
    let mut checked = 0;
    for (pointer, value) in mutations {
        let v = mutate(valid_doc(), pointer, value.clone());
        let rust_ok = validate_value(&v).is_ok();
        let schema_ok = validator.is_valid(&v);
        assert_eq!(rust_ok, schema_ok, "disagree on {pointer} = {value:?}: rust {rust_ok}, schema {schema_ok}");
        checked += 1;
    }
    assert!(validator.is_valid(&valid_doc()));
    println!("schema and validator agree on {checked} documents");
}

#[test]
fn field_provenance_follows_the_evidence() {
    use desk_core::handoff::FieldProvenance::*;
    let mut v = valid_doc();
    v["collected_fields"] = json!({"order_id": "A123", "reason": "broken", "amount": "59.00", "colour": "red"});
    v["attempted_actions"][1]["status"] = json!("failed");
    let p = validate_value(&v).unwrap().field_provenance();
    assert_eq!(p["order_id"], Verified, "orders.lookup succeeded with order_id A123");
    assert_eq!(p["reason"], Stated, "the customer wrote 'broken'");
    assert_eq!(p["amount"], Inferred, "only a failed refund used 59.00 and the customer never said it");
    assert_eq!(p["colour"], Inferred);
}
