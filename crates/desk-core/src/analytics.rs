//! What team leads see: where the bot escalates and why, how good its handoffs are by intent and
//! bot version, and how well its confidence matches the team leads' verdicts (calibration).

use crate::ratings::Ratings;
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use ts_rs::TS;

use crate::people::{PeopleError, Permission, Session};
use crate::Store;

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
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

#[derive(Clone)]
enum Bind {
    I(i64),
    S(String),
}

/// `AND …` conditions over handoffs aliased `h`, with their binds.
fn conditions(f: &AnalyticsFilter) -> (String, Vec<Bind>) {
    let mut sql = String::new();
    let mut binds = vec![];
    if let Some(from) = f.from_ms {
        sql.push_str(" AND h.escalated_ms >= ?");
        binds.push(Bind::I(from));
    }
    if let Some(to) = f.to_ms {
        sql.push_str(" AND h.escalated_ms < ?");
        binds.push(Bind::I(to));
    }
    for (col, values) in [("h.intent", &f.intents), ("h.bot_version", &f.bot_versions)] {
        if !values.is_empty() {
            sql.push_str(&format!(" AND {col} IN ({})", vec!["?"; values.len()].join(", ")));
            binds.extend(values.iter().cloned().map(Bind::S));
        }
    }
    (sql, binds)
}

async fn fetch(store: &Store, sql: &str, binds: &[Bind]) -> Result<Vec<SqliteRow>, PeopleError> {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = match b {
            Bind::I(i) => q.bind(*i),
            Bind::S(s) => q.bind(s.clone()),
        };
    }
    Ok(q.fetch_all(store.pool()).await?)
}

const RATING_AGGREGATES: &str = "COUNT(r.id) AS rated, AVG(r.overall) AS avg_overall, AVG(r.intent_correct) AS ic_share, \
    AVG(CASE WHEN r.id IS NULL THEN NULL WHEN r.summary_accurate = 'yes' THEN 1.0 ELSE 0.0 END) AS sa_share, \
    SUM(r.overall = 1) AS o1, SUM(r.overall = 2) AS o2, SUM(r.overall = 3) AS o3, SUM(r.overall = 4) AS o4, SUM(r.overall = 5) AS o5";

/// How many ratings gave each overall score, 1 to 5 (the `o1`..`o5` aggregates).
fn overall_counts(row: &SqliteRow) -> Result<Vec<i64>, sqlx::Error> {
    (1..=5).map(|i| row.try_get::<Option<i64>, _>(format!("o{i}").as_str()).map(|v| v.unwrap_or(0))).collect()
}

