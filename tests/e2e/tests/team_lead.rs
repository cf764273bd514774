//! People in the real window: a team lead rates a handoff and sees the analytics change; an
//! agent finds no ratings, analytics or admin screen; a supervisor claims on the agent's desk
//! and hands it back.

mod harness;

use desk_core::ratings::Ratings;
use std::time::Duration;

use desk_core::people::Accounts;
use desk_core::storage::HandoffStore;
use fantoccini::Locator;
use harness::App;

async fn digits(app: &App, css: &str) -> i64 {
    let t = app.text(css).await;
    t.chars().filter(char::is_ascii_digit).collect::<String>().parse().unwrap_or_else(|_| panic!("{css} shows no number: {t:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn team_lead_rates_and_agent_sees_no_team_lead_screens() {
    let app = App::start(&[("HANDOFF_DESK_DEMO_INTERVAL_SECS", "3600")]).await;
    let store = desk_store_sqlite::Store::open(&app.database_path()).await.expect("the app's database");

    // The team lead: analytics first, to know the count before rating.
    app.sign_in("lee").await;
    assert!(app.exists("[data-testid=nav-analytics]").await, "team leads see analytics");
    assert!(!app.exists("[data-testid=nav-admin]").await, "team leads do not manage users");
    app.click("[data-testid=nav-analytics]").await;
    app.wait_count("[data-testid=analytics-view]", 1, Duration::from_secs(10)).await;
    assert_eq!(digits(&app, "[data-testid=analytics-rated-count]").await, 0);
    app.wait_count("[data-testid=chart-reasons]", 1, Duration::from_secs(10)).await;

    // Rate the first escalation: intent wrong, context incomplete, overall 2.
    app.click("[data-testid=nav-desk]").await;
    app.wait_count("[data-testid=queue-row]", 10, Duration::from_secs(30)).await;
    let rows = app.client.find_all(Locator::Css("[data-testid=queue-row]")).await.unwrap();
    let id = rows[0].attr("data-handoff-id").await.unwrap().expect("row id");
    rows[0].click().await.unwrap();
    app.wait_count("[data-testid=rating-form]", 1, Duration::from_secs(10)).await;
    for hook in ["rating-summary-partly", "rating-intent-no"] {
        app.click(&format!("[data-testid={hook}]")).await;
    }
    let correct = app.client.find(Locator::Css("[data-testid=rating-correct-intent]")).await.unwrap();
    correct.send_keys("order_status").await.unwrap();
    for hook in ["rating-context-yes", "rating-actions-yes", "rating-timing-too_late", "rating-overall-2"] {
        app.click(&format!("[data-testid={hook}]")).await;
    }
    app.client.find(Locator::Css("[data-testid=rating-comment]")).await.unwrap().send_keys("Bot asked for the order twice.").await.unwrap();
    app.click("[data-testid=rating-save]").await;
    app.wait_count("[data-testid=rating-saved]", 1, Duration::from_secs(10)).await;
    assert!(app.text("[data-testid=rating-saved]").await.contains("revision 1"));
    app.screenshot("10-team-lead-rating").await;

    // The rating is stored as entered, tied to the handoff's bot version.
    let lee = store.sign_in("lee", desk_core::people::DEMO_PASSWORD, desk_core::people::now_ms()).await.unwrap();
    let ratings = store.ratings_of(&lee, &id, desk_core::people::now_ms()).await.unwrap();
    assert_eq!(ratings.len(), 1);
    let r = &ratings[0];
    assert!(!r.input.intent_correct);
    assert_eq!(r.input.correct_intent.as_deref(), Some("order_status"));
    assert_eq!(r.input.overall, 2);
    assert_eq!(r.input.comment, "Bot asked for the order twice.");
    assert_eq!(r.bot_version, store.stored_handoff(&id).await.unwrap().handoff.bot.version);

    // The analytics follow.
    app.click("[data-testid=nav-analytics]").await;
    app.wait_count("[data-testid=analytics-view]", 1, Duration::from_secs(10)).await;
    app.wait_text("[data-testid=analytics-rated-count]", Duration::from_secs(10), |t| {
        t.chars().filter(char::is_ascii_digit).collect::<String>() == "1"
    })
    .await;
    app.wait_count("[data-testid=chart-calibration]", 1, Duration::from_secs(10)).await;
    app.wait_count("[data-testid=chart-ratings-intent]", 1, Duration::from_secs(10)).await;
    app.screenshot("11-analytics").await;

    // The agent: no ratings, analytics or admin at all.
    app.click("[data-testid=sign-out]").await;
    app.sign_in("ana").await;
    assert!(!app.exists("[data-testid=nav-analytics]").await);
    assert!(!app.exists("[data-testid=nav-admin]").await);
    app.wait_count("[data-testid=queue-row]", 10, Duration::from_secs(30)).await;
    let rows = app.client.find_all(Locator::Css("[data-testid=queue-row]")).await.unwrap();
    rows[1].click().await.unwrap();
    app.wait_count("[data-testid=conversation-summary]", 1, Duration::from_secs(10)).await;
    assert!(!app.exists("[data-testid=rating-form]").await, "agents get no rating form");

    // The agent claims it; the claim shows by name.
    let claimed = rows[1].attr("data-handoff-id").await.unwrap().unwrap();
    app.click("[data-testid=claim-button]").await;
    app.wait_text("[data-testid=claimed-by]", Duration::from_secs(10), |t| t.contains("Ana")).await;
    assert_eq!(desk_core::storage::ClaimStore::claim_holder(&store, &claimed).await.unwrap().map(|c| c.1).as_deref(), Some("Ana Agent"));
    app.screenshot("12-agent-desk").await;

    // A supervisor signs in on the agent's desk and hands it back.
    app.click("[data-testid=switch-user]").await;
    app.sign_in("sam").await;
    let who = app.client.find(Locator::Css("[data-testid=current-user]")).await.unwrap().attr("title").await.unwrap().unwrap_or_default();
    assert!(who.contains("Sam Supervisor"), "{who}");
    app.click("[data-testid=sign-out]").await;
    app.wait_user("Ana Agent", Duration::from_secs(10)).await;
    app.close().await;
}
