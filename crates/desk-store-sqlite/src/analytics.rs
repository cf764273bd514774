//! Analytics on SQLite: the core's portable queries with SQLite's placeholders and day.

use async_trait::async_trait;

use super::{Result, Store};
use desk_core::analytics::{fetch_rating_ids, fetch_rows, AnalyticsFilter, AnalyticsRows, Dialect};
use desk_core::storage::AnalyticsStore;

const SQLITE: Dialect = Dialect { placeholder: |_| "?".to_owned(), escalated_day: "date(h.escalated_ms / 1000, 'unixepoch')" };

#[async_trait]
impl AnalyticsStore for Store {
    async fn analytics_rows(&self, f: &AnalyticsFilter) -> Result<AnalyticsRows> {
        fetch_rows(self.pool(), f, SQLITE).await
    }

    async fn rating_ids(&self, f: &AnalyticsFilter) -> Result<Vec<i64>> {
        fetch_rating_ids(self.pool(), f, SQLITE).await
    }
}
