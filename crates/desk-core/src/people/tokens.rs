//! Sessions: sign-in gives an opaque token (32 random bytes) that the client presents on every
//! call; the store keeps only its SHA-256. Every call resolves the token to a [`Session`] with
//! the user's roles as they are now, so a deactivated or demoted user loses the rights at once,
//! not when the session ends. The team server and the desk's embedded mode both hold their
//! sessions this way, under one set of [`SessionRules`]:
//! - a session ends at its absolute lifetime, or when it is revoked (signing out);
//! - a session without activity for longer than the idle lock is locked: every call is refused
//!   until its password is entered again (a step-up, which unlocks it);
//! - a "Switch user" session (someone signing in on another person's desk, a supervisor who
//!   approves on an agent's desk) lives two minutes, ends after one approval decision, and its
//!   sign-in does not count as a step-up.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::{Accounts, Actor, PeopleError, Session, SessionInfo};
use crate::storage::{Database, NewAuditEvent, NewSession};

/// How long a session lives after sign-in, whatever happens.
pub const TOKEN_TTL_MS: i64 = 12 * 60 * 60 * 1000;
/// A session without activity for this long locks (the default; configurable).
pub const IDLE_LOCK_MS: i64 = 15 * 60 * 1000;
/// How long a "Switch user" session lives at most.
pub const SWITCH_USER_MS: i64 = 2 * 60 * 1000;

/// The response header with which the team server says the caller's session ended with this
/// call (a "Switch user" session after its decision); the desk then hands itself back.
pub const SESSION_ENDED_HEADER: &str = "desk-session-ended";

/// How long sessions live and lock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionRules {
    pub lifetime_ms: i64,
    pub idle_ms: i64,
    pub switch_user_ms: i64,
}

impl Default for SessionRules {
    fn default() -> Self {
        Self { lifetime_ms: TOKEN_TTL_MS, idle_ms: IDLE_LOCK_MS, switch_user_ms: SWITCH_USER_MS }
    }
}

impl SessionRules {
    /// With the idle lock from a number of minutes (a setting); 0 or less keeps the default.
    pub fn with_idle_minutes(mut self, minutes: Option<i64>) -> Self {
        if let Some(m) = minutes.filter(|m| *m > 0) {
            self.idle_ms = m * 60_000;
        }
        self
    }
}

/// A session as the store keeps it (the token only as its hash).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SessionRecord {
    pub user_id: i64,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    pub stepped_up_ms: Option<i64>,
    /// The last activity the desk reported (or the sign-in, or the last unlock).
    pub last_active_ms: i64,
    /// Opened with "Switch user".
    pub switched: bool,
}

/// A live session and what the window needs to know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub session: Session,
    pub switched: bool,
    pub ends_at_ms: i64,
    pub locked: bool,
}

impl Resolved {
    pub fn info(&self) -> SessionInfo {
        SessionInfo { switched: self.switched, ends_at_ms: Some(self.ends_at_ms), locked: self.locked, ..self.session.info() }
    }
}

/// The hash a token is stored and looked up by.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).expect("the OS random source");
    hex::encode(b)
}

/// Sign-in, resolution, activity, step-up and sign-out of token sessions. Cheap to clone.
#[derive(Clone)]
pub struct TokenSessions {
    db: Arc<dyn Database>,
    rules: SessionRules,
}

impl TokenSessions {
    pub fn new(db: Arc<dyn Database>) -> Self {
        Self { db, rules: SessionRules::default() }
    }

    pub fn with_rules(mut self, rules: SessionRules) -> Self {
        self.rules = rules;
        self
    }

    /// A shorter life, for tests of expiry.
    pub fn with_ttl(mut self, ttl_ms: i64) -> Self {
        self.rules.lifetime_ms = ttl_ms;
        self
    }

    pub fn rules(&self) -> SessionRules {
        self.rules
    }

    /// Checks the password (with the rate limit) and opens a session: the token, shown once.
    pub async fn sign_in(&self, username: &str, password: &str, now: i64) -> Result<(String, Resolved), PeopleError> {
        self.open(username, password, false, now).await
    }

