//! Signed audit checkpoints: the server periodically signs the audit chain's head (last id, its
//! hash, the number of events, the time) with an Ed25519 key it holds, and appends the signed
//! checkpoint to a file outside the database. The chain alone proves only that it is
//! self-consistent; someone who can write the database can rewrite it whole and recompute every
//! hash. Against the checkpoints that rewrite shows: a signed head no longer matches the chain,
//! and a checkpoint cannot be forged without the key. `desk-server audit verify` checks both.

use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use desk_core::audit;
use desk_core::storage::AuditStore;

/// One signed head of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub at_ms: i64,
    pub last_id: i64,
    pub head_hash: String,
    pub events: i64,
    /// Ed25519 over [`Checkpoint::message`], hex.
    pub signature: String,
}

impl Checkpoint {
    fn message(at_ms: i64, last_id: i64, head_hash: &str, events: i64) -> String {
        format!("handoff-desk-audit-checkpoint/v1\n{last_id}\n{head_hash}\n{events}\n{at_ms}")
    }
}

/// The server's signing key and where its checkpoints go.
pub struct Checkpointer {
    key: SigningKey,
    file: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Store(#[from] desk_core::store::StoreError),
}

fn io(what: &Path, e: std::io::Error) -> CheckpointError {
    CheckpointError::Io(format!("{}: {e}", what.display()))
}

/// Reads the public key written beside the signing key (`audit-signing.pub`, hex).
pub fn read_public_key(path: &Path) -> Result<VerifyingKey, CheckpointError> {
    let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
    let bytes: [u8; 32] = hex::decode(text.trim()).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| CheckpointError::Io(format!("{}: not an Ed25519 public key", path.display())))?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| CheckpointError::Io(format!("{}: {e}", path.display())))
}

impl Checkpointer {
    /// Opens the key in `dir` (`audit-signing.key`, created with mode 0600 on first use, and its
    /// public half in `audit-signing.pub`); checkpoints go to `audit-checkpoints.jsonl` there.
    pub fn open(dir: &Path) -> Result<Self, CheckpointError> {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let key_path = dir.join("audit-signing.key");
        let key = match std::fs::read_to_string(&key_path) {
            Ok(text) => {
                let bytes: [u8; 32] = hex::decode(text.trim()).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| CheckpointError::Io(format!("{}: not an Ed25519 key", key_path.display())))?;
                SigningKey::from_bytes(&bytes)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut b = [0u8; 32];
                getrandom::fill(&mut b).expect("the OS random source");
                let mut f = open_private(&key_path)?;
                f.write_all(hex::encode(b).as_bytes()).map_err(|e| io(&key_path, e))?;
                let key = SigningKey::from_bytes(&b);
                let pub_path = dir.join("audit-signing.pub");
                std::fs::write(&pub_path, hex::encode(key.verifying_key().to_bytes())).map_err(|e| io(&pub_path, e))?;
                tracing::info!(public_key = %hex::encode(key.verifying_key().to_bytes()), "created the audit signing key");
                key
            }
            Err(e) => return Err(io(&key_path, e)),
        };
        Ok(Self { key, file: dir.join("audit-checkpoints.jsonl") })
    }

    pub fn public_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// Signs the chain's current head and appends it, unless it is the head signed last.
    /// Returns the checkpoint written, if one was.
    pub async fn checkpoint(&self, log: &dyn AuditStore, now: i64) -> Result<Option<Checkpoint>, CheckpointError> {
        let Some((last_id, head_hash)) = head(log).await? else { return Ok(None) };
        if read_checkpoints(&self.file)?.last().is_some_and(|c| c.last_id == last_id && c.head_hash == head_hash) {
            return Ok(None);
        }
        let events = last_id; // ids are 1, 2, 3, … without gaps; verify checks it
        let sig: Signature = self.key.sign(Checkpoint::message(now, last_id, &head_hash, events).as_bytes());
        let c = Checkpoint { at_ms: now, last_id, head_hash, events, signature: hex::encode(sig.to_bytes()) };
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&self.file).map_err(|e| io(&self.file, e))?;
        writeln!(f, "{}", serde_json::to_string(&c).expect("json")).map_err(|e| io(&self.file, e))?;
        f.sync_all().map_err(|e| io(&self.file, e))?;
        Ok(Some(c))
    }

    pub fn file(&self) -> &Path {
        &self.file
    }
}

#[cfg(unix)]
fn open_private(path: &Path) -> Result<std::fs::File, CheckpointError> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(|e| io(path, e))
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> Result<std::fs::File, CheckpointError> {
    std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(|e| io(path, e))
}

/// The newest event's (id, hash).
async fn head(log: &dyn AuditStore) -> Result<Option<(i64, String)>, CheckpointError> {
    Ok(log.audit_list(&Default::default(), None, 1).await?.into_iter().next().map(|e| (e.id, e.hash)))
}

pub fn read_checkpoints(file: &Path) -> Result<Vec<Checkpoint>, CheckpointError> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(io(file, e)),
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| CheckpointError::Io(format!("{} line {}: {e}", file.display(), i + 1))))
        .collect()
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckpointReport {
    pub chain: audit::AuditVerification,
    pub checkpoints: usize,
    /// The first checkpoint that does not hold, and why.
    pub problem: Option<String>,
}

impl CheckpointReport {
    pub fn ok(&self) -> bool {
        self.chain.ok && self.problem.is_none()
    }
}

/// Verifies the chain, then every checkpoint: its signature under `public_key`, and that the
/// chain still has the signed event at the signed position with the signed hash.
pub async fn verify(log: &dyn AuditStore, file: &Path, public_key: &VerifyingKey) -> Result<CheckpointReport, CheckpointError> {
    let chain = audit::verify(log).await?;
    let checkpoints = read_checkpoints(file)?;
    let mut problem = None;
    for (i, c) in checkpoints.iter().enumerate() {
        let n = i + 1;
        let sig = hex::decode(&c.signature).ok().and_then(|b| <[u8; 64]>::try_from(b).ok()).map(|b| Signature::from_bytes(&b));
        let signed = sig.is_some_and(|s| public_key.verify(Checkpoint::message(c.at_ms, c.last_id, &c.head_hash, c.events).as_bytes(), &s).is_ok());
        if !signed {
            problem = Some(format!("checkpoint {n} (event {}) is not signed by this server's key", c.last_id));
            break;
        }
        let at = log.audit_events_after(c.last_id - 1, 1).await?;
        match at.first() {
            Some(e) if e.id == c.last_id && e.hash == c.head_hash && c.events == c.last_id => {}
            Some(e) if e.id == c.last_id => {
                problem = Some(format!("checkpoint {n} signed event {} with hash {}, but the log now has {}: the log was rewritten", c.last_id, c.head_hash, e.hash));
                break;
            }
            _ => {
                problem = Some(format!("checkpoint {n} signed event {}, which the log no longer has: events were removed", c.last_id));
                break;
            }
        }
    }
    Ok(CheckpointReport { chain, checkpoints: checkpoints.len(), problem })
}
