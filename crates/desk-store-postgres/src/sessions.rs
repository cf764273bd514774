//! Token sessions on PostgreSQL (the token only as its SHA-256).

use async_trait::async_trait;
use desk_core::people::tokens::SessionRecord;
use desk_core::storage::SessionStore;
use desk_core::store::Result;

use crate::PgStore;

#[async_trait]
impl SessionStore for PgStore {
    async fn insert_session(&self, token_sha256: &str, user_id: i64, now: i64, expires_at_ms: i64) -> Result<()> {
        sqlx::query("INSERT INTO sessions (token_sha256, user_id, created_at_ms, expires_at_ms, stepped_up_ms) VALUES ($1, $2, $3, $4, $3)")
            .bind(token_sha256)
            .bind(user_id)
            .bind(now)
            .bind(expires_at_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn live_session(&self, token_sha256: &str, now: i64) -> Result<Option<SessionRecord>> {
        Ok(sqlx::query_as(
            "SELECT user_id, created_at_ms, expires_at_ms, stepped_up_ms FROM sessions \
             WHERE token_sha256 = $1 AND revoked_at_ms IS NULL AND expires_at_ms > $2",
        )
        .bind(token_sha256)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn set_stepped_up(&self, token_sha256: &str, at: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET stepped_up_ms = $1 WHERE token_sha256 = $2 AND revoked_at_ms IS NULL").bind(at).bind(token_sha256).execute(&self.pool).await?;
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
