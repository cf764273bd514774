//! Accounts on SQLite.

use async_trait::async_trait;

use super::Store;
use desk_core::store::now_rfc3339;
use desk_core::people::{PeopleError, Role, UserSummary};
use desk_core::storage::{Credentials, NewAuditEvent, NewUserRecord, PeopleStore};

#[async_trait]
impl PeopleStore for Store {
    async fn insert_user(&self, u: &NewUserRecord, _now: i64, audit: &[NewAuditEvent]) -> Result<i64, PeopleError> {
        let now = now_rfc3339();
        let mut tx = self.begin_write().await?;
        let exists = sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM users WHERE username = ?"#, u.username)
            .fetch_one(&mut *tx)
            .await?;
        if exists > 0 {
            return Err(PeopleError::Conflict(format!("The username {} is taken.", u.username)));
        }
        let id = sqlx::query!(
            "INSERT INTO users (username, display_name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            u.username,
            u.display_name,
            u.password_hash,
            now,
            now
        )
        .execute(&mut *tx)
        .await?
        .last_insert_rowid();
        set_roles_in(&mut tx, id, &u.roles).await?;
        for e in audit {
            crate::audit::append_in(&mut tx, e).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    async fn user_summary(&self, id: i64) -> Result<UserSummary, PeopleError> {
        let r = sqlx::query!("SELECT id, username, display_name, active FROM users WHERE id = ?", id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| PeopleError::Invalid(format!("No user with id {id}.")))?;
        let mut roles: Vec<Role> =
            sqlx::query_scalar!("SELECT role FROM user_roles WHERE user_id = ?", id).fetch_all(self.pool()).await?.iter().filter_map(|r| Role::parse(r)).collect();
        roles.sort();
        Ok(UserSummary { id: r.id, username: r.username, display_name: r.display_name, roles, active: r.active != 0 })
    }

    async fn user_count(&self) -> Result<i64, PeopleError> {
        Ok(sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM users"#).fetch_one(self.pool()).await?)
    }

    async fn users(&self) -> Result<Vec<UserSummary>, PeopleError> {
        let ids = sqlx::query_scalar!(r#"SELECT id AS "id!" FROM users ORDER BY username"#).fetch_all(self.pool()).await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.user_summary(id).await?);
        }
        Ok(out)
    }

    async fn credentials(&self, username: &str) -> Result<Option<Credentials>, PeopleError> {
        Ok(sqlx::query_as!(
            Credentials,
            r#"SELECT id AS "id!", password_hash, active AS "active: bool" FROM users WHERE username = ?"#,
            username
        )
        .fetch_optional(self.pool())
        .await?)
    }

    async fn set_access(&self, id: i64, roles: &[Role], active: bool, _now: i64, audit: &[NewAuditEvent]) -> Result<(), PeopleError> {
        let mut tx = self.begin_write().await?;
        let was_admin = sqlx::query_scalar!(
            r#"SELECT COUNT(*) AS "n!: i64" FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.user_id = ? AND r.role = 'admin' AND u.active = 1"#,
            id
        )
        .fetch_one(&mut *tx)
        .await?
            > 0;
        if was_admin && !(active && roles.contains(&Role::Admin)) {
            let admins = sqlx::query_scalar!(
                r#"SELECT COUNT(*) AS "n!: i64" FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.role = 'admin' AND u.active = 1"#
            )
            .fetch_one(&mut *tx)
            .await?;
            if admins <= 1 {
                return Err(PeopleError::Conflict(desk_core::people::LAST_ADMIN.into()));
            }
        }
        let now_s = now_rfc3339();
        let active_i = active as i64;
        let n = sqlx::query!("UPDATE users SET active = ?, updated_at = ? WHERE id = ?", active_i, now_s, id).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(PeopleError::Invalid(format!("No user with id {id}.")));
        }
        set_roles_in(&mut tx, id, roles).await?;
        for e in audit {
            crate::audit::append_in(&mut tx, e).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn record_attempt(&self, username: &str, at_ms: i64, succeeded: bool, kind: &str) -> Result<(), PeopleError> {
        let s = succeeded as i64;
        sqlx::query!("INSERT INTO sign_in_attempts (username, at_ms, succeeded, kind) VALUES (?, ?, ?, ?)", username, at_ms, s, kind)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn recent_failures(&self, username: &str, since_ms: i64) -> Result<(i64, Option<i64>), PeopleError> {
        let r = sqlx::query!(
            r#"SELECT COUNT(*) AS "failures!: i64", MIN(at_ms) AS "oldest: i64" FROM sign_in_attempts
               WHERE username = ? AND succeeded = 0 AND kind <> 'locked' AND at_ms > ?
                 AND at_ms > COALESCE((SELECT MAX(at_ms) FROM sign_in_attempts WHERE username = ? AND succeeded = 1), 0)"#,
            username,
            since_ms,
            username
        )
        .fetch_one(self.pool())
        .await?;
        Ok((r.failures, r.oldest))
    }

    async fn sign_in_attempts(&self, username: &str) -> Result<Vec<(i64, bool, String)>, PeopleError> {
        Ok(sqlx::query!("SELECT at_ms, succeeded, kind FROM sign_in_attempts WHERE username = ? ORDER BY id DESC", username)
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(|r| (r.at_ms, r.succeeded != 0, r.kind))
            .collect())
    }
}

async fn set_roles_in(tx: &mut sqlx::SqliteConnection, id: i64, roles: &[Role]) -> Result<(), PeopleError> {
    sqlx::query!("DELETE FROM user_roles WHERE user_id = ?", id).execute(&mut *tx).await?;
    for r in roles {
        let role = r.as_str();
        sqlx::query!("INSERT OR IGNORE INTO user_roles (user_id, role) VALUES (?, ?)", id, role).execute(&mut *tx).await?;
    }
    Ok(())
}
