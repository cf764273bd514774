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
        ]),
    ))
    .expect("tauri build step");
}
