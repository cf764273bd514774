//! The draft engines as configured on a desk: the embedded engine always, the LLM engine when an
//! admin turned it on. The settings are kept in the store's app meta; the API key only in the OS
//! keyring (read for each draft, never cached). Reading the status needs the queue; changing the
//! settings or the key needs [`Permission::ConfigureDrafts`] with a fresh step-up.

use std::sync::Arc;

use tokio::sync::RwLock;

use super::llm::{LlmEngine, LlmSettings};
use super::service::DraftSetup;
use crate::ipc::LlmStatus;
use crate::people::{PeopleError, Permission, Session};
use crate::secrets::Secret;
use crate::storage::Database;

const SETTINGS_KEY: &str = "llm.settings";
const ENABLED_KEY: &str = "llm.enabled";

/// Cheap to clone.
#[derive(Clone)]
pub struct DraftEngines {
    db: Arc<dyn Database>,
    current: Arc<RwLock<(LlmSettings, bool)>>,
    secret: Secret,
}

impl DraftEngines {
    /// Reads the saved settings (defaults when there are none or they no longer parse).
    pub async fn load(db: Arc<dyn Database>, secret: Secret) -> Self {
        let settings = db.meta(SETTINGS_KEY).await.ok().flatten().and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default();
        let enabled = db.meta(ENABLED_KEY).await.ok().flatten().is_some_and(|v| v == "true");
        Self { db, current: Arc::new(RwLock::new((settings, enabled))), secret }
    }

    /// The engines for one draft (the key is read from the keyring each time).
    pub async fn setup(&self) -> DraftSetup {
        let (settings, enabled) = self.current.read().await.clone();
        let llm = enabled.then(|| {
            let key = self.secret.get().unwrap_or_else(|e| {
                tracing::warn!(error = %e, "cannot read the API key from the keyring");
                None
            });
            LlmEngine::new(settings, key)
        });
        DraftSetup { llm, ..Default::default() }
    }

    pub async fn status(&self, by: &Session, now: i64) -> Result<LlmStatus, PeopleError> {
        by.authorize(Permission::ViewQueue, now)?;
        Ok(self.status_now().await)
    }

    async fn status_now(&self) -> LlmStatus {
        let (settings, enabled) = self.current.read().await.clone();
        let (has_api_key, keyring_error) = match self.secret.get() {
            Ok(k) => (k.is_some(), None),
            Err(e) => (false, Some(e.to_string())),
        };
        LlmStatus { settings, enabled, has_api_key, keyring_error }
    }

    /// Saves the model server's settings (not the key).
    pub async fn save(&self, by: &Session, settings: LlmSettings, enabled: bool, now: i64) -> Result<LlmStatus, PeopleError> {
        by.authorize(Permission::ConfigureDrafts, now)?;
        if !(settings.base_url.starts_with("http://") || settings.base_url.starts_with("https://")) {
            return Err(PeopleError::Invalid("The base URL must start with http:// or https://.".into()));
        }
        if settings.model.trim().is_empty() || settings.timeout_secs == 0 || settings.timeout_secs > 300 {
            return Err(PeopleError::Invalid("Give a model name and a timeout of 1 to 300 seconds.".into()));
        }
        self.db.set_meta(SETTINGS_KEY, &serde_json::to_string(&settings).expect("json")).await?;
        self.db.set_meta(ENABLED_KEY, if enabled { "true" } else { "false" }).await?;
        *self.current.write().await = (settings, enabled);
        tracing::info!(enabled, user_id = by.actor.user_id, "LLM settings saved");
        Ok(self.status_now().await)
    }

    /// Stores the API key in the OS keyring (an empty key removes it).
    pub async fn set_key(&self, by: &Session, key: &str, now: i64) -> Result<LlmStatus, PeopleError> {
        by.authorize(Permission::ConfigureDrafts, now)?;
        let key = key.trim();
        let stored = if key.is_empty() { self.secret.delete() } else { self.secret.set(key) };
        stored.map_err(|e| PeopleError::Invalid(e.to_string()))?;
        tracing::info!(user_id = by.actor.user_id, removed = key.is_empty(), "LLM API key changed");
        Ok(self.status_now().await)
    }
}
