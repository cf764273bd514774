//! Routing: agents set themselves available or away; each has skills (intents, channels,
//! languages); the server offers each waiting escalation to an available agent who takes it,
//! most urgent and longest waiting first, to whoever holds the fewest; what is not accepted in
//! time is offered to someone else, never again to an agent who declined it or let it expire.
//! Supervisors see who holds what, set skills, and reassign.
//!
//! The decision is one pure function ([`plan`]) over what the store holds; [`route_once`] reads,
//! plans and writes, and [`keep_routing`] runs it periodically. Several servers may run it at
//! once: the store keeps one open offer per escalation and per agent (unique indexes), so a
//! second plan made at the same moment inserts nothing.

use std::collections::HashSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::handoff::{Channel, Priority};
use crate::people::{PeopleError, Permission, Role, Session};
use crate::storage::Database;

/// One's own availability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Availability {
    pub available: bool,
    /// Since when (`None`: never set, which counts as away).
    #[ts(type = "number | null")]
    pub since_ms: Option<i64>,
}

/// What an agent takes. An empty list takes every value of its kind, so an agent with no
/// skills set takes everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Skills {
    /// Intent names, as the bot sends them (`refund_request`).
    pub intents: Vec<String>,
    pub channels: Vec<Channel>,
    /// Language tags (`en`, `es`); a tag takes its regional variants (`es` takes `es-MX`).
    pub languages: Vec<String>,
}

/// The kinds of skill, as the stores keep them.
const INTENT: &str = "intent";
const CHANNEL: &str = "channel";
const LANGUAGE: &str = "language";

fn primary_subtag(tag: &str) -> &str {
    tag.split('-').next().unwrap_or(tag)
}

impl Skills {
    /// Whether an agent with these skills takes this escalation.
    pub fn takes(&self, w: &Waiting) -> bool {
        let intent = self.intents.is_empty() || self.intents.iter().any(|i| i.eq_ignore_ascii_case(&w.intent));
        let channel = self.channels.is_empty() || self.channels.iter().any(|c| c.as_str() == w.channel);
        let language = self.languages.is_empty()
            || w.language.as_deref().is_none_or(|l| self.languages.iter().any(|s| primary_subtag(s).eq_ignore_ascii_case(primary_subtag(l))));
        intent && channel && language
    }

    /// Trimmed, lower-cased, deduplicated and checked: intents are names (letters, digits, `_`,
    /// `.`, `-`), languages are tags (`en`, `pt-BR`).
    pub fn normalized(self) -> Result<Skills, PeopleError> {
        fn clean(values: Vec<String>, what: &str, ok: impl Fn(&str) -> bool) -> Result<Vec<String>, PeopleError> {
            let mut out: Vec<String> = Vec::new();
            for v in values {
                let v = v.trim().to_ascii_lowercase();
                if v.is_empty() {
                    continue;
                }
                if v.len() > 64 || !ok(&v) {
                    return Err(PeopleError::Invalid(format!("{v:?} is not {what}.")));
                }
                if !out.contains(&v) {
                    out.push(v);
                }
            }
            out.sort();
            Ok(out)
        }
        let name = |v: &str| v.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        let tag = |v: &str| {
            let mut parts = v.split('-');
            parts.next().is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()))
                && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
        };
        let mut channels = self.channels;
        channels.sort_by_key(|c| c.as_str());
        channels.dedup();
        Ok(Skills {
            intents: clean(self.intents, "an intent name (letters, digits, _ . -)", name)?,
            channels,
            languages: clean(self.languages, "a language tag such as en or pt-BR", tag)?,
        })
    }

    fn rows(&self) -> Vec<(&'static str, String)> {
        let mut rows: Vec<(&'static str, String)> = self.intents.iter().map(|v| (INTENT, v.clone())).collect();
        rows.extend(self.channels.iter().map(|c| (CHANNEL, c.as_str().to_owned())));
        rows.extend(self.languages.iter().map(|v| (LANGUAGE, v.clone())));
        rows
    }

    fn of(user_id: i64, rows: &[(i64, String, String)]) -> Skills {
        let mut s = Skills::default();
        for (_, kind, value) in rows.iter().filter(|(u, _, _)| *u == user_id) {
            match kind.as_str() {
                INTENT => s.intents.push(value.clone()),
                CHANNEL => s.channels.extend(Channel::parse(value)),
                LANGUAGE => s.languages.push(value.clone()),
                _ => {}
            }
        }
        s
    }
}

