//! The API key round-trips through the real OS keyring (Secret Service under the test run's
//! D-Bus session, see scripts/with-display.sh) and never reaches the database or the logs.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use desk_core::drafts::llm::{LlmEngine, LlmSettings};
use desk_core::drafts::service::DraftSetup;
use desk_core::secrets::Secret;
use desk_store_sqlite::Store;

#[derive(Clone)]
struct LogFile(Arc<Mutex<std::fs::File>>);
impl Write for LogFile {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().write(b)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.lock().unwrap().flush()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_api_key_lives_in_the_keyring_only() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "no D-Bus session: run the tests through scripts/test.sh, which provides a session bus and an unlocked keyring"
    );
    let secret = Secret::new(&format!("handoff-desk-test-{}", std::process::id()), "llm-api-key");
    let key = format!("sk-live-{}-NEVER-STORE", std::process::id());
    secret.set(&key).expect("store the key in the OS keyring");
    assert_eq!(secret.get().unwrap().as_deref(), Some(key.as_str()));

    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("test.log");
    let log = LogFile(Arc::new(Mutex::new(std::fs::File::create(&log_path).unwrap())));
    let subscriber = tracing_subscriber_like(log.clone());
    let _guard = tracing::subscriber::set_default(subscriber);

    let store = Store::open(&dir.path().join("desk.db")).await.unwrap();
    store.ingest(&bytes(&valid_doc()), "test").await.unwrap();
    // The engine gets the key from the keyring; the server it talks to is down, so it falls back
    // and logs why — the key must not be in that log line either.
    let llm = LlmEngine::new(LlmSettings { base_url: "http://127.0.0.1:9/v1".into(), model: "m".into(), timeout_secs: 1 }, secret.get().unwrap());
    let setup = DraftSetup { llm: Some(llm), ..Default::default() };
    store.seed_demo_users().await.unwrap();
    let ana = store.sign_in("ana", desk_core::people::DEMO_PASSWORD, 0).await.unwrap();
    let drafts = desk_core::drafts::service::DraftService::new(std::sync::Arc::new(store.clone()));
    let d = drafts.draft(&ana, &setup, "hf_2f9c01", 0, &|_| {}).await.unwrap().unwrap();
    assert!(d.engine_error.is_some());
    store.pool().close().await;
    drop(_guard);

    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let Ok(bytes) = std::fs::read(&path) else { continue }; // -wal/-shm may vanish on close
        assert!(!bytes.windows(key.len()).any(|w| w == key.as_bytes()), "the key is in {}", path.display());
    }
    assert!(std::fs::metadata(&log_path).unwrap().len() > 0, "the log was written");

    secret.delete().unwrap();
    assert_eq!(secret.get().unwrap(), None);
}

/// A minimal subscriber that writes every event's fields to the file, like the app's log.
fn tracing_subscriber_like(w: LogFile) -> impl tracing::Subscriber + Send + Sync {
    struct Sub(LogFile);
    struct Visitor<'a>(&'a mut String);
    impl tracing::field::Visit for Visitor<'_> {
        fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
            self.0.push_str(&format!(" {}={:?}", f.name(), v));
        }
    }
    impl tracing::Subscriber for Sub {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, e: &tracing::Event<'_>) {
            let mut line = String::from(e.metadata().target());
            e.record(&mut Visitor(&mut line));
            line.push('\n');
            let _ = self.0.clone().write_all(line.as_bytes());
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }
    Sub(w)
}

/// The engine settings and the key are changed only by someone who may configure drafts, with a
/// fresh step-up, checked in the core; the settings survive a restart, the key lives in the keyring.
#[tokio::test(flavor = "current_thread")]
async fn engine_settings_and_the_key_need_an_admin_with_a_fresh_step_up() {
    use desk_core::drafts::engines::DraftEngines;
    use desk_core::people::{PeopleError, DEMO_PASSWORD, STEP_UP_WINDOW_MS};
    assert!(std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(), "no D-Bus session: run the tests through scripts/test.sh");
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("desk.db")).await.unwrap();
    store.seed_demo_users().await.unwrap();
    let db: Arc<dyn desk_core::storage::Database> = Arc::new(store.clone());
    let secret = Secret::new(&format!("handoff-desk-test-engines-{}", std::process::id()), "llm-api-key");
    let engines = DraftEngines::load(db.clone(), secret.clone()).await;
    let (ana, ada) = (store.sign_in("ana", DEMO_PASSWORD, 0).await.unwrap(), store.sign_in("ada", DEMO_PASSWORD, 0).await.unwrap());
    let settings = LlmSettings { base_url: "http://127.0.0.1:9/v1".into(), model: "m".into(), timeout_secs: 5 };
    assert!(matches!(engines.save(&ana, settings.clone(), true, 1).await, Err(PeopleError::Forbidden(_))));
    assert!(matches!(engines.set_key(&ana, "sk-nope", 1).await, Err(PeopleError::Forbidden(_))));
    assert!(matches!(engines.save(&ada, settings.clone(), true, STEP_UP_WINDOW_MS + 1).await, Err(PeopleError::StepUpRequired)));
    let bad = LlmSettings { base_url: "ftp://x".into(), ..settings.clone() };
    assert!(matches!(engines.save(&ada, bad, true, 1).await, Err(PeopleError::Invalid(_))));
    let st = engines.save(&ada, settings.clone(), true, 1).await.unwrap();
    assert!(st.enabled && !st.has_api_key);
    assert!(engines.set_key(&ada, "  sk-test-KEY-42  ", 2).await.unwrap().has_api_key);
    assert_eq!(secret.get().unwrap().as_deref(), Some("sk-test-KEY-42"), "trimmed, in the keyring");
    assert!(engines.status(&ana, 3).await.unwrap().has_api_key, "agents see the status");
    // A restart reads the settings back; the draft uses the LLM engine.
    let again = DraftEngines::load(db, secret.clone()).await;
    assert_eq!(again.status(&ana, 4).await.unwrap().settings, settings);
    assert!(again.setup().await.llm.is_some());
    assert!(!engines.set_key(&ada, "", 5).await.unwrap().has_api_key, "an empty key removes it");
    assert_eq!(secret.get().unwrap(), None);
}
