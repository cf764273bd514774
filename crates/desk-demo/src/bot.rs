//! The demo bot: escalations built from real public customer-service dialogues (SGD, ABCD,
//! BANKING77; see `demo-data/README.md` for their licences). Deterministic for a given seed and
//! sequence number, so tests and screenshots are reproducible.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use desk_core::handoff::{Channel, EscalationReason, Priority, SentimentLabel, SCHEMA_V1};
use desk_core::ingest::Ingest;

const SGD: &str = include_str!("../demo-data/sgd_dialogues_train.jsonl");
const ABCD: &str = include_str!("../demo-data/abcd_dialogues_sample.jsonl");
const ABCD_ONTOLOGY: &str = include_str!("../demo-data/abcd_intents_actions.json");
const BANKING77: &str = include_str!("../demo-data/banking77_subset.jsonl");

const FIRST_NAMES: &[&str] = &[
    "Ada", "Grace", "Alan", "Hedy", "Linus", "Margaret", "Tim", "Radia", "Ken", "Barbara", "Dennis", "Frances",
    "Edsger", "Katherine", "Guido", "Sophie", "Yukihiro", "Mary", "John", "Anita", "Niklaus", "Joan", "Bjarne",
    "Lynn", "Claude", "Shafi", "Donald", "Evelyn", "Vint", "Leslie",
];
const LAST_INITIALS: &str = "ABCDEFGHJKLMNPRSTVWZ";
const HUMAN_REQUESTS: &[&str] = &[
    "Can I talk to a real person please?",
    "This isn't working. I want to speak to an agent.",
    "Please get me a human, I've explained this twice already.",
    "Is there someone from your team who can look at this?",
];
const BOT_HANDOVER: &str = "I'm connecting you with a member of our support team now. They can see everything we've discussed, so you won't need to repeat yourself.";

#[derive(Deserialize)]
struct SgdDialogue {
    dialogue_id: String,
    intents: Vec<String>,
    tool_calls: Vec<SgdToolCall>,
    transcript: Vec<SgdTurn>,
}
#[derive(Deserialize)]
struct SgdToolCall {
    turn: usize,
    tool: String,
    params: Map<String, Value>,
    status: String,
    n_results: Option<i64>,
}
#[derive(Deserialize)]
struct SgdTurn {
    role: String,
    text: String,
    #[serde(default)]
    state: Vec<SgdState>,
}
#[derive(Deserialize)]
struct SgdState {
    #[serde(default)]
    active_intent: String,
    slot_values: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
struct AbcdDialogue {
    convo_id: i64,
    subflow: String,
    customer: AbcdCustomer,
    actions: Vec<AbcdAction>,
    transcript: Vec<AbcdTurn>,
}
#[derive(Deserialize)]
struct AbcdCustomer {
    customer_name: String,
    email: String,
    member_level: String,
}
#[derive(Deserialize)]
struct AbcdAction {
    turn: usize,
    action: String,
    values: Vec<String>,
    system_result: String,
}
#[derive(Deserialize)]
struct AbcdTurn {
    role: String,
    text: String,
}
#[derive(Deserialize)]
struct AbcdOntology {
    actions: Vec<AbcdActionDef>,
}
#[derive(Deserialize)]
struct AbcdActionDef {
    name: String,
    slots: Vec<String>,
}
#[derive(Deserialize)]
struct Utterance {
    text: String,
    intent: String,
}

/// A small deterministic generator (SplitMix64): the demo must be reproducible, not secure.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The demo bot. Build once; [`DemoBot::escalation`] makes the n-th escalation.
pub struct DemoBot {
    seed: u64,
    sgd: Vec<SgdDialogue>,
    abcd: Vec<AbcdDialogue>,
    abcd_slots: BTreeMap<String, Vec<String>>,
    banking: BTreeMap<String, Vec<String>>,
}

impl DemoBot {
    pub fn new(seed: u64) -> Self {
        let sgd = SGD.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
        let abcd = ABCD.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
        let abcd_slots = serde_json::from_str::<AbcdOntology>(ABCD_ONTOLOGY)
            .map(|o| o.actions.into_iter().map(|a| (a.name, a.slots)).collect())
            .unwrap_or_default();
        let mut banking: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for u in BANKING77.lines().filter_map(|l| serde_json::from_str::<Utterance>(l).ok()) {
            banking.entry(u.intent).or_default().push(u.text);
        }
        Self { seed, sgd, abcd, abcd_slots, banking }
    }