/// An escalation someone holds, as the team board lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, sqlx::FromRow)]
pub struct HeldEscalation {
    #[ts(type = "number")]
    pub user_id: i64,
    pub handoff_id: String,
    /// The customer's name, or their id when the bot had no name.
    pub customer: String,
    pub intent: String,
    pub priority: String,
    #[ts(type = "number")]
    pub claimed_at_ms: i64,
}

/// One person on the team board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamMember {
    #[ts(type = "number")]
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub available: bool,
    #[ts(type = "number | null")]
    pub since_ms: Option<i64>,
    /// Escalations claimed by them now.
    #[ts(type = "number")]
    pub holding: i64,
    /// Which ones, oldest claim first.
    pub held: Vec<HeldEscalation>,
    pub skills: Skills,
    /// The escalation offered to them now, if any.
    pub offered: Option<String>,
}

crate::handoff::string_enum!(
    /// What became of an offer: open; accepted; declined; expired (not answered in time);
    /// withdrawn (moot: someone claimed the escalation, or the agent went away).
    OfferState { Open => "open", Accepted => "accepted", Declined => "declined", Expired => "expired", Withdrawn => "withdrawn" }
);

/// An offer as the stores keep it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OfferRecord {
    pub id: i64,
    pub handoff_seq: i64,
    pub handoff_id: String,
    pub user_id: i64,
    pub offered_ms: i64,
    pub expires_ms: i64,
    pub state: String,
}

/// An offer, as the agent it is made to sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RoutingOffer {
    #[ts(type = "number")]
    pub id: i64,
    pub handoff_id: String,
    #[ts(type = "number")]
    pub offered_ms: i64,
    #[ts(type = "number")]
    pub expires_ms: i64,
    pub customer_name: Option<String>,
    pub intent: String,
    pub priority: Priority,
    pub channel: Channel,
    pub summary: String,
    /// RFC 3339: when the bot handed it over.
    pub escalated_at: String,
}

/// An unclaimed escalation, as the planner sees it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Waiting {
    pub seq: i64,
    pub intent: String,
    pub channel: String,
    /// The customer's language, when the bot knew it.
    pub language: Option<String>,
}

/// An open offer, as the planner sees it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OpenOffer {
    pub id: i64,
    pub handoff_seq: i64,
    pub handoff_id: String,
    pub user_id: i64,
    pub expires_ms: i64,
    /// Someone has claimed the escalation since it was offered.
    pub claimed: bool,
}

/// An agent who may be offered escalations now: active, with a role that claims, available.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub user_id: i64,
    pub skills: Skills,
    pub holding: i64,
    pub available_since: i64,
}

/// How offers are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoutingPolicy {
    /// How long an agent has to accept.
    pub offer_ms: i64,
    /// An agent holding this many escalations is offered no more.
    pub capacity: i64,
    /// How many waiting escalations one round considers.
    pub lookahead: i64,
}

impl Default for RoutingPolicy {
    fn default() -> Self {
        Self { offer_ms: 60_000, capacity: 5, lookahead: 500 }
    }
}

/// What one round of routing does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Open offers to close: (offer id, how).
    pub close: Vec<(i64, OfferState)>,
    /// Offers to make: (escalation seq, user id).
    pub make: Vec<(i64, i64)>,
}

