//! The crawler: from a city profile to stored pages, findings and verdicts.
//!
//! Parts: [`frontier`] (what to fetch next, per host, deduplicated), [`robots`]
//! (RFC 9309 rules per host), [`politeness`] (one rate limiter per host),
//! [`fetch`] (one HTTP request with caps and timeouts) and [`url`]
//! (normalisation). This module is the scheduler that ties them together:
//! it alone decides when a request is sent, so every request — pages,
//! robots.txt, liveness checks of portal links — passes robots and the
//! per-host limiter. Nothing outside `crawl` sends a request.
//!
//! Each fetched page is stored (snapshot + page record), extracted and
//! analysed on a blocking thread; the loop only moves URLs. When the
//! frontier is empty (or the budget spent, or Ctrl-C) the run's findings and
//! the liveness of link targets become one verdict per service.

pub mod fetch;
pub mod frontier;
pub mod politeness;
pub mod robots;
pub mod url;

use crate::catalogue::Catalogue;
use crate::detect::{self, Context, Liveness, PageFindings};
use crate::extract::{self, Extractor};
use crate::profile::Profile;
use crate::store::{
    FetchKind, PageRecord, RunRecord, RunSettings, RunStats, RunStatus, Store, StoreError,
};
use crate::types::RunId;
use ::url::Url;
use fetch::{ClientConfig, FetchError, Resolve};
use frontier::{Frontier, Item};
use politeness::Politeness;
use robots::Rules;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Settings of one crawl (validated by the CLI).
#[derive(Debug, Clone)]
pub struct CrawlOptions {
    pub max_pages: usize,
    pub max_depth: usize,
    /// Requests per second per host; 0 = unlimited.
    pub rate: f64,
    pub concurrency: usize,
    pub user_agent: String,
    pub resolve: Vec<Resolve>,
    pub label: Option<String>,
    /// Body cap for pages and documents.
    pub max_body: usize,
    /// Most liveness checks per run.
    pub max_probes: usize,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub total_timeout: Duration,
}

pub fn default_user_agent() -> String {
    format!(
        "ozgcheck/{} (+https://github.com/ozgcheck/ozgcheck; OZG maturity check)",
        env!("CARGO_PKG_VERSION")
    )
}

