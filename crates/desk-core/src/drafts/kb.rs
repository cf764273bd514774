//! The knowledge base: a folder of Markdown articles, split into passages and indexed with
//! the store's text search (FTS5 on SQLite, a tsvector on PostgreSQL). The starter articles (from `kb/` in the repository) are bundled into the binary
//! and installed into the data directory on first run, where people can edit them.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::record::KbArticleRecord;
use crate::storage::Database;
use crate::store::Result;

include!(concat!(env!("OUT_DIR"), "/kb_bundle.rs"));

/// One retrieved passage, as cited under a draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Passage {
    pub article_id: String,
    pub title: String,
    pub heading: String,
    pub text: String,
    /// Share of the query's words found in the passage (0..1).
    pub coverage: f64,
    /// The article is about the query: one of its words is in the article's title or keywords,
    /// or the article is written for the handoff's intent. Only a topical policy is quoted to a
    /// customer (a word that happens to occur in its text is not enough).
    #[serde(default)]
    pub topical: bool,
}

/// What a reindex did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct KbReport {
    #[ts(type = "number")]
    pub articles: i64,
    #[ts(type = "number")]
    pub passages: i64,
    pub changed: bool,
    pub errors: Vec<String>,
}

/// Writes the starter articles into `dir` when it does not exist yet.
pub fn install_starter(dir: &Path) -> std::io::Result<bool> {
    if dir.exists() {
        return Ok(false);
    }
    for (rel, text) in STARTER_KB {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    Ok(true)
}

struct Article {
    keywords: String,
    id: String,
    path: String,
    title: String,
    intent: Option<String>,
    body: String,
    sha: String,
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "md") && !p.file_name().is_some_and(|n| n.eq_ignore_ascii_case("README.md")) {
            out.push(p);
        }
    }
}

fn parse(rel: &str, text: &str) -> Article {
    let mut id = rel.trim_end_matches(".md").to_owned();
    let mut title = None;
    let mut intent = None;
    let mut keywords = String::new();
    let mut body = text;
    if let Some(rest) = text.strip_prefix("---\n") {
        if let Some(end) = rest.find("\n---") {
            for line in rest[..end].lines() {
                if let Some((k, v)) = line.split_once(':') {
                    let v = v.trim().to_owned();
                    match k.trim() {
                        "id" => id = v,
                        "title" => title = Some(v),
                        "intent" => intent = Some(v),
                        "keywords" => keywords = v,
                        _ => {}
                    }
                }
            }
            body = rest[end + 4..].trim_start_matches('-').trim_start();
        }
    }
    let title = title
        .or_else(|| body.lines().find_map(|l| l.strip_prefix("# ").map(str::to_owned)))
        .unwrap_or_else(|| id.clone());
    Article { keywords, id, path: rel.to_owned(), title, intent, body: body.to_owned(), sha: hex::encode(Sha256::digest(text.as_bytes())) }
}

/// How passages are cut (2: paragraphs kept apart). Bump it when [`passages`] changes.
const INDEX_FORMAT: &str = "2";
const INDEX_FORMAT_KEY: &str = "kb.index_format";

/// Passages: the text under each heading, paragraphs separated by a blank line, at most ~700
/// characters each.
fn passages(a: &Article) -> Vec<(String, String)> {
    let mut out = vec![];
    let mut heading = a.title.clone();
    let mut current = String::new();
    let flush = |heading: &str, current: &mut String, out: &mut Vec<(String, String)>| {
        let t = current.trim();
        if !t.is_empty() {
            out.push((heading.to_owned(), t.to_owned()));
        }
        current.clear();
    };
    for line in a.body.lines() {
        if let Some(h) = line.strip_prefix("## ").or_else(|| line.strip_prefix("# ")) {
            flush(&heading, &mut current, &mut out);
            heading = h.trim().to_owned();
            continue;
        }
        if line.trim().is_empty() {
            if current.len() > 400 {
                flush(&heading, &mut current, &mut out);
            } else if !current.is_empty() && !current.ends_with("\n\n") {
                current.push_str("\n\n"); // paragraphs stay apart: a draft quotes only the first
            }
            continue;
        }
        if !current.is_empty() && !current.ends_with("\n\n") {
            current.push(' ');
        }
        current.push_str(line.trim());
    }
    flush(&heading, &mut current, &mut out);
    out
}

const STOPWORDS: &[&str] = &[
    "a", "an", "the", "i", "me", "my", "we", "our", "you", "your", "it", "its", "is", "are", "was", "were", "be", "been", "am", "do",
    "does", "did", "to", "of", "in", "on", "for", "with", "and", "or", "but", "so", "if", "at", "by", "from", "this", "that", "these",
    "those", "can", "could", "would", "should", "will", "please", "hi", "hello", "thanks", "thank", "want", "need", "like", "just",
    "get", "got", "have", "has", "had", "not", "no", "yes", "what", "when", "where", "how", "why", "who", "which", "there", "here",
    "about", "any", "some", "all", "im", "i'm", "it's", "dont", "don't", "can't", "cant", "help", "know", "one", "up", "out",
];

