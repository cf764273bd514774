//! Users and sign-in: argon2id password hashes, rate-limited and recorded sign-in attempts,
//! step-up, and user management by admins.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use async_trait::async_trait;

use super::*;
use crate::storage::{AuditStore, NewAuditEvent, NewUserRecord, PeopleStore};

/// The demo's users, one per role (the README lists them): username, display name, roles.
pub const DEMO_USERS: &[(&str, &str, &[Role])] = &[
    ("ana", "Ana Agent", &[Role::Agent]),
    ("sam", "Sam Supervisor", &[Role::Supervisor, Role::Agent]),
    ("lee", "Lee Team-Lead", &[Role::TeamLead]),
    ("ada", "Ada Admin", &[Role::Admin]),
];
/// The demo users' password. A demo database only; a real one starts with no users.
pub const DEMO_PASSWORD: &str = "demo-desk-1";

/// A user as listed to an admin (never the hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UserSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub active: bool,
}

/// A user to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub roles: Vec<Role>,
}

/// The shortest password a new account may have.
pub const PASSWORD_MIN: usize = 8;

fn hash_password(password: &str) -> Result<String, PeopleError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PeopleError::Invalid(format!("cannot hash the password: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A hash to verify against when the username does not exist, so both cases cost the same.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password never used").unwrap_or_default())
}

fn validate_new(u: &NewUser) -> Result<(), PeopleError> {
    let name = u.username.trim();
    if name.is_empty() || name.len() > super::USERNAME_MAX || !name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
        return Err(PeopleError::Invalid("Usernames are 1–64 letters, digits, '.', '_' or '-'.".into()));
    }
    if u.display_name.trim().is_empty() || u.display_name.chars().count() > 128 {
        return Err(PeopleError::Invalid("Give a display name of at most 128 characters.".into()));
    }
    if u.password.chars().count() < PASSWORD_MIN {
        return Err(PeopleError::Invalid(format!("Passwords need at least {PASSWORD_MIN} characters.")));
    }
    if u.roles.is_empty() {
        return Err(PeopleError::Invalid("Give the user at least one role.".into()));
    }
    Ok(())
}

/// Accounts and sign-in on any store: every rule here, the facts in [`PeopleStore`].
#[async_trait]
pub trait Accounts: PeopleStore + AuditStore {
    /// Whether any user exists (a new real database asks for its first admin).
    async fn has_users(&self) -> Result<bool, PeopleError> {
        Ok(self.user_count().await? > 0)
    }

    /// Creates the first admin of a database that has no users; refused once any user exists.
    async fn create_first_admin(&self, mut u: NewUser) -> Result<UserSummary, PeopleError> {
        if self.has_users().await? {
            return Err(PeopleError::Conflict("This desk already has users: ask an admin for an account.".into()));
        }
        if !u.roles.contains(&Role::Admin) {
            u.roles.push(Role::Admin);
        }
        add_user(self, &u, "setup").await
    }

    /// Creates a user (admins, with a fresh step-up).
    async fn create_user(&self, by: &Session, u: NewUser, now: i64) -> Result<UserSummary, PeopleError> {
        by.authorize(Permission::ManageUsers, now)?;
        add_user(self, &u, &crate::audit::user_actor(by.actor.user_id, &by.actor.username)).await
    }

    /// Seeds the demo users when the database has none.
    async fn seed_demo_users(&self) -> Result<bool, PeopleError> {
        if self.has_users().await? {
            return Ok(false);
        }
        for (username, display_name, roles) in DEMO_USERS {
            let u = NewUser { username: (*username).into(), display_name: (*display_name).into(), password: DEMO_PASSWORD.into(), roles: roles.to_vec() };
            add_user(self, &u, "system").await?;
        }
        Ok(true)
    }

    /// Every user, by username (admins only).
    async fn list_users(&self, by: &Session, now: i64) -> Result<Vec<UserSummary>, PeopleError> {
        if !by.actor.can(Permission::ManageUsers) {
            return Err(PeopleError::Forbidden(Permission::ManageUsers));
        }
        let _ = now;
        self.users().await
    }

    /// Replaces a user's roles and active flag (admins, with a fresh step-up). The last active
    /// admin cannot lose the admin role or be deactivated.
    async fn update_user(&self, by: &Session, id: i64, roles: Vec<Role>, active: bool, now: i64) -> Result<UserSummary, PeopleError> {
        by.authorize(Permission::ManageUsers, now)?;
        if roles.is_empty() {
            return Err(PeopleError::Invalid("Give the user at least one role.".into()));
        }
        let before = self.user_summary(id).await?;
        let actor = crate::audit::user_actor(by.actor.user_id, &by.actor.username);
        let event = NewAuditEvent::new(
            now,
            &actor,
            "user.access_changed",
            &format!("user:{id}"),
            serde_json::json!({ "username": before.username, "roles_before": before.roles, "active_before": before.active, "roles": roles, "active": active }),
        );
        self.set_access(id, &roles, active, now, &[event]).await?;
        self.user_summary(id).await
    }

