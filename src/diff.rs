//! Differences between two runs of the same city: services whose level
//! changed, evidence pages that appeared or vanished, evidence pages whose
//! extracted main text changed (a line diff of the text, never of the raw
//! HTML, so markup and footer noise stay quiet), and portal links that went
//! dead. Reads the store only.

use crate::analysis::LivenessIndex;
use crate::catalogue::Catalogue;
use crate::detect::{Liveness, ServiceVerdict};
use crate::extract::{self, Extractor};
use crate::report::RunHeader;
use crate::store::{PageRecord, RunRecord, Store, StoreError};
use crate::types::Level;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

#[derive(Debug, Clone, Serialize)]
pub struct ServiceDiff {
    pub service: String,
    pub name: String,
    pub from_level: u8,
    pub to_level: u8,
    pub evidence_added: Vec<String>,
    pub evidence_removed: Vec<String>,
    pub text_changed: Vec<String>,
    /// Line diffs of the changed texts, by URL (`-`/`+` lines).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub text_diffs: Vec<TextDiff>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TextDiff {
    pub url: String,
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub schema: &'static str,
    pub from: RunHeader,
    pub to: RunHeader,
    pub services: Vec<ServiceDiff>,
    pub dead_links: Vec<String>,
    /// The Verwaltung sector's parameters that changed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub verwaltung: Vec<crate::verwaltung::diff::ParameterDiff>,
}

