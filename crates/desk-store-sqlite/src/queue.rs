//! The queue on SQLite: search through the FTS5 table, then the plan's portable SQL.

use async_trait::async_trait;
use sqlx::{QueryBuilder, Sqlite};

use super::{Result, Store};
use desk_core::queue::{QueuePlan, QueueRecord, FACET_INTENTS_MAX, QUEUE_SELECT, SEARCH_CANDIDATES};
use desk_core::storage::{QueueCounts, QueueStore};

/// Search terms as an FTS5 query: each word quoted (so no FTS syntax leaks through), all
/// required, the last one a prefix. `None` when there are no terms.
pub fn fts_query(terms: &[String]) -> Option<String> {
    if terms.is_empty() {
        return None;
    }
    let mut q = terms.iter().map(|w| format!("\"{}\"", w.replace('"', ""))).collect::<Vec<_>>().join(" ");
    q.push('*');
    Some(q)
}

#[async_trait]
impl QueueStore for Store {
    async fn queue_records(&self, plan: &QueuePlan) -> Result<(Vec<QueueRecord>, bool)> {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(QUEUE_SELECT);
        // Search first: the newest SEARCH_CANDIDATES matches (one more, to know whether it was capped).
        let mut capped = false;
        if let Some(m) = fts_query(&plan.search) {
            let mut ids: Vec<i64> = sqlx::query_scalar("SELECT rowid FROM handoff_fts WHERE handoff_fts MATCH ? ORDER BY rowid DESC LIMIT ?")
                .bind(m)
                .bind(SEARCH_CANDIDATES + 1)
                .fetch_all(self.pool())
                .await?;
            capped = ids.len() as i64 > SEARCH_CANDIDATES;
            ids.truncate(SEARCH_CANDIDATES as usize);
            let ids = serde_json::to_string(&ids).expect("ids serialise");
            qb.push(" AND seq IN (SELECT value FROM json_each(").push_bind(ids).push("))");
        }
        plan.push_pieces(&mut qb);
        Ok((qb.build_query_as::<QueueRecord>().fetch_all(self.pool()).await?, capped))
    }

    async fn queue_counts(&self) -> Result<QueueCounts> {
        let total = desk_core::storage::HandoffStore::handoff_count(self).await?;
        // Grouped on the indexed rank (a covering index scan), named by the caller.
        let by_priority_rank = sqlx::query!(
            r#"SELECT priority_rank AS "rank!: i64", COUNT(*) AS "count!: i64" FROM handoffs
               GROUP BY priority_rank ORDER BY priority_rank DESC"#
        )
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|r| (r.rank, r.count))
        .collect();
        let by_intent = sqlx::query!(
            r#"SELECT intent AS "value!", COUNT(*) AS "count!: i64" FROM handoffs GROUP BY intent ORDER BY COUNT(*) DESC, intent LIMIT ?"#,
            FACET_INTENTS_MAX
        )
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|r| (r.value, r.count))
        .collect();
        Ok(QueueCounts { total, by_priority_rank, by_intent })
    }
}

#[cfg(test)]
mod tests {
    use super::fts_query;
    use desk_core::queue::search_terms;

    #[test]
    fn typed_text_becomes_quoted_words_with_a_final_prefix() {
        assert_eq!(fts_query(&search_terms("Parcel lost")).as_deref(), Some("\"parcel\" \"lost\"*"));
        assert_eq!(fts_query(&search_terms("a\" OR NEAR(b")).as_deref(), Some("\"a\" \"or\" \"near\" \"b\"*"));
        assert_eq!(fts_query(&search_terms("*-)\"")), None);
        assert_eq!(search_terms(&"w ".repeat(40)).len(), desk_core::queue::SEARCH_WORDS_MAX);
    }
}
