fn main() {
    // Every app command gets an `allow-<command>` permission; capabilities/default.json grants the
    // main window exactly the ones it uses.
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "queue_page",
            "queue_facets",
            "get_handoff",
            "list_quarantine",
            "import_file",
            "app_status",
            "session_state",
            "sign_in",
            "sign_out",
            "step_up",
            "create_first_admin",
            "claim_handoff",
            "release_handoff",
            "rate_handoff",
            "handoff_ratings",
            "next_unrated",
            "analytics",
            "export_csv",
            "export_eval_cases",
            "list_users",
            "create_user",
            "update_user",
            "list_tools",
            "tool_calls_for",
            "propose_tool_call",
            "confirm_tool_call",
            "pending_approvals",
            "approval_history",
            "approve_tool_call",
            "deny_tool_call",
            "retry_tool_call",
            "escalate_tool_call",
            "audit_list",
            "audit_verify",
            "audit_export",
        ]),
    ))
    .expect("tauri build step");
}