impl Default for CrawlOptions {
    fn default() -> Self {
        CrawlOptions {
            max_pages: 5000,
            max_depth: 10,
            rate: 2.0,
            concurrency: 8,
            user_agent: default_user_agent(),
            resolve: Vec::new(),
            label: None,
            max_body: 10 * 1024 * 1024,
            max_probes: 2000,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(20),
            total_timeout: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// Progress the crawler reports while it runs.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub pages_fetched: u64,
    pub queued: usize,
    pub errors: u64,
    pub in_flight: usize,
}

enum Job {
    Robots { origin: String },
    Fetch(Item),
}

enum Outcome {
    Robots { origin: String, rules: Rules },
    Fetched(Box<Fetched>),
}

struct Fetched {
    item: Item,
    record: PageRecord,
    links: Vec<Url>,
    findings: Option<PageFindings>,
    new_snapshot: bool,
    error_class: Option<&'static str>,
}

enum RobotsState {
    Unknown,
    Pending,
    Ready(Rules),
}

/// What a URL's fetch gave, kept in memory to answer liveness questions.
#[derive(Clone)]
struct Seen {
    status: Option<u16>,
    location: Option<String>,
    error: Option<String>,
    robots_excluded: bool,
}

/// Everything a fetch task needs, shared read-only.
struct Shared {
    client: reqwest::Client,
    store: Store,
    catalogue: Arc<Catalogue>,
    extractor: Extractor,
    profile: Profile,
    run: RunId,
    max_body: usize,
}

fn origin_of(u: &Url) -> String {
    u.origin().ascii_serialization()
}

/// Crawl a city into `store`. `stop` turning true ends the run gracefully
/// (status `interrupted`); `progress` is called about once a second.
pub async fn run(
    profile: &Profile,
    catalogue: Arc<Catalogue>,
    store: &Store,
    opts: &CrawlOptions,
    mut stop: watch::Receiver<bool>,
    progress: &(dyn Fn(&Progress) + Send + Sync),
) -> Result<RunRecord, CrawlError> {
    let started = jiff::Timestamp::now();
    let id = RunId::new(started);
    let mut record = RunRecord {
        id: id.clone(),
        city: profile.name.clone(),
        state: profile.state,
        ags: profile.ags.clone(),
        label: opts.label.clone(),
        settings: RunSettings {
            seeds: profile.seeds.iter().map(|u| u.to_string()).collect(),
            scope: profile.scope.clone(),
            max_pages: opts.max_pages,
            max_depth: opts.max_depth,
            rate: opts.rate,
            concurrency: opts.concurrency,
            user_agent: opts.user_agent.clone(),
            resolve: opts.resolve.iter().map(|r| r.to_string()).collect(),
            catalogue: format!("{} ({})", catalogue.edition, catalogue.origin),
        },
        started_at: started,
        finished_at: None,
        status: RunStatus::Running,
        stats: RunStats::default(),
    };
    store.put_run(&record)?;

    let client = fetch::client(&ClientConfig {
        user_agent: opts.user_agent.clone(),
        resolve: opts.resolve.clone(),
        connect_timeout: opts.connect_timeout,
        read_timeout: opts.read_timeout,
        total_timeout: opts.total_timeout,
    })
    .map_err(|e| CrawlError::Client(e.to_string()))?;
    let shared = Arc::new(Shared {
        client,
        store: store.clone(),
        extractor: Extractor::new(&catalogue.page),
        catalogue,
        profile: profile.clone(),
        run: id.clone(),
        max_body: opts.max_body,
    });

    let mut frontier = Frontier::default();
    for s in &profile.seeds {
        if let Some(u) = url::normalize(s) {
            frontier.push(Item {
                url: u,
                kind: FetchKind::Page,
                depth: 0,
            });
        }
    }
    let mut politeness = Politeness::new(opts.rate);
    let mut robots: HashMap<String, RobotsState> = HashMap::new();
    let mut in_flight_per: HashMap<String, usize> = HashMap::new();
    let per_host_cap = if politeness.unlimited() {
        opts.concurrency.max(1)
    } else {
        1
    };
    let mut tasks: JoinSet<Outcome> = JoinSet::new();
    let mut seen: HashMap<String, Seen> = HashMap::new();
    let mut findings: Vec<PageFindings> = Vec::new();
    let mut targets: HashSet<String> = HashSet::new();
    let mut outlinks: HashSet<String> = HashSet::new();
    let mut pages_dispatched = 0usize;
    let mut probes_dispatched = 0usize;
    let mut budget_spent = false;
    let mut stats = RunStats::default();
    let mut last_progress = Instant::now();
    let mut stopped = *stop.borrow();

    loop {
        // ---- dispatch what may go now ----
        let mut wait: Option<Duration> = None;
        if !stopped {
            if !budget_spent && pages_dispatched >= opts.max_pages {
                budget_spent = true;
                // Pages nobody asked about are dropped; link targets stay as
                // liveness checks, so evidence never rests on an unchecked link.
                let t = &targets;
                stats.skipped_by_limits +=
                    frontier.retain_as_probes(|i| t.contains(i.url.as_str())) as u64;
            }
            for origin in frontier.hosts() {
                if tasks.len() >= opts.concurrency {
                    break;
                }
                let state = robots.entry(origin.clone()).or_insert(RobotsState::Unknown);
                match state {
                    RobotsState::Pending => continue,
                    RobotsState::Unknown => match politeness.ready(&origin) {
                        Ok(()) => {
                            *state = RobotsState::Pending;
                            spawn(
                                &mut tasks,
                                &shared,
                                Job::Robots {
                                    origin: origin.clone(),
                                },
                            );
                        }
                        Err(w) => wait = Some(wait.map_or(w, |x| x.min(w))),
                    },
                    RobotsState::Ready(rules) => {
                        // Drop items robots.txt forbids before they cost a slot.
                        while let Some(item) = frontier.peek(&origin) {
                            if rules.allowed(item.url.as_str()) {
                                break;
                            }
                            let why = rules.why_disallowed();
                            if let Some(item) = frontier.pop(&origin) {
                                stats.robots_excluded += 1;
                                let rec = PageRecord {
                                    url: item.url.to_string(),
                                    kind: item.kind,
                                    depth: item.depth,
                                    fetched_at: jiff::Timestamp::now(),
                                    status: None,
                                    error: Some(format!("robots: {why}")),
                                    content_type: None,
                                    location: None,
                                    etag: None,
                                    last_modified: None,
                                    snapshot: None,
                                    bytes: 0,
                                };
                                shared.store.put_page(&id, &rec)?;
                                seen.insert(
                                    rec.url.clone(),
                                    Seen {
                                        status: None,
                                        location: None,
                                        error: rec.error.clone(),
                                        robots_excluded: true,
                                    },
                                );
                            }
                        }
                        let Some(next) = frontier.peek(&origin) else {
                            continue;
                        };
                        if in_flight_per.get(&origin).copied().unwrap_or(0) >= per_host_cap {
                            continue;
                        }
                        if next.kind == FetchKind::Page && pages_dispatched >= opts.max_pages {
                            // Pushed after the budget ran out (a redirect):
                            // keep it only as a liveness check of a target.
                            if let Some(mut item) = frontier.pop(&origin) {
                                if targets.contains(item.url.as_str()) {
                                    item.kind = FetchKind::Probe;
                                    frontier.requeue(item);
                                } else {
                                    stats.skipped_by_limits += 1;
                                }
                            }
                            continue;
                        }
                        if next.kind == FetchKind::Probe && probes_dispatched >= opts.max_probes {
                            let _ = frontier.pop(&origin);
                            stats.skipped_by_limits += 1;
                            continue;
                        }
                        match politeness.ready(&origin) {
                            Ok(()) => {
                                if let Some(item) = frontier.pop(&origin) {
                                    match item.kind {
                                        FetchKind::Page => pages_dispatched += 1,
                                        FetchKind::Probe => probes_dispatched += 1,
                                    }
                                    *in_flight_per.entry(origin.clone()).or_default() += 1;
                                    spawn(&mut tasks, &shared, Job::Fetch(item));
                                }
                            }
                            Err(w) => wait = Some(wait.map_or(w, |x| x.min(w))),
                        }
                    }
                }
            }
        }

        if tasks.is_empty() && (stopped || frontier.is_empty()) {
            break;
        }

        // ---- wait for a result, a slot in time, or a stop ----
        let outcome = tokio::select! {
            joined = tasks.join_next(), if !tasks.is_empty() => joined,
            _ = tokio::time::sleep(wait.unwrap_or(Duration::from_millis(50))), if wait.is_some() || tasks.is_empty() => None,
            changed = stop.changed(), if !stopped => {
                if changed.is_err() || *stop.borrow() {
                    stopped = true;
                    tracing::warn!("stopping: finishing requests in flight (Ctrl-C again to abort)");
                    // Give requests in flight a moment, then abandon them.
                    let grace = tokio::time::sleep(Duration::from_secs(3));
                    tokio::pin!(grace);
                    loop {
                        tokio::select! {
                            j = tasks.join_next() => match j {
                                Some(Ok(o)) => handle(o, &mut HandleCtx {
                                    shared: &shared, opts, frontier: &mut frontier, robots: &mut robots,
                                    politeness: &mut politeness, seen: &mut seen, findings: &mut findings,
                                    targets: &mut targets, outlinks: &mut outlinks, stats: &mut stats,
                                    in_flight_per: &mut in_flight_per, budget_spent,
                                })?,
                                Some(Err(_)) => {}
                                None => break,
                            },
                            _ = &mut grace => { tasks.abort_all(); break; }
                        }
                    }
                }
                None
            }
        };
        if let Some(joined) = outcome {
            match joined {
                Ok(o) => handle(
                    o,
                    &mut HandleCtx {
                        shared: &shared,
                        opts,
                        frontier: &mut frontier,
                        robots: &mut robots,
                        politeness: &mut politeness,
                        seen: &mut seen,
                        findings: &mut findings,
                        targets: &mut targets,
                        outlinks: &mut outlinks,
                        stats: &mut stats,
                        in_flight_per: &mut in_flight_per,
                        budget_spent,
                    },
                )?,
                Err(e) if e.is_panic() => {
                    // A panic in one page's processing must not end the run.
                    stats.errors += 1;
                    *stats.errors_by_class.entry("internal".into()).or_default() += 1;
                    tracing::error!("internal error while processing a page: {e}");
                }
                Err(_) => {}
            }
        }
        if last_progress.elapsed() >= Duration::from_secs(1) {
            last_progress = Instant::now();
            progress(&Progress {
                pages_fetched: stats.pages_fetched,
                queued: frontier.len(),
                errors: stats.errors,
                in_flight: tasks.len(),
            });
            record.stats = stats.clone();
            store.put_run(&record)?;
        }
    }

    // ---- verdicts ----
    stats.out_of_scope_links = outlinks.len() as u64;
    let liveness = |target: &str| liveness_of(&seen, target);
    let verdicts = detect::verdicts(&shared.catalogue, &findings, &liveness);
    store.put_verdicts(&id, &verdicts)?;
    record.stats = stats;
    record.finished_at = Some(jiff::Timestamp::now());
    record.status = if stopped {
        RunStatus::Interrupted
    } else {
        RunStatus::Complete
    };
    store.put_run(&record)?;
    store.flush()?;
    Ok(record)
}

/// Follow a target through recorded redirects to its final answer.
fn liveness_of(seen: &HashMap<String, Seen>, target: &str) -> Liveness {
    let mut current = match Url::parse(target).ok().and_then(|u| url::normalize(&u)) {
        Some(u) => u.to_string(),
        None => return Liveness::Dead("not an http(s) URL".into()),
    };
    for _ in 0..10 {
        let Some(s) = seen.get(&current) else {
            return Liveness::Unknown("not checked in this run".into());
        };
        if s.robots_excluded {
            return Liveness::Unknown(s.error.clone().unwrap_or_else(|| "robots.txt".into()));
        }
        match (s.status, &s.location) {
            (Some(st), _) if (200..300).contains(&st) => return Liveness::Alive,
            (Some(st), Some(loc)) if (300..400).contains(&st) => current = loc.clone(),
            (Some(st), _) => return Liveness::Dead(format!("HTTP {st}")),
            (None, _) => {
                return Liveness::Dead(s.error.clone().unwrap_or_else(|| "request failed".into()))
            }
        }
    }
    Liveness::Dead("too many redirects".into())
}

struct HandleCtx<'a> {
    shared: &'a Arc<Shared>,
    opts: &'a CrawlOptions,
    frontier: &'a mut Frontier,
    robots: &'a mut HashMap<String, RobotsState>,
    politeness: &'a mut Politeness,
    seen: &'a mut HashMap<String, Seen>,
    findings: &'a mut Vec<PageFindings>,
    targets: &'a mut HashSet<String>,
    outlinks: &'a mut HashSet<String>,
    stats: &'a mut RunStats,
    in_flight_per: &'a mut HashMap<String, usize>,
    budget_spent: bool,
}

fn handle(outcome: Outcome, cx: &mut HandleCtx) -> Result<(), CrawlError> {
    match outcome {
        Outcome::Robots { origin, rules } => {
            cx.politeness.configure(&origin, rules.crawl_delay());
            cx.robots.insert(origin, RobotsState::Ready(rules));
        }
        Outcome::Fetched(f) => {
            let Fetched {
                item,
                record,
                links,
                findings,
                new_snapshot,
                error_class,
            } = *f;
            let origin = origin_of(&item.url);
            if let Some(n) = cx.in_flight_per.get_mut(&origin) {
                *n = n.saturating_sub(1);
            }
            if record.status.is_some() {
                cx.stats.pages_fetched += 1;
                cx.stats.bytes_received += record.bytes;
            }
            if new_snapshot {
                cx.stats.snapshots_new += 1;
            }
            if item.kind == FetchKind::Probe {
                cx.stats.liveness_checks += 1;
            }
            if let Some(class) = error_class {
                cx.stats.errors += 1;
                *cx.stats
                    .errors_by_class
                    .entry(class.to_string())
                    .or_default() += 1;
            }
            cx.seen.insert(
                record.url.clone(),
                Seen {
                    status: record.status,
                    location: record.location.clone(),
                    error: record.error.clone(),
                    robots_excluded: false,
                },
            );
            let in_scope = |u: &Url| cx.shared.profile.in_scope(u.host_str().unwrap_or_default());
            // A redirect: its target is fetched like any other URL.
            if let Some(loc) = record.location.as_deref().and_then(|l| Url::parse(l).ok()) {
                if let Some(loc) = url::normalize(&loc) {
                    let kind = if item.kind == FetchKind::Page
                        && in_scope(&loc)
                        && !url::is_document(&loc)
                    {
                        FetchKind::Page
                    } else if item.kind == FetchKind::Probe
                        || cx.targets.contains(record.url.as_str())
                    {
                        FetchKind::Probe
                    } else {
                        cx.outlinks.insert(loc.to_string());
                        return Ok(());
                    };
                    if kind == FetchKind::Probe {
                        cx.targets.insert(loc.to_string());
                    }
                    cx.frontier.push(Item {
                        url: loc,
                        kind,
                        depth: item.depth,
                    });
                }
            }
            if let Some(f) = findings {
                for t in f.targets() {
                    let Some(u) = Url::parse(t).ok().and_then(|u| url::normalize(&u)) else {
                        continue;
                    };
                    cx.targets.insert(u.to_string());
                    if cx.frontier.seen(&u) {
                        continue;
                    }
                    let as_page = in_scope(&u)
                        && !url::is_document(&u)
                        && item.depth < cx.opts.max_depth
                        && !cx.budget_spent;
                    cx.frontier.push(Item {
                        url: u,
                        kind: if as_page {
                            FetchKind::Page
                        } else {
                            FetchKind::Probe
                        },
                        depth: item.depth + 1,
                    });
                }
                cx.findings.push(f);
            }
            for l in links {
                let Some(u) = url::normalize(&l) else {
                    continue;
                };
                if url::is_binary_asset(&u) {
                    continue;
                }
                if !in_scope(&u) {
                    cx.outlinks.insert(u.to_string());
                    continue;
                }
                if url::is_document(&u) || item.depth >= cx.opts.max_depth || cx.budget_spent {
                    continue;
                }
                cx.frontier.push(Item {
                    url: u,
                    kind: FetchKind::Page,
                    depth: item.depth + 1,
                });
            }
        }
    }
    Ok(())
}

fn spawn(tasks: &mut JoinSet<Outcome>, shared: &Arc<Shared>, job: Job) {
    let shared = Arc::clone(shared);
    tasks.spawn(async move {
        match job {
            Job::Robots { origin } => {
                let url = Url::parse(&format!("{origin}/robots.txt"));
                let rules = match url {
                    Ok(u) => fetch_robots(&shared.client, &u).await,
                    Err(_) => Rules::AllowAll,
                };
                Outcome::Robots { origin, rules }
            }
            Job::Fetch(item) => {
                let cap = match item.kind {
                    FetchKind::Page => shared.max_body,
                    // A liveness check needs the start of the page, not all of it.
                    FetchKind::Probe => shared.max_body.min(2 * 1024 * 1024),
                };
                let fetched_at = jiff::Timestamp::now();
                let result = fetch::get(&shared.client, &item.url, cap).await;
                let sh = Arc::clone(&shared);
                let joined =
                    tokio::task::spawn_blocking(move || process(&sh, item, fetched_at, result))
                        .await;
                match joined {
                    Ok(f) => Outcome::Fetched(Box::new(f)),
                    // process() is panic-free by design; should a parser still
                    // panic on some input, the page is recorded as failed.
                    Err(e) => std::panic::resume_unwind(e.into_panic()),
                }
            }
        }
    });
}

async fn fetch_robots(client: &reqwest::Client, url: &Url) -> Rules {
    let mut current = url.clone();
    // Up to five redirects, as RFC 9309 asks.
    for _ in 0..=5 {
        match fetch::get(client, &current, robots::MAX_ROBOTS_BYTES * 2).await {
            Ok(r) if (300..400).contains(&r.status) => match r.location {
                Some(l) => current = l,
                None => return Rules::AllowAll,
            },
            Ok(r) => return Rules::from_response(Some(r.status), &r.body),
            Err(FetchError::TooLarge(_)) => return Rules::AllowAll,
            Err(_) => return Rules::from_response(None, b""),
        }
    }
    Rules::AllowAll
}

fn is_html(content_type: Option<&str>, body: &[u8]) -> bool {
    match content_type.map(|c| c.to_ascii_lowercase()) {
        Some(ct) => ct.contains("html"),
        None => {
            let head = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
            head.contains("<html") || head.contains("<!doctype html")
        }
    }
}

/// Store, extract and analyse one fetch result (runs on a blocking thread).
fn process(
    shared: &Shared,
    item: Item,
    fetched_at: jiff::Timestamp,
    result: Result<fetch::Response, FetchError>,
) -> Fetched {
    let mut record = PageRecord {
        url: item.url.to_string(),
        kind: item.kind,
        depth: item.depth,
        fetched_at,
        status: None,
        error: None,
        content_type: None,
        location: None,
        etag: None,
        last_modified: None,
        snapshot: None,
        bytes: 0,
    };
    let mut out = Fetched {
        item,
        record: record.clone(),
        links: Vec::new(),
        findings: None,
        new_snapshot: false,
        error_class: None,
    };
    match result {
        Err(e) => {
            out.error_class = Some(e.class());
            record.error = Some(e.to_string());
        }
        Ok(resp) => {
            record.status = Some(resp.status);
            record.content_type = resp.content_type.clone();
            record.location = resp.location.as_ref().map(|u| u.to_string());
            record.etag = resp.etag.clone();
            record.last_modified = resp.last_modified.clone();
            record.bytes = resp.body.len() as u64;
            if resp.status >= 400 {
                out.error_class = Some(if resp.status >= 500 {
                    "http-5xx"
                } else {
                    "http-4xx"
                });
            }
            let ok = (200..300).contains(&resp.status);
            // A failed fetch never stores a snapshot: error pages are not evidence.
            if ok && !resp.body.is_empty() {
                match shared.store.put_snapshot(&resp.body) {
                    Ok((sid, new)) => {
                        record.snapshot = Some(sid);
                        out.new_snapshot = new;
                    }
                    Err(e) => {
                        record.error = Some(format!("store: {e}"));
                        out.error_class = Some("store");
                    }
                }
            }
            if ok && is_html(resp.content_type.as_deref(), &resp.body) {
                let text = extract::decode(&resp.body, resp.content_type.as_deref());
                let page = shared.extractor.page(&text, &out.item.url);
                if out.item.kind == FetchKind::Page {
                    out.links = page.links.iter().map(|l| l.url.clone()).collect();
                }
                if let Some(sid) = &record.snapshot {
                    let in_scope = |h: &str| shared.profile.in_scope(h);
                    let ctx = Context {
                        state: shared.profile.state,
                        in_scope: &in_scope,
                    };
                    let f = detect::analyze(
                        &shared.catalogue,
                        &ctx,
                        &page,
                        &out.item.url,
                        fetched_at,
                        sid.clone(),
                    );
                    // Findings of probes (pages outside the city's scope) are
                    // not the city's evidence; only their liveness counts.
                    if !f.is_empty() && out.item.kind == FetchKind::Page {
                        if let Err(e) = shared.store.put_findings(&shared.run, &f) {
                            record.error = Some(format!("store: {e}"));
                            out.error_class = Some("store");
                        }
                        out.findings = Some(f);
                    }
                }
            }
        }
    }
    if let Err(e) = shared.store.put_page(&shared.run, &record) {
        tracing::error!("cannot store page record for {}: {e}", record.url);
        out.error_class = Some("store");
    }
    out.record = record;
    out
}
