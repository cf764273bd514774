//! The one place that tells the window something changed, after the change is committed.

use desk_core::ingest::Outcome;
use desk_core::storage::HandoffStore;
use desk_core::ipc::QueueChanged;
use desk_demo::bot::DemoSource;
use tauri::{AppHandle, Emitter};

use crate::AppState;

pub const QUEUE_CHANGED: &str = "queue-changed";
pub const IMPORT_PROGRESS: &str = "import-progress";
pub const GATES_CHANGED: &str = "gates-changed";
pub const DRAFTS_CHANGED: &str = "drafts-changed";

pub fn drafts_changed(app: &AppHandle, handoff_id: &str) {
    if let Err(e) = app.emit(DRAFTS_CHANGED, desk_core::ipc::DraftsChanged { handoff_id: handoff_id.to_owned() }) {
        tracing::warn!(error = %e, "could not emit drafts-changed");
    }
}

/// Replies were sent or refused: the window redraws their escalations' transcripts.
pub async fn replies_changed(app: &AppHandle, db: &dyn desk_core::storage::Database, report: &desk_core::drafts::outbox::DeliveryReport) {
    for id in report.touched() {
        if let Ok(Some(r)) = db.outbox_record(id).await {
            drafts_changed(app, &r.handoff_id);
        }
    }
}

/// New escalations arrived (demo source, import): tell the window, and notify urgent ones.
pub fn arrivals(app: &AppHandle, handoff_ids: Vec<String>, quarantined: i64) {
    notify_urgent(app, &handoff_ids);
    queue_changed(app, handoff_ids, quarantined);
}

/// Escalations changed (arrived, claimed, rated…): the window refreshes what it shows.
pub fn queue_changed(app: &AppHandle, handoff_ids: Vec<String>, quarantined: i64) {
    if handoff_ids.is_empty() && quarantined == 0 {
        return;
    }
    if let Err(e) = app.emit(QUEUE_CHANGED, QueueChanged { handoff_ids, quarantined }) {
        tracing::warn!(error = %e, "could not emit queue-changed");
    }
}

/// Seeds the demo queue on a new database, then escalates a demo conversation every interval.
pub fn start_demo_source(app: AppHandle, state: AppState) {
    tauri::async_runtime::spawn(async move {
        let demo = DemoSource::new(std::sync::Arc::new(state.store.clone()));
        match demo.seed_if_new().await {
            Ok(ids) => arrivals(&app, ids, 0),
            Err(e) => tracing::error!(error = %e, "demo source could not seed the queue"),
        }
        let mut tick = tokio::time::interval(state.config.demo_interval);
        tick.tick().await;
        loop {
            tick.tick().await;
            match demo.escalate_next().await {
                Ok(Outcome::Accepted { handoff_id, .. } | Outcome::Updated { handoff_id, .. }) => {
                    arrivals(&app, vec![handoff_id], 0)
                }
                Ok(Outcome::Quarantined { .. }) => queue_changed(&app, vec![], 1),
                Ok(Outcome::Unchanged { .. }) => {}
                Err(e) => tracing::error!(error = %e, "demo source failed to escalate"),
            }
        }
    });
}

/// Pulls the HTTP bot source every poll interval ([`desk_core::sources::http::keep_pulling`]);
/// what it stores and sends is told to the window.
pub fn start_http_source(app: AppHandle, state: AppState, source: desk_core::sources::http::HttpSource) {
    let db: std::sync::Arc<dyn desk_core::storage::Database> = std::sync::Arc::new(state.store.clone());
    let watcher = std::sync::Arc::new(WindowWatcher { app, db: db.clone() });
    tauri::async_runtime::spawn(desk_core::sources::http::keep_pulling(db, source, state.config.source_poll, watcher));
}

/// How the polling loop tells this window what it stored and sent.
struct WindowWatcher {
    app: AppHandle,
    db: std::sync::Arc<dyn desk_core::storage::Database>,
}

