//! Users and sign-in: argon2id password hashes, rate-limited and recorded sign-in attempts,
//! step-up, and user management by admins.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::*;
use crate::storage::{AuditStore, NewAuditEvent, NewUserRecord, PeopleStore};
use crate::store::people::set_roles_in;
use crate::store::{now_rfc3339, Store};

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
    if name.is_empty() || name.len() > 64 || !name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
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

impl Store {
    /// Whether any user exists (a new real database asks for its first admin).
    pub async fn has_users(&self) -> Result<bool, PeopleError> {
        Ok(sqlx::query_scalar!(r#"SELECT EXISTS(SELECT 1 FROM users) AS "e!: bool""#).fetch_one(self.pool()).await?)
    }

    /// Creates the first admin of a database that has no users; refused once any user exists.
    pub async fn create_first_admin(&self, mut u: NewUser) -> Result<UserSummary, PeopleError> {
        if self.has_users().await? {
            return Err(PeopleError::Conflict("This desk already has users: ask an admin for an account.".into()));
        }
        if !u.roles.contains(&Role::Admin) {
            u.roles.push(Role::Admin);
        }
        self.add_user(&u).await
    }

    /// Creates a user (admins, with a fresh step-up).
    pub async fn create_user(&self, by: &Session, u: NewUser, now: i64) -> Result<UserSummary, PeopleError> {
        by.authorize(Permission::ManageUsers, now)?;
        self.add_user(&u).await
    }

    /// Seeds the demo users when the database has none.
    pub async fn seed_demo_users(&self) -> Result<bool, PeopleError> {
        if self.has_users().await? {
            return Ok(false);
        }
        for (username, display_name, roles) in DEMO_USERS {
            self.add_user(&NewUser {
                username: (*username).into(),
                display_name: (*display_name).into(),
                password: DEMO_PASSWORD.into(),
                roles: roles.to_vec(),
            })
            .await?;
        }
        Ok(true)
    }

    async fn add_user(&self, u: &NewUser) -> Result<UserSummary, PeopleError> {
        validate_new(u)?;
        let password = u.password.clone();
        let hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| PeopleError::Invalid(format!("hashing failed: {e}")))??;
        let id = self
            .insert_user(&NewUserRecord { username: u.username.trim().to_owned(), display_name: u.display_name.trim().to_owned(), password_hash: hash, roles: u.roles.clone() }, now_ms())
            .await?;
        self.user(id).await
    }

    /// One user by id.
    pub async fn user(&self, id: i64) -> Result<UserSummary, PeopleError> {
        self.user_summary(id).await
    }

    /// Every user (admins only).
    pub async fn list_users(&self, by: &Session, now: i64) -> Result<Vec<UserSummary>, PeopleError> {
        if !by.actor.can(Permission::ManageUsers) {
            return Err(PeopleError::Forbidden(Permission::ManageUsers));
        }
        let _ = now;
        let ids = sqlx::query_scalar!(r#"SELECT id AS "id!" FROM users ORDER BY username"#).fetch_all(self.pool()).await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.user(id).await?);
        }
        Ok(out)
    }

    /// Replaces a user's roles and active flag (admins, with a fresh step-up). The last active
    /// admin cannot lose the admin role or be deactivated.
    pub async fn update_user(&self, by: &Session, id: i64, roles: Vec<Role>, active: bool, now: i64) -> Result<UserSummary, PeopleError> {
        by.authorize(Permission::ManageUsers, now)?;
        if roles.is_empty() {
            return Err(PeopleError::Invalid("Give the user at least one role.".into()));
        }
        let mut tx = self.begin_write().await?;
        let was_admin = sqlx::query_scalar!(
            r#"SELECT COUNT(*) AS "n!: i64" FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.user_id = ? AND r.role = 'admin' AND u.active = 1"#,
            id
        )
        .fetch_one(&mut *tx)
        .await?
            > 0;
        let stays_admin = active && roles.contains(&Role::Admin);
        if was_admin && !stays_admin {
            let admins = sqlx::query_scalar!(
                r#"SELECT COUNT(*) AS "n!: i64" FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.role = 'admin' AND u.active = 1"#
            )
            .fetch_one(&mut *tx)
            .await?;
            if admins <= 1 {
                return Err(PeopleError::Conflict("This is the last active admin: make someone else admin first.".into()));
            }
        }
        let now_s = now_rfc3339();
        let active_i = active as i64;
        sqlx::query!("UPDATE users SET active = ?, updated_at = ? WHERE id = ?", active_i, now_s, id).execute(&mut *tx).await?;
        set_roles_in(&mut tx, id, &roles).await?;
        tx.commit().await?;
        self.user(id).await
    }

    /// Signs a user in. Five failures for a username within 15 minutes lock it for the rest of
    /// that window; every attempt is recorded. The error never says whether the user exists.
    pub async fn sign_in(&self, username: &str, password: &str, now: i64) -> Result<Session, PeopleError> {
        let username = username.trim();
        self.check_rate(username, now).await?;
        let row = sqlx::query!(r#"SELECT id AS "id!", password_hash, active FROM users WHERE username = ?"#, username)
            .fetch_optional(self.pool())
            .await?;
        let (hash, user) = match &row {
            Some(r) if r.active != 0 => (r.password_hash.clone(), Some(r.id)),
            _ => (decoy_hash().to_owned(), None),
        };
        let pw = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash)).await.unwrap_or(false);
        let succeeded = ok && user.is_some();
        self.record_attempt(username, now, succeeded, "sign_in").await?;
        let kind = if succeeded { "auth.signed_in" } else { "auth.sign_in_failed" };
        let actor = match user { Some(id) if succeeded => crate::audit::user_actor(id, username), _ => format!("unauthenticated:{username}") };
        self.append_audit(&NewAuditEvent::new(now, &actor, kind, &format!("user:{username}"), serde_json::json!({}))).await?;
        match (succeeded, user) {
            (true, Some(id)) => {
                let u = self.user(id).await?;
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
    pub async fn step_up(&self, session: &Session, password: &str, now: i64) -> Result<Session, PeopleError> {
        let username = session.actor.username.clone();
        self.check_rate(&username, now).await?;
        let hash = sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = ? AND active = 1", session.actor.user_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(PeopleError::NotSignedIn)?;
        let pw = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash)).await.unwrap_or(false);
        self.record_attempt(&username, now, ok, "step_up").await?;
        if !ok {
            return Err(PeopleError::WrongCredentials);
        }
        Ok(Session { stepped_up_ms: Some(now), ..session.clone() })
    }

    async fn check_rate(&self, username: &str, now: i64) -> Result<(), PeopleError> {
        let since = now - RATE_WINDOW_MS;
        // Failures since the last success within the window count.
        let r = sqlx::query!(
            r#"SELECT COUNT(*) AS "failures!: i64", MIN(at_ms) AS "oldest: i64" FROM sign_in_attempts
               WHERE username = ? AND succeeded = 0 AND at_ms > ?
                 AND at_ms > COALESCE((SELECT MAX(at_ms) FROM sign_in_attempts WHERE username = ? AND succeeded = 1), 0)"#,
            username,
            since,
            username
        )
        .fetch_one(self.pool())
        .await?;
        if r.failures >= MAX_FAILED_SIGN_INS {
            let oldest = r.oldest.unwrap_or(now);
            let retry_after_secs = ((oldest + RATE_WINDOW_MS - now) / 1000).max(1);
            self.record_attempt(username, now, false, "locked").await?;
            let event = NewAuditEvent::new(now, &format!("unauthenticated:{username}"), "auth.sign_in_refused_locked", &format!("user:{username}"), serde_json::json!({ "retry_after_secs": retry_after_secs }));
            self.append_audit(&event).await?;
            return Err(PeopleError::RateLimited { retry_after_secs });
        }
        Ok(())
    }

    async fn record_attempt(&self, username: &str, now: i64, succeeded: bool, kind: &str) -> Result<(), PeopleError> {
        let s = succeeded as i64;
        sqlx::query!("INSERT INTO sign_in_attempts (username, at_ms, succeeded, kind) VALUES (?, ?, ?, ?)", username, now, s, kind)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Recorded sign-in attempts of a username, newest first: (at_ms, succeeded, kind).
    pub async fn sign_in_attempts(&self, username: &str) -> Result<Vec<(i64, bool, String)>, PeopleError> {
        Ok(sqlx::query!("SELECT at_ms, succeeded, kind FROM sign_in_attempts WHERE username = ? ORDER BY id DESC", username)
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(|r| (r.at_ms, r.succeeded != 0, r.kind))
            .collect())
    }
}

