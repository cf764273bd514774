//! Sessions a server holds: sign-in gives an opaque token (32 random bytes) that the client
//! presents on every call; the store keeps only its SHA-256. Every call resolves the token to a
//! [`Session`] with the user's roles as they are now, so a deactivated or demoted user loses the
//! rights at once, not when the session ends. Tokens expire and can be revoked.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::{Accounts, Actor, PeopleError, Session};
use crate::storage::{Database, NewAuditEvent};

/// How long a token lives after sign-in.
pub const TOKEN_TTL_MS: i64 = 12 * 60 * 60 * 1000;

/// A session as the store keeps it (the token only as its hash).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SessionRecord {
    pub user_id: i64,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    pub stepped_up_ms: Option<i64>,
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

/// Sign-in, resolution, step-up and sign-out of token sessions. Cheap to clone.
#[derive(Clone)]
pub struct TokenSessions {
    db: Arc<dyn Database>,
    ttl_ms: i64,
}

impl TokenSessions {
    pub fn new(db: Arc<dyn Database>) -> Self {
        Self { db, ttl_ms: TOKEN_TTL_MS }
    }

    /// A shorter life, for tests of expiry.
    pub fn with_ttl(mut self, ttl_ms: i64) -> Self {
        self.ttl_ms = ttl_ms;
        self
    }

    /// Checks the password (with the rate limit) and opens a session: the token, shown once.
    pub async fn sign_in(&self, username: &str, password: &str, now: i64) -> Result<(String, Session), PeopleError> {
        let session = self.db.sign_in(username, password, now).await?;
        let token = new_token();
        self.db.insert_session(&token_hash(&token), session.actor.user_id, now, now + self.ttl_ms).await?;
        Ok((token, session))
    }

    /// The session a token stands for, with the user's current roles; a missing, expired or
    /// revoked token, or a deactivated user, is not signed in.
    pub async fn resolve(&self, token: &str, now: i64) -> Result<Session, PeopleError> {
        let rec = self.db.live_session(&token_hash(token), now).await?.ok_or(PeopleError::NotSignedIn)?;
        let u = self.db.user_summary(rec.user_id).await?;
        if !u.active {
            return Err(PeopleError::NotSignedIn);
        }
        Ok(Session {
            actor: Actor { user_id: u.id, username: u.username, display_name: u.display_name, roles: u.roles },
            signed_in_ms: rec.created_at_ms,
            stepped_up_ms: rec.stepped_up_ms,
        })
    }

    /// Asks the password again; the session is stepped up from now.
    pub async fn step_up(&self, token: &str, password: &str, now: i64) -> Result<Session, PeopleError> {
        let session = self.resolve(token, now).await?;
        let stepped = self.db.step_up(&session, password, now).await?;
        self.db.set_stepped_up(&token_hash(token), now).await?;
        Ok(stepped)
    }

    /// Ends the session behind a token.
    pub async fn sign_out(&self, token: &str, now: i64) -> Result<(), PeopleError> {
        let session = self.resolve(token, now).await?;
        self.db.revoke_session(&token_hash(token), now).await?;
        let actor = crate::audit::user_actor(session.actor.user_id, &session.actor.username);
        self.db.append_audit(&NewAuditEvent::new(now, &actor, "auth.signed_out", &format!("user:{}", session.actor.user_id), serde_json::json!({}))).await?;
        Ok(())
    }
}