    /// The n-th demo escalation as a `handoff/v1` JSON value, escalated at `at`.
    pub fn escalation(&self, n: u64, at: DateTime<Utc>) -> Value {
        let mut rng = Rng(self.seed ^ n.wrapping_mul(0x2545_F491_4F6C_DD1D));
        // Roughly: half multi-turn SGD dialogues, a third banking questions, the rest ABCD.
        match n % 6 {
            0 | 2 | 4 => self.sgd_escalation(n, at, &mut rng),
            1 | 5 => self.banking_escalation(n, at, &mut rng),
            _ => self.abcd_escalation(n, at, &mut rng),
        }
    }

    /// A malformed escalation, as a misconfigured bot would send it (for the quarantine view).
    pub fn malformed(&self, n: u64, at: DateTime<Utc>) -> Vec<u8> {
        let mut v = self.escalation(n, at);
        match n % 3 {
            0 => {
                v["intent"]["confidence"] = json!(1.4);
                v["channel"] = json!("Web");
            }
            1 => {
                if let Some(m) = v.as_object_mut() {
                    m.remove("summary");
                }
                v["escalated_at"] = json!("yesterday at 5pm");
            }
            _ => return b"{\"schema\": \"handoff/v1\", \"handoff_id\": \"hf_demo_truncated\", \"transcript\": [{\"role\": \"cust".to_vec(),
        }
        serde_json::to_vec(&v).expect("json")
    }

    fn customer(&self, n: u64, rng: &mut Rng, channel: Channel) -> Value {
        let first = rng.pick(FIRST_NAMES);
        let initial = LAST_INITIALS.as_bytes()[rng.below(LAST_INITIALS.len())] as char;
        let anonymous = matches!(channel, Channel::Sms | Channel::Voice) && rng.unit() < 0.5;
        let tier = [Some("gold"), Some("silver"), Some("bronze"), Some("guest"), None][rng.below(5)];
        json!({
            "id": format!("cus_{}", 1000 + (n * 7919) % 90_000),
            "name": if anonymous { Value::Null } else { json!(format!("{first} {initial}.")) },
            "email": if anonymous { Value::Null } else { json!(format!("{}.{}@example.com", first.to_lowercase(), initial.to_ascii_lowercase())) },
            "tier": tier,
            "verified": rng.unit() < 0.7,
            "language": "en",
        })
    }

    fn channel(rng: &mut Rng) -> Channel {
        *rng.pick(&[Channel::Web, Channel::Web, Channel::InApp, Channel::Email, Channel::Sms, Channel::Whatsapp, Channel::Voice])
    }

    fn sentiment(rng: &mut Rng, reason: EscalationReason) -> Value {
        let score = if reason == EscalationReason::Sentiment { -0.6 - 0.4 * rng.unit() } else { 0.6 - 1.4 * rng.unit() };
        let label = match score {
            s if s <= -0.75 => SentimentLabel::Angry,
            s if s <= -0.4 => SentimentLabel::Frustrated,
            s if s < -0.1 => SentimentLabel::Negative,
            s if s < 0.3 => SentimentLabel::Neutral,
            _ => SentimentLabel::Positive,
        };
        json!({ "label": label.as_str(), "score": round2(score) })
    }