/// One round of routing, decided from what the store holds (`waiting` in the order they are to
/// be served). Open offers that are moot are withdrawn and those past their time expire; then
/// each waiting escalation without an open offer goes to the eligible agent holding the fewest
/// (then available longest): one with matching skills, under capacity, without an open offer,
/// who has not declined it or let it expire before.
pub fn plan(now: i64, policy: RoutingPolicy, open: &[OpenOffer], waiting: &[Waiting], agents: &[Candidate], refused: &[(i64, i64)]) -> Plan {
    let mut out = Plan::default();
    let mut refused: HashSet<(i64, i64)> = refused.iter().copied().collect();
    let mut busy_agents = HashSet::new();
    let mut offered = HashSet::new();
    for o in open {
        let state = if o.claimed || !agents.iter().any(|a| a.user_id == o.user_id) {
            Some(OfferState::Withdrawn)
        } else if o.expires_ms <= now {
            refused.insert((o.handoff_seq, o.user_id));
            Some(OfferState::Expired)
        } else {
            None
        };
        match state {
            Some(s) => out.close.push((o.id, s)),
            None => {
                busy_agents.insert(o.user_id);
                offered.insert(o.handoff_seq);
            }
        }
    }
    for w in waiting.iter().filter(|w| !offered.contains(&w.seq)) {
        let pick = agents
            .iter()
            .filter(|a| !busy_agents.contains(&a.user_id) && a.holding < policy.capacity && !refused.contains(&(w.seq, a.user_id)) && a.skills.takes(w))
            .min_by_key(|a| (a.holding, a.available_since, a.user_id));
        if let Some(a) = pick {
            busy_agents.insert(a.user_id);
            out.make.push((w.seq, a.user_id));
        }
        if busy_agents.len() == agents.len() {
            break;
        }
    }
    out
}

/// What a round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundReport {
    pub offered: usize,
    pub expired: usize,
    pub withdrawn: usize,
}

/// One round: reads what routing depends on, plans, and writes the plan. An offer another
/// server made or closed meanwhile is skipped, never doubled.
pub async fn route_once(db: &dyn Database, policy: RoutingPolicy, now: i64) -> Result<RoundReport, PeopleError> {
    let open = db.open_offers().await?;
    let waiting = db.waiting_for_offer(policy.lookahead).await?;
    let agents = candidates(members(db, &open).await?);
    let refused = db.refused_offers().await?;
    let p = plan(now, policy, &open, &waiting, &agents, &refused);
    let mut report = RoundReport::default();
    for (id, state) in p.close {
        if db.close_offer(id, state, now).await? {
            match state {
                OfferState::Expired => report.expired += 1,
                _ => report.withdrawn += 1,
            }
        }
    }
    for (seq, user) in p.make {
        if db.make_offer(seq, user, now, now + policy.offer_ms).await? {
            report.offered += 1;
        }
    }
    Ok(report)
}

/// Everyone who takes escalations, as the board shows them (not yet sorted). `open`: the open
/// offers, which the caller has read already.
async fn members(db: &dyn Database, open: &[OpenOffer]) -> Result<Vec<TeamMember>, PeopleError> {
    let availability = db.availability().await?;
    let held = db.held_escalations().await?;
    let skills = db.skills().await?;
    Ok(db
        .users()
        .await?
        .into_iter()
        .filter(|u| u.active && u.roles.iter().any(|r| r.grants(Permission::ClaimHandoff)))
        .map(|u| {
            let a = availability.iter().find(|(id, _, _)| *id == u.id);
            let mine: Vec<HeldEscalation> = held.iter().filter(|h| h.user_id == u.id).cloned().collect();
            TeamMember {
                user_id: u.id,
                holding: mine.len() as i64,
                held: mine,
                skills: Skills::of(u.id, &skills),
                offered: open.iter().find(|o| o.user_id == u.id).map(|o| o.handoff_id.clone()),
                available: a.is_some_and(|(_, av, _)| *av),
                since_ms: a.map(|(_, _, s)| *s),
                username: u.username,
                display_name: u.display_name,
                roles: u.roles,
            }
        })
        .collect())
}

