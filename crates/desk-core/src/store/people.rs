//! Accounts on SQLite.

use async_trait::async_trait;

use super::{now_rfc3339, Store};
use crate::people::{PeopleError, Role, UserSummary};
use crate::storage::{NewUserRecord, PeopleStore};

#[async_trait]
impl PeopleStore for Store {
    async fn insert_user(&self, u: &NewUserRecord, _now: i64) -> Result<i64, PeopleError> {
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
}

pub(crate) async fn set_roles_in(tx: &mut sqlx::SqliteConnection, id: i64, roles: &[Role]) -> Result<(), PeopleError> {
    sqlx::query!("DELETE FROM user_roles WHERE user_id = ?", id).execute(&mut *tx).await?;
    for r in roles {
        let role = r.as_str();
        sqlx::query!("INSERT OR IGNORE INTO user_roles (user_id, role) VALUES (?, ?)", id, role).execute(&mut *tx).await?;
    }
    Ok(())
}