    fn priority(rng: &mut Rng, reason: EscalationReason, sentiment: &Value) -> Priority {
        let angry = sentiment["label"] == "angry";
        if angry || (reason == EscalationReason::HighRiskAction && rng.unit() < 0.5) {
            Priority::Urgent
        } else if matches!(reason, EscalationReason::ToolFailure | EscalationReason::HighRiskAction | EscalationReason::Sentiment) {
            Priority::High
        } else if rng.unit() < 0.2 {
            Priority::Low
        } else {
            Priority::Normal
        }
    }

    fn intent(rng: &mut Rng, name: &str, others: &[String], reason: EscalationReason) -> Value {
        let confidence = if reason == EscalationReason::LowConfidence { 0.25 + 0.33 * rng.unit() } else { 0.55 + 0.44 * rng.unit() };
        let mut rest = 1.0 - confidence;
        let alternatives: Vec<Value> = others
            .iter()
            .filter(|o| o.as_str() != name)
            .take(2)
            .map(|o| {
                let c = rest * (0.3 + 0.5 * rng.unit());
                rest -= c;
                json!({ "name": o, "confidence": round2(c) })
            })
            .collect();
        json!({ "name": name, "confidence": round2(confidence), "alternatives": alternatives })
    }

    fn sgd_escalation(&self, n: u64, at: DateTime<Utc>, rng: &mut Rng) -> Value {
        let d = &self.sgd[(n as usize / 2) % self.sgd.len()];
        let failed_turn = d.tool_calls.iter().find(|c| c.status == "failed").map(|c| c.turn);
        let cut = match failed_turn {
            Some(t) => (t + 1).min(d.transcript.len()),
            None => (6 + rng.below(10)).min(d.transcript.len()),
        };
        let reason = if failed_turn.is_some() {
            EscalationReason::ToolFailure
        } else {
            *rng.pick(&[
                EscalationReason::CustomerRequestedHuman,
                EscalationReason::LowConfidence,
                EscalationReason::MissingFields,
                EscalationReason::Sentiment,
                EscalationReason::RepeatedCorrection,
            ])
        };
        // The intent the customer was pursuing at the cut: the last active intent in the state.
        let intent_name = d.transcript[..cut]
            .iter()
            .rev()
            .flat_map(|t| t.state.iter())
            .map(|s| s.active_intent.as_str())
            .find(|i| !i.is_empty() && *i != "NONE")
            .map(snake)
            .unwrap_or_else(|| d.intents.first().map(|i| snake(i.split('.').nth(1).unwrap_or(i))).unwrap_or_default());
        let others: Vec<String> = d.intents.iter().map(|i| snake(i.split('.').nth(1).unwrap_or(i))).collect();

        let mut turns: Vec<(String, String)> = d.transcript[..cut]
            .iter()
            .map(|t| (if t.role == "customer" { "customer" } else { "bot" }.to_owned(), t.text.clone()))
            .collect();
        if reason == EscalationReason::CustomerRequestedHuman || reason == EscalationReason::Sentiment {
            turns.push(("customer".into(), rng.pick(HUMAN_REQUESTS).to_string()));
        }
        turns.push(("bot".into(), BOT_HANDOVER.into()));
        let transcript = timeline(&turns, at, rng);

        let mut fields = BTreeMap::new();
        for t in &d.transcript[..cut] {
            for s in &t.state {
                for (k, v) in &s.slot_values {
                    if let Some(first) = v.first() {
                        fields.insert(k.clone(), first.clone());
                    }
                }
            }
        }
        let actions: Vec<Value> = d
            .tool_calls
            .iter()
            .filter(|c| c.turn < cut)
            .map(|c| {
                let (status, result) = match c.status.as_str() {
                    "failed" => ("failed", "backend rejected the transaction: no availability for the requested option".to_owned()),
                    "no_results" => ("succeeded", "no results".to_owned()),
                    "results" => ("succeeded", format!("{} result(s)", c.n_results.unwrap_or(0))),
                    _ => ("succeeded", "confirmed".to_owned()),
                };
                let at_turn = transcript_time(&transcript, c.turn.saturating_sub(1));
                json!({ "tool": tool_name(&c.tool), "params": c.params, "status": status, "result": result, "at": at_turn })
            })
            .collect();

        let channel = Self::channel(rng);
        let sentiment = Self::sentiment(rng, reason);
        let priority = Self::priority(rng, reason, &sentiment);
        let first_customer = d.transcript.iter().find(|t| t.role == "customer").map(|t| t.text.as_str()).unwrap_or("");
        let mut summary = format!("{}: \"{}\".", humanize(&intent_name), clip(first_customer, 120));
        if let Some(c) = d.tool_calls.iter().find(|c| c.status == "failed" && c.turn < cut) {
            summary.push_str(&format!(" {} failed at the backend; the customer is waiting for it to go through.", tool_name(&c.tool)));
        }
        if !fields.is_empty() {
            let known: Vec<String> = fields.iter().take(4).map(|(k, v)| format!("{} {}", k.replace('_', " "), v)).collect();
            summary.push_str(&format!(" Known: {}.", known.join(", ")));
        }
        summary.push_str(&format!(" Escalated: {}.", reason.as_str().replace('_', " ")));

        self.document(n, at, channel, rng, intent_name.as_str(), &others, reason, priority, sentiment, summary, fields, actions, transcript, &d.dialogue_id)
    }

