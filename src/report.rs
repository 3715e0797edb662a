//! Reports of one run: the contract's JSON (`ozgcheck/report/v1`) and a
//! human table with German service names. Reads the store, never the network.

use crate::catalogue::Catalogue;
use crate::detect::{Evidence, ServiceVerdict};
use crate::store::{RunRecord, Store, StoreError};
use crate::types::Level;
use serde::Serialize;
use std::fmt::Write as _;

pub const REPORT_SCHEMA: &str = "ozgcheck/report/v1";

/// The run header as the contract shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RunHeader {
    pub id: String,
    pub city: String,
    pub state: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: &'static str,
    pub pages_fetched: u64,
    pub label: Option<String>,
}

impl RunHeader {
    pub fn of(r: &RunRecord) -> Self {
        RunHeader {
            id: r.id.to_string(),
            city: r.city.clone(),
            state: r.state.to_string(),
            started_at: rfc3339(r.started_at),
            finished_at: r.finished_at.map(rfc3339),
            status: r.status.public(),
            pages_fetched: r.stats.pages_fetched,
            label: r.label.clone(),
        }
    }
}

/// RFC 3339 in UTC with second precision.
pub fn rfc3339(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceOut {
    pub url: String,
    pub fetched_at: String,
    pub level: u8,
    pub signals: Vec<String>,
    pub excerpt: String,
    pub snapshot: String,
}

impl EvidenceOut {
    pub fn of(e: &Evidence) -> Self {
        EvidenceOut {
            url: e.url.clone(),
            fetched_at: rfc3339(e.fetched_at),
            level: e.level.as_u8(),
            signals: e.signals.clone(),
            excerpt: e.excerpt.clone(),
            snapshot: e.snapshot.to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceOut {
    pub id: String,
    pub name: String,
    pub level: u8,
    pub online: bool,
    pub evidence: Vec<EvidenceOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub run: RunHeader,
    pub services: Vec<ServiceOut>,
}

/// The threshold the index uses by default: online means level ≥ 3.
pub const ONLINE_FROM: Level = Level::Online;

/// Build the report of a run: every catalogue service exactly once, in
/// catalogue order; services without a stored verdict are level 0.
pub fn build(cat: &Catalogue, store: &Store, run: &RunRecord) -> Result<Report, StoreError> {
    let verdicts = store.verdicts(&run.id)?;
    Ok(assemble(cat, run, &verdicts))
}

pub fn assemble(cat: &Catalogue, run: &RunRecord, verdicts: &[ServiceVerdict]) -> Report {
    let services = cat
        .services
        .iter()
        .map(|svc| {
            let v = verdicts.iter().find(|v| v.service == svc.id);
            let level = v.map(|v| v.level).unwrap_or(Level::Offline);
            ServiceOut {
                id: svc.id.to_string(),
                name: svc.name.clone(),
                level: level.as_u8(),
                online: level >= ONLINE_FROM,
                evidence: v
                    .map(|v| v.evidence.iter().map(EvidenceOut::of).collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    Report {
        schema: REPORT_SCHEMA,
        run: RunHeader::of(run),
        services,
    }
}

pub fn to_json(r: &Report) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default() + "\n"
}

/// A table for people: one line per service, German names, the best evidence URL.
pub fn to_table(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}) · Lauf {} · {} · {} Seiten · Status {}",
        r.run.city, r.run.state, r.run.id, r.run.started_at, r.run.pages_fetched, r.run.status
    );
    let name_w = r
        .services
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(10)
        .max(8);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<name_w$}  {:<24}  {:<6}  Beleg",
        "Leistung", "Reifegrad", "online"
    );
    let _ = writeln!(out, "{}", "-".repeat(name_w + 2 + 24 + 2 + 6 + 2 + 40));
    for s in &r.services {
        let level = Level::try_from(s.level).unwrap_or(Level::Offline);
        let best = s.evidence.first().map(|e| e.url.as_str()).unwrap_or("–");
        let pad = name_w.saturating_sub(s.name.chars().count());
        let _ = writeln!(
            out,
            "{}{}  {:<24}  {:<6}  {}",
            s.name,
            " ".repeat(pad),
            format!("{} {}", s.level, level.name_de()),
            if s.online { "ja" } else { "nein" },
            best
        );
    }
    let online = r.services.iter().filter(|s| s.online).count();
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{online} von {} Leistungen online (Reifegrad ≥ 3).",
        r.services.len()
    );
    out
}
