//! `ui/src/bindings.ts` is generated from the Rust types; this test fails when it drifts.
//! Regenerate with `UPDATE_BINDINGS=1 cargo test -p desk-core --test bindings`.

#[test]
fn bindings_ts_matches_the_rust_types() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/src/bindings.ts");
    let expected = desk_core::ipc::typescript_bindings();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(path, &expected).expect("write bindings.ts");
        return;
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "ui/src/bindings.ts is out of date with the Rust types; run: UPDATE_BINDINGS=1 cargo test -p desk-core --test bindings"
    );
}
