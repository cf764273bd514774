//! Token sessions on PostgreSQL (the token only as its SHA-256).

use async_trait::async_trait;
use desk_core::people::tokens::SessionRecord;
use desk_core::storage::{NewSession, SessionStore};
use desk_core::store::Result;

use crate::PgStore;

#[async_trait]
impl SessionStore for PgStore {
    async fn insert_session(&self, n: &NewSession<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_sha256, user_id, created_at_ms, expires_at_ms, stepped_up_ms, last_active_ms, switched) VALUES ($1, $2, $3, $4, $5, $3, $6)",
        )
        .bind(n.token_sha256)
        .bind(n.user_id)
        .bind(n.created_at_ms)
        .bind(n.expires_at_ms)
        .bind(n.stepped_up_ms)
        .bind(n.switched)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn live_session(&self, token_sha256: &str, now: i64) -> Result<Option<SessionRecord>> {
        Ok(sqlx::query_as(
            "SELECT user_id, created_at_ms, expires_at_ms, stepped_up_ms, last_active_ms, switched FROM sessions \
             WHERE token_sha256 = $1 AND revoked_at_ms IS NULL AND expires_at_ms > $2",
        )
        .bind(token_sha256)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn set_stepped_up(&self, token_sha256: &str, at: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET stepped_up_ms = $1, last_active_ms = $1 WHERE token_sha256 = $2 AND revoked_at_ms IS NULL")
            .bind(at)
            .bind(token_sha256)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn touch_session(&self, token_sha256: &str, at: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_active_ms = GREATEST(last_active_ms, $1) WHERE token_sha256 = $2 AND revoked_at_ms IS NULL")
            .bind(at)
            .bind(token_sha256)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn revoke_session(&self, token_sha256: &str, now: i64) -> Result<bool> {
        let n = sqlx::query("UPDATE sessions SET revoked_at_ms = $1 WHERE token_sha256 = $2 AND revoked_at_ms IS NULL")
            .bind(now)
            .bind(token_sha256)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    async fn revoke_user_sessions(&self, user_id: i64, now: i64) -> Result<u64> {
        Ok(sqlx::query("UPDATE sessions SET revoked_at_ms = $1 WHERE user_id = $2 AND revoked_at_ms IS NULL")
            .bind(now)
            .bind(user_id)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }
}