    /// Signs a user in. Five failures for a username within 15 minutes lock it for the rest of
    /// that window; every attempt is recorded. The error never says whether the user exists.
    async fn sign_in(&self, username: &str, password: &str, now: i64) -> Result<Session, PeopleError> {
        let username = username.trim();
        if username.is_empty() || username.len() > super::USERNAME_MAX {
            // No such user can exist: the same answer as a wrong password, and nothing recorded.
            return Err(PeopleError::WrongCredentials);
        }
        check_rate(self, username, now).await?;
        let (hash, user) = match self.credentials(username).await? {
            Some(c) if c.active => (c.password_hash, Some(c.id)),
            _ => (decoy_hash().to_owned(), None),
        };
        let pw = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash)).await.unwrap_or(false);
        let succeeded = ok && user.is_some();
        self.record_attempt(username, now, succeeded, "sign_in").await?;
        let kind = if succeeded { "auth.signed_in" } else { "auth.sign_in_failed" };
        let actor = match user {
            Some(id) if succeeded => crate::audit::user_actor(id, username),
            _ => format!("unauthenticated:{username}"),
        };
        self.append_audit(&NewAuditEvent::new(now, &actor, kind, &format!("user:{username}"), serde_json::json!({}))).await?;
        match (succeeded, user) {
            (true, Some(id)) => {
                let u = self.user_summary(id).await?;
                tracing::info!(user_id = id, "signed in");
                Ok(Session {
                    actor: Actor { user_id: u.id, username: u.username, display_name: u.display_name, roles: u.roles },
                    signed_in_ms: now,
                    stepped_up_ms: Some(now),
                })
            }
            _ => {
                tracing::warn!("failed sign-in");
                Err(PeopleError::WrongCredentials)
            }
        }
    }

    /// Asks the signed-in user's password again before a sensitive action.
    async fn step_up(&self, session: &Session, password: &str, now: i64) -> Result<Session, PeopleError> {
        let username = session.actor.username.clone();
        check_rate(self, &username, now).await?;
        let hash = match self.credentials(&username).await? {
            Some(c) if c.active && c.id == session.actor.user_id => c.password_hash,
            _ => return Err(PeopleError::NotSignedIn),
        };
        let pw = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash)).await.unwrap_or(false);
        self.record_attempt(&username, now, ok, "step_up").await?;
        if !ok {
            return Err(PeopleError::WrongCredentials);
        }
        Ok(Session { stepped_up_ms: Some(now), ..session.clone() })
    }
}

impl<S: PeopleStore + AuditStore + ?Sized> Accounts for S {}

/// Creates a user, recorded in the audit log as done by `actor` (never with the password).
async fn add_user<S: PeopleStore + ?Sized>(store: &S, u: &NewUser, actor: &str) -> Result<UserSummary, PeopleError> {
    validate_new(u)?;
    let password = u.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(|e| PeopleError::Invalid(format!("hashing failed: {e}")))??;
    let record = NewUserRecord { username: u.username.trim().to_owned(), display_name: u.display_name.trim().to_owned(), password_hash: hash, roles: u.roles.clone() };
    let now = now_ms();
    let event = NewAuditEvent::new(
        now,
        actor,
        "user.created",
        &format!("user:{}", record.username),
        serde_json::json!({ "display_name": record.display_name, "roles": record.roles }),
    );
    let id = store.insert_user(&record, now, &[event]).await?;
    store.user_summary(id).await
}

/// Refuses a username locked by too many recent failures (recording the refusal).
async fn check_rate<S: PeopleStore + AuditStore + ?Sized>(store: &S, username: &str, now: i64) -> Result<(), PeopleError> {
    let (failures, oldest) = store.recent_failures(username, now - RATE_WINDOW_MS).await?;
    if failures >= MAX_FAILED_SIGN_INS {
        let oldest = oldest.unwrap_or(now);
        let retry_after_secs = ((oldest + RATE_WINDOW_MS - now) / 1000).max(1);
        store.record_attempt(username, now, false, "locked").await?;
        let event = NewAuditEvent::new(
            now,
            &format!("unauthenticated:{username}"),
            "auth.sign_in_refused_locked",
            &format!("user:{username}"),
            serde_json::json!({ "retry_after_secs": retry_after_secs }),
        );
        store.append_audit(&event).await?;
        return Err(PeopleError::RateLimited { retry_after_secs });
    }
    Ok(())
}