    fn banking_escalation(&self, n: u64, at: DateTime<Utc>, rng: &mut Rng) -> Value {
        let intents: Vec<&String> = self.banking.keys().collect();
        let intent = intents[(n as usize * 31 + rng.below(7)) % intents.len()].clone();
        let lines = &self.banking[&intent];
        let first = rng.pick(lines).clone();
        let second = rng.pick(lines).clone();
        let urgent_topic = ["lost_or_stolen_card", "compromised_card", "card_swallowed", "cash_withdrawal_not_recognised", "card_payment_not_recognised"]
            .contains(&intent.as_str());
        let reason = if urgent_topic {
            EscalationReason::HighRiskAction
        } else {
            *rng.pick(&[EscalationReason::LowConfidence, EscalationReason::CustomerRequestedHuman, EscalationReason::PolicyRefusal, EscalationReason::MaxTurns])
        };
        let turns = vec![
            ("customer".to_owned(), first.clone()),
            ("bot".to_owned(), "I can help with that. To look into it, I've pulled up your account. Could you tell me a bit more about what happened?".to_owned()),
            ("customer".to_owned(), if second == first { "Yes, that's the problem. What can you do about it?".to_owned() } else { second }),
            ("bot".to_owned(), BOT_HANDOVER.to_owned()),
        ];
        let transcript = timeline(&turns, at, rng);
        let mut actions = vec![json!({
            "tool": "accounts.lookup", "params": { "customer_ref": format!("cus_{}", 1000 + (n * 7919) % 90_000) },
            "status": "succeeded", "result": "account active; 1 card on file", "at": transcript_time(&transcript, 1),
        })];
        if urgent_topic {
            actions.push(json!({
                "tool": "cards.freeze", "params": { "card_last4": format!("{:04}", rng.below(10_000)), "reason": intent },
                "status": "pending", "result": Value::Null, "at": transcript_time(&transcript, 3),
            }));
        }
        let mut fields = BTreeMap::new();
        fields.insert("topic".to_owned(), humanize(&intent));
        let others: Vec<String> = intents.iter().skip(rng.below(70)).take(3).map(|s| s.to_string()).collect();
        let channel = Self::channel(rng);
        let sentiment = Self::sentiment(rng, reason);
        let priority = Self::priority(rng, reason, &sentiment);
        let summary = format!(
            "{}: \"{}\".{} Escalated: {}.",
            humanize(&intent),
            clip(&first, 140),
            if urgent_topic { " Card freeze requested and waiting for approval." } else { "" },
            reason.as_str().replace('_', " ")
        );
        self.document(n, at, channel, rng, &intent, &others, reason, priority, sentiment, summary, fields, actions, transcript, "banking77")
    }

