//! Secrets (the LLM API key, the bot source's token) live in the OS keyring — Secret Service on Linux desktops, the
//! kernel keyutils where there is none — never in the database, config files or logs.

/// One named secret in the keyring.
#[derive(Debug, Clone)]
pub struct Secret {
    service: String,
    name: String,
}

#[derive(Debug, thiserror::Error)]
#[error("the OS keyring failed: {0}")]
pub struct SecretError(String);

impl Secret {
    /// `service` names the application (tests use their own).
    pub fn new(service: &str, name: &str) -> Self {
        Self { service: service.to_owned(), name: name.to_owned() }
    }

    /// The LLM engine's API key of this app.
    pub fn llm_api_key() -> Self {
        Self::new("dev.handoffdesk.app", "llm-api-key")
    }

    /// The bearer token of the HTTP bot source.
    pub fn source_token() -> Self {
        Self::new("dev.handoffdesk.app", "source-token")
    }

    fn entry(&self) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, &self.name).map_err(|e| SecretError(e.to_string()))
    }

    pub fn set(&self, value: &str) -> Result<(), SecretError> {
        self.entry()?.set_password(value).map_err(|e| SecretError(e.to_string()))
    }

    /// `None` when nothing is stored.
    pub fn get(&self) -> Result<Option<String>, SecretError> {
        match self.entry()?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(SecretError(e.to_string())),
        }
    }

    pub fn delete(&self) -> Result<(), SecretError> {
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(SecretError(e.to_string())),
        }
    }
}
