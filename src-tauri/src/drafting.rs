//! The draft engines as configured on this desk: the embedded engine always, the LLM engine when
//! an admin turned it on (settings in the database, the API key in the OS keyring). Also the
//! knowledge base folder and the outbox delivery loop.

use desk_core::storage::MetaStore;
use std::path::PathBuf;
use std::sync::Arc;

use desk_core::drafts::llm::{LlmEngine, LlmSettings};
use desk_core::drafts::service::DraftSetup;
use desk_core::ipc::LlmStatus;
use desk_core::secrets::{Secret, SecretError};
use desk_store_sqlite::Store;
use tauri::AppHandle;
use tokio::sync::RwLock;

use crate::{events, AppState};

const SETTINGS_KEY: &str = "llm.settings";
const ENABLED_KEY: &str = "llm.enabled";

#[derive(Clone)]
pub struct Drafting {
    inner: Arc<RwLock<(LlmSettings, bool)>>,
    secret: Secret,
    pub kb_dir: PathBuf,
}

impl Drafting {
    pub async fn load(store: &Store, kb_dir: PathBuf) -> Self {
        let settings = store.meta(SETTINGS_KEY).await.ok().flatten().and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default();
        let enabled = store.meta(ENABLED_KEY).await.ok().flatten().is_some_and(|v| v == "true");
        Self { inner: Arc::new(RwLock::new((settings, enabled))), secret: Secret::llm_api_key(), kb_dir }
    }

    /// The engines for one draft (the key is read from the keyring each time, never cached).
    pub async fn setup(&self) -> DraftSetup {
        let (settings, enabled) = self.inner.read().await.clone();
        let llm = if enabled {
            let key = self.secret.get().unwrap_or_else(|e| {
                tracing::warn!(error = %e, "cannot read the API key from the keyring");
                None
            });
            Some(LlmEngine::new(settings, key))
        } else {
            None
        };
        DraftSetup { llm, ..Default::default() }
    }

    pub async fn status(&self) -> LlmStatus {
        let (settings, enabled) = self.inner.read().await.clone();
        let (has_api_key, keyring_error) = match self.secret.get() {
            Ok(k) => (k.is_some(), None),
            Err(e) => (false, Some(e.to_string())),
        };
        LlmStatus { settings, enabled, has_api_key, keyring_error }
    }

    pub async fn save(&self, store: &Store, settings: LlmSettings, enabled: bool) -> Result<(), desk_core::store::StoreError> {
        store.set_meta(SETTINGS_KEY, &serde_json::to_string(&settings).expect("json")).await?;
        store.set_meta(ENABLED_KEY, if enabled { "true" } else { "false" }).await?;
        *self.inner.write().await = (settings, enabled);
        tracing::info!(enabled, "LLM settings saved");
        Ok(())
    }

    pub async fn set_key(&self, key: &str) -> Result<(), SecretError> {
        if key.is_empty() {
            self.secret.delete()
        } else {
            self.secret.set(key)
        }
    }
}

/// Installs the starter knowledge base on first run and indexes the folder.
pub fn start(app: AppHandle, state: AppState) {
    tauri::async_runtime::spawn(async move {
        let dir = state.engines.kb_dir.clone();
        match desk_core::drafts::kb::install_starter(&dir) {
            Ok(true) => tracing::info!(dir = %dir.display(), "installed the starter knowledge base"),
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "cannot install the starter knowledge base"),
        }
        match desk_core::drafts::kb::reindex(&state.store, &dir).await {
            Ok(r) => tracing::info!(articles = r.articles, passages = r.passages, changed = r.changed, "knowledge base indexed"),
            Err(e) => tracing::error!(error = %e, "cannot index the knowledge base"),
        }
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
        loop {
            tick.tick().await;
            deliver(&app, &state).await;
        }
    });
}

async fn deliver(app: &AppHandle, state: &AppState) {
    match desk_core::drafts::outbox::deliver(&state.store, &*state.demo_channel, &desk_core::people::now_ms).await {
        Ok(r) => events::replies_changed(app, &state.store, &r).await,
        Err(e) => tracing::error!(error = %e, "outbox delivery failed; it will be retried"),
    }
}

/// Delivers now rather than at the next tick (after an agent sends something).
pub fn deliver_now(app: AppHandle, state: AppState) {
    tauri::async_runtime::spawn(async move { deliver(&app, &state).await });
}