impl desk_core::sources::http::SourceWatcher for WindowWatcher {
    fn stored(&self, arrived: &[String], quarantined: usize) {
        arrivals(&self.app, arrived.to_vec(), quarantined as i64);
    }
    fn delivered(&self, report: &desk_core::drafts::outbox::DeliveryReport) {
        let (app, db, report) = (self.app.clone(), self.db.clone(), report.clone());
        tauri::async_runtime::spawn(async move { replies_changed(&app, &*db, &report).await });
    }
}

/// A desktop notification for each new urgent escalation (at most three at once). It names the
/// intent and channel, never what the customer wrote.
fn notify_urgent(app: &AppHandle, handoff_ids: &[String]) {
    use tauri::Manager;
    use tauri_plugin_notification::NotificationExt;
    let Some(state) = app.try_state::<AppState>() else { return };
    let store = state.store.clone();
    let app = app.clone();
    let ids: Vec<String> = handoff_ids.iter().take(50).cloned().collect();
    tauri::async_runtime::spawn(async move {
        let mut shown = 0;
        for id in ids {
            let Ok(s) = store.stored_handoff(&id).await else { continue };
            let h = s.handoff;
            if h.priority != desk_core::handoff::Priority::Urgent || s.revision > 1 || shown >= 3 {
                continue;
            }
            shown += 1;
            let body = format!("{} · {} · {}", h.intent.name.replace('_', " "), h.channel, h.reason.as_str().replace('_', " "));
            if let Err(e) = app.notification().builder().title("Urgent escalation").body(body).show() {
                tracing::debug!(error = %e, "desktop notification not shown");
            }
        }
    });
}

pub fn gates_changed(app: &AppHandle, v: &desk_core::gates::ToolCallView) {
    let payload = desk_core::ipc::GatesChanged { call_id: v.id.clone(), handoff_id: v.handoff_id.clone(), state: v.state };
    if let Err(e) = app.emit(GATES_CHANGED, payload) {
        tracing::warn!(error = %e, "could not emit gates-changed");
    }
}

/// How the gate service tells this window about calls.
pub struct WindowNotifier(pub AppHandle);

impl desk_core::gates::GateNotifier for WindowNotifier {
    fn call_changed(&self, call: &desk_core::gates::ToolCallView) {
        gates_changed(&self.0, call);
    }
    fn approval_requested(&self, call: &desk_core::gates::ToolCallView) {
        approval_requested(&self.0, call);
    }
}

/// A desktop notification when a call needs a supervisor and a supervisor is signed in here.
pub fn approval_requested(app: &AppHandle, v: &desk_core::gates::ToolCallView) {
    use tauri::Manager;
    let Some(state) = app.try_state::<AppState>() else { return };
    let supervisor_here = state.sessions.current_cached().is_some_and(|s| s.actor.can(desk_core::people::Permission::ApproveToolCalls));
    if supervisor_here {
        notify_approval(app, v);
    }
}

fn notify_approval(app: &AppHandle, v: &desk_core::gates::ToolCallView) {
    use tauri_plugin_notification::NotificationExt;
    let amount = v.amount.as_deref().map(|a| format!(" {a} {}", v.currency.as_deref().unwrap_or(""))).unwrap_or_default();
    let body = format!("{}{} requested by {}", v.tool_title, amount, v.requested_by);
    if let Err(e) = app.notification().builder().title("Approval requested").body(body).show() {
        tracing::debug!(error = %e, "desktop notification not shown");
    }
}

/// On start and then every 15 seconds: resumes calls left executing by a crash and approved
/// calls that never started, and expires due requests and approvals. The gate service notifies
/// the window of each change.
pub fn start_gate_keeper(state: AppState) {
    tauri::async_runtime::spawn(state.gates.clone().keep(std::time::Duration::from_secs(15)));
}

/// Window event `desk-resync`: what the window shows may be out of date; read it all again.
pub const DESK_RESYNC: &str = "desk-resync";

/// Window event `server-link`: the team server went offline or came back.
pub const SERVER_LINK: &str = "server-link";

