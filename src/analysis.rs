//! The analysis stage: from a fetched document's bytes and the city it was
//! fetched for to what the rest of the program keeps of it (findings, links,
//! whether it is a news item or offers an application itself).
//!
//! One recipe (read → judge) used by the crawler, `reanalyze` and `explain`,
//! so all three see a page the same way; and the liveness of link targets
//! as a run's records answer it ([`LivenessIndex`]), with which stored
//! findings become verdicts at any time ([`verdicts_of`]). No network.

use crate::catalogue::{host_matches, Catalogue};
use crate::detect::{self, Claim, Context, Liveness, PageFindings, ServiceVerdict};
use crate::extract::{self, Extractor, Page};
use crate::store::{
    CachedAnalysis, FetchKind, PageRecord, RunRecord, RunStatus, Store, StoreError,
};
use crate::types::{SnapshotId, State};
use std::collections::HashMap;
use url::Url;

/// The city a page is judged for: its state (for portals) and the hosts of
/// its own web presence.
#[derive(Debug, Clone)]
pub struct CityScope {
    /// The city's name: its own channels carry it.
    pub name: String,
    pub state: State,
    pub hosts: Vec<String>,
}

impl CityScope {
    pub fn of_profile(p: &crate::profile::Profile) -> Self {
        CityScope {
            name: p.name.clone(),
            state: p.state,
            hosts: p.scope.clone(),
        }
    }

