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