/// The words of a query worth searching for.
pub fn query_terms(text: &str) -> Vec<String> {
    let mut terms: Vec<String> = text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2 && !STOPWORDS.contains(w) && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_owned)
        .collect();
    terms.dedup();
    let mut seen = std::collections::HashSet::new();
    terms.retain(|t| seen.insert(t.clone()));
    terms.truncate(24);
    terms
}

fn stem(w: &str) -> &str {
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(s) = w.strip_suffix(suffix) {
            if s.len() >= 4 {
                return s;
            }
        }
    }
    w
}

/// Indexes every Markdown article under `dir` (README.md excepted); skips the work when
/// nothing changed. One unreadable file is reported and the rest still index.
pub async fn reindex(db: &dyn Database, dir: &Path) -> Result<KbReport> {
    let mut files = vec![];
    collect(dir, &mut files);
    let mut errors = vec![];
    let mut articles = vec![];
    for f in &files {
        let rel = f.strip_prefix(dir).unwrap_or(f).to_string_lossy().replace('\\', "/");
        match std::fs::read_to_string(f) {
            Ok(text) => articles.push(parse(&rel, &text)),
            Err(e) => errors.push(format!("{rel}: {e}")),
        }
    }
    let mut wanted: Vec<(String, String)> = articles.iter().map(|a| (a.id.clone(), a.sha.clone())).collect();
    wanted.sort();
    // A new way of cutting passages rebuilds the index even when no file changed.
    let format_changed = db.meta(INDEX_FORMAT_KEY).await?.as_deref() != Some(INDEX_FORMAT);
    let changed = db.kb_fingerprint().await? != wanted || format_changed;
    if changed {
        let mut seen = std::collections::HashSet::new();
        let mut records = vec![];
        for a in articles {
            if !seen.insert(a.id.clone()) {
                errors.push(format!("{}: duplicate article id {}", a.path, a.id));
                continue;
            }
            let passages = passages(&a);
            records.push(KbArticleRecord { id: a.id, path: a.path, title: a.title, intent: a.intent, keywords: a.keywords, body: a.body, sha256: a.sha, passages });
        }
        db.kb_replace(&records).await?;
        db.set_meta(INDEX_FORMAT_KEY, INDEX_FORMAT).await?;
    }
    let (n_articles, n_passages) = db.kb_counts().await?;
    Ok(KbReport { articles: n_articles, passages: n_passages, changed, errors })
}

/// The best passages for a query: the store's text search (any word), then scored by how many
/// of the query's words each passage covers; an article whose intent matches gets a boost.
/// Coverage counts only the words of `query` (the customer's message); the intent's words
/// widen the search and boost articles written for that intent.
pub async fn search(db: &dyn Database, query: &str, intent: Option<&str>, limit: usize) -> Result<Vec<Passage>> {
    let terms = query_terms(query);
    if terms.is_empty() {
        return Ok(vec![]);
    }
    let mut search_terms = terms.clone();
    if let Some(i) = intent {
        search_terms.extend(query_terms(&i.replace('_', " ")));
    }
    let rows = db.kb_candidates(&search_terms, 40).await?;
    let mut scored: Vec<(f64, Passage)> = rows
        .into_iter()
        .map(|c| {
            let hay = format!("{} {} {}", c.indexed_title, c.heading, c.text).to_lowercase();
            let covered = terms.iter().filter(|t| hay.contains(stem(t))).count();
            let coverage = covered as f64 / terms.len() as f64;
            let same_intent = matches!((intent, &c.intent), (Some(i), Some(ai)) if i == ai);
            let intent_boost = if same_intent { 0.5 } else { 0.0 };
            // Whole words of the title and keywords ("car" is not "card", "date" not "update").
            let about = c.indexed_title.to_lowercase();
            let about: std::collections::HashSet<&str> = about.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(stem).collect();
            let topical = same_intent || terms.iter().any(|t| about.contains(stem(t)));
            let passage = Passage { article_id: c.article_id, title: c.title, heading: c.heading, text: c.text, coverage, topical };
            (coverage * 0.5 + intent_boost + c.relevance * 0.15, passage)
        })
        .collect();
    scored.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    let mut out: Vec<Passage> = vec![];
    for (_, p) in scored {
        if out.iter().any(|q| q.article_id == p.article_id) {
            continue; // one passage per article
        }
        out.push(p);
        if out.len() == limit {
            break;
        }
    }
    Ok(out)
}
