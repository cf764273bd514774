//! Signed audit checkpoints on a real PostgreSQL server: the chain verifies against the
//! checkpoints; someone who can write the database rewrites the log whole, recomputing every hash
//! so that the chain alone still verifies, and the checkpoints catch it; a forged checkpoint
//! (another key) and removed events are caught too.

use std::sync::Arc;

use desk_core::audit::{self, StoredAuditEvent};
use desk_core::storage::{Database, NewAuditEvent};
use desk_server::checkpoints::{read_public_key, verify, Checkpointer};
use desk_store_postgres::PgStore;
use serde_json::json;

async fn log_with(n: usize) -> (String, Arc<dyn Database>, PgStore) {
    let url = desk_store_suite::fresh_postgres_url().await;
    let pg = PgStore::connect(&url, 4).await.unwrap();
    let db: Arc<dyn Database> = Arc::new(pg.clone());
    for i in 0..n {
        db.append_audit(&NewAuditEvent::new(1_000 + i as i64, "user:1:sam", "call.approved", &format!("tc_{i}"), json!({"amount": "480.00"}))).await.unwrap();
    }
    (url, db, pg)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_rewrite_of_the_log_is_caught_by_the_signed_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let (url, db, pg) = log_with(5).await;
    let cp = Checkpointer::open(dir.path()).unwrap();
    assert!(cp.checkpoint(&*db, 2_000).await.unwrap().is_some());
    assert!(cp.checkpoint(&*db, 2_001).await.unwrap().is_none(), "an unchanged head is not signed again");
    db.append_audit(&NewAuditEvent::new(3_000, "user:1:sam", "call.approved", "tc_5", json!({"amount": "20.00"}))).await.unwrap();
    assert_eq!(cp.checkpoint(&*db, 3_001).await.unwrap().unwrap().last_id, 6);
    let key = read_public_key(&dir.path().join("audit-signing.pub")).unwrap();
    assert_eq!(key, cp.public_key());
    let r = verify(&*db, cp.file(), &key).await.unwrap();
    assert!(r.ok() && r.checkpoints == 2, "{r:?}");
    let cli = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_desk-server"))
            .args(["audit", "verify"])
            .env("DESK_SERVER_DATABASE_URL", &url)
            .env("DESK_SERVER_DATA_DIR", dir.path())
            .output()
            .unwrap()
    };
    let out = cli();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("all 2 signed heads match"), "{}", String::from_utf8_lossy(&out.stdout));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("audit-signing.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the signing key is readable by its owner only");
    }

    // Someone with the database's superuser rewrites event 3's amount and recomputes the chain.
    let mut events: Vec<StoredAuditEvent> = db.audit_events_after(0, 100).await.unwrap();
    let pool = pg.pool();
    sqlx::query("ALTER TABLE audit_events DISABLE TRIGGER USER").execute(pool).await.unwrap();
    sqlx::query("DELETE FROM audit_events").execute(pool).await.unwrap();
    let mut head = None;
    for e in events.iter_mut() {
        let mut payload: serde_json::Value = serde_json::from_str(&e.payload).unwrap();
        if e.id == 3 {
            payload["amount"] = json!("4800.00");
        }
        let next = StoredAuditEvent::next(head.clone(), &NewAuditEvent::new(e.at_ms, &e.actor, &e.kind, &e.subject, payload));
        sqlx::query("INSERT INTO audit_events (id, at_ms, actor, kind, subject, payload, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(next.id)
            .bind(next.at_ms)
            .bind(&next.actor)
            .bind(&next.kind)
            .bind(&next.subject)
            .bind(&next.payload)
            .bind(&next.prev_hash)
            .bind(&next.hash)
            .execute(pool)
            .await
            .unwrap();
        head = Some((next.id, next.hash.clone()));
    }
    let (id, hash) = head.unwrap();
    sqlx::query("UPDATE audit_head SET last_id = $1, hash = $2").bind(id).bind(&hash).execute(pool).await.unwrap();
    sqlx::query("ALTER TABLE audit_events ENABLE TRIGGER USER").execute(pool).await.unwrap();
    assert!(audit::verify(&*db).await.unwrap().ok, "the rewritten chain is self-consistent: the chain alone cannot tell");
    let r = verify(&*db, cp.file(), &key).await.unwrap();
    assert!(!r.ok(), "{r:?}");
    assert!(r.problem.as_deref().unwrap().contains("rewritten"), "{r:?}");
    let out = cli();
    assert_eq!(out.status.code(), Some(1), "`desk-server audit verify` fails: {}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("the log was rewritten"));

    // A checkpoint signed with another key is not this server's.
    let other = tempfile::tempdir().unwrap();
    let forger = Checkpointer::open(other.path()).unwrap();
    forger.checkpoint(&*db, 4_000).await.unwrap();
    let r = verify(&*db, forger.file(), &key).await.unwrap();
    assert!(r.problem.as_deref().unwrap().contains("not signed"), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_events_are_caught() {
    let dir = tempfile::tempdir().unwrap();
    let (_url, db, pg) = log_with(4).await;
    let cp = Checkpointer::open(dir.path()).unwrap();
    cp.checkpoint(&*db, 2_000).await.unwrap();
    let pool = pg.pool();
    sqlx::query("ALTER TABLE audit_events DISABLE TRIGGER USER").execute(pool).await.unwrap();
    sqlx::query("DELETE FROM audit_events WHERE id = 4").execute(pool).await.unwrap();
    sqlx::query("UPDATE audit_head SET last_id = 3, hash = (SELECT hash FROM audit_events WHERE id = 3)").execute(pool).await.unwrap();
    sqlx::query("ALTER TABLE audit_events ENABLE TRIGGER USER").execute(pool).await.unwrap();
    assert!(audit::verify(&*db).await.unwrap().ok, "a truncated chain still verifies on its own");
    let r = verify(&*db, cp.file(), &cp.public_key()).await.unwrap();
    assert!(r.problem.as_deref().unwrap().contains("removed"), "{r:?}");
}
