//! Where the app keeps its data and what it starts with. Defaults suit a first run; environment
//! variables override them (documented in the README).

use std::path::PathBuf;
use std::time::Duration;

use desk_core::queue::{ConfidenceBands, SlaPolicy};

/// The app's identifier, as in tauri.conf.json: names its folder in the user's data directory.
pub const IDENTIFIER: &str = "dev.handoffdesk.app";

#[derive(Clone, Debug)]
pub struct Config {
    /// `HANDOFF_DESK_DATA_DIR`, default `$XDG_DATA_HOME/dev.handoffdesk.app`.
    pub data_dir: PathBuf,
    /// `HANDOFF_DESK_DEMO=0` turns the demo bot source off.
    pub demo: bool,
    /// `HANDOFF_DESK_DEMO_INTERVAL_SECS`: seconds between demo escalations (default 20).
    pub demo_interval: Duration,
    /// `HANDOFF_DESK_BAND_MEDIUM` / `HANDOFF_DESK_BAND_HIGH`: confidence band thresholds.
    pub bands: ConfidenceBands,
    pub sla: SlaPolicy,
    /// `HANDOFF_DESK_BACKEND_URL`: the orders/billing backend tools call; default: the embedded
    /// demo backend on loopback.
    pub backend_url: Option<String>,
    /// `HANDOFF_DESK_TOOLS` / `HANDOFF_DESK_POLICY`: paths of a tools.toml / policy.toml to use
    /// instead of the embedded ones.
    pub tools_path: Option<PathBuf>,
    pub policy_path: Option<PathBuf>,
    /// `HANDOFF_DESK_APPROVAL_TTL_MINS`: how long requests and approvals live (default 30).
    pub approval_ttl_mins: i64,
    /// `HANDOFF_DESK_IDLE_LOCK_MINS`: minutes without activity after which the desk locks until
    /// the password is entered again (default 15).
    pub idle_lock_mins: Option<i64>,
    /// `HANDOFF_DESK_SOURCE_URL`: the bot platform to pull escalations from over HTTP (its token
    /// is in the OS keyring: `handoff-desk source set-token`). Unset: no HTTP source.
    pub source_url: Option<String>,
    /// `HANDOFF_DESK_SOURCE_POLL_SECS`: seconds between pulls (default 5; doubles while failing, up to 5 minutes).
    pub source_poll: Duration,
    /// Team mode, as a client of this `desk-server`: `HANDOFF_DESK_SERVER_URL`, else the URL
    /// saved in Settings (`apply_saved_server`). `None`: the desk works alone on its embedded
    /// database.
    pub server_url: Option<String>,
    /// Whether `HANDOFF_DESK_SERVER_URL` decided (`off` or empty: no server, whatever is saved).
    pub server_from_env: bool,
    /// `HANDOFF_DESK_SERVER_CA`: a PEM certificate to trust for the server besides the system's
    /// (the server's self-signed one, printed by `scripts/server.sh`).
    pub server_ca: Option<PathBuf>,
}

fn env_f64(name: &str) -> Option<f64> {
    std::env::var(name).ok()?.parse().ok().filter(|v: &f64| (0.0..=1.0).contains(v))
}