    /// "Switch user": a session on someone else's desk, for one decision and two minutes at
    /// most. Its sign-in is not a step-up.
    pub async fn sign_in_switched(&self, username: &str, password: &str, now: i64) -> Result<(String, Resolved), PeopleError> {
        self.open(username, password, true, now).await
    }

    async fn open(&self, username: &str, password: &str, switched: bool, now: i64) -> Result<(String, Resolved), PeopleError> {
        let session = self.db.sign_in(username, password, now).await?;
        let token = new_token();
        let life = if switched { self.rules.switch_user_ms.min(self.rules.lifetime_ms) } else { self.rules.lifetime_ms };
        let hash = token_hash(&token);
        self.db
            .insert_session(&NewSession {
                token_sha256: &hash,
                user_id: session.actor.user_id,
                created_at_ms: now,
                expires_at_ms: now + life,
                stepped_up_ms: if switched { None } else { Some(now) },
                switched,
            })
            .await?;
        let resolved = self.look_up(&token, now).await?;
        Ok((token, resolved))
    }

    /// The live session behind a token, locked or not; a missing, expired or revoked token, or
    /// a deactivated user, is not signed in.
    pub async fn look_up(&self, token: &str, now: i64) -> Result<Resolved, PeopleError> {
        let rec = self.db.live_session(&token_hash(token), now).await?.ok_or(PeopleError::NotSignedIn)?;
        let u = self.db.user_summary(rec.user_id).await?;
        if !u.active {
            return Err(PeopleError::NotSignedIn);
        }
        Ok(Resolved {
            session: Session {
                actor: Actor { user_id: u.id, username: u.username, display_name: u.display_name, roles: u.roles },
                signed_in_ms: rec.created_at_ms,
                stepped_up_ms: rec.stepped_up_ms,
            },
            switched: rec.switched,
            ends_at_ms: rec.expires_at_ms,
            locked: now - rec.last_active_ms > self.rules.idle_ms,
        })
    }

    /// The session a token stands for, with the user's current roles, for acting: refused
    /// while it is locked.
    pub async fn resolve(&self, token: &str, now: i64) -> Result<Session, PeopleError> {
        let r = self.look_up(token, now).await?;
        if r.locked {
            return Err(PeopleError::Locked { idle_mins: self.rules.idle_ms / 60_000 });
        }
        Ok(r.session)
    }

    /// The person at the desk did something (the window reports input): the idle clock starts
    /// again. Refused once locked: only the password unlocks.
    pub async fn touch(&self, token: &str, now: i64) -> Result<(), PeopleError> {
        self.resolve(token, now).await?;
        self.db.touch_session(&token_hash(token), now).await?;
        Ok(())
    }

    /// Asks the password again; the session is stepped up from now, and unlocked.
    pub async fn step_up(&self, token: &str, password: &str, now: i64) -> Result<Resolved, PeopleError> {
        let r = self.look_up(token, now).await?;
        self.db.step_up(&r.session, password, now).await?;
        self.db.set_stepped_up(&token_hash(token), now).await?;
        self.look_up(token, now).await
    }

    /// After an approval decision: a "Switch user" session has done what it was opened for and
    /// ends. Returns whether it ended.
    pub async fn end_if_switched(&self, token: &str, now: i64) -> Result<bool, PeopleError> {
        let r = match self.look_up(token, now).await {
            Ok(r) => r,
            Err(PeopleError::NotSignedIn) => return Ok(false),
            Err(e) => return Err(e),
        };
        if !r.switched {
            return Ok(false);
        }
        self.end(token, &r.session, "auth.switch_user_ended", now).await?;
        Ok(true)
    }

    /// Ends the session behind a token (locked or not).
    pub async fn sign_out(&self, token: &str, now: i64) -> Result<(), PeopleError> {
        let r = self.look_up(token, now).await?;
        self.end(token, &r.session, "auth.signed_out", now).await
    }

    async fn end(&self, token: &str, session: &Session, kind: &str, now: i64) -> Result<(), PeopleError> {
        self.db.revoke_session(&token_hash(token), now).await?;
        let actor = crate::audit::user_actor(session.actor.user_id, &session.actor.username);
        self.db.append_audit(&NewAuditEvent::new(now, &actor, kind, &format!("user:{}", session.actor.user_id), serde_json::json!({}))).await?;
        Ok(())
    }
}