impl Store {
    /// The analytics for a filter (team leads, supervisors, admins).
    pub async fn analytics(&self, by: &Session, f: &AnalyticsFilter, now: i64) -> Result<Analytics, PeopleError> {
        by.authorize(Permission::ViewAnalytics, now)?;
        let (cond, binds) = conditions(f);

        let totals = fetch(
            self,
            &format!("SELECT COUNT(DISTINCT h.seq) AS n, COUNT(r.id) AS rated FROM handoffs h LEFT JOIN ratings r ON r.handoff_seq = h.seq WHERE 1 = 1{cond}"),
            &binds,
        )
        .await?;
        let escalations: i64 = totals[0].try_get("n")?;
        let rated: i64 = totals[0].try_get("rated")?;

        let by_day_reason = fetch(
            self,
            &format!(
                "SELECT date(h.escalated_ms / 1000, 'unixepoch') AS day, h.reason, COUNT(*) AS n FROM handoffs h \
                 WHERE 1 = 1{cond} GROUP BY day, h.reason ORDER BY day, h.reason"
            ),
            &binds,
        )
        .await?
        .iter()
        .map(|r| Ok(DayReasonCount { day: r.try_get("day")?, reason: r.try_get("reason")?, count: r.try_get("n")? }))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;

        let by_intent = fetch(
            self,
            &format!(
                "SELECT h.intent, COUNT(DISTINCT h.seq) AS n, AVG(h.confidence) AS conf, {RATING_AGGREGATES} \
                 FROM handoffs h LEFT JOIN ratings r ON r.handoff_seq = h.seq WHERE 1 = 1{cond} \
                 GROUP BY h.intent ORDER BY n DESC, h.intent"
            ),
            &binds,
        )
        .await?
        .iter()
        .map(|r| {
            Ok(IntentStats {
                intent: r.try_get("intent")?,
                escalations: r.try_get("n")?,
                avg_confidence: r.try_get("conf")?,
                rated: r.try_get("rated")?,
                avg_overall: r.try_get("avg_overall")?,
                intent_correct_share: r.try_get("ic_share")?,
                summary_accurate_share: r.try_get("sa_share")?,
                overall_counts: overall_counts(r)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;

        let by_version = fetch(
            self,
            &format!(
                "SELECT h.bot_version, COUNT(DISTINCT h.seq) AS n, {RATING_AGGREGATES} \
                 FROM handoffs h LEFT JOIN ratings r ON r.handoff_seq = h.seq WHERE 1 = 1{cond} \
                 GROUP BY h.bot_version ORDER BY h.bot_version"
            ),
            &binds,
        )
        .await?
        .iter()
        .map(|r| {
            Ok(VersionStats {
                bot_version: r.try_get("bot_version")?,
                escalations: r.try_get("n")?,
                rated: r.try_get("rated")?,
                avg_overall: r.try_get("avg_overall")?,
                intent_correct_share: r.try_get("ic_share")?,
                overall_counts: overall_counts(r)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;

        // Calibration uses the confidence the bot had when the handoff was rated.
        let verdicts = fetch(
            self,
            &format!("SELECT r.confidence, r.intent_correct FROM ratings r JOIN handoffs h ON h.seq = r.handoff_seq WHERE 1 = 1{cond}"),
            &binds,
        )
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<f64, _>("confidence")?, r.try_get::<i64, _>("intent_correct")? != 0)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let calibration = calibrate(&verdicts);

        let claim_secs: Vec<f64> = fetch(
            self,
            &format!("SELECT (h.claimed_at_ms - h.escalated_ms) / 1000.0 AS s FROM handoffs h WHERE h.claimed_at_ms IS NOT NULL{cond} ORDER BY s"),
            &binds,
        )
        .await?
        .iter()
        .map(|r| r.try_get::<f64, _>("s"))
        .collect::<Result<_, _>>()?;
        let time_to_claim = ResponseTimes {
            claimed: claim_secs.len() as i64,
            p50_secs: percentile(&claim_secs, 0.5),
            p90_secs: percentile(&claim_secs, 0.9),
        };

        let first_reply_secs: Vec<f64> = fetch(
            self,
            &format!(
                "SELECT (MIN(o.created_at_ms) - h.escalated_ms) / 1000.0 AS s FROM outbox o JOIN handoffs h ON h.seq = o.handoff_seq \
                 WHERE 1 = 1{cond} GROUP BY h.seq ORDER BY s"
            ),
            &binds,
        )
        .await?
        .iter()
        .map(|r| r.try_get::<f64, _>("s"))
        .collect::<Result<_, _>>()?;
        let time_to_first_response = ResponseTimes {
            claimed: first_reply_secs.len() as i64,
            p50_secs: percentile(&first_reply_secs, 0.5),
            p90_secs: percentile(&first_reply_secs, 0.9),
        };

        let calls = fetch(
            self,
            &format!(
                "SELECT c.tool, c.state, c.decision, c.created_at_ms, c.approved_at_ms, c.updated_at_ms FROM tool_calls c \
                 JOIN handoffs h ON h.seq = c.handoff_seq WHERE 1 = 1{cond} ORDER BY c.tool"
            ),
            &binds,
        )
        .await?;
        let mut tools: Vec<ToolStats> = vec![];
        let mut approval_secs: Vec<Vec<f64>> = vec![];
        for r in &calls {
            let tool: String = r.try_get("tool")?;
            if tools.last().is_none_or(|t| t.tool != tool) {
                tools.push(ToolStats { tool: tool.clone(), calls: 0, succeeded: 0, failed: 0, denied: 0, success_rate: None, median_approval_secs: None });
                approval_secs.push(vec![]);
            }
            let t = tools.last_mut().expect("pushed");
            t.calls += 1;
            let state: String = r.try_get("state")?;
            match state.as_str() {
                "succeeded" => t.succeeded += 1,
                "failed" => t.failed += 1,
                "denied" => t.denied += 1,
                _ => {}
            }
            let decision: String = r.try_get("decision")?;
            if decision == "approve" {
                let created: i64 = r.try_get("created_at_ms")?;
                let decided: Option<i64> = r.try_get("approved_at_ms")?;
                let decided = decided.or(if state == "denied" { Some(r.try_get("updated_at_ms")?) } else { None });
                if let Some(d) = decided {
                    approval_secs.last_mut().expect("pushed").push((d - created) as f64 / 1000.0);
                }
            }
        }
        for (t, a) in tools.iter_mut().zip(approval_secs.iter_mut()) {
            let finished = t.succeeded + t.failed;
            t.success_rate = (finished > 0).then(|| t.succeeded as f64 / finished as f64);
            a.sort_by(|x, y| x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal));
            t.median_approval_secs = percentile(a, 0.5);
        }

        let all_intents = sqlx::query_scalar!(r#"SELECT DISTINCT intent AS "i!" FROM handoffs ORDER BY intent"#).fetch_all(self.pool()).await?;
        let all_bot_versions =
            sqlx::query_scalar!(r#"SELECT DISTINCT bot_version AS "v!" FROM handoffs ORDER BY bot_version"#).fetch_all(self.pool()).await?;
        Ok(Analytics {
            escalations,
            rated,
            by_day_reason,
            by_intent,
            by_version,
            calibration,
            time_to_claim,
            time_to_first_response,
            tools,
            all_intents,
            all_bot_versions,
        })
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
            let h = crate::storage::HandoffStore::stored_handoff(self, &r.handoff_id).await?.handoff;
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
        let (cond, binds) = conditions(f);
        let ids = fetch(self, &format!("SELECT r.id FROM ratings r JOIN handoffs h ON h.seq = r.handoff_seq WHERE 1 = 1{cond} ORDER BY r.id"), &binds).await?;
        let mut out = vec![];
        for row in ids {
            out.push(self.rating(row.try_get("id")?).await?);
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