/// The members a round may offer to: those available now.
fn candidates(members: Vec<TeamMember>) -> Vec<Candidate> {
    members
        .into_iter()
        .filter_map(|m| m.available.then_some(Candidate { user_id: m.user_id, skills: m.skills, holding: m.holding, available_since: m.since_ms.unwrap_or(0) }))
        .collect()
}

/// Routes every `every`, for as long as the task runs.
pub async fn keep_routing(db: Arc<dyn Database>, policy: RoutingPolicy, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match route_once(&*db, policy, crate::people::now_ms()).await {
            Ok(r) if r == RoundReport::default() => {}
            Ok(r) => tracing::info!(offered = r.offered, expired = r.expired, withdrawn = r.withdrawn, "routing round"),
            Err(e) => tracing::warn!(error = %e, "routing round failed; trying again"),
        }
    }
}

/// An agent says whether they take escalations now.
pub async fn set_available(db: &dyn Database, by: &Session, available: bool, now: i64) -> Result<Availability, PeopleError> {
    by.authorize(Permission::ClaimHandoff, now)?;
    db.set_available(by.actor.user_id, available, now).await?;
    mine(db, by, now).await
}

/// The signed-in agent's availability.
pub async fn mine(db: &dyn Database, by: &Session, now: i64) -> Result<Availability, PeopleError> {
    by.authorize(Permission::ClaimHandoff, now)?;
    let row = db.availability().await?.into_iter().find(|(u, _, _)| *u == by.actor.user_id);
    Ok(match row {
        Some((_, available, since)) => Availability { available, since_ms: Some(since) },
        None => Availability { available: false, since_ms: None },
    })
}

/// Everyone active who can take escalations: available first, then who holds the fewest, then
/// by name; with what each holds, their skills and what is offered to them. For supervisors,
/// who may reassign.
pub async fn team(db: &dyn Database, by: &Session, now: i64) -> Result<Vec<TeamMember>, PeopleError> {
    by.authorize(Permission::ReassignHandoff, now)?;
    let mut board = members(db, &db.open_offers().await?).await?;
    board.sort_by(|a, b| b.available.cmp(&a.available).then(a.holding.cmp(&b.holding)).then_with(|| a.display_name.cmp(&b.display_name)));
    Ok(board)
}

/// A supervisor sets what an agent takes (audited).
pub async fn set_skills(db: &dyn Database, by: &Session, user_id: i64, skills: Skills, now: i64) -> Result<Skills, PeopleError> {
    by.authorize(Permission::ReassignHandoff, now)?;
    let skills = skills.normalized()?;
    let target = db.user_summary(user_id).await?;
    let before = Skills::of(user_id, &db.skills().await?);
    let event = crate::storage::NewAuditEvent::new(
        now,
        &crate::audit::user_actor(by.actor.user_id, &by.actor.username),
        "user.skills_changed",
        &format!("user:{user_id}"),
        serde_json::json!({ "username": target.username, "before": before, "skills": skills }),
    );
    db.set_skills(user_id, &skills.rows(), &event).await?;
    Ok(Skills::of(user_id, &db.skills().await?))
}

/// A supervisor gives an escalation to a named agent (taking it from whoever holds it).
pub async fn reassign(db: &dyn Database, by: &Session, handoff_id: &str, to_user_id: i64, now: i64) -> Result<(), PeopleError> {
    by.authorize(Permission::ReassignHandoff, now)?;
    let to = db.user_summary(to_user_id).await?;
    if !to.active || !to.roles.iter().any(|r| r.grants(Permission::ClaimHandoff)) {
        return Err(PeopleError::Invalid(format!("{} does not take escalations.", to.display_name)));
    }
    match db.claim(handoff_id, to_user_id, now, true).await? {
        crate::storage::ClaimOutcome::Taken => {
            tracing::info!(by = by.actor.user_id, to = to_user_id, handoff_id, "reassigned");
            let payload = serde_json::json!({ "to_user_id": to_user_id, "to": to.display_name });
            db.append_audit(&crate::storage::NewAuditEvent::new(now, &crate::audit::user_actor(by.actor.user_id, &by.actor.username), "handoff.reassigned", handoff_id, payload)).await?;
            Ok(())
        }
        crate::storage::ClaimOutcome::HeldBy { name, .. } => Err(PeopleError::Conflict(format!("{name} holds this escalation."))),
    }
}