impl Config {
    pub fn from_env() -> Self {
        let data_dir = std::env::var_os("HANDOFF_DESK_DATA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| dirs::data_dir().unwrap_or_else(std::env::temp_dir).join(IDENTIFIER));
        let demo = !matches!(std::env::var("HANDOFF_DESK_DEMO").as_deref(), Ok("0" | "false" | "off"));
        let demo_interval = std::env::var("HANDOFF_DESK_DEMO_INTERVAL_SECS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|s| *s > 0)
            .map(Duration::from_secs)
            .unwrap_or(Duration::from_secs(20));
        let mut bands = ConfidenceBands::default();
        if let Some(m) = env_f64("HANDOFF_DESK_BAND_MEDIUM") {
            bands.medium = m;
        }
        if let Some(h) = env_f64("HANDOFF_DESK_BAND_HIGH") {
            bands.high = h.max(bands.medium);
        }
        let approval_ttl_mins = std::env::var("HANDOFF_DESK_APPROVAL_TTL_MINS").ok().and_then(|s| s.parse().ok()).filter(|m| *m > 0).unwrap_or(30);
        Self {
            data_dir,
            demo,
            demo_interval,
            bands,
            sla: SlaPolicy::default(),
            backend_url: std::env::var("HANDOFF_DESK_BACKEND_URL").ok().filter(|s| !s.is_empty()),
            tools_path: std::env::var_os("HANDOFF_DESK_TOOLS").map(PathBuf::from),
            policy_path: std::env::var_os("HANDOFF_DESK_POLICY").map(PathBuf::from),
            approval_ttl_mins,
            idle_lock_mins: std::env::var("HANDOFF_DESK_IDLE_LOCK_MINS").ok().and_then(|s| s.parse().ok()),
            source_url: std::env::var("HANDOFF_DESK_SOURCE_URL").ok().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
            server_url: std::env::var("HANDOFF_DESK_SERVER_URL").ok().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty() && s != "off"),
            server_from_env: std::env::var_os("HANDOFF_DESK_SERVER_URL").is_some(),
            server_ca: std::env::var_os("HANDOFF_DESK_SERVER_CA").map(PathBuf::from).filter(|p| !p.as_os_str().is_empty()),
            source_poll: Duration::from_secs(
                std::env::var("HANDOFF_DESK_SOURCE_POLL_SECS").ok().and_then(|s| s.parse().ok()).filter(|s| *s > 0).unwrap_or(5),
            ),
        }
    }

    /// The sessions of this desk in embedded mode, under its idle lock.
    pub fn sessions(&self, db: std::sync::Arc<dyn desk_core::storage::Database>) -> crate::session::Sessions {
        let rules = desk_core::people::tokens::SessionRules::default().with_idle_minutes(self.idle_lock_mins);
        crate::session::Sessions(desk_core::people::desk::DeskSessions::new(desk_core::people::tokens::TokenSessions::new(db).with_rules(rules)))
    }

    /// The HTTP bot source, when one is configured; its token comes from the OS keyring.
    pub fn http_source(&self) -> Result<Option<desk_core::sources::http::HttpSource>, String> {
        let Some(url) = &self.source_url else { return Ok(None) };
        let token = desk_core::secrets::Secret::source_token().get().map_err(|e| format!("cannot read the source token: {e}"))?;
        desk_core::sources::http::check_url(url, token.is_some()).map_err(|e| format!("HANDOFF_DESK_SOURCE_URL: {e} (the token: `handoff-desk source set-token`)"))?;
        Ok(Some(desk_core::sources::http::HttpSource::new(url, token, Duration::from_secs(20))))
    }

    /// Settings → Team server, unless the environment decided.
    pub fn apply_saved_server(&mut self, url: Option<String>, ca: Option<String>) {
        if self.server_from_env {
            return;
        }
        self.server_url = url.filter(|u| !u.trim().is_empty());
        if self.server_ca.is_none() {
            self.server_ca = ca.filter(|c| !c.trim().is_empty()).map(PathBuf::from);
        }
    }

    /// The team server's client, in team mode.
    pub fn server(&self) -> Result<Option<desk_client::DeskClient>, String> {
        let Some(url) = &self.server_url else { return Ok(None) };
        let ca = match &self.server_ca {
            Some(p) => Some(std::fs::read(p).map_err(|e| format!("HANDOFF_DESK_SERVER_CA ({}): {e}", p.display()))?),
            None => None,
        };
        desk_client::DeskClient::new(url, ca.as_deref()).map(Some)
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("handoff-desk.db")
    }

    /// `HANDOFF_DESK_KB_DIR`, default `<data dir>/kb` (the starter knowledge base is installed there).
    pub fn kb_dir(&self) -> PathBuf {
        std::env::var_os("HANDOFF_DESK_KB_DIR").map(PathBuf::from).unwrap_or_else(|| self.data_dir.join("kb"))
    }

    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }
}

impl Config {
    /// The tool catalogue and risk policy: the embedded ones, or the files named in the
    /// environment (a broken file is an error at start, never a silent fallback).
    pub fn gates(&self) -> Result<desk_core::gates::Gates, String> {
        use desk_core::gates::{policy::Policy, tools::Tools, Gates};
        let mut g = Gates::default();
        if let Some(p) = &self.tools_path {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            g.tools = Tools::from_toml(&text)?;
        }
        if let Some(p) = &self.policy_path {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            g.policy = Policy::from_toml(&text)?;
        }
        g.request_ttl_ms = self.approval_ttl_mins * 60_000;
        g.approval_ttl_ms = self.approval_ttl_mins * 60_000;
        Ok(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_wins_over_the_saved_team_server() {
        let mut c = Config::from_env();
        c.server_from_env = false;
        c.server_url = None;
        c.server_ca = None;
        c.apply_saved_server(Some("https://desk.example.com".into()), Some("/etc/desk/cert.pem".into()));
        assert_eq!(c.server_url.as_deref(), Some("https://desk.example.com"));
        assert_eq!(c.server_ca, Some(PathBuf::from("/etc/desk/cert.pem")));
        // Disconnected in Settings: saved as empty.
        c.apply_saved_server(Some(String::new()), Some(String::new()));
        assert_eq!(c.server_url, None);
        // HANDOFF_DESK_SERVER_URL set (here to `off`): what is saved does not count.
        let mut c = Config::from_env();
        c.server_from_env = true;
        c.server_url = None;
        c.apply_saved_server(Some("https://desk.example.com".into()), None);
        assert_eq!(c.server_url, None);
    }
}
