//! `explain`: what the detector saw on one stored page. Re-runs extraction
//! and detection on the stored snapshot (detection is pure, so this is what
//! the crawl saw) and answers link liveness from the run's own records.

use crate::analysis::LivenessIndex;
use crate::analysis::{self, CityScope};
use crate::catalogue::Catalogue;
use crate::crawl;
use crate::detect::{self, Liveness};
use crate::extract::Extractor;
use crate::store::{RunRecord, Store, StoreError};
use crate::text::clip;
use std::fmt::Write as _;
use url::Url;

#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    #[error("{0} is not a URL: {1}")]
    BadUrl(String, String),
    #[error("{url} was not fetched in run {run}; `ozgcheck report --run {run} --format json` lists the evidence URLs")]
    NotInRun { url: String, run: String },
    #[error("{0} has no stored snapshot (the fetch failed or was not allowed): {1}")]
    NoSnapshot(String, String),
    #[error("{0} is not a page ozgcheck reads (neither HTML nor PDF)")]
    NotAPage(String),
    #[error("{0}: {1}")]
    Unreadable(String, String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ExplainError {
    /// The error in German words.
    pub fn de(&self) -> String {
        match self {
            ExplainError::BadUrl(u, e) => format!("{u} ist keine URL: {e}"),
            ExplainError::NotInRun { url, run } => format!(
                "{url} wurde im Lauf {run} nicht geladen; `ozgcheck report --run {run} --format json` listet die URLs der Belege"
            ),
            ExplainError::NoSnapshot(u, why) => format!(
                "zu {u} ist kein Snapshot gespeichert (Abruf gescheitert oder nicht erlaubt): {why}"
            ),
            ExplainError::NotAPage(u) => {
                format!("{u} ist keine Seite, die ozgcheck liest (weder HTML noch PDF)")
            }
            ExplainError::Unreadable(u, e) => format!("{u}: {e}"),
            ExplainError::Store(e) => e.de(),
        }
    }
}

pub fn explain(
    cat: &Catalogue,
    store: &Store,
    run: &RunRecord,
    raw_url: &str,
    full: bool,
) -> Result<String, ExplainError> {
    let parsed = Url::parse(raw_url.trim())
        .map_err(|e| ExplainError::BadUrl(raw_url.to_string(), e.to_string()))?;
    let canonical = crawl::url::canonical(&parsed, &cat.crawl).unwrap_or(parsed.clone());
    let record = match store.page(&run.id, canonical.as_str())? {
        Some(r) => r,
        None => store
            .page(&run.id, parsed.as_str())?
            .ok_or_else(|| ExplainError::NotInRun {
                url: raw_url.to_string(),
                run: run.id.to_string(),
            })?,
    };
    let sid = record.snapshot.clone().ok_or_else(|| {
        ExplainError::NoSnapshot(
            record.url.clone(),
            record
                .error
                .clone()
                .or(record.status.map(|s| format!("HTTP {s}")))
                .unwrap_or_default(),
        )
    })?;
    let bytes = store
        .snapshot(&sid)?
        .ok_or_else(|| ExplainError::NoSnapshot(record.url.clone(), "snapshot missing".into()))?;
    let url = Url::parse(&record.url).unwrap_or(parsed);
    let scope = CityScope::of_run(run);
    let ex = Extractor::new(&cat.page);
    let page = analysis::read(&ex, &scope, &url, &bytes, record.content_type.as_deref())
        .map_err(|e| ExplainError::Unreadable(record.url.clone(), e))?
        .ok_or_else(|| ExplainError::NotAPage(record.url.clone()))?;
    let f = analysis::findings_of(cat, &scope, &page, &url, record.fetched_at, &sid);
    let pages = store.pages(&run.id)?;
    let live = LivenessIndex::from_records(&pages);

    let mut o = String::new();
    let _ = writeln!(o, "URL        {}", record.url);
    let _ = writeln!(
        o,
        "run        {} ({}, {})",
        run.id,
        run.city,
        crate::report::rfc3339(run.started_at)
    );
    let _ = writeln!(
        o,
        "fetched    {} · HTTP {} · {} · snapshot {}",
        crate::report::rfc3339(record.fetched_at),
        record.status.map(|s| s.to_string()).unwrap_or_default(),
        record.content_type.as_deref().unwrap_or("?"),
        sid
    );
    let _ = writeln!(o, "title      {}", page.title);
    let _ = writeln!(o, "headings   {}", page.h1.join(" | "));
    if !page.breadcrumb.is_empty() {
        let _ = writeln!(o, "breadcrumb {}", page.breadcrumb);
    }
    let _ = writeln!(
        o,
        "main       {} ({} characters{})",
        if page.document {
            "document text"
        } else if page.main_found {
            "main-content element"
        } else {
            "body without boilerplate"
        },
        page.main_text.chars().count(),
        if f.news { "; a news item" } else { "" }
    );
    let _ = writeln!(o, "\n== main text");
    let shown = if full {
        page.main_text.clone()
    } else {
        clip(&page.main_text, 2000)
    };
    for line in shown.lines() {
        let _ = writeln!(o, "  {line}");
    }
    let _ = writeln!(o, "\n== about");
    if f.about.is_empty() {
        let _ = writeln!(o, "  (no service)");
    }
    for a in &f.about {
        let _ = writeln!(o, "  {}: {}", a.service, a.reasons.join("; "));
    }
    signals_section(&mut o, cat, &f, &live);
    sector_section(&mut o, cat, &f, &live);
    let _ = writeln!(o, "\n== links in the main content");
    for l in page.links.iter().filter(|l| l.span.is_some()) {
        let _ = writeln!(o, "  {:?} {:?} → {}", l.kind, clip(&l.text, 80), l.url);
    }
    for form in &page.forms {
        let _ = writeln!(
            o,
            "  form {} {} ({} fields{})",
            form.method.to_uppercase(),
            form.action,
            form.fields,
            if form.has_file_upload { ", upload" } else { "" }
        );
    }
    Ok(o)
}

/// What the page's signals of the services are, and whether their
/// targets answered.
fn signals_section(
    o: &mut String,
    cat: &Catalogue,
    f: &detect::PageFindings,
    live: &LivenessIndex,
) {
    let _ = writeln!(o, "\n== signals");
    if f.signals.is_empty() {
        let _ = writeln!(o, "  (none)");
    }
    for s in &f.signals {
        let _ = writeln!(
            o,
            "  [{}] level {} {:?}: {}",
            s.service, s.level, s.kind, s.rule
        );
        let _ = writeln!(o, "      excerpt: {}", s.excerpt);
        if s.kind == detect::SignalKind::ProseClaim {
            let _ = writeln!(
                o,
                "      basis:   claimed (the city's words; verified only by a form or portal that answers)"
            );
        }
        if let Some(t) = &s.target {
            let l = match live.liveness(&cat.crawl, t) {
                Liveness::Alive => "alive".to_string(),
                Liveness::Dead(why) => format!("dead ({why})"),
                Liveness::Unknown(why) => format!("not verified ({why})"),
                Liveness::NotAnApplication(why) => format!("alive, not an application ({why})"),
                Liveness::OwnPage { url, .. } => {
                    format!(
                        "alive, a page of the city ({url}): counts when it offers the application"
                    )
                }
            };
            let _ = writeln!(o, "      target:  {t} — {l}");
        }
        if let Some(c) = &s.cancelled {
            let _ = writeln!(o, "      NOT COUNTED: {c}");
        }
    }
}

/// The Verwaltung sector's signs on the page: which parameter, by which
/// rule, and what its target answered.
fn sector_section(o: &mut String, cat: &Catalogue, f: &detect::PageFindings, live: &LivenessIndex) {
    let _ = writeln!(
        o,
        "\n== Verwaltung (appointments, payment, portal, channels)"
    );
    if f.verwaltung.is_empty() {
        let _ = writeln!(o, "  (none)");
    }
    for s in &f.verwaltung {
        let _ = writeln!(o, "  [{}/{}] {}", s.indicator, s.parameter, s.rule);
        let _ = writeln!(o, "      excerpt: {}", s.excerpt);
        match &s.target {
            Some(t) => {
                let l = match live.liveness(&cat.crawl, t) {
                    Liveness::Alive | Liveness::OwnPage { .. } => "alive: verified".to_string(),
                    Liveness::Dead(why) => format!("dead ({why}): contradicts, no credit"),
                    Liveness::Unknown(why) | Liveness::NotAnApplication(why) => {
                        format!("not checked ({why}): claimed")
                    }
                };
                let _ = writeln!(o, "      target:  {t} — {l}");
            }
            None => {
                let _ = writeln!(o, "      basis:   claimed (the city's words)");
            }
        }
        if let Some(c) = &s.cancelled {
            let _ = writeln!(o, "      NOT COUNTED: {c}");
        }
    }
}
