//! What team leads see: where the bot escalates and why, how good its handoffs are by intent and
//! bot version, and how well its confidence matches the team leads' verdicts (calibration).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::people::{PeopleError, Permission, Session};
use crate::ratings::Ratings;
use crate::storage::Database;

/// Filters; empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct AnalyticsFilter {
    /// Escalated at or after (ms since the epoch).
    #[ts(type = "number | null")]
    pub from_ms: Option<i64>,
    /// Escalated before (ms since the epoch).
    #[ts(type = "number | null")]
    pub to_ms: Option<i64>,
    pub intents: Vec<String>,
    pub bot_versions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, sqlx::FromRow)]
pub struct DayReasonCount {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub reason: String,
    #[ts(type = "number")]
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IntentStats {
    pub intent: String,
    #[ts(type = "number")]
    pub escalations: i64,
    pub avg_confidence: f64,
    #[ts(type = "number")]
    pub rated: i64,
    pub avg_overall: Option<f64>,
    /// Share of ratings that found the bot's intent correct.
    pub intent_correct_share: Option<f64>,
    /// Share of ratings that found the summary accurate ("yes").
    pub summary_accurate_share: Option<f64>,
    /// How many ratings gave each overall score, 1 to 5.
    #[ts(type = "Array<number>")]
    pub overall_counts: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct VersionStats {
    pub bot_version: String,
    #[ts(type = "number")]
    pub escalations: i64,
    #[ts(type = "number")]
    pub rated: i64,
    pub avg_overall: Option<f64>,
    pub intent_correct_share: Option<f64>,
    #[ts(type = "Array<number>")]
    pub overall_counts: Vec<i64>,
}

/// One bin of the calibration chart: rated handoffs whose bot confidence fell in
/// `[lower, upper)` (the last bin includes 1.0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CalibrationBin {
    pub lower: f64,
    pub upper: f64,
    #[ts(type = "number")]
    pub rated: i64,
    pub mean_confidence: Option<f64>,
    /// Share whose intent the team leads rated correct.
    pub share_correct: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Calibration {
    pub bins: Vec<CalibrationBin>,
    /// Expected calibration error: Σ (n_bin / n) · |share_correct − mean_confidence|.
    pub ece: Option<f64>,
    #[ts(type = "number")]
    pub rated: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ResponseTimes {
    /// Escalations claimed by an agent.
    #[ts(type = "number")]
    pub claimed: i64,
    /// Seconds from escalation to claim.
    pub p50_secs: Option<f64>,
    pub p90_secs: Option<f64>,
}

/// How each tool's calls went, and how long approvals took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ToolStats {
    pub tool: String,
    #[ts(type = "number")]
    pub calls: i64,
    #[ts(type = "number")]
    pub succeeded: i64,
    #[ts(type = "number")]
    pub failed: i64,
    #[ts(type = "number")]
    pub denied: i64,
    /// Succeeded, of those that finished executing.
    pub success_rate: Option<f64>,
    /// From the request to the supervisor's decision, for calls that needed one.
    pub median_approval_secs: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Analytics {
    #[ts(type = "number")]
    pub escalations: i64,
    #[ts(type = "number")]
    pub rated: i64,
    pub by_day_reason: Vec<DayReasonCount>,
    pub by_intent: Vec<IntentStats>,
    pub by_version: Vec<VersionStats>,
    pub calibration: Calibration,
    pub time_to_claim: ResponseTimes,
    /// From the escalation to the first reply an agent sent.
    pub time_to_first_response: ResponseTimes,
    pub tools: Vec<ToolStats>,
    /// Every intent and bot version in the data, for the filter menus.
    pub all_intents: Vec<String>,
    pub all_bot_versions: Vec<String>,
}

/// Which table to export as CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportTable {
    ByIntent,
    ByVersion,
    ByDayReason,
    Calibration,
    Ratings,
}

const BINS: usize = 10;

/// A value bound to an analytics query, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    I(i64),
    S(String),
}

/// What differs between the stores' SQL for the analytics queries.
#[derive(Debug, Clone, Copy)]
pub struct Dialect {
    /// The n-th placeholder (from 1): `?` on SQLite, `$n` on PostgreSQL.
    pub placeholder: fn(usize) -> String,
    /// The UTC day (`YYYY-MM-DD`) of `h.escalated_ms`.
    pub escalated_day: &'static str,
}

/// The analytics queries for one filter, in portable SQL plus the dialect's two differences,
/// with the values they bind (each query binds the filter's values once, in this order).
#[derive(Debug, Clone)]
pub struct AnalyticsQueries {
    pub totals: String,
    pub by_day_reason: String,
    pub by_intent: String,
    pub by_version: String,
    pub verdicts: String,
    pub claim_secs: String,
    pub first_reply_secs: String,
    pub calls: String,
    pub rating_ids: String,
    pub binds: Vec<Bind>,
}

/// Aggregates over ratings aliased `r` (LEFT JOINed: no rating gives NULL shares). Every average
/// is cast to double precision and every flag compared, so both stores return the same types.
const RATING_AGGREGATES: &str = "COUNT(r.id) AS rated, CAST(AVG(r.overall) AS DOUBLE PRECISION) AS avg_overall, \
    CAST(AVG(CASE WHEN r.id IS NULL THEN NULL WHEN r.intent_correct THEN 1.0 ELSE 0.0 END) AS DOUBLE PRECISION) AS ic_share, \
    CAST(AVG(CASE WHEN r.id IS NULL THEN NULL WHEN r.summary_accurate = 'yes' THEN 1.0 ELSE 0.0 END) AS DOUBLE PRECISION) AS sa_share, \
    SUM(CASE WHEN r.overall = 1 THEN 1 ELSE 0 END) AS o1, SUM(CASE WHEN r.overall = 2 THEN 1 ELSE 0 END) AS o2, \
    SUM(CASE WHEN r.overall = 3 THEN 1 ELSE 0 END) AS o3, SUM(CASE WHEN r.overall = 4 THEN 1 ELSE 0 END) AS o4, \
    SUM(CASE WHEN r.overall = 5 THEN 1 ELSE 0 END) AS o5";

impl AnalyticsQueries {
    pub fn new(f: &AnalyticsFilter, d: Dialect) -> Self {
        // `AND …` conditions over handoffs aliased `h`.
        let mut cond = String::new();
        let mut binds = vec![];
        let next = |binds: &mut Vec<Bind>, b: Bind| {
            binds.push(b);
            (d.placeholder)(binds.len())
        };
        if let Some(from) = f.from_ms {
            let p = next(&mut binds, Bind::I(from));
            cond.push_str(&format!(" AND h.escalated_ms >= {p}"));
        }
        if let Some(to) = f.to_ms {
            let p = next(&mut binds, Bind::I(to));
            cond.push_str(&format!(" AND h.escalated_ms < {p}"));
        }
        for (col, values) in [("h.intent", &f.intents), ("h.bot_version", &f.bot_versions)] {
            if !values.is_empty() {
                let ps: Vec<String> = values.iter().map(|v| next(&mut binds, Bind::S(v.clone()))).collect();
                cond.push_str(&format!(" AND {col} IN ({})", ps.join(", ")));
            }
        }
        let day = d.escalated_day;
        AnalyticsQueries {
            totals: format!("SELECT COUNT(DISTINCT h.seq) AS n, COUNT(r.id) AS rated FROM handoffs h LEFT JOIN ratings r ON r.handoff_seq = h.seq WHERE 1 = 1{cond}"),
            by_day_reason: format!(
                "SELECT {day} AS day, h.reason, COUNT(*) AS count FROM handoffs h WHERE 1 = 1{cond} GROUP BY {day}, h.reason ORDER BY 1, 2"
            ),
            by_intent: format!(
                "SELECT h.intent, COUNT(DISTINCT h.seq) AS n, CAST(AVG(h.confidence) AS DOUBLE PRECISION) AS conf, {RATING_AGGREGATES} \
                 FROM handoffs h LEFT JOIN ratings r ON r.handoff_seq = h.seq WHERE 1 = 1{cond} GROUP BY h.intent"
            ),
            by_version: format!(
                "SELECT h.bot_version, COUNT(DISTINCT h.seq) AS n, {RATING_AGGREGATES} \
                 FROM handoffs h LEFT JOIN ratings r ON r.handoff_seq = h.seq WHERE 1 = 1{cond} GROUP BY h.bot_version"
            ),
            // Calibration uses the confidence the bot had when the handoff was rated.
            verdicts: format!(
                "SELECT r.confidence, CAST(CASE WHEN r.intent_correct THEN 1 ELSE 0 END AS BIGINT) AS correct \
                 FROM ratings r JOIN handoffs h ON h.seq = r.handoff_seq WHERE 1 = 1{cond}"
            ),
            claim_secs: format!(
                "SELECT CAST((h.claimed_at_ms - h.escalated_ms) / 1000.0 AS DOUBLE PRECISION) AS s FROM handoffs h WHERE h.claimed_at_ms IS NOT NULL{cond}"
            ),
            first_reply_secs: format!(
                "SELECT CAST((MIN(o.created_at_ms) - MIN(h.escalated_ms)) / 1000.0 AS DOUBLE PRECISION) AS s FROM outbox o \
                 JOIN handoffs h ON h.seq = o.handoff_seq WHERE 1 = 1{cond} GROUP BY h.seq"
            ),
            calls: format!(
                "SELECT c.tool, c.state, c.decision, c.created_at_ms, c.approved_at_ms, c.updated_at_ms FROM tool_calls c \
                 JOIN handoffs h ON h.seq = c.handoff_seq WHERE 1 = 1{cond}"
            ),
            rating_ids: format!("SELECT r.id FROM ratings r JOIN handoffs h ON h.seq = r.handoff_seq WHERE 1 = 1{cond} ORDER BY r.id"),
            binds,
        }
    }
}

/// One analytics query on any sqlx pool, with its binds.
async fn rows<DB, O>(pool: &sqlx::Pool<DB>, sql: &str, binds: &[Bind]) -> Result<Vec<O>, sqlx::Error>
where
    DB: sqlx::Database,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'c> &'c sqlx::Pool<DB>: sqlx::Executor<'c, Database = DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    O: for<'r> sqlx::FromRow<'r, DB::Row> + Send + Unpin,
{
    let mut q = sqlx::query_as::<DB, O>(sql);
    for b in binds {
        q = match b {
            Bind::I(i) => q.bind(*i),
            Bind::S(s) => q.bind(s.clone()),
        };
    }
    q.fetch_all(pool).await
}

/// Runs the analytics queries on any sqlx pool: each store passes its own pool and dialect, and
/// the rows come back the same (the `Database` bounds say which Rust types the columns decode to).
pub async fn fetch_rows<DB>(pool: &sqlx::Pool<DB>, f: &AnalyticsFilter, dialect: Dialect) -> Result<AnalyticsRows, crate::store::StoreError>
where
    DB: sqlx::Database,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'c> &'c sqlx::Pool<DB>: sqlx::Executor<'c, Database = DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    (i64, i64): for<'r> sqlx::FromRow<'r, DB::Row>,
    (f64, i64): for<'r> sqlx::FromRow<'r, DB::Row>,
    (f64,): for<'r> sqlx::FromRow<'r, DB::Row>,
    (i64,): for<'r> sqlx::FromRow<'r, DB::Row>,
    (String,): for<'r> sqlx::FromRow<'r, DB::Row>,
    DayReasonCount: for<'r> sqlx::FromRow<'r, DB::Row>,
    IntentRow: for<'r> sqlx::FromRow<'r, DB::Row>,
    VersionRow: for<'r> sqlx::FromRow<'r, DB::Row>,
    CallRow: for<'r> sqlx::FromRow<'r, DB::Row>,
{
    let q = AnalyticsQueries::new(f, dialect);
    let b = &q.binds[..];
    let (escalations, rated) = rows::<DB, (i64, i64)>(pool, &q.totals, b).await?.first().copied().unwrap_or_default();
    let names = |rows: Vec<(String,)>| rows.into_iter().map(|r| r.0).collect::<Vec<_>>();
    Ok(AnalyticsRows {
        escalations,
        rated,
        by_day_reason: rows(pool, &q.by_day_reason, b).await?,
        by_intent: rows(pool, &q.by_intent, b).await?,
        by_version: rows(pool, &q.by_version, b).await?,
        verdicts: rows::<DB, (f64, i64)>(pool, &q.verdicts, b).await?.into_iter().map(|(c, ok)| (c, ok != 0)).collect(),
        claim_secs: rows::<DB, (f64,)>(pool, &q.claim_secs, b).await?.into_iter().map(|r| r.0).collect(),
        first_reply_secs: rows::<DB, (f64,)>(pool, &q.first_reply_secs, b).await?.into_iter().map(|r| r.0).collect(),
        calls: rows(pool, &q.calls, b).await?,
        all_intents: names(rows(pool, "SELECT DISTINCT intent FROM handoffs", &[]).await?),
        all_bot_versions: names(rows(pool, "SELECT DISTINCT bot_version FROM handoffs", &[]).await?),
    })
}

/// The filtered handoffs' rating ids on any sqlx pool.
pub async fn fetch_rating_ids<DB>(pool: &sqlx::Pool<DB>, f: &AnalyticsFilter, dialect: Dialect) -> Result<Vec<i64>, crate::store::StoreError>
where
    DB: sqlx::Database,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'c> &'c sqlx::Pool<DB>: sqlx::Executor<'c, Database = DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    (i64,): for<'r> sqlx::FromRow<'r, DB::Row>,
{
    let q = AnalyticsQueries::new(f, dialect);
    Ok(rows::<DB, (i64,)>(pool, &q.rating_ids, &q.binds).await?.into_iter().map(|r| r.0).collect())
}

/// What the analytics queries return, before the core sorts and summarises it.
#[derive(Debug, Clone, Default)]
pub struct AnalyticsRows {
    pub escalations: i64,
    pub rated: i64,
    pub by_day_reason: Vec<DayReasonCount>,
    pub by_intent: Vec<IntentRow>,
    pub by_version: Vec<VersionRow>,
    /// (confidence when rated, intent rated correct).
    pub verdicts: Vec<(f64, bool)>,
    pub claim_secs: Vec<f64>,
    pub first_reply_secs: Vec<f64>,
    pub calls: Vec<CallRow>,
    pub all_intents: Vec<String>,
    pub all_bot_versions: Vec<String>,
}

/// Rating aggregates of one group ([`RATING_AGGREGATES`]).
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct RatingAggregates {
    pub rated: i64,
    pub avg_overall: Option<f64>,
    pub ic_share: Option<f64>,
    pub sa_share: Option<f64>,
    pub o1: Option<i64>,
    pub o2: Option<i64>,
    pub o3: Option<i64>,
    pub o4: Option<i64>,
    pub o5: Option<i64>,
}

impl RatingAggregates {
    /// How many ratings gave each overall score, 1 to 5.
    fn overall_counts(&self) -> Vec<i64> {
        [self.o1, self.o2, self.o3, self.o4, self.o5].iter().map(|v| v.unwrap_or(0)).collect()
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IntentRow {
    pub intent: String,
    pub n: i64,
    pub conf: f64,
    #[sqlx(flatten)]
    pub ratings: RatingAggregates,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRow {
    pub bot_version: String,
    pub n: i64,
    #[sqlx(flatten)]
    pub ratings: RatingAggregates,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallRow {
    pub tool: String,
    pub state: String,
    pub decision: String,
    pub created_at_ms: i64,
    pub approved_at_ms: Option<i64>,
    pub updated_at_ms: i64,
}

/// The analytics as the core summarises them from a store's rows: sorted the same on both
/// stores (byte order), percentiles and calibration computed here.
pub fn summarise(rows: AnalyticsRows) -> Analytics {
    let mut by_intent: Vec<IntentStats> = rows
        .by_intent
        .into_iter()
        .map(|r| IntentStats {
            overall_counts: r.ratings.overall_counts(),
            intent: r.intent,
            escalations: r.n,
            avg_confidence: r.conf,
            rated: r.ratings.rated,
            avg_overall: r.ratings.avg_overall,
            intent_correct_share: r.ratings.ic_share,
            summary_accurate_share: r.ratings.sa_share,
        })
        .collect();
    by_intent.sort_by(|a, b| b.escalations.cmp(&a.escalations).then_with(|| a.intent.cmp(&b.intent)));
    let mut by_version: Vec<VersionStats> = rows
        .by_version
        .into_iter()
        .map(|r| VersionStats {
            overall_counts: r.ratings.overall_counts(),
            bot_version: r.bot_version,
            escalations: r.n,
            rated: r.ratings.rated,
            avg_overall: r.ratings.avg_overall,
            intent_correct_share: r.ratings.ic_share,
        })
        .collect();
    by_version.sort_by(|a, b| a.bot_version.cmp(&b.bot_version));
    let mut by_day_reason = rows.by_day_reason;
    by_day_reason.sort_by(|a, b| (&a.day, &a.reason).cmp(&(&b.day, &b.reason)));

    let times = |mut secs: Vec<f64>| {
        secs.sort_by(|x, y| x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal));
        ResponseTimes { claimed: secs.len() as i64, p50_secs: percentile(&secs, 0.5), p90_secs: percentile(&secs, 0.9) }
    };

    let mut calls = rows.calls;
    calls.sort_by(|a, b| a.tool.cmp(&b.tool));
    let mut tools: Vec<ToolStats> = vec![];
    let mut approval_secs: Vec<Vec<f64>> = vec![];
    for c in &calls {
        if tools.last().is_none_or(|t| t.tool != c.tool) {
            tools.push(ToolStats { tool: c.tool.clone(), calls: 0, succeeded: 0, failed: 0, denied: 0, success_rate: None, median_approval_secs: None });
            approval_secs.push(vec![]);
        }
        let t = tools.last_mut().expect("pushed");
        t.calls += 1;
        match c.state.as_str() {
            "succeeded" => t.succeeded += 1,
            "failed" => t.failed += 1,
            "denied" => t.denied += 1,
            _ => {}
        }
        if c.decision == "approve" {
            let decided = c.approved_at_ms.or(if c.state == "denied" { Some(c.updated_at_ms) } else { None });
            if let Some(d) = decided {
                approval_secs.last_mut().expect("pushed").push((d - c.created_at_ms) as f64 / 1000.0);
            }
        }
    }
    for (t, a) in tools.iter_mut().zip(approval_secs.iter_mut()) {
        let finished = t.succeeded + t.failed;
        t.success_rate = (finished > 0).then(|| t.succeeded as f64 / finished as f64);
        a.sort_by(|x, y| x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal));
        t.median_approval_secs = percentile(a, 0.5);
    }
    let (mut all_intents, mut all_bot_versions) = (rows.all_intents, rows.all_bot_versions);
    all_intents.sort();
    all_bot_versions.sort();
    Analytics {
        escalations: rows.escalations,
        rated: rows.rated,
        by_day_reason,
        by_intent,
        by_version,
        calibration: calibrate(&rows.verdicts),
        time_to_claim: times(rows.claim_secs),
        time_to_first_response: times(rows.first_reply_secs),
        tools,
        all_intents,
        all_bot_versions,
    }
}

/// What team leads see, as the signed-in person may see it. Cheap to clone.
#[derive(Clone)]
pub struct AnalyticsService {
    db: Arc<dyn Database>,
}

impl AnalyticsService {
    pub fn new(db: Arc<dyn Database>) -> Self {
        Self { db }
    }

    /// The analytics for a filter (team leads, supervisors, admins).
    pub async fn analytics(&self, by: &Session, f: &AnalyticsFilter, now: i64) -> Result<Analytics, PeopleError> {
        by.authorize(Permission::ViewAnalytics, now)?;
        Ok(summarise(self.db.analytics_rows(f).await?))
    }

    /// A table of the analytics as CSV (export needs a fresh step-up).
    pub async fn export_csv(&self, by: &Session, table: ExportTable, f: &AnalyticsFilter, now: i64) -> Result<String, PeopleError> {
        by.authorize(Permission::ExportData, now)?;
        let a = self.analytics(by, f, now).await?;
        let opt = |v: Option<f64>| v.map(|x| format!("{x:.4}")).unwrap_or_default();
        let mut out = String::new();
        match table {
            ExportTable::ByIntent => {
                out.push_str("intent,escalations,avg_confidence,rated,avg_overall,intent_correct_share,summary_accurate_share\n");
                for r in &a.by_intent {
                    out.push_str(&format!(
                        "{},{},{:.4},{},{},{},{}\n",
                        csv(&r.intent), r.escalations, r.avg_confidence, r.rated, opt(r.avg_overall), opt(r.intent_correct_share), opt(r.summary_accurate_share)
                    ));
                }
            }
            ExportTable::ByVersion => {
                out.push_str("bot_version,escalations,rated,avg_overall,intent_correct_share,overall_1,overall_2,overall_3,overall_4,overall_5\n");
                for r in &a.by_version {
                    let c: Vec<String> = r.overall_counts.iter().map(i64::to_string).collect();
                    out.push_str(&format!("{},{},{},{},{},{}\n", csv(&r.bot_version), r.escalations, r.rated, opt(r.avg_overall), opt(r.intent_correct_share), c.join(",")));
                }
            }
            ExportTable::ByDayReason => {
                out.push_str("day,reason,escalations\n");
                for r in &a.by_day_reason {
                    out.push_str(&format!("{},{},{}\n", r.day, csv(&r.reason), r.count));
                }
            }
            ExportTable::Calibration => {
                out.push_str("confidence_from,confidence_to,rated,mean_confidence,share_intent_correct\n");
                for b in &a.calibration.bins {
                    out.push_str(&format!("{:.1},{:.1},{},{},{}\n", b.lower, b.upper, b.rated, opt(b.mean_confidence), opt(b.share_correct)));
                }
            }
            ExportTable::Ratings => {
                out.push_str("handoff_id,bot_name,bot_version,intent,confidence,rater,summary_accurate,intent_correct,correct_intent,context_complete,missing_fields,actions_reported,timing,overall,comment,updated_at\n");
                for r in self.filtered_ratings(f).await? {
                    let i = &r.input;
                    out.push_str(&format!(
                        "{},{},{},{},{:.4},{},{},{},{},{},{},{},{},{},{},{}\n",
                        csv(&r.handoff_id), csv(&r.bot_name), csv(&r.bot_version), csv(&r.intent), r.confidence, csv(&r.rater_name),
                        serde_json::to_value(i.summary_accurate).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
                        i.intent_correct, csv(i.correct_intent.as_deref().unwrap_or("")), i.context_complete,
                        csv(&i.missing_fields.join(";")), i.actions_reported,
                        serde_json::to_value(i.timing).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
                        i.overall, csv(&i.comment), r.updated_at
                    ));
                }
            }
        }
        tracing::info!(user_id = by.actor.user_id, ?table, "analytics exported");
        Ok(out)
    }

    /// Rated handoffs as JSON Lines evaluation cases the bot team can replay: what the bot saw,
    /// what it concluded, and the team leads' verdicts (export needs a fresh step-up).
    pub async fn export_eval_cases(&self, by: &Session, f: &AnalyticsFilter, now: i64) -> Result<String, PeopleError> {
        by.authorize(Permission::ExportData, now)?;
        let mut out = String::new();
        for r in self.filtered_ratings(f).await? {
            let h = self.db.stored_handoff(&r.handoff_id).await?.handoff;
            let case = serde_json::json!({
                "case_id": format!("{}#rating{}", r.handoff_id, r.id),
                "bot": { "name": r.bot_name, "version": r.bot_version },
                "input": { "channel": h.channel, "transcript": h.transcript, "collected_fields": h.collected_fields },
                "bot_output": { "intent": r.intent, "confidence": r.confidence, "summary": h.summary, "reason": h.reason,
                                "attempted_actions": h.attempted_actions },
                "expected": {
                    "intent": if r.input.intent_correct { Some(r.intent.clone()) } else { r.input.correct_intent.clone() },
                    "intent_correct": r.input.intent_correct,
                    "summary_accurate": r.input.summary_accurate,
                    "missing_fields": r.input.missing_fields,
                    "actions_reported": r.input.actions_reported,
                    "escalation_timing": r.input.timing,
                    "overall": r.input.overall,
                    "comment": r.input.comment,
                },
            });
            out.push_str(&case.to_string());
            out.push('\n');
        }
        Ok(out)
    }

    async fn filtered_ratings(&self, f: &AnalyticsFilter) -> Result<Vec<crate::ratings::Rating>, PeopleError> {
        let mut out = vec![];
        for id in self.db.rating_ids(f).await? {
            out.push(self.db.rating(id).await?);
        }
        Ok(out)
    }
}

/// Bins rated handoffs by the bot's confidence and compares it with the verdicts.
pub fn calibrate(verdicts: &[(f64, bool)]) -> Calibration {
    let mut sums = [(0i64, 0.0f64, 0i64); BINS];
    for &(c, correct) in verdicts {
        let i = ((c * BINS as f64).floor() as usize).min(BINS - 1);
        sums[i].0 += 1;
        sums[i].1 += c;
        sums[i].2 += correct as i64;
    }
    let n = verdicts.len() as i64;
    let mut ece = 0.0;
    let bins = sums
        .iter()
        .enumerate()
        .map(|(i, &(count, conf, correct))| {
            let (mean, share) = if count > 0 {
                let mean = conf / count as f64;
                let share = correct as f64 / count as f64;
                ece += count as f64 / n as f64 * (share - mean).abs();
                (Some(mean), Some(share))
            } else {
                (None, None)
            };
            CalibrationBin { lower: i as f64 / BINS as f64, upper: (i + 1) as f64 / BINS as f64, rated: count, mean_confidence: mean, share_correct: share }
        })
        .collect();
    Calibration { bins, ece: (n > 0).then_some(ece), rated: n }
}

fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    Some(sorted[i])
}

fn csv(s: &str) -> String {
    // Quote when needed; neutralise spreadsheet formulas from customer or model text.
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}
