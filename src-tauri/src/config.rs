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
        Self { data_dir, demo, demo_interval, bands, sla: SlaPolicy::default() }
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("handoff-desk.db")
    }

    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }
}