impl Diff {
    /// Whether anything that matters changed (the exit code of `diff`).
    pub fn changed(&self) -> bool {
        !self.services.is_empty() || !self.dead_links.is_empty() || !self.verwaltung.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("runs of different cities cannot be compared: {0} and {1}")]
    DifferentCities(String, String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Main text of a stored page, for comparison; None when not readable.
fn main_text(store: &Store, ex: &Extractor, page: Option<&PageRecord>) -> Option<String> {
    let p = page?;
    let sid = p.snapshot.as_ref()?;
    let bytes = store.snapshot(sid).ok()??;
    let url = url::Url::parse(&p.url).ok()?;
    let page = extract::read_page(ex, &url, &bytes, p.content_type.as_deref(), false).ok()??;
    Some(page.main_text)
}

fn line_diff(a: &str, b: &str) -> Vec<String> {
    let d = similar::TextDiff::from_lines(a, b);
    d.iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .map(|c| {
            let sign = if c.tag() == similar::ChangeTag::Delete {
                '-'
            } else {
                '+'
            };
            format!("{sign} {}", c.value().trim_end())
        })
        .take(200)
        .collect()
}

pub fn diff(
    cat: &Catalogue,
    store: &Store,
    a: &RunRecord,
    b: &RunRecord,
) -> Result<Diff, DiffError> {
    if a.city != b.city {
        return Err(DiffError::DifferentCities(a.city.clone(), b.city.clone()));
    }
    let (va, _) = crate::analysis::verdicts_of(cat, store, a)?;
    let (vb, _) = crate::analysis::verdicts_of(cat, store, b)?;
    let pa = store.pages(&a.id)?;
    let pb = store.pages(&b.id)?;
    let ia: HashMap<&str, &PageRecord> = pa.iter().map(|p| (p.url.as_str(), p)).collect();
    let ib: HashMap<&str, &PageRecord> = pb.iter().map(|p| (p.url.as_str(), p)).collect();
    let ex = Extractor::new(&cat.page);
    let mut services = Vec::new();
    let find = |v: &[ServiceVerdict], id: &crate::types::ServiceId| {
        v.iter().find(|x| &x.service == id).cloned()
    };
    for svc in &cat.services {
        let x = find(&va, &svc.id);
        let y = find(&vb, &svc.id);
        let la = x.as_ref().map(|v| v.level).unwrap_or(Level::Offline);
        let lb = y.as_ref().map(|v| v.level).unwrap_or(Level::Offline);
        let urls = |v: &Option<ServiceVerdict>| -> BTreeSet<String> {
            v.as_ref()
                .map(|v| v.evidence.iter().map(|e| e.url.clone()).collect())
                .unwrap_or_default()
        };
        let (ua, ub) = (urls(&x), urls(&y));
        let added: Vec<String> = ub.difference(&ua).cloned().collect();
        let removed: Vec<String> = ua.difference(&ub).cloned().collect();
        let mut changed = Vec::new();
        let mut diffs = Vec::new();
        for u in ua.intersection(&ub) {
            let (Some(ra), Some(rb)) = (ia.get(u.as_str()), ib.get(u.as_str())) else {
                continue;
            };
            // Same bytes, same text; a failed fetch is never a change.
            if ra.snapshot == rb.snapshot || rb.snapshot.is_none() || ra.snapshot.is_none() {
                continue;
            }
            let (Some(ta), Some(tb)) = (
                main_text(store, &ex, Some(ra)),
                main_text(store, &ex, Some(rb)),
            ) else {
                continue;
            };
            let norm = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
            if norm(&ta) != norm(&tb) {
                changed.push(u.clone());
                diffs.push(TextDiff {
                    url: u.clone(),
                    lines: line_diff(&ta, &tb),
                });
            }
        }
        if la != lb || !added.is_empty() || !removed.is_empty() || !changed.is_empty() {
            services.push(ServiceDiff {
                service: svc.id.to_string(),
                name: svc.name.clone(),
                from_level: la.as_u8(),
                to_level: lb.as_u8(),
                evidence_added: added,
                evidence_removed: removed,
                text_changed: changed,
                text_diffs: diffs,
            });
        }
    }
    // Link targets of signals that were alive before and are dead now.
    let la = LivenessIndex::from_records(&pa);
    let lb = LivenessIndex::from_records(&pb);
    let targets = |run: &RunRecord| -> Result<BTreeSet<String>, StoreError> {
        Ok(store
            .findings(&run.id)?
            .iter()
            .flat_map(|f| f.signals.iter().filter_map(|s| s.target.clone()))
            .collect())
    };
    let mut dead_links = Vec::new();
    for t in targets(a)?.intersection(&targets(b)?) {
        let was = la.liveness(&cat.crawl, t);
        let now = lb.liveness(&cat.crawl, t);
        if was == Liveness::Alive && matches!(now, Liveness::Dead(_)) {
            dead_links.push(t.clone());
        }
    }
    let verwaltung = crate::verwaltung::diff::changes(
        &crate::verwaltung::of_run(cat, store, a)?,
        &crate::verwaltung::of_run(cat, store, b)?,
    );
    Ok(Diff {
        schema: "ozgcheck/diff/v1",
        from: RunHeader::of(a),
        to: RunHeader::of(b),
        services,
        dead_links,
        verwaltung,
    })
}

/// Table (colour on a terminal) or Markdown.
pub fn render(d: &Diff, markdown: bool, colour: bool) -> String {
    let (red, green, off) = if colour && !markdown {
        ("\x1b[31m", "\x1b[32m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    let mut o = String::new();
    let h = if markdown { "## " } else { "" };
    let _ = writeln!(
        o,
        "{h}{}: {} ({}) → {} ({})",
        d.from.city, d.from.id, d.from.started_at, d.to.id, d.to.started_at
    );
    if !d.changed() {
        let _ = writeln!(
            o,
            "\nKeine Änderungen an Reifegraden, Belegen oder Portal-Links."
        );
        return o;
    }
    for s in &d.services {
        let arrow = match s.to_level.cmp(&s.from_level) {
            std::cmp::Ordering::Greater => format!("{green}{} → {}{off}", s.from_level, s.to_level),
            std::cmp::Ordering::Less => format!("{red}{} → {}{off}", s.from_level, s.to_level),
            std::cmp::Ordering::Equal => format!("{} = {}", s.from_level, s.to_level),
        };
        let _ = writeln!(o, "\n{h}{} ({}): Reifegrad {arrow}", s.name, s.service);
        for u in &s.evidence_added {
            let _ = writeln!(o, "  {green}+ Beleg{off} {u}");
        }
        for u in &s.evidence_removed {
            let _ = writeln!(o, "  {red}- Beleg{off} {u}");
        }
        for t in &s.text_diffs {
            let _ = writeln!(o, "  ~ Text geändert: {}", t.url);
            if markdown {
                let _ = writeln!(o, "\n```diff");
            }
            for l in t.lines.iter().take(40) {
                let c = if l.starts_with('-') { red } else { green };
                let _ = writeln!(o, "    {c}{l}{off}");
            }
            if markdown {
                let _ = writeln!(o, "```\n");
            }
        }
    }
    if !d.verwaltung.is_empty() {
        let _ = writeln!(
            o,
            "\n{h}Verwaltung: Terminvergabe, Bezahlen, Portal, Kanäle"
        );
        let state = |found: bool, basis: Option<&str>| match (found, basis) {
            (false, _) => "nein",
            (true, Some("claimed")) => "ja (behauptet)",
            (true, _) => "ja (geprüft)",
        };
        for p in &d.verwaltung {
            let c = if p.to_found && !p.from_found {
                green
            } else if p.from_found && !p.to_found {
                red
            } else {
                ""
            };
            let _ = writeln!(
                o,
                "  {c}{}{off} ({}/{}): {} → {}",
                p.name,
                p.indicator,
                p.parameter,
                state(p.from_found, p.from_basis),
                state(p.to_found, p.to_basis)
            );
            for u in &p.evidence_added {
                let _ = writeln!(o, "    {green}+ Beleg{off} {u}");
            }
            for u in &p.evidence_removed {
                let _ = writeln!(o, "    {red}- Beleg{off} {u}");
            }
        }
    }
    if !d.dead_links.is_empty() {
        let _ = writeln!(o, "\n{h}Portal-Links, die nicht mehr antworten");
        for u in &d.dead_links {
            let _ = writeln!(o, "  {red}✗{off} {u}");
        }
    }
    o
}