    fn abcd_escalation(&self, n: u64, at: DateTime<Utc>, rng: &mut Rng) -> Value {
        let d = &self.abcd[(n as usize / 6) % self.abcd.len()];
        let turns: Vec<(String, String)> = d
            .transcript
            .iter()
            .filter(|t| t.role != "action")
            .map(|t| (if t.role == "customer" { "customer" } else { "bot" }.to_owned(), t.text.clone()))
            .chain(std::iter::once(("bot".to_owned(), BOT_HANDOVER.to_owned())))
            .collect();
        let transcript = timeline(&turns, at, rng);
        let actions: Vec<Value> = d
            .actions
            .iter()
            .map(|a| {
                let slots = self.abcd_slots.get(&a.action).cloned().unwrap_or_default();
                let params: Map<String, Value> = a
                    .values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (slots.get(i).cloned().unwrap_or_else(|| format!("value_{}", i + 1)), json!(v)))
                    .collect();
                let step = a.turn.min(turns.len().saturating_sub(1));
                json!({ "tool": a.action.replace('-', "_"), "params": params, "status": "succeeded", "result": a.system_result, "at": transcript_time(&transcript, step) })
            })
            .collect();
        let reason = if d.actions.iter().any(|a| a.action == "notify-team") { EscalationReason::PolicyRefusal } else { EscalationReason::MaxTurns };
        let intent = d.subflow.split('_').filter(|p| p.parse::<u32>().is_err()).collect::<Vec<_>>().join("_");
        let mut fields = BTreeMap::new();
        fields.insert("member_level".to_owned(), d.customer.member_level.clone());
        fields.insert("customer_name".to_owned(), d.customer.customer_name.clone());
        let channel = Self::channel(rng);
        let sentiment = Self::sentiment(rng, reason);
        let priority = Self::priority(rng, reason, &sentiment);
        let first = d.transcript.iter().find(|t| t.role == "customer").map(|t| t.text.as_str()).unwrap_or("");
        let summary = format!("{}: \"{}\". {} actions taken. Escalated: {}.", humanize(&intent), clip(first, 140), d.actions.len(), reason.as_str().replace('_', " "));
        let mut doc = self.document(n, at, channel, rng, &intent, &["refund_status".into(), "return_size".into()], reason, priority, sentiment, summary, fields, actions, transcript, &format!("abcd-{}", d.convo_id));
        doc["customer"]["name"] = json!(title_case(&d.customer.customer_name));
        doc["customer"]["email"] = json!(d.customer.email);
        doc["customer"]["tier"] = json!(d.customer.member_level);
        doc
    }

    #[allow(clippy::too_many_arguments)]
    fn document(
        &self,
        n: u64,
        at: DateTime<Utc>,
        channel: Channel,
        rng: &mut Rng,
        intent: &str,
        others: &[String],
        reason: EscalationReason,
        priority: Priority,
        sentiment: Value,
        summary: String,
        fields: BTreeMap<String, String>,
        actions: Vec<Value>,
        transcript: Vec<Value>,
        origin: &str,
    ) -> Value {
        json!({
            "schema": SCHEMA_V1,
            "handoff_id": format!("hf_demo_{n:06}"),
            "conversation_id": format!("conv_{}_{n}", origin.replace(|c: char| !c.is_ascii_alphanumeric(), "")),
            "escalated_at": ts(at),
            "channel": channel.as_str(),
            "customer": self.customer(n, rng, channel),
            "intent": Self::intent(rng, intent, others, reason),
            "sentiment": sentiment,
            "reason": reason.as_str(),
            "priority": priority.as_str(),
            "summary": clip(&summary, 1900),
            "collected_fields": fields,
            "attempted_actions": actions,
            "transcript": transcript,
            "bot": { "name": "helpbot", "version": if n.is_multiple_of(3) { "2026.11.1" } else { "2026.11.2" } },
        })
    }
}

