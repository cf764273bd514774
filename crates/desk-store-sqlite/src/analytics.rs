//! Analytics on SQLite: the core's portable queries with SQLite's placeholders and day.

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::SqlitePool;

use super::{Result, Store};
use desk_core::analytics::{AnalyticsFilter, AnalyticsQueries, AnalyticsRows, Bind, Dialect};
use desk_core::storage::AnalyticsStore;

const SQLITE: Dialect = Dialect { placeholder: |_| "?".to_owned(), escalated_day: "date(h.escalated_ms / 1000, 'unixepoch')" };

async fn rows<O>(pool: &SqlitePool, sql: &str, binds: &[Bind]) -> Result<Vec<O>>
where
    O: for<'r> sqlx::FromRow<'r, SqliteRow> + Send + Unpin,
{
    let mut q = sqlx::query_as::<_, O>(sql);
    for b in binds {
        q = match b {
            Bind::I(i) => q.bind(*i),
            Bind::S(s) => q.bind(s.clone()),
        };
    }
    Ok(q.fetch_all(pool).await?)
}

#[async_trait]
impl AnalyticsStore for Store {
    async fn analytics_rows(&self, f: &AnalyticsFilter) -> Result<AnalyticsRows> {
        let q = AnalyticsQueries::new(f, SQLITE);
        let (p, b) = (self.pool(), &q.binds[..]);
        let (escalations, rated) = rows::<(i64, i64)>(p, &q.totals, b).await?.first().copied().unwrap_or_default();
        Ok(AnalyticsRows {
            escalations,
            rated,
            by_day_reason: rows(p, &q.by_day_reason, b).await?,
            by_intent: rows(p, &q.by_intent, b).await?,
            by_version: rows(p, &q.by_version, b).await?,
            verdicts: rows::<(f64, i64)>(p, &q.verdicts, b).await?.into_iter().map(|(c, ok)| (c, ok != 0)).collect(),
            claim_secs: rows::<(f64,)>(p, &q.claim_secs, b).await?.into_iter().map(|r| r.0).collect(),
            first_reply_secs: rows::<(f64,)>(p, &q.first_reply_secs, b).await?.into_iter().map(|r| r.0).collect(),
            calls: rows(p, &q.calls, b).await?,
            all_intents: sqlx::query_scalar!(r#"SELECT DISTINCT intent AS "i!" FROM handoffs"#).fetch_all(p).await?,
            all_bot_versions: sqlx::query_scalar!(r#"SELECT DISTINCT bot_version AS "v!" FROM handoffs"#).fetch_all(p).await?,
        })
    }

    async fn rating_ids(&self, f: &AnalyticsFilter) -> Result<Vec<i64>> {
        let q = AnalyticsQueries::new(f, SQLITE);
        Ok(rows::<(i64,)>(self.pool(), &q.rating_ids, &q.binds).await?.into_iter().map(|r| r.0).collect())
    }
}
