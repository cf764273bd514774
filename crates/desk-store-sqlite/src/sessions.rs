//! Token sessions on SQLite (the token only as its SHA-256).

use async_trait::async_trait;
use desk_core::people::tokens::SessionRecord;
use desk_core::storage::{NewSession, SessionStore};

use super::{Result, Store};

#[async_trait]
impl SessionStore for Store {
    async fn insert_session(&self, n: &NewSession<'_>) -> Result<()> {
        sqlx::query!(
            "INSERT INTO sessions (token_sha256, user_id, created_at_ms, expires_at_ms, stepped_up_ms, last_active_ms, switched) VALUES (?, ?, ?, ?, ?, ?, ?)",
            n.token_sha256,
            n.user_id,
            n.created_at_ms,
            n.expires_at_ms,
            n.stepped_up_ms,
            n.created_at_ms,
            n.switched
        )
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn live_session(&self, token_sha256: &str, now: i64) -> Result<Option<SessionRecord>> {
        Ok(sqlx::query_as!(
            SessionRecord,
            r#"SELECT user_id AS "user_id!: i64", created_at_ms AS "created_at_ms!: i64", expires_at_ms AS "expires_at_ms!: i64", stepped_up_ms,
                      last_active_ms AS "last_active_ms!: i64", switched AS "switched!: bool"
               FROM sessions WHERE token_sha256 = ? AND revoked_at_ms IS NULL AND expires_at_ms > ?"#,
            token_sha256,
            now
        )
        .fetch_optional(self.pool())
        .await?)
    }

    async fn set_stepped_up(&self, token_sha256: &str, at: i64) -> Result<()> {
        sqlx::query!("UPDATE sessions SET stepped_up_ms = ?, last_active_ms = ? WHERE token_sha256 = ? AND revoked_at_ms IS NULL", at, at, token_sha256)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn touch_session(&self, token_sha256: &str, at: i64) -> Result<()> {
        sqlx::query!("UPDATE sessions SET last_active_ms = max(last_active_ms, ?) WHERE token_sha256 = ? AND revoked_at_ms IS NULL", at, token_sha256)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn revoke_session(&self, token_sha256: &str, now: i64) -> Result<bool> {
        let n = sqlx::query!("UPDATE sessions SET revoked_at_ms = ? WHERE token_sha256 = ? AND revoked_at_ms IS NULL", now, token_sha256)
            .execute(self.pool())
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    async fn revoke_user_sessions(&self, user_id: i64, now: i64) -> Result<u64> {
        Ok(sqlx::query!("UPDATE sessions SET revoked_at_ms = ? WHERE user_id = ? AND revoked_at_ms IS NULL", now, user_id)
            .execute(self.pool())
            .await?
            .rows_affected())
    }
}
