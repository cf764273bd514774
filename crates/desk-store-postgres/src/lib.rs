//! desk-core's storage traits on PostgreSQL 15 (sqlx), for the team server.
//!
//! How it serialises, without any in-process lock (several server processes may share the
//! database):
//! * a tool-call transition locks its row (`SELECT … FOR UPDATE`) inside the write transaction
//!   and writes compare-and-set on the state it read;
//! * a claim is one conditional `UPDATE`;
//! * an audit append locks the one-row chain head (`audit_head … FOR UPDATE`), so appends from
//!   every connection queue behind each other and the chain never forks.
//!
//! Every connection runs with `synchronous_commit = on`: an approval, an execution start or an
//! audit event that was acknowledged survives a crash of the server.

mod analytics;
mod drafts;
mod events;
mod routing;
mod sessions;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use desk_core::audit::{like_escaped, AuditEvent, AuditFilter, StoredAuditEvent};
use desk_core::gates::record::{CallQuery, CallRecord, NewCallRecord};
use desk_core::gates::GateError;
use desk_core::handoff::Handoff;
use desk_core::people::{PeopleError, Role, UserSummary};
use desk_core::quarantine::{NewQuarantined, QuarantineRecord};
use desk_core::ratings::{NewRatingRecord, RatingRecord, SELECT_RATING};
use desk_core::queue::{QueuePlan, QueueRecord, FACET_INTENTS_MAX, QUEUE_SELECT, SEARCH_CANDIDATES};
use desk_core::people::LAST_ADMIN;
use desk_core::storage::{
    AuditStore, Credentials, ClaimOutcome, ClaimStore, Database, Decide, GateStore, HandoffStore, Intake, NewAuditEvent, NewUserRecord, PeopleStore, QuarantineStore,
    MetaStore, QueueCounts, QueueStore, RatingStore, Taken,
};
use desk_core::store::{now_rfc3339, HandoffColumns, Result, StoreError, StoredHandoff, StoredHandoffRow, Upsert};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgConnection, PgPool};