/// The offer open to the signed-in agent now, if any.
pub async fn my_offer(db: &dyn Database, by: &Session, now: i64) -> Result<Option<RoutingOffer>, PeopleError> {
    by.authorize(Permission::ClaimHandoff, now)?;
    let Some(o) = db.open_offer_for(by.actor.user_id).await? else { return Ok(None) };
    if o.expires_ms <= now {
        return Ok(None);
    }
    let h = db.stored_handoff(&o.handoff_id).await?.handoff;
    Ok(Some(RoutingOffer {
        id: o.id,
        handoff_id: o.handoff_id,
        offered_ms: o.offered_ms,
        expires_ms: o.expires_ms,
        customer_name: h.customer.name.clone(),
        intent: h.intent.name.clone(),
        priority: h.priority,
        channel: h.channel,
        summary: h.summary.clone(),
        escalated_at: h.escalated_at.clone(),
    }))
}

/// The agent's own open offer, or why it cannot be answered.
async fn open_offer(db: &dyn Database, by: &Session, offer_id: i64, now: i64) -> Result<Option<OfferRecord>, PeopleError> {
    by.authorize(Permission::ClaimHandoff, now)?;
    let o = db.offer(offer_id).await?.ok_or_else(|| PeopleError::Invalid(format!("There is no offer {offer_id}.")))?;
    if o.user_id != by.actor.user_id {
        return Err(PeopleError::Conflict("This escalation was offered to someone else.".into()));
    }
    match OfferState::parse(&o.state) {
        Some(OfferState::Open) if o.expires_ms > now => Ok(Some(o)),
        Some(OfferState::Open) | Some(OfferState::Expired) => Err(PeopleError::Conflict("The offer ran out; it goes to someone else.".into())),
        Some(OfferState::Accepted) => Ok(None),
        Some(OfferState::Declined) => Err(PeopleError::Conflict("You declined this offer.".into())),
        _ => Err(PeopleError::Conflict("This offer was withdrawn: someone else took the escalation, or you went away.".into())),
    }
}

/// Accepts an offer: claims the escalation, then marks the offer accepted. Returns the
/// escalation's id. Accepting twice is harmless.
pub async fn accept_offer(db: &dyn Database, by: &Session, offer_id: i64, now: i64) -> Result<String, PeopleError> {
    let Some(o) = open_offer(db, by, offer_id, now).await? else {
        return Ok(db.offer(offer_id).await?.map(|o| o.handoff_id).unwrap_or_default());
    };
    if let Err(e) = crate::claims::claim(db, by, &o.handoff_id, now).await {
        if matches!(e, PeopleError::Conflict(_)) {
            db.close_offer(o.id, OfferState::Withdrawn, now).await?;
        }
        return Err(e);
    }
    // A round that expired it meanwhile changes nothing: the claim stands.
    db.close_offer(o.id, OfferState::Accepted, now).await?;
    Ok(o.handoff_id)
}