    /// The scope a stored run was crawled with.
    pub fn of_run(r: &RunRecord) -> Self {
        CityScope {
            name: r.city.clone(),
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

/// A read page → its findings, judged for the city it was fetched for: the
/// one place where a page meets the detector (the crawl, `explain` and
/// `audit` alike), so what they show cannot drift apart.
pub fn findings_of(
    cat: &Catalogue,
    scope: &CityScope,
    page: &Page,
    url: &Url,
    fetched_at: jiff::Timestamp,
    snapshot: &SnapshotId,
) -> PageFindings {
    let in_scope = |h: &str| scope.contains(h);
    let ctx = Context {
        state: scope.state,
        city: &scope.name,
        in_scope: &in_scope,
    };
    detect::analyze(cat, &ctx, page, url, fetched_at, snapshot.clone())
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
    let f = findings_of(cat, scope, page, url, fetched_at, snapshot);
    let own_page = scope.contains(url.host_str().unwrap_or_default());
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
    /// The snapshot was stored just now: no analysis of it can be cached,
    /// so the cache is not asked (a lookup pulls database pages into memory).
    pub new_snapshot: bool,
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
    if !doc.new_snapshot {
        if let Some(a) = lookup(store, cat, scope, doc) {
            return a;
        }
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
        &scope.name,
        &scope.hosts.join(","),
        doc.url.as_str(),
        doc.snapshot.as_str(),
    ] {
        h.update(part.as_bytes());
        h.update(b"\0");
    }
    h.finalize().to_hex().to_string()
}

/// What a URL's fetch gave, kept in memory to answer liveness questions.
#[derive(Clone)]
struct Seen {
    news: bool,
    own_page: bool,
    offers_application: bool,
    status: Option<u16>,
    location: Option<String>,
    error: Option<String>,
    robots_excluded: bool,
    unreachable: bool,
}

impl Seen {
    fn of(r: &PageRecord) -> Self {
        Seen {
            news: r.news,
            own_page: r.own_page,
            offers_application: r.offers_application,
            status: r.status,
            location: r.location.clone(),
            error: r.error.clone(),
            robots_excluded: matches!(
                r.unfetched(),
                Some(crate::store::Unfetched::Robots | crate::store::Unfetched::Unreachable)
            ),
            unreachable: r.unfetched() == Some(crate::store::Unfetched::Unreachable),
        }
    }
}

/// The answers of a run's requests by canonical URL: whether a link target
/// proved alive, following recorded redirects.
#[derive(Default)]
pub struct LivenessIndex {
    seen: HashMap<String, Seen>,
}

impl LivenessIndex {
    /// Build from stored page records (for `explain` and re-scoring).
    pub fn from_records(pages: &[PageRecord]) -> Self {
        let mut ix = LivenessIndex::default();
        for p in pages {
            ix.insert(p);
        }
        ix
    }

    pub fn insert(&mut self, r: &PageRecord) {
        self.seen.insert(r.url.clone(), Seen::of(r));
    }

    pub fn contains(&self, url: &str) -> bool {
        self.seen.contains_key(url)
    }

    /// Whether a target's host did not answer at all in this run (the
    /// target itself, as recorded; not followed through redirects).
    pub fn unreachable(&self, rules: &crate::catalogue::CrawlRules, target: &str) -> bool {
        Url::parse(target)
            .ok()
            .and_then(|u| crate::crawl::url::canonical(&u, rules))
            .and_then(|u| self.seen.get(u.as_str()))
            .is_some_and(|s| s.unreachable)
    }

    /// Follow a target through recorded redirects to its final answer.
    pub fn liveness(&self, rules: &crate::catalogue::CrawlRules, target: &str) -> Liveness {
        self.answer(rules, target, Claim::Reachable)
    }

    /// Follow a target through recorded redirects and judge it by what the
    /// link claims: a link to the application must not end on a news item
    /// (nor, on the city's own sites, on a page that does not offer it); a
    /// frame must hold an application form.
    pub fn answer(
        &self,
        rules: &crate::catalogue::CrawlRules,
        target: &str,
        claim: Claim,
    ) -> Liveness {
        let canon = |s: &str| {
            Url::parse(s)
                .ok()
                .and_then(|u| crate::crawl::url::canonical(&u, rules))
                .map(|u| u.to_string())
        };
        let Some(mut current) = canon(target) else {
            return Liveness::Dead("not an http(s) URL".into());
        };
        for _ in 0..10 {
            let Some(s) = self.seen.get(&current) else {
                return Liveness::Unknown("not checked in this run".into());
            };
            if s.robots_excluded {
                return Liveness::Unknown(s.error.clone().unwrap_or_else(|| "robots.txt".into()));
            }
            match (s.status, &s.location) {
                (Some(st), _) if (200..300).contains(&st) || st == 304 => {
                    // A link that leads to a news item announces the service;
                    // the news item is not the application. A same-site link
                    // holds only when the page it leads to offers the
                    // application for the same service (`detect::verdicts`).
                    return match claim {
                        Claim::Reachable => Liveness::Alive,
                        _ if s.news => {
                            Liveness::NotAnApplication("the target is a news item".into())
                        }
                        _ if s.own_page => Liveness::OwnPage {
                            url: current,
                            offers_any: s.offers_application,
                        },
                        Claim::Embedded if !s.offers_application => Liveness::NotAnApplication(
                            "the framed page holds no application form".into(),
                        ),
                        _ => Liveness::Alive,
                    };
                }
                (Some(st), Some(loc)) if (300..400).contains(&st) => {
                    current = canon(loc).unwrap_or_else(|| loc.clone());
                }
                (Some(st), _) => return Liveness::Dead(format!("HTTP {st}")),
                (None, _) => {
                    return Liveness::Dead(
                        s.error.clone().unwrap_or_else(|| "request failed".into()),
                    )
                }
            }
        }
        Liveness::Dead("too many redirects".into())
    }
}

/// A run's verdicts: the stored ones, or, for a run cut off before it could
/// store any (a kill, a crash), computed now from what it fetched. The flag
/// says the run did not finish (its verdicts are partial).
pub fn verdicts_of(
    cat: &Catalogue,
    store: &Store,
    run: &RunRecord,
) -> Result<(Vec<ServiceVerdict>, bool), StoreError> {
    let partial = matches!(run.status, RunStatus::Running | RunStatus::Interrupted);
    let stored = store.verdicts(&run.id)?;
    if !stored.is_empty() || !partial {
        return Ok((stored, partial));
    }
    let findings = store.findings(&run.id)?;
    let seen = LivenessIndex::from_records(&store.pages(&run.id)?);
    let liveness = |target: &str, claim: Claim| seen.answer(&cat.crawl, target, claim);
    Ok((detect::verdicts(cat, &findings, &liveness), true))
}