/// The migrations in `migrations/postgres/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// A handle on the PostgreSQL database. Cheap to clone: the pool is shared and synchronised.
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`; a password comes from the environment
    /// or a secret file, never from a command line) and applies pending migrations.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        let options = PgConnectOptions::from_str(url)?.options([("synchronous_commit", "on")]).application_name("handoff-desk");
        let pool = PgPoolOptions::new().max_connections(max_connections).acquire_timeout(Duration::from_secs(10)).connect_with(options).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

impl Database for PgStore {
    fn kind(&self) -> &'static str {
        "postgres"
    }
}

/// Appends an event inside the caller's transaction, after locking the chain head.
pub async fn append_in(conn: &mut PgConnection, e: &NewAuditEvent) -> Result<AuditEvent> {
    let (last_id, hash): (i64, String) = sqlx::query_as("SELECT last_id, hash FROM audit_head WHERE one FOR UPDATE").fetch_one(&mut *conn).await?;
    let s = StoredAuditEvent::next((last_id > 0).then_some((last_id, hash)), e);
    sqlx::query("INSERT INTO audit_events (id, at_ms, actor, kind, subject, payload, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(s.id)
        .bind(s.at_ms)
        .bind(&s.actor)
        .bind(&s.kind)
        .bind(&s.subject)
        .bind(&s.payload)
        .bind(&s.prev_hash)
        .bind(&s.hash)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE audit_head SET last_id = $1, hash = $2 WHERE one").bind(s.id).bind(&s.hash).execute(&mut *conn).await?;
    Ok(s.event())
}

#[async_trait]
impl AuditStore for PgStore {
    async fn append_audit(&self, e: &NewAuditEvent) -> Result<AuditEvent> {
        let mut tx = self.pool.begin().await?;
        let ev = append_in(&mut tx, e).await?;
        tx.commit().await?;
        Ok(ev)
    }

    async fn audit_events_after(&self, after_id: i64, limit: i64) -> Result<Vec<StoredAuditEvent>> {
        Ok(sqlx::query_as("SELECT id, at_ms, actor, kind, subject, payload, prev_hash, hash FROM audit_events WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn audit_head(&self) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT hash FROM audit_head WHERE one").fetch_optional(&self.pool).await?)
    }

    async fn audit_list(&self, f: &AuditFilter, before_id: Option<i64>, limit: i64) -> Result<Vec<AuditEvent>> {
        let mut qb: sqlx::QueryBuilder<sqlx::Postgres> =
            sqlx::QueryBuilder::new("SELECT id, at_ms, actor, kind, subject, payload, prev_hash, hash FROM audit_events WHERE id < ");
        qb.push_bind(before_id.unwrap_or(i64::MAX));
        if let Some(k) = f.kind_prefix.as_deref().filter(|s| !s.is_empty()) {
            qb.push(" AND kind ILIKE ").push_bind(format!("{}%", like_escaped(k)));
        }
        if let Some(s) = f.subject.as_deref().filter(|s| !s.is_empty()) {
            qb.push(" AND subject = ").push_bind(s.to_owned());
        }
        if let Some(a) = f.actor.as_deref().filter(|s| !s.is_empty()) {
            qb.push(" AND actor ILIKE ").push_bind(format!("%{}%", like_escaped(a)));
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(limit.clamp(1, 1000));
        Ok(qb.build_query_as::<StoredAuditEvent>().fetch_all(&self.pool).await?.into_iter().map(StoredAuditEvent::event).collect())
    }
}

/// Stores one validated document inside the caller's transaction.
async fn upsert_in(conn: &mut PgConnection, h: &Handoff, source: &str) -> Result<Upsert> {
    let c = HandoffColumns::of(h);
    // An identical document changes nothing: found by its hash before the upsert, which would
    // build the row and its search vector only to throw them away.
    let stored: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, doc_sha256 FROM handoffs WHERE handoff_id = $1").bind(&h.handoff_id).fetch_optional(&mut *conn).await?;
    if let Some((seq, sha)) = stored {
        if sha == c.doc_sha256 {
            return Ok(Upsert::Unchanged { seq });
        }
    }
    let now = now_rfc3339();
    // One statement: a new id inserts, a changed document replaces (revision + 1), an
    // identical one changes nothing (the WHERE of DO UPDATE fails and nothing is returned).
    let written: Option<(i64, bool)> = sqlx::query_as(
        "INSERT INTO handoffs (handoff_id, conversation_id, escalated_at, escalated_ms, channel, customer_id, customer_name,
            customer_sort, intent, confidence, sentiment, sentiment_score, reason, priority, priority_rank, triage_key, summary,
            action_count, failed_action_count, turn_count, bot_name, bot_version, doc, doc_sha256, source, received_at, updated_at,
            search)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24,
            $25, $26, $26, to_tsvector('simple', $27))
         ON CONFLICT (handoff_id) DO UPDATE SET conversation_id = EXCLUDED.conversation_id, escalated_at = EXCLUDED.escalated_at,
            escalated_ms = EXCLUDED.escalated_ms, channel = EXCLUDED.channel, customer_id = EXCLUDED.customer_id,
            customer_name = EXCLUDED.customer_name, customer_sort = EXCLUDED.customer_sort, intent = EXCLUDED.intent,
            confidence = EXCLUDED.confidence, sentiment = EXCLUDED.sentiment, sentiment_score = EXCLUDED.sentiment_score,
            reason = EXCLUDED.reason, priority = EXCLUDED.priority, priority_rank = EXCLUDED.priority_rank,
            triage_key = EXCLUDED.triage_key, summary = EXCLUDED.summary, action_count = EXCLUDED.action_count,
            failed_action_count = EXCLUDED.failed_action_count, turn_count = EXCLUDED.turn_count, bot_name = EXCLUDED.bot_name,
            bot_version = EXCLUDED.bot_version, doc = EXCLUDED.doc, doc_sha256 = EXCLUDED.doc_sha256,
            revision = handoffs.revision + 1, source = EXCLUDED.source, updated_at = EXCLUDED.updated_at, search = EXCLUDED.search
         WHERE handoffs.doc_sha256 <> EXCLUDED.doc_sha256
         RETURNING seq, (xmax = 0) AS inserted",
    )
    .bind(&h.handoff_id)
    .bind(&h.conversation_id)
    .bind(&h.escalated_at)
    .bind(c.escalated_ms)
    .bind(c.channel)
    .bind(&h.customer.id)
    .bind(&h.customer.name)
    .bind(&c.customer_sort)
    .bind(&h.intent.name)
    .bind(h.intent.confidence)
    .bind(c.sentiment)
    .bind(h.sentiment.score)
    .bind(c.reason)
    .bind(c.priority)
    .bind(c.priority_rank)
    .bind(c.triage_key)
    .bind(&h.summary)
    .bind(c.action_count)
    .bind(c.failed_action_count)
    .bind(c.turn_count)
    .bind(&h.bot.name)
    .bind(&h.bot.version)
    .bind(&c.doc)
    .bind(&c.doc_sha256)
    .bind(source)
    .bind(&now)
    .bind(c.search_document(&h.summary))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match written {
        Some((seq, true)) => Upsert::Inserted { seq },
        Some((seq, false)) => Upsert::Updated { seq },
        None => {
            let seq: i64 = sqlx::query_scalar("SELECT seq FROM handoffs WHERE handoff_id = $1").bind(&h.handoff_id).fetch_one(&mut *conn).await?;
            Upsert::Unchanged { seq }
        }
    })
}

/// Quarantines one document inside the caller's transaction; returns its id.
async fn quarantine_in(conn: &mut PgConnection, source: &str, q: &NewQuarantined<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar("INSERT INTO quarantine (received_at, source, line_no, handoff_id, raw, errors) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(now_rfc3339())
        .bind(source)
        .bind(q.line_no)
        .bind(q.handoff_id)
        .bind(q.raw)
        .bind(q.errors_json())
        .fetch_one(&mut *conn)
        .await?)
}

#[async_trait]
impl HandoffStore for PgStore {
    async fn take_in(&self, items: &[Intake<'_>], source: &str) -> Result<Vec<Taken>> {
        let mut tx = self.pool.begin().await?;
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(match item {
                Intake::Valid(h) => Taken::Stored(upsert_in(&mut tx, h, source).await?),
                Intake::Invalid(q) => Taken::Quarantined(quarantine_in(&mut tx, source, q).await?),
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn handoff_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM handoffs").fetch_one(&self.pool).await?)
    }

    async fn stored_handoff(&self, handoff_id: &str) -> Result<StoredHandoff> {
        sqlx::query_as::<_, StoredHandoffRow>(
            "SELECT h.seq, h.doc, h.status, h.revision, h.source, h.received_at, h.updated_at, u.display_name AS claimed_by,
                    h.claimed_by AS claimed_by_id
             FROM handoffs h LEFT JOIN users u ON u.id = h.claimed_by WHERE h.handoff_id = $1",
        )
        .bind(handoff_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(handoff_id.to_owned()))?
        .into_stored(handoff_id)
    }
}

/// Search terms as a tsquery: all required, the last one a prefix. The terms are desk-core's
/// search words (letters and digits only), so none of them is tsquery syntax.
fn ts_query(terms: &[String]) -> Option<String> {
    let last = terms.last()?;
    let mut words: Vec<String> = terms[..terms.len() - 1].to_vec();
    words.push(format!("{last}:*"));
    Some(words.join(" & "))
}

#[async_trait]
impl QueueStore for PgStore {
    async fn queue_records(&self, plan: &QueuePlan) -> Result<(Vec<QueueRecord>, bool)> {
        let mut qb: sqlx::QueryBuilder<sqlx::Postgres> = sqlx::QueryBuilder::new(QUEUE_SELECT);
        // Search first: the newest SEARCH_CANDIDATES matches (one more, to know whether it was capped).
        let mut capped = false;
        if let Some(q) = ts_query(&plan.search) {
            let mut ids: Vec<i64> = sqlx::query_scalar("SELECT seq FROM handoffs WHERE search @@ to_tsquery('simple', $1) ORDER BY seq DESC LIMIT $2")
                .bind(q)
                .bind(SEARCH_CANDIDATES + 1)
                .fetch_all(&self.pool)
                .await?;
            capped = ids.len() as i64 > SEARCH_CANDIDATES;
            ids.truncate(SEARCH_CANDIDATES as usize);
            qb.push(" AND seq = ANY(").push_bind(ids).push(")");
        }
        plan.push_pieces(&mut qb);
        Ok((qb.build_query_as::<QueueRecord>().fetch_all(&self.pool).await?, capped))
    }

    async fn queue_counts(&self) -> Result<QueueCounts> {
        let total = self.handoff_count().await?;
        let by_priority_rank: Vec<(i64, i64)> =
            sqlx::query_as("SELECT priority_rank, COUNT(*) FROM handoffs GROUP BY priority_rank ORDER BY priority_rank DESC").fetch_all(&self.pool).await?;
        let by_intent: Vec<(String, i64)> = sqlx::query_as("SELECT intent, COUNT(*) FROM handoffs GROUP BY intent ORDER BY COUNT(*) DESC, intent LIMIT $1")
            .bind(FACET_INTENTS_MAX)
            .fetch_all(&self.pool)
            .await?;
        Ok(QueueCounts { total, by_priority_rank, by_intent })
    }
}

#[async_trait]
impl QuarantineStore for PgStore {
    async fn quarantine_records(&self, before_id: Option<i64>, limit: i64) -> Result<Vec<QuarantineRecord>> {
        Ok(sqlx::query_as("SELECT id, received_at, source, line_no, handoff_id, raw, errors FROM quarantine WHERE id < $1 ORDER BY id DESC LIMIT $2")
            .bind(before_id.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn quarantine_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM quarantine").fetch_one(&self.pool).await?)
    }

    async fn quarantine_raw(&self, id: i64) -> Result<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar("SELECT raw FROM quarantine WHERE id = $1").bind(id).fetch_optional(&self.pool).await?)
    }
}

#[async_trait]
impl MetaStore for PgStore {
    async fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM app_meta WHERE key = $1").bind(key).fetch_optional(&self.pool).await?)
    }

    async fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query("INSERT INTO app_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl RatingStore for PgStore {
    async fn write_rating(&self, n: &NewRatingRecord<'_>) -> Result<i64> {
        let i = n.input;
        let mut tx = self.pool.begin().await?;
        // The rater's earlier rating, locked: two saves of it at once take turns.
        let existing: Option<RatingRecord> = sqlx::query_as(&format!("{SELECT_RATING} WHERE r.handoff_seq = $1 AND r.rater_id = $2 FOR UPDATE OF r"))
            .bind(n.handoff_seq)
            .bind(n.rater_id)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(old) = &existing {
            sqlx::query("INSERT INTO rating_history (rating_id, revision, snapshot, replaced_at) VALUES ($1, $2, $3, $4)")
                .bind(old.id)
                .bind(old.revision)
                .bind(old.snapshot())
                .bind(&n.at)
                .execute(&mut *tx)
                .await?;
        }
        // One statement for both: a new rating, or the next revision of the rater's own.
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO ratings (handoff_seq, rater_id, handoff_revision, bot_name, bot_version, intent, confidence, escalated_ms,
                summary_accurate, intent_correct, correct_intent, context_complete, missing_fields, actions_reported, timing, overall,
                comment, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)
             ON CONFLICT (handoff_seq, rater_id) DO UPDATE SET handoff_revision = EXCLUDED.handoff_revision, bot_name = EXCLUDED.bot_name,
                bot_version = EXCLUDED.bot_version, intent = EXCLUDED.intent, confidence = EXCLUDED.confidence,
                escalated_ms = EXCLUDED.escalated_ms, summary_accurate = EXCLUDED.summary_accurate, intent_correct = EXCLUDED.intent_correct,
                correct_intent = EXCLUDED.correct_intent, context_complete = EXCLUDED.context_complete,
                missing_fields = EXCLUDED.missing_fields, actions_reported = EXCLUDED.actions_reported, timing = EXCLUDED.timing,
                overall = EXCLUDED.overall, comment = EXCLUDED.comment, revision = ratings.revision + 1, updated_at = EXCLUDED.updated_at
             RETURNING id",
        )
        .bind(n.handoff_seq)
        .bind(n.rater_id)
        .bind(n.handoff_revision)
        .bind(n.bot_name)
        .bind(n.bot_version)
        .bind(n.intent)
        .bind(n.confidence)
        .bind(n.escalated_ms)
        .bind(i.summary_accurate.as_str())
        .bind(i.intent_correct)
        .bind(n.correct_intent)
        .bind(i.context_complete)
        .bind(&n.missing_fields_json)
        .bind(i.actions_reported)
        .bind(i.timing.as_str())
        .bind(i.overall as i64)
        .bind(&i.comment)
        .bind(&n.at)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn rating_record(&self, id: i64) -> Result<Option<RatingRecord>> {
        Ok(sqlx::query_as(&format!("{SELECT_RATING} WHERE r.id = $1")).bind(id).fetch_optional(&self.pool).await?)
    }

    async fn rating_records_of(&self, handoff_id: &str) -> Result<Vec<RatingRecord>> {
        Ok(sqlx::query_as(&format!("{SELECT_RATING} WHERE h.handoff_id = $1 ORDER BY r.id")).bind(handoff_id).fetch_all(&self.pool).await?)
    }

    async fn rating_snapshots(&self, id: i64) -> Result<Vec<(i64, String, String)>> {
        Ok(sqlx::query_as("SELECT revision, snapshot, replaced_at FROM rating_history WHERE rating_id = $1 ORDER BY revision")
            .bind(id)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn first_unrated(&self, rater_id: i64, after_seq: i64) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT handoff_id FROM handoffs h WHERE seq > $1 AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.handoff_seq = h.seq AND r.rater_id = $2)
             ORDER BY seq LIMIT 1",
        )
        .bind(after_seq)
        .bind(rater_id)
        .fetch_optional(&self.pool)
        .await?)
    }
}

#[async_trait]
impl PeopleStore for PgStore {
    async fn insert_user(&self, u: &NewUserRecord, now: i64, audit: &[NewAuditEvent]) -> Result<i64, PeopleError> {
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, password_hash, created_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, $4)
             ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(&u.password_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            return Err(PeopleError::Conflict(format!("The username {} is taken.", u.username)));
        };
        for r in &u.roles {
            sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING").bind(id).bind(r.as_str()).execute(&mut *tx).await?;
        }
        for e in audit {
            append_in(&mut tx, e).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    async fn user_summary(&self, id: i64) -> Result<UserSummary, PeopleError> {
        let (username, display_name, active): (String, String, bool) = sqlx::query_as("SELECT username, display_name, active FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| PeopleError::Invalid(format!("No user with id {id}.")))?;
        let names: Vec<String> = sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1").bind(id).fetch_all(&self.pool).await?;
        let mut roles: Vec<Role> = names.iter().filter_map(|r| Role::parse(r)).collect();
        roles.sort();
        Ok(UserSummary { id, username, display_name, roles, active })
    }

    async fn user_count(&self) -> Result<i64, PeopleError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?)
    }

    async fn users(&self) -> Result<Vec<UserSummary>, PeopleError> {
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM users ORDER BY lower(username)").fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.user_summary(id).await?);
        }
        Ok(out)
    }

    async fn credentials(&self, username: &str) -> Result<Option<Credentials>, PeopleError> {
        Ok(sqlx::query_as("SELECT id, password_hash, active FROM users WHERE lower(username) = lower($1)").bind(username).fetch_optional(&self.pool).await?)
    }

    async fn set_access(&self, id: i64, roles: &[Role], active: bool, now: i64, audit: &[NewAuditEvent]) -> Result<(), PeopleError> {
        let mut tx = self.pool.begin().await?;
        // Admin changes queue behind each other, so the last-admin check cannot race.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('desk.admins'))").execute(&mut *tx).await?;
        let was_admin: bool = sqlx::query_scalar(
            "SELECT EXISTS(SELECT 1 FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.user_id = $1 AND r.role = 'admin' AND u.active)",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if was_admin && !(active && roles.contains(&Role::Admin)) {
            let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.role = 'admin' AND u.active")
                .fetch_one(&mut *tx)
                .await?;
            if admins <= 1 {
                return Err(PeopleError::Conflict(LAST_ADMIN.into()));
            }
        }
        let n = sqlx::query("UPDATE users SET active = $1, updated_at_ms = $2 WHERE id = $3").bind(active).bind(now).bind(id).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(PeopleError::Invalid(format!("No user with id {id}.")));
        }
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        for r in roles {
            sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING").bind(id).bind(r.as_str()).execute(&mut *tx).await?;
        }
        for e in audit {
            append_in(&mut tx, e).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn record_attempt(&self, username: &str, at_ms: i64, succeeded: bool, kind: &str) -> Result<(), PeopleError> {
        sqlx::query("INSERT INTO sign_in_attempts (username, at_ms, succeeded, kind) VALUES ($1, $2, $3, $4)")
            .bind(username)
            .bind(at_ms)
            .bind(succeeded)
            .bind(kind)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn recent_failures(&self, username: &str, since_ms: i64) -> Result<(i64, Option<i64>), PeopleError> {
        Ok(sqlx::query_as(
            "SELECT COUNT(*), MIN(at_ms) FROM sign_in_attempts
             WHERE lower(username) = lower($1) AND NOT succeeded AND kind <> 'locked' AND at_ms > $2
               AND at_ms > COALESCE((SELECT MAX(at_ms) FROM sign_in_attempts WHERE lower(username) = lower($1) AND succeeded), 0)",
        )
        .bind(username)
        .bind(since_ms)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn sign_in_attempts(&self, username: &str) -> Result<Vec<(i64, bool, String)>, PeopleError> {
        Ok(sqlx::query_as("SELECT at_ms, succeeded, kind FROM sign_in_attempts WHERE lower(username) = lower($1) ORDER BY id DESC")
            .bind(username)
            .fetch_all(&self.pool)
            .await?)
    }
}

async fn holder_in(conn: &mut PgConnection, handoff_id: &str) -> Result<Option<(i64, String)>> {
    let (uid, name): (Option<i64>, Option<String>) =
        sqlx::query_as("SELECT h.claimed_by, u.display_name FROM handoffs h LEFT JOIN users u ON u.id = h.claimed_by WHERE h.handoff_id = $1")
            .bind(handoff_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::NotFound(handoff_id.to_owned()))?;
    Ok(uid.map(|u| (u, name.unwrap_or_default())))
}

#[async_trait]
impl ClaimStore for PgStore {
    async fn claim(&self, handoff_id: &str, user_id: i64, now: i64, take_over: bool) -> Result<ClaimOutcome> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE handoffs SET claimed_by = $1,
                 claimed_at_ms = CASE WHEN claimed_by IS NOT DISTINCT FROM $1 THEN claimed_at_ms ELSE $2 END
             WHERE handoff_id = $3 AND (claimed_by IS NULL OR claimed_by = $1 OR $4)",
        )
        .bind(user_id)
        .bind(now)
        .bind(handoff_id)
        .bind(take_over)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let out = if n == 1 { ClaimOutcome::Taken } else { ClaimOutcome::from_holder(holder_in(&mut tx, handoff_id).await?) };
        tx.commit().await?;
        Ok(out)
    }

    async fn release(&self, handoff_id: &str, user_id: i64, any_holder: bool) -> Result<ClaimOutcome> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE handoffs SET claimed_by = NULL, claimed_at_ms = NULL WHERE handoff_id = $1 AND (claimed_by = $2 OR $3)")
            .bind(handoff_id)
            .bind(user_id)
            .bind(any_holder)
            .execute(&mut *tx)
            .await?;
        let out = ClaimOutcome::from_holder(holder_in(&mut tx, handoff_id).await?.filter(|(holder, _)| *holder != user_id));
        tx.commit().await?;
        Ok(out)
    }

    async fn claim_holder(&self, handoff_id: &str) -> Result<Option<(i64, String)>> {
        let mut conn = self.pool.acquire().await?;
        holder_in(&mut conn, handoff_id).await
    }
}

#[async_trait]
impl GateStore for PgStore {
    async fn insert_call(&self, c: &NewCallRecord, audit: &[NewAuditEvent]) -> std::result::Result<(), GateError> {
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO tool_calls (id, handoff_seq, tool, params, params_sha256, requested_by, origin, flags, decision, rule_id,
             rule_reason, rule_matched, policy_version, policy_sha256, state, approved_sha256, expires_at_ms, created_at_ms, updated_at_ms)
             SELECT $1, seq, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17 FROM handoffs WHERE handoff_id = $18",
        )
        .bind(&c.id)
        .bind(&c.tool)
        .bind(&c.params)
        .bind(&c.params_sha256)
        .bind(c.requested_by)
        .bind(c.origin)
        .bind(&c.flags)
        .bind(c.decision)
        .bind(&c.rule_id)
        .bind(&c.rule_reason)
        .bind(&c.rule_matched)
        .bind(&c.policy_version)
        .bind(&c.policy_sha256)
        .bind(c.state)
        .bind(&c.approved_sha256)
        .bind(c.expires_at_ms)
        .bind(c.created_at_ms)
        .bind(&c.handoff_id)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?
        .rows_affected();
        if inserted == 0 {
            return Err(GateError::Store(StoreError::NotFound(c.handoff_id.clone())));
        }
        for e in audit {
            append_in(&mut tx, e).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    async fn call(&self, id: &str) -> Result<Option<CallRecord>> {
        Ok(sqlx::query_as("SELECT * FROM tool_call_rows WHERE id = $1").bind(id).fetch_optional(&self.pool).await?)
    }

    async fn calls(&self, q: &CallQuery) -> Result<Vec<CallRecord>> {
        let query = |sql: &'static str| sqlx::query_as::<_, CallRecord>(sql);
        let rows = match q {
            CallQuery::OnHandoff(h) => query("SELECT * FROM tool_call_rows WHERE handoff_id = $1 ORDER BY created_at_ms").bind(h).fetch_all(&self.pool).await?,
            CallQuery::Pending => query("SELECT * FROM tool_call_rows WHERE state = 'pending' ORDER BY handoff_escalated_ms, created_at_ms").fetch_all(&self.pool).await?,
            CallQuery::ApprovalHistory { limit } => {
                query("SELECT * FROM tool_call_rows WHERE decision = 'approve' AND state <> 'pending' ORDER BY updated_at_ms DESC LIMIT $1")
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            }
            CallQuery::Executing => query("SELECT * FROM tool_call_rows WHERE state = 'executing' ORDER BY created_at_ms").fetch_all(&self.pool).await?,
            CallQuery::ApprovedNotStarted => {
                query("SELECT * FROM tool_call_rows WHERE state = 'approved' AND attempts = 0 ORDER BY created_at_ms").fetch_all(&self.pool).await?
            }
            CallQuery::DueToExpire { now } => {
                query("SELECT * FROM tool_call_rows WHERE state IN ('proposed', 'pending', 'approved') AND expires_at_ms <= $1 ORDER BY created_at_ms")
                    .bind(now)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        Ok(rows)
    }

    async fn update_call(&self, id: &str, decide: Decide<'_>) -> std::result::Result<CallRecord, GateError> {
        let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
        // Lock the call's row first: a second transition on the same call waits here and then
        // reads what the first one wrote.
        let locked: Option<String> =
            sqlx::query_scalar("SELECT state FROM tool_calls WHERE id = $1 FOR UPDATE").bind(id).fetch_optional(&mut *tx).await.map_err(StoreError::from)?;
        if locked.is_none() {
            return Err(GateError::NotFound(id.to_owned()));
        }
        let current: CallRecord =
            sqlx::query_as("SELECT * FROM tool_call_rows WHERE id = $1").bind(id).fetch_one(&mut *tx).await.map_err(StoreError::from)?;
        let (u, audit) = decide(&current)?;
        let written = sqlx::query(
            "UPDATE tool_calls SET state = $1, approved_by = $2, approved_sha256 = $3, expires_at_ms = $4, attempts = $5, retryable = $6,
             decided_by = COALESCE($7, decided_by), decision_reason = COALESCE($8, decision_reason),
             approved_at_ms = COALESCE($9, approved_at_ms), executed_at_ms = COALESCE($10, executed_at_ms),
             http_status = COALESCE($11, http_status), outcome = COALESCE($12, outcome),
             escalated_at_ms = COALESCE($13, escalated_at_ms), updated_at_ms = $14
             WHERE id = $15 AND state = $16",
        )
        .bind(u.state)
        .bind(u.approved_by)
        .bind(&u.approved_sha256)
        .bind(u.expires_at_ms)
        .bind(u.attempts)
        .bind(u.retryable)
        .bind(u.decided_by)
        .bind(&u.decision_reason)
        .bind(u.approved_at_ms)
        .bind(u.executed_at_ms)
        .bind(u.http_status)
        .bind(&u.outcome)
        .bind(u.escalated_at_ms)
        .bind(u.updated_at_ms)
        .bind(id)
        .bind(u.expected_state)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?
        .rows_affected();
        if written != 1 {
            return Err(GateError::Conflict(format!("tool call {id} changed while it was being updated")));
        }
        for e in &audit {
            append_in(&mut tx, e).await?;
        }
        let after: CallRecord = sqlx::query_as("SELECT * FROM tool_call_rows WHERE id = $1").bind(id).fetch_one(&mut *tx).await.map_err(StoreError::from)?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(after)
    }
}