/// Spaces the turns 15–60 s apart so the last one is at `end`.
fn timeline(turns: &[(String, String)], end: DateTime<Utc>, rng: &mut Rng) -> Vec<Value> {
    let gaps: Vec<i64> = turns.iter().map(|_| 15 + rng.below(45) as i64).collect();
    let mut t = end - Duration::seconds(gaps.iter().sum());
    turns
        .iter()
        .zip(gaps)
        .map(|((role, text), gap)| {
            t += Duration::seconds(gap);
            json!({ "role": role, "text": clip(text, 4000), "at": ts(t) })
        })
        .collect()
}

fn transcript_time(transcript: &[Value], i: usize) -> Value {
    transcript.get(i.min(transcript.len().saturating_sub(1))).map(|t| t["at"].clone()).unwrap_or(Value::Null)
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn snake(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// `Hotels_1.ReserveHotel` → `hotels.reserve_hotel`.
fn tool_name(sgd: &str) -> String {
    let mut parts = sgd.split('.');
    let service = parts.next().unwrap_or("").split('_').next().unwrap_or("").to_lowercase();
    format!("{service}.{}", snake(parts.next().unwrap_or("")))
}

fn humanize(snake: &str) -> String {
    let s = snake.replace('_', " ");
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn title_case(s: &str) -> String {
    s.split(' ').map(humanize).collect::<Vec<_>>().join(" ")
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// The demo bot as a running source: seeds the queue on first start, then escalates a new
/// conversation every `interval`. Its position is kept in the database, so a restart goes on
/// where it stopped instead of replaying.
pub struct DemoSource {
    bot: DemoBot,
    store: std::sync::Arc<dyn desk_core::storage::Database>,
}

/// Escalations seeded on the first start, spread over the past 30 minutes (a desk that is a
/// little behind: some rows are late, most are not yet).
pub const SEED_COUNT: u64 = 40;
const POSITION_KEY: &str = "demo.next";
const SOURCE: &str = "demo";

impl DemoSource {
    /// The demo bot on any store: the desktop's SQLite file or a team server's PostgreSQL.
    pub fn new(store: std::sync::Arc<dyn desk_core::storage::Database>) -> Self {
        Self { bot: DemoBot::new(20_261_123), store }
    }

    /// Seeds the queue when this database has never seen the demo; returns the ids stored.
    pub async fn seed_if_new(&self) -> desk_core::store::Result<Vec<String>> {
        if self.store.meta(POSITION_KEY).await?.is_some() {
            return Ok(vec![]);
        }
        let now = Utc::now();
        let mut ids = vec![];
        for n in 0..SEED_COUNT {
            let at = now - Duration::seconds(((SEED_COUNT - n) * 45) as i64);
            let doc = serde_json::to_vec(&self.bot.escalation(n, at)).expect("json");
            if let desk_core::ingest::Outcome::Accepted { handoff_id, .. } = self.store.ingest(&doc, SOURCE).await? {
                ids.push(handoff_id);
            }
        }
        // Two documents as a misconfigured bot would send them, so the quarantine is not empty.
        for n in [SEED_COUNT, SEED_COUNT + 1] {
            self.store.ingest(&self.bot.malformed(n, now), SOURCE).await?;
        }
        self.store.set_meta(POSITION_KEY, &(SEED_COUNT + 2).to_string()).await?;
        Ok(ids)
    }

    /// Escalates the next demo conversation now.
    pub async fn escalate_next(&self) -> desk_core::store::Result<desk_core::ingest::Outcome> {
        let n: u64 = self.store.meta(POSITION_KEY).await?.and_then(|s| s.parse().ok()).unwrap_or(SEED_COUNT + 2);
        let doc = serde_json::to_vec(&self.bot.escalation(n, Utc::now())).expect("json");
        let outcome = self.store.ingest(&doc, SOURCE).await?;
        self.store.set_meta(POSITION_KEY, &(n + 1).to_string()).await?;
        Ok(outcome)
    }
}
