//! The analysis stage: from a fetched document's bytes and the city it was
//! fetched for to what the rest of the program keeps of it (findings, links,
//! whether it is a news item or offers an application itself).
//!
//! One recipe (read → judge) used by the crawler, `reanalyze` and `explain`,
//! so all three see a page the same way. Pure: no network, and the store is
//! touched only for the analysis cache ([`cached`]).

use crate::catalogue::{host_matches, Catalogue};
use crate::detect::{self, Context, PageFindings};
use crate::extract::{self, Extractor, Page};
use crate::store::{CachedAnalysis, FetchKind, RunRecord, Store};
use crate::types::{SnapshotId, State};
use url::Url;

/// The city a page is judged for: its state (for portals) and the hosts of
/// its own web presence.
#[derive(Debug, Clone)]
pub struct CityScope {
    pub state: State,
    pub hosts: Vec<String>,
}

impl CityScope {
    pub fn of_profile(p: &crate::profile::Profile) -> Self {
        CityScope {
            state: p.state,
            hosts: p.scope.clone(),
        }
    }

    /// The scope a stored run was crawled with.
    pub fn of_run(r: &RunRecord) -> Self {
        CityScope {
            state: r.state,
            hosts: r.settings.scope.clone(),
        }
    }

    pub fn contains(&self, host: &str) -> bool {
        self.hosts.iter().any(|p| host_matches(p, host))
    }
}

/// What one document gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageAnalysis {
    /// Findings of a page of the city's own scope about some service;
    /// `None` for other hosts (only their liveness counts) and empty pages.
    pub findings: Option<PageFindings>,
    /// Links with their text (only for [`FetchKind::Page`]).
    pub links: Vec<(Url, String)>,
    pub news: bool,
    /// The page itself holds an application form or a portal login.
    pub offers_application: bool,
    /// A page of the city's own scope that was read (not only checked alive).
    pub own_page: bool,
}

impl PageAnalysis {
    pub fn to_cached(&self) -> CachedAnalysis {
        CachedAnalysis {
            findings: self.findings.clone(),
            links: self
                .links
                .iter()
                .map(|(u, t)| (u.to_string(), t.clone()))
                .collect(),
            news: self.news,
            offers_application: self.offers_application,
            own_page: Some(self.own_page),
        }
    }

    fn from_cached(c: CachedAnalysis, kind: FetchKind, in_scope: bool) -> Self {
        PageAnalysis {
            findings: c.findings,
            links: if kind == FetchKind::Page {
                c.links
                    .iter()
                    .filter_map(|(u, t)| Url::parse(u).ok().map(|u| (u, t.clone())))
                    .collect()
            } else {
                Vec::new()
            },
            news: c.news,
            offers_application: c.offers_application,
            // Entries written before `own_page` was kept: as then.
            own_page: c.own_page.unwrap_or(in_scope),
        }
    }
}

/// Bytes → [`Page`]. Only the city's own PDFs are read; other documents
/// only prove liveness. `Ok(None)`: not a page ozgcheck reads.
pub fn read(
    ex: &Extractor,
    scope: &CityScope,
    url: &Url,
    bytes: &[u8],
    content_type: Option<&str>,
) -> Result<Option<Page>, String> {
    let own = scope.contains(url.host_str().unwrap_or_default());
    extract::read_page(ex, url, bytes, content_type, own)
}

/// A read page → findings and what the link resolver needs to know of it.
pub fn judge(
    cat: &Catalogue,
    scope: &CityScope,
    kind: FetchKind,
    page: &Page,
    url: &Url,
    fetched_at: jiff::Timestamp,
    snapshot: &SnapshotId,
) -> PageAnalysis {
    let in_scope = |h: &str| scope.contains(h);
    let ctx = Context {
        state: scope.state,
        in_scope: &in_scope,
    };
    let f = detect::analyze(cat, &ctx, page, url, fetched_at, snapshot.clone());
    let own_page = in_scope(url.host_str().unwrap_or_default());
    PageAnalysis {
        links: if kind == FetchKind::Page {
            page.links
                .iter()
                .map(|l| (l.url.clone(), l.text.clone()))
                .collect()
        } else {
            Vec::new()
        },
        news: f.news,
        // Its own links do not count: they are judged where they lead.
        offers_application: f.application_form
            || page
                .forms
                .iter()
                .any(|f| f.has_file_upload || f.has_password),
        own_page,
        // Findings of pages outside the city's scope (portals behind a
        // liveness check) are not the city's evidence.
        findings: (!f.is_empty() && own_page).then_some(f),
    }
}

/// Everything about one stored document that the analysis needs.
pub struct Document<'a> {
    pub kind: FetchKind,
    pub url: &'a Url,
    pub content_type: Option<&'a str>,
    pub fetched_at: jiff::Timestamp,
    pub snapshot: &'a SnapshotId,
}

/// Analyse a document, from the cache when the same catalogue already judged
/// the same bytes at the same URL for the same city. `bytes` is called only
/// on a cache miss (a 304 needs its snapshot read only then).
pub fn cached(
    store: &Store,
    cat: &Catalogue,
    ex: &Extractor,
    scope: &CityScope,
    doc: &Document<'_>,
    bytes: &mut dyn FnMut() -> Vec<u8>,
) -> PageAnalysis {
    if let Some(a) = lookup(store, cat, scope, doc) {
        return a;
    }
    let key = cache_key(cat, scope, doc);
    let body = bytes();
    let a = match read(ex, scope, doc.url, &body, doc.content_type) {
        Ok(Some(page)) => judge(
            cat,
            scope,
            doc.kind,
            &page,
            doc.url,
            doc.fetched_at,
            doc.snapshot,
        ),
        // Not a page ozgcheck reads: not one of the city's read pages either.
        Ok(None) => PageAnalysis::default(),
        Err(e) => {
            tracing::info!("{}: {e}", doc.url);
            PageAnalysis::default()
        }
    };
    // No bytes (a snapshot that could not be read) is not a judgement.
    if !body.is_empty() {
        let _ = store.put_analysis(&key, &a.to_cached());
    }
    a
}

/// The stored analysis of a document, if the same catalogue already judged
/// it for the same city (no parsing).
pub fn lookup(
    store: &Store,
    cat: &Catalogue,
    scope: &CityScope,
    doc: &Document<'_>,
) -> Option<PageAnalysis> {
    let c = store.analysis(&cache_key(cat, scope, doc)).ok().flatten()?;
    let in_scope = scope.contains(doc.url.host_str().unwrap_or_default());
    let mut a = PageAnalysis::from_cached(c, doc.kind, in_scope);
    if let Some(f) = &mut a.findings {
        f.fetched_at = doc.fetched_at;
    }
    Some(a)
}

fn cache_key(cat: &Catalogue, scope: &CityScope, doc: &Document<'_>) -> String {
    let mut h = blake3::Hasher::new();
    // Probes keep no links, pages do: the kind is part of the key.
    let kind = match doc.kind {
        FetchKind::Page => "page",
        FetchKind::Probe => "probe",
        FetchKind::Sitemap => "sitemap",
    };
    for part in [
        kind,
        cat.fingerprint.as_str(),
        scope.state.code(),
        &scope.hosts.join(","),
        doc.url.as_str(),
        doc.snapshot.as_str(),
    ] {
        h.update(part.as_bytes());
        h.update(b"\0");
    }
    h.finalize().to_hex().to_string()
}
