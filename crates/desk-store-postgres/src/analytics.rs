//! Analytics on PostgreSQL: the core's portable queries with numbered placeholders and
//! PostgreSQL's UTC day.

use async_trait::async_trait;
use desk_core::analytics::{fetch_rating_ids, fetch_rows, AnalyticsFilter, AnalyticsRows, Dialect};
use desk_core::storage::AnalyticsStore;
use desk_core::store::Result;

use crate::PgStore;

const POSTGRES: Dialect = Dialect {
    placeholder: |n| format!("${n}"),
    escalated_day: "to_char(to_timestamp(h.escalated_ms / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
};

#[async_trait]
impl AnalyticsStore for PgStore {
    async fn analytics_rows(&self, f: &AnalyticsFilter) -> Result<AnalyticsRows> {
        fetch_rows(&self.pool, f, POSTGRES).await
    }

    async fn rating_ids(&self, f: &AnalyticsFilter) -> Result<Vec<i64>> {
        fetch_rating_ids(&self.pool, f, POSTGRES).await
    }
}