/// Declines an offer: the escalation goes to someone else, and is not offered to this agent again.
pub async fn decline_offer(db: &dyn Database, by: &Session, offer_id: i64, now: i64) -> Result<(), PeopleError> {
    let Some(o) = open_offer(db, by, offer_id, now).await? else {
        return Err(PeopleError::Conflict("You accepted this offer already.".into()));
    };
    if !db.close_offer(o.id, OfferState::Declined, now).await? {
        return Err(PeopleError::Conflict("The offer closed meanwhile.".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(seq: i64, intent: &str, channel: &str, language: Option<&str>) -> Waiting {
        Waiting { seq, intent: intent.into(), channel: channel.into(), language: language.map(Into::into) }
    }

    fn agent(user_id: i64, holding: i64, since: i64, skills: Skills) -> Candidate {
        Candidate { user_id, skills, holding, available_since: since }
    }

    const P: RoutingPolicy = RoutingPolicy { offer_ms: 60_000, capacity: 3, lookahead: 500 };

    #[test]
    fn the_first_waiting_goes_to_the_least_loaded_then_longest_available_agent() {
        let agents = [agent(1, 2, 10, Skills::default()), agent(2, 0, 50, Skills::default()), agent(3, 0, 20, Skills::default())];
        let p = plan(0, P, &[], &[w(10, "refund", "web", None), w(11, "refund", "web", None)], &agents, &[]);
        assert_eq!(p.make, vec![(10, 3), (11, 2)], "fewest held, then available longest; one offer per agent");
        assert!(p.close.is_empty());
    }

    #[test]
    fn skills_decide_who_is_eligible() {
        let es = Skills { languages: vec!["es".into()], ..Default::default() };
        let billing = Skills { intents: vec!["billing_dispute".into()], channels: vec![Channel::Email], ..Default::default() };
        let agents = [agent(1, 0, 0, es), agent(2, 0, 1, billing)];
        let p = plan(0, P, &[], &[w(1, "billing_dispute", "web", Some("en")), w(2, "billing_dispute", "email", Some("en")), w(3, "refund", "web", Some("es-MX"))], &agents, &[]);
        assert_eq!(p.make, vec![(2, 2), (3, 1)], "web billing has nobody; es takes es-MX");
        assert!(Skills::default().takes(&w(9, "x", "sms", None)), "no skills set: takes everything");
        assert!(Skills { languages: vec!["de".into()], ..Default::default() }.takes(&w(9, "x", "sms", None)), "unknown language: anyone");
    }

    #[test]
    fn expired_and_declined_offers_go_to_someone_else_and_moot_ones_are_withdrawn() {
        let agents = [agent(1, 0, 0, Skills::default()), agent(2, 1, 0, Skills::default())];
        let open = [
            OpenOffer { id: 100, handoff_seq: 1, handoff_id: "h1".into(), user_id: 1, expires_ms: 5, claimed: false },
            OpenOffer { id: 101, handoff_seq: 2, handoff_id: "h2".into(), user_id: 9, expires_ms: 99, claimed: false },
            OpenOffer { id: 102, handoff_seq: 3, handoff_id: "h3".into(), user_id: 2, expires_ms: 99, claimed: true },
        ];
        let p = plan(5, P, &open, &[w(1, "a", "web", None), w(4, "a", "web", None)], &agents, &[(4, 1)]);
        assert_eq!(p.close, vec![(100, OfferState::Expired), (101, OfferState::Withdrawn), (102, OfferState::Withdrawn)]);
        assert_eq!(p.make, vec![(1, 2)], "agent 1 let 1 expire and declined 4 before; 4 waits for someone new");
    }

    #[test]
    fn an_open_offer_holds_its_agent_and_escalation_and_capacity_is_a_limit() {
        let agents = [agent(1, 0, 0, Skills::default()), agent(2, 3, 0, Skills::default())];
        let open = [OpenOffer { id: 1, handoff_seq: 1, handoff_id: "h1".into(), user_id: 1, expires_ms: 99, claimed: false }];
        let p = plan(5, P, &open, &[w(1, "a", "web", None), w(2, "a", "web", None)], &agents, &[]);
        assert_eq!(p, Plan::default(), "agent 1 has an offer open; agent 2 is at capacity");
    }

    #[test]
    fn skills_are_normalized_and_checked() {
        let s = Skills { intents: vec![" Refund_Request ".into(), "refund_request".into(), "".into()], channels: vec![Channel::Web, Channel::Web], languages: vec!["pt-BR".into()] }
            .normalized()
            .unwrap();
        assert_eq!(s, Skills { intents: vec!["refund_request".into()], channels: vec![Channel::Web], languages: vec!["pt-br".into()] });
        assert!(Skills { languages: vec!["english".into()], ..Default::default() }.normalized().is_err());
        assert!(Skills { intents: vec!["drop table".into()], ..Default::default() }.normalized().is_err());
    }
}
