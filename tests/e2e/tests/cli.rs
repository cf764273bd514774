//! `handoff-desk import FILE` uses the same validation as the app and accounts for every line.

mod harness;

use std::process::Command;

#[test]
fn import_subcommand_stores_good_lines_and_quarantines_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("escalations.jsonl");
    let good = std::fs::read_to_string(harness::workspace_root().join("tests/e2e/fixtures/valid.jsonl")).unwrap();
    std::fs::write(&file, format!("{good}{{\"schema\": \"handoff/v1\"}}\nnot json\n")).unwrap();

    let out = Command::new(harness::app_binary())
        .args(["import", file.to_str().unwrap()])
        .env("HANDOFF_DESK_DATA_DIR", dir.path().join("desk"))
        .env_remove("DISPLAY")
        .output()
        .expect("run handoff-desk import");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "exit 3 when lines were quarantined; stdout: {stdout} stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("4 lines: 2 accepted, 0 updated, 0 unchanged, 2 quarantined"), "{stdout}");
    assert!(stdout.contains("line 3: $.handoff_id: required field is missing"), "{stdout}");

    // Same file again: nothing changes, nothing duplicates.
    let again = Command::new(harness::app_binary())
        .args(["import", file.to_str().unwrap()])
        .env("HANDOFF_DESK_DATA_DIR", dir.path().join("desk"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 accepted, 0 updated, 2 unchanged, 2 quarantined"));

    let missing = Command::new(harness::app_binary())
        .args(["import", "/nonexistent/file.jsonl"])
        .env("HANDOFF_DESK_DATA_DIR", dir.path().join("desk"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read /nonexistent/file.jsonl"));
}

#[test]
fn audit_verify_and_export_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(harness::app_binary()).args(args).env("HANDOFF_DESK_DATA_DIR", dir.path().join("desk")).output().expect("run")
    };
    let ok = run(&["audit", "verify"]);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("audit chain verified: 0 events"));

    // Append events through desk-core, break one with the file in hand, verify names it.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = desk_store_sqlite::Store::open(&dir.path().join("desk/handoff-desk.db")).await.unwrap();
        for i in 0..3 {
            desk_core::storage::AuditStore::append_audit(&store, &desk_core::storage::NewAuditEvent::new(i, "system", "test.event", "s", serde_json::json!({ "n": i }))).await.unwrap();
        }
    });
    let out = dir.path().join("audit.jsonl");
    let ex = run(&["audit", "export", out.to_str().unwrap()]);
    assert_eq!(ex.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 3);
    rt.block_on(async {
        let store = desk_store_sqlite::Store::open(&dir.path().join("desk/handoff-desk.db")).await.unwrap();
        sqlx::query("DROP TRIGGER audit_events_no_update").execute(store.pool()).await.unwrap();
        sqlx::query("UPDATE audit_events SET payload = '{\"n\":7}' WHERE id = 2").execute(store.pool()).await.unwrap();
    });
    let bad = run(&["audit", "verify"]);
    assert_eq!(bad.status.code(), Some(1));
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(text.contains("BROKEN at event 2"), "{text}");
}

#[test]
fn source_pull_says_what_is_missing_or_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let run = |url: Option<&str>| {
        let mut c = Command::new(harness::app_binary());
        c.args(["source", "pull"]).env("HANDOFF_DESK_DATA_DIR", dir.path().join("desk")).env_remove("HANDOFF_DESK_SOURCE_URL");
        if let Some(u) = url {
            c.env("HANDOFF_DESK_SOURCE_URL", u);
        }
        c.output().expect("run")
    };
    let unset = run(None);
    assert_eq!(unset.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unset.stderr).contains("HANDOFF_DESK_SOURCE_URL is not set"));

    let not_http = run(Some("ftp://example.com"));
    assert_eq!(not_http.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&not_http.stderr).contains("must be an http(s) URL"));

    let creds = run(Some("https://bot:hunter2@bots.example.com/v1"));
    assert_eq!(creds.status.code(), Some(2));
    let err = String::from_utf8_lossy(&creds.stderr);
    assert!(err.contains("carries credentials") && !err.contains("hunter2"), "{err}");

    // With a token in the keyring, plain http is refused unless it stays on this machine.
    let mut set = Command::new(harness::app_binary())
        .args(["source", "set-token"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(set.stdin.as_mut().unwrap(), b"tok-123").unwrap();
    assert!(set.wait().unwrap().success(), "the token is stored in the keyring");
    let cleartext = run(Some("http://bots.example.com/v1"));
    assert_eq!(cleartext.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&cleartext.stderr).contains("unencrypted"));
    let cleared = Command::new(harness::app_binary()).args(["source", "clear-token"]).output().unwrap();
    assert!(cleared.status.success());

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let closed = run(Some(&format!("http://127.0.0.1:{port}/v1")));
    assert_eq!(closed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&closed.stderr).contains("cannot reach the bot platform"), "{}", String::from_utf8_lossy(&closed.stderr));
}