/// Team mode: the server's live stream becomes the window's events (the same ones the local
/// workers emit), and the link's changes become `server-link` (the offline banner). Cut off,
/// the client replays what it missed, in order, once.
pub fn start_server_follower(app: AppHandle, client: desk_client::DeskClient) {
    let mut link = client.watch_link();
    let emitter = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut was_online = None;
        while link.changed().await.is_ok() {
            let now = link.borrow_and_update().clone();
            if was_online != Some(now.online) {
                tracing::info!(online = now.online, error = now.last_error.as_deref().unwrap_or(""), "team server link");
                was_online = Some(now.online);
            }
            if let Err(e) = emitter.emit(SERVER_LINK, now) {
                tracing::warn!(error = %e, "could not emit server-link");
            }
        }
    });
    tauri::async_runtime::spawn(async move {
        let follower = client.clone();
        follower
            .follow(move |e| {
                let app = app.clone();
                let client = client.clone();
                tauri::async_runtime::spawn(async move { server_event(&app, &client, e).await });
            })
            .await;
    });
}

/// One change on the server, told to the window as the local workers would tell it.
async fn server_event(app: &AppHandle, client: &desk_client::DeskClient, e: desk_core::events::DeskEvent) {
    use desk_core::people::Permission;
    match e.kind.as_str() {
        "handoff.arrived" | "handoff.changed" => queue_changed(app, vec![e.subject], 0),
        "quarantine.added" => queue_changed(app, vec![], 1),
        // Away longer than the server keeps events: read everything again.
        desk_core::events::RESET => {
            if let Err(e) = app.emit(DESK_RESYNC, ()) {
                tracing::warn!(error = %e, "could not emit desk-resync");
            }
        }
        "draft.changed" | "reply.changed" => {
            if let Some(h) = &e.handoff_id {
                drafts_changed(app, h);
            }
        }
        "tool_call.changed" => {
            // The call as this person may see it: its state, and whether to notify a supervisor.
            match client.tool_call(&e.subject).await {
                Ok(v) => {
                    gates_changed(app, &v);
                    let supervisor_here = client.current().is_some_and(|s| s.permissions.contains(&Permission::ApproveToolCalls));
                    if v.state == desk_core::gates::lifecycle::CallState::Pending && supervisor_here && first_time(&v.id) {
                        notify_approval(app, &v);
                    }
                }
                Err(err) => tracing::debug!(error = %err.message, call = %e.subject, "a changed tool call could not be read"),
            }
        }
        // Routing: an offer was made or closed, or someone's availability or skills changed.
        "offer.changed" => {
            routing_changed(app);
            let agent_here = client.current().is_some_and(|s| s.permissions.contains(&Permission::ClaimHandoff));
            if agent_here {
                if let Ok(Some(o)) = client.my_offer().await {
                    if o.id.to_string() == e.subject && first_time(&format!("offer:{}", o.id)) {
                        notify_offer(app, &o);
                    }
                }
            }
        }
        "team.changed" => routing_changed(app),
        other => tracing::debug!(kind = other, "an event this desk does not show"),
    }
}

/// Window event `routing-changed`: an offer, an availability or a skill changed; the offer card
/// and the team board read theirs again.
pub const ROUTING_CHANGED: &str = "routing-changed";

fn routing_changed(app: &AppHandle) {
    if let Err(e) = app.emit(ROUTING_CHANGED, ()) {
        tracing::warn!(error = %e, "could not emit routing-changed");
    }
}

/// A desktop notification when an escalation is offered to the agent signed in here. It names
/// the intent, priority and channel, never what the customer wrote.
fn notify_offer(app: &AppHandle, o: &desk_core::routing::RoutingOffer) {
    use tauri_plugin_notification::NotificationExt;
    let body = format!("{} · {} · {}", o.intent.replace('_', " "), o.priority.as_str(), o.channel);
    if let Err(e) = app.notification().builder().title("Escalation offered to you").body(body).show() {
        tracing::debug!(error = %e, "desktop notification not shown");
    }
}

/// Whether this call's approval request is new to this desk (notified once, not at each change).
fn first_time(call_id: &str) -> bool {
    static SEEN: std::sync::OnceLock<std::sync::Mutex<std::collections::HashSet<String>>> = std::sync::OnceLock::new();
    SEEN.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner()).insert(call_id.to_owned())
}
