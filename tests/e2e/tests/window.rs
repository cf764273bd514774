//! The real app window: demo escalations arrive in the queue, one opens with its summary, intent,
//! confidence and attempted actions exactly as stored, keyboard and search work, and the
//! quarantine shows the malformed documents.

mod harness;

use std::collections::BTreeSet;
use std::time::Duration;

use desk_core::storage::{HandoffStore, QuarantineStore};
use fantoccini::Locator;
use harness::App;

async fn row_ids(app: &App) -> Vec<String> {
    let mut ids = vec![];
    for row in app.client.find_all(Locator::Css("[data-testid=queue-row]")).await.expect("rows") {
        if let Ok(Some(id)) = row.attr("data-handoff-id").await {
            ids.push(id);
        }
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_works_the_live_queue_in_the_real_window() {
    let app = App::start(&[("HANDOFF_DESK_DEMO_INTERVAL_SECS", "2")]).await;
    app.screenshot("00-sign-in").await;
    app.sign_in("ana").await;

    // The demo bot seeds the queue; the rows appear without any reload.
    app.wait_count("[data-testid=queue-row]", 10, Duration::from_secs(60)).await;
    let first_ids: BTreeSet<String> = row_ids(&app).await.into_iter().collect();
    app.screenshot("01-queue").await;

    // New escalations keep arriving while the window is open.
    let deadline = std::time::Instant::now() + Duration::from_secs(40);
    let store = desk_store_sqlite::Store::open(&app.database_path()).await.expect("open the app's database");
    let seeded = store.handoff_count().await.expect("count");
    loop {
        let total = app.try_text("[data-testid=total-count]").await.unwrap_or_default();
        let now = store.handoff_count().await.expect("count");
        let digits: String = total.chars().filter(char::is_ascii_digit).collect();
        if now > seeded && digits.parse::<i64>().ok() == Some(now) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no new escalation reached the window: header says {total:?}, store has {now}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // Open the first row: the conversation shows exactly what the store holds.
    let rows = app.client.find_all(Locator::Css("[data-testid=queue-row]")).await.unwrap();
    let id = rows[0].attr("data-handoff-id").await.unwrap().expect("row id");
    assert!(first_ids.contains(&id) || !id.is_empty());
    rows[0].click().await.expect("click the first row");
    app.wait_count("[data-testid=conversation-summary]", 1, Duration::from_secs(10)).await;
    let stored = store.stored_handoff(&id).await.expect("the opened escalation is stored").handoff;

    assert_eq!(app.text("[data-testid=conversation-summary]").await.trim(), stored.summary.trim());
    assert_eq!(app.text("[data-testid=intent-name]").await.trim(), stored.intent.name);
    assert_eq!(app.text("[data-testid=intent-confidence]").await.trim(), format!("{:.2}", stored.intent.confidence));
    let band = app.text("[data-testid=confidence-band]").await;
    let expected_band = desk_core::queue::ConfidenceBands::default().band(stored.intent.confidence);
    assert_eq!(band.trim().to_lowercase(), format!("{expected_band:?}").to_lowercase());
    let actions = app.client.find_all(Locator::Css("[data-testid=action-item]")).await.unwrap();
    assert_eq!(actions.len(), stored.attempted_actions.len(), "every attempted action is shown");
    for (el, a) in actions.iter().zip(&stored.attempted_actions) {
        assert_eq!(el.attr("data-status").await.unwrap().as_deref(), Some(a.status.as_str()));
        assert!(el.text().await.unwrap().contains(&a.tool), "action shows its tool {}", a.tool);
    }
    let turns = app.client.find_all(Locator::Css("[data-testid=transcript-turn]")).await.unwrap();
    assert_eq!(turns.len(), stored.transcript.len(), "the whole transcript is shown");
    let fields = app.client.find_all(Locator::Css("[data-testid=collected-field]")).await.unwrap();
    assert_eq!(fields.len(), stored.collected_fields.len(), "every collected field is shown");
    app.screenshot("02-conversation").await;

    // Keyboard: j moves the selection down, Enter opens it.
    app.client.find(Locator::Css("[data-testid=queue-list]")).await.unwrap().click().await.ok();
    let before = app.selected().await;
    app.keys("j").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = app.selected().await;
    assert_ne!(before, after, "j moved the selection");
    app.keys("\u{E007}").await; // Enter
    let next = after.expect("a row is selected");
    let next_summary = store.stored_handoff(&next).await.unwrap().handoff.summary;
    // The pane shows a loading state between conversations, so poll tolerantly.
    app.wait_text("[data-testid=conversation-summary]", Duration::from_secs(10), |t| t.trim() == next_summary.trim()).await;

    // Search: / focuses the box; the list narrows to matching escalations.
    app.keys("/").await;
    let word = stored.intent.name.split('_').next().unwrap_or("card").to_owned();
    app.keys(&word).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let hits = row_ids(&app).await;
    assert!(!hits.is_empty(), "search for {word:?} found nothing");
    let all = store.handoff_count().await.unwrap() as usize;
    assert!(hits.len() < all, "search narrowed the list ({} of {all})", hits.len());
    app.screenshot("03-search").await;

    // The quarantine shows the demo's malformed documents with their reasons.
    app.client.find(Locator::Css("[data-testid=nav-quarantine]")).await.unwrap().click().await.unwrap();
    let n = app.wait_count("[data-testid=quarantine-item]", 2, Duration::from_secs(10)).await;
    assert_eq!(n as i64, store.quarantine_count().await.unwrap());
    let body = app.text("[data-testid=quarantine-item]").await;
    assert!(body.contains('$'), "quarantine items show JSON paths: {body}");
    app.screenshot("04-quarantine").await;

    app.close().await;
}

