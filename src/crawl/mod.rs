//! The crawler: from a city profile to stored pages, findings and verdicts.
//!
//! Parts: [`frontier`] (what to fetch next, per origin, prioritised and
//! deduplicated), [`robots`] (RFC 9309 rules per origin), [`politeness`] (one
//! rate limiter per origin, Crawl-delay, backoff), [`fetch`] (one HTTP request
//! with caps and timeouts), [`sitemap`] and [`url`] (canonical URLs, traps).
//! This module is the scheduler that ties them together: it alone decides
//! when a request is sent, so every request — pages, robots.txt, sitemaps,
//! liveness checks of portal links — passes robots and the per-origin
//! limiter. Nothing outside `crawl` sends a request.
//!
//! Each fetched page is stored (snapshot + page record), extracted and
//! analysed on a blocking thread; the loop only moves URLs. The frontier is
//! mirrored in the store, so a run killed mid-way can be resumed. When the
//! frontier is empty (or the budget spent, or Ctrl-C) the run's findings and
//! the liveness of link targets become one verdict per service.

pub mod fetch;
pub mod frontier;
pub mod politeness;
pub mod robots;
pub mod sitemap;
pub mod url;

use crate::analysis::{self, LivenessIndex};
use crate::catalogue::Catalogue;
use crate::detect::{self, PageFindings};
use crate::extract::Extractor;
use crate::profile::Profile;
use crate::store::{
    FetchKind, PageRecord, RunRecord, RunSettings, RunStats, RunStatus, Store, StoreError,
    Validator,
};
use crate::text::fold;
use crate::types::RunId;
use ::url::Url;
use fetch::{ClientConfig, Conditional, ErrorClass, FetchError, Resolve};
use frontier::{origin_of, Frontier, Item};
use politeness::Politeness;
use robots::Rules;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::Instrument;

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
    /// Body cap for pages and documents (after decompression).
    pub max_body: usize,
    /// Most liveness checks per run.
    pub max_probes: usize,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub total_timeout: Duration,
    /// Retries after a connection error, timeout, 5xx or 429.
    pub max_retries: u8,
    /// First backoff; doubles with every retry (with jitter).
    pub backoff: Duration,
    /// Consecutive failures after which a host is given up for the run.
    pub circuit_breaker: u32,
    /// Consecutive timeouts after which a host is given up (sooner than
    /// other failures: each one costs a request timeout).
    pub timeout_breaker: u32,
    /// Retries after a timeout (a stalled or dripping request is tried
    /// again at most this often).
    pub timeout_retries: u8,
    /// The slowest body transfer that is read to the end.
    pub min_rate: fetch::MinRate,
    /// Longest Retry-After honoured; a longer one gives the URL up.
    pub max_retry_after: Duration,
    /// Do not read robots.txt (off by default; the CLI warns loudly).
    pub ignore_robots: bool,
    /// Read robots.txt `Sitemap:` lines and `/sitemap.xml`.
    pub sitemaps: bool,
    /// Send conditional requests with the validators of earlier runs.
    pub conditional: bool,
    /// URLs to check for liveness besides what the crawl finds (the online
    /// service URLs of an imported OZG dashboard export).
    pub extra_probes: Vec<Url>,
    /// Time budget of this crawl (this part of a resumed run): when it is
    /// used up the run stops like an interrupted one, keeps its frontier and
    /// can be resumed.
    pub max_duration: Option<Duration>,
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
            // A server that sends nothing for this long is not coming back:
            // with one retry a stalled URL costs at most 20 s.
            read_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(60),
            max_retries: 2,
            backoff: Duration::from_secs(1),
            circuit_breaker: 8,
            timeout_breaker: 5,
            timeout_retries: 1,
            min_rate: fetch::MinRate {
                bytes_per_sec: 1024,
                after: Duration::from_secs(10),
            },
            max_retry_after: Duration::from_secs(120),
            ignore_robots: false,
            sitemaps: true,
            conditional: true,
            extra_probes: Vec::new(),
            max_duration: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    #[error("no interrupted run of {0} to resume; start a new crawl without --resume")]
    NothingToResume(String),
}

/// Progress the crawler reports while it runs.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub pages_fetched: u64,
    pub max_pages: usize,
    pub queued: usize,
    pub errors: u64,
    pub in_flight: usize,
    pub bytes: u64,
}

/// How a queued URL is ranked: a fixed priority, or from the link's words.
#[derive(Clone, Copy)]
enum Rank<'a> {
    Fixed(u8),
    Words(&'a str),
}

enum Job {
    Robots { origin: String },
    Fetch(Item),
}

enum Outcome {
    Robots {
        origin: String,
        rules: Rules,
    },
    Fetched(Box<Fetched>),
    /// A failure worth another try, after `wait`.
    Retry {
        item: Item,
        wait: Duration,
        class: ErrorClass,
    },
}

struct Fetched {
    item: Item,
    record: PageRecord,
    /// Links found (url, link text): pages for crawling, or sitemap entries.
    links: Vec<(Url, String)>,
    /// For sitemaps: whether the links are further sitemaps.
    sitemap_index: bool,
    findings: Option<PageFindings>,
    new_snapshot: bool,
    error_class: Option<ErrorClass>,
    /// Whether the failure counts against the host's circuit breaker.
    host_failure: bool,
}

enum RobotsState {
    Unknown,
    Pending,
    Ready(Rules),
}

/// Everything a fetch task needs, shared read-only.
struct Shared {
    client: reqwest::Client,
    store: Store,
    catalogue: Arc<Catalogue>,
    extractor: Extractor,
    /// The city pages are judged for (state and own hosts).
    scope: analysis::CityScope,
    profile: Profile,
    run: RunId,
    opts: CrawlOptions,
    /// Parsing and detection are CPU work: bounded, so requests in flight
    /// never mean as many busy threads (and heaps). Two more pages than
    /// cores, since a page also waits on the store: on the 2-core bench
    /// machine, 9 interleaved crawls of 20,000 pages took 13.7 s on average
    /// with one page per core, 12.0 s with one more and 11.0 s with two.
    cpu: Arc<tokio::sync::Semaphore>,
}

/// Crawl a city into `store`. `stop` turning true ends the run gracefully
/// (status `interrupted`); `progress` is called about once a second.
pub async fn run(
    profile: &Profile,
    catalogue: Arc<Catalogue>,
    store: &Store,
    opts: &CrawlOptions,
    stop: watch::Receiver<bool>,
    progress: &(dyn Fn(&Progress) + Send + Sync),
) -> Result<RunRecord, CrawlError> {
    let started = jiff::Timestamp::now();
    let record = RunRecord {
        id: RunId::new(started),
        city: profile.name.clone(),
        state: profile.state,
        ags: profile.ags.clone(),
        label: opts.label.clone(),
        settings: settings_of(profile, &catalogue, opts),
        started_at: started,
        finished_at: None,
        status: RunStatus::Running,
        stats: RunStats::default(),
        failure: None,
        reanalysis: None,
    };
    store.put_run(&record)?;
    let mut c = Crawler::new(profile, catalogue, store, opts, record)?;
    for s in &profile.seeds {
        c.enqueue(s.clone(), FetchKind::Page, 0, Rank::Fixed(3));
    }
    for u in &opts.extra_probes {
        if let Some(canon) = url::canonical(u, &c.shared.catalogue.crawl) {
            c.targets.insert(canon.to_string());
        }
        let kind = if c.in_scope(u) {
            FetchKind::Page
        } else {
            FetchKind::Probe
        };
        c.enqueue(u.clone(), kind, 1, Rank::Fixed(3));
    }
    let span = run_span(&c.record);
    c.run_loop(stop, progress).instrument(span).await
}

/// The log span of a run: every line logged during it names the run.
fn run_span(r: &RunRecord) -> tracing::Span {
    tracing::info!(run = %r.id, city = %r.city, seeds = ?r.settings.seeds, "crawl started");
    tracing::info_span!("run", id = %r.id, city = %r.city)
}

/// Continue the last interrupted (or killed) run of this city: what it
/// fetched stays, what it had queued is fetched now.
pub async fn resume(
    profile: &Profile,
    catalogue: Arc<Catalogue>,
    store: &Store,
    opts: &CrawlOptions,
    stop: watch::Receiver<bool>,
    progress: &(dyn Fn(&Progress) + Send + Sync),
) -> Result<RunRecord, CrawlError> {
    let last = store
        .runs()?
        .into_iter()
        .rev()
        .find(|r| r.city == profile.name && r.reanalysis.is_none())
        .filter(|r| r.status != RunStatus::Complete)
        .ok_or_else(|| CrawlError::NothingToResume(profile.name.clone()))?;
    let mut record = last;
    record.status = RunStatus::Running;
    record.finished_at = None;
    store.put_run(&record)?;
    let id = record.id.clone();
    let mut c = Crawler::new(profile, catalogue, store, opts, record)?;
    c.stats = c.record.stats.clone();
    c.record.failure = None;
    // Counted again from the records (older releases did not keep it).
    c.stats.pages_ok = 0;
    // What was fetched stays fetched; its findings and liveness count.
    for p in store.pages(&id)? {
        c.frontier.mark_seen(&p.url);
        c.seen.insert(&p);
        if p.kind == FetchKind::Page
            && p.is_success()
            && Url::parse(&p.url).is_ok_and(|u| c.in_scope(&u))
        {
            c.stats.pages_ok += 1;
        }
        if p.status.is_some() {
            match p.kind {
                FetchKind::Page => c.pages_dispatched += 1,
                FetchKind::Probe => c.probes_dispatched += 1,
                FetchKind::Sitemap => {}
            }
        }
    }
    for f in store.findings(&id)? {
        for t in f.targets() {
            if let Some(u) = Url::parse(t)
                .ok()
                .and_then(|u| url::canonical(&u, &c.shared.catalogue.crawl))
            {
                c.targets.insert(u.to_string());
            }
        }
        c.findings.push(f);
    }
    // A run killed before it stored its frontier still has its seeds to
    // fetch (what was fetched is marked seen and not queued again).
    for seed in &profile.seeds {
        c.enqueue(seed.clone(), FetchKind::Page, 0, Rank::Fixed(3));
    }
    for q in store.queued(&id)? {
        if c.seen.contains(&q.url) {
            continue;
        }
        if let Some(item) = Item::from_stored(&q) {
            c.frontier.push(item);
        }
    }
    // A kill can fall between storing a page and queueing what it links
    // to: what every fetched page leads to is queued again from its stored
    // analysis (a no-op for what the frontier already knows).
    // Set aside while `discover` borrows the crawler (it does not read them).
    let findings = std::mem::take(&mut c.findings);
    let findings_by_url: HashMap<&str, &PageFindings> =
        findings.iter().map(|f| (f.url.as_str(), f)).collect();
    for p in store.pages(&id)? {
        let (Some(sid), Some(u)) = (p.snapshot.as_ref(), Url::parse(&p.url).ok()) else {
            continue;
        };
        if p.kind != FetchKind::Page {
            continue;
        }
        let doc = analysis::Document {
            kind: p.kind,
            url: &u,
            content_type: p.content_type.as_deref(),
            fetched_at: p.fetched_at,
            snapshot: sid,
        };
        let sh = &c.shared;
        let Some(links) =
            analysis::lookup(&sh.store, &sh.catalogue, &sh.scope, &doc).map(|a| a.links)
        else {
            continue;
        };
        let item = Item::new(u, p.kind, p.depth);
        c.discover(
            &item,
            findings_by_url.get(p.url.as_str()).copied(),
            links,
            false,
        );
    }
    drop(findings_by_url);
    c.findings = findings;
    let span = run_span(&c.record);
    c.run_loop(stop, progress).instrument(span).await
}

fn settings_of(profile: &Profile, catalogue: &Catalogue, opts: &CrawlOptions) -> RunSettings {
    RunSettings {
        seeds: profile.seeds.iter().map(|u| u.to_string()).collect(),
        scope: profile.scope.clone(),
        max_pages: opts.max_pages,
        max_depth: opts.max_depth,
        rate: opts.rate,
        concurrency: opts.concurrency,
        user_agent: opts.user_agent.clone(),
        resolve: opts.resolve.iter().map(|r| r.to_string()).collect(),
        catalogue: format!("{} ({})", catalogue.edition, catalogue.origin),
    }
}

struct Crawler {
    shared: Arc<Shared>,
    record: RunRecord,
    frontier: Frontier,
    politeness: Politeness,
    robots: HashMap<String, RobotsState>,
    failures: HashMap<String, u32>,
    /// URLs of an origin that timed out in a row (after their retry).
    timeouts: HashMap<String, u32>,
    in_flight_per: HashMap<String, usize>,
    traps: url::TrapGuard,
    seen: LivenessIndex,
    findings: Vec<PageFindings>,
    /// Fetch order of pages with findings (for the evidence-complete point).
    order: HashMap<String, u64>,
    targets: HashSet<String>,
    /// Links as written that were already offered to the frontier.
    raw_seen: HashSet<String>,
    /// Frontier entries not yet written to the store.
    queued_unsaved: Vec<crate::store::QueuedUrl>,
    outlinks: HashSet<String>,
    sitemaps_per_origin: HashMap<String, usize>,
    stats: RunStats,
    pages_dispatched: usize,
    probes_dispatched: usize,
    budget_spent: bool,
    started: Instant,
}

const MAX_SITEMAPS_PER_ORIGIN: usize = 100;

impl Crawler {
    fn new(
        profile: &Profile,
        catalogue: Arc<Catalogue>,
        store: &Store,
        opts: &CrawlOptions,
        record: RunRecord,
    ) -> Result<Self, CrawlError> {
        let client = fetch::client(&ClientConfig {
            user_agent: opts.user_agent.clone(),
            resolve: opts.resolve.clone(),
            connect_timeout: opts.connect_timeout,
            read_timeout: opts.read_timeout,
            total_timeout: opts.total_timeout,
        })
        .map_err(|e| CrawlError::Client(e.to_string()))?;
        Ok(Crawler {
            shared: Arc::new(Shared {
                client,
                store: store.clone(),
                extractor: Extractor::new(&catalogue.page),
                catalogue,
                scope: analysis::CityScope::of_profile(profile),
                profile: profile.clone(),
                run: record.id.clone(),
                opts: opts.clone(),
                cpu: Arc::new(tokio::sync::Semaphore::new(
                    std::thread::available_parallelism().map_or(2, |n| n.get()) + 2,
                )),
            }),
            record,
            frontier: Frontier::default(),
            politeness: Politeness::new(opts.rate),
            robots: HashMap::new(),
            failures: HashMap::new(),
            timeouts: HashMap::new(),
            in_flight_per: HashMap::new(),
            traps: url::TrapGuard::default(),
            seen: LivenessIndex::default(),
            findings: Vec::new(),
            order: HashMap::new(),
            targets: HashSet::new(),
            raw_seen: HashSet::new(),
            queued_unsaved: Vec::new(),
            outlinks: HashSet::new(),
            sitemaps_per_origin: HashMap::new(),
            stats: RunStats::default(),
            pages_dispatched: 0,
            probes_dispatched: 0,
            budget_spent: false,
            started: Instant::now(),
        })
    }

    fn opts(&self) -> &CrawlOptions {
        &self.shared.opts
    }

    fn in_scope(&self, u: &Url) -> bool {
        self.shared
            .profile
            .in_scope(u.host_str().unwrap_or_default())
    }

    /// How early a link should be fetched: service words first, then
    /// service-directory words, then the rest.
    fn priority(&self, u: &Url, rank: Rank) -> u8 {
        let text = match rank {
            Rank::Fixed(p) => return p,
            Rank::Words(text) => text,
        };
        let path = percent_encoding::percent_decode_str(u.path()).decode_utf8_lossy();
        let words = fold(&format!("{text} {path}"));
        let cat = &self.shared.catalogue;
        if cat.services.iter().any(|s| s.terms.is_match(&words)) {
            2
        } else if cat.crawl.priority.is_match(&words) {
            1
        } else {
            0
        }
    }

    /// Canonicalise, trap-check, dedup and queue a URL (and mirror it in the
    /// store for resume). Returns whether it was queued.
    fn enqueue(&mut self, raw: Url, kind: FetchKind, depth: usize, rank: Rank) -> bool {
        // Every page repeats the same menu links: a link already in the
        // frontier as written needs no second canonicalisation.
        if self.raw_seen.contains(raw.as_str()) {
            return false;
        }
        let rules = &self.shared.catalogue.crawl;
        let Some(u) = url::canonical(&raw, rules) else {
            return false;
        };
        if self.frontier.seen(&u) {
            self.raw_seen.insert(raw.into());
            return false;
        }
        // Most links of a page are menu links seen before: rank only new ones.
        let priority = self.priority(&u, rank);
        let rules = &self.shared.catalogue.crawl;
        if kind == FetchKind::Page {
            if let Err(trap) = self.traps.check(&u, rules) {
                *self.stats.trap_cuts.entry(trap.label()).or_default() += 1;
                return false;
            }
        }
        let item = Item {
            priority,
            ..Item::new(u, kind, depth)
        };
        let stored = item.stored();
        if self.frontier.push(item) {
            self.raw_seen.insert(raw.into());
            // Written with the fetch that found it (see `save_frontier`).
            self.queued_unsaved.push(stored);
            true
        } else {
            false
        }
    }

    /// Record a URL that will not be fetched (robots, circuit breaker).
    fn record_unfetched(&mut self, item: &Item, why: String) -> Result<(), CrawlError> {
        let rec = PageRecord {
            url: item.url.to_string(),
            kind: item.kind,
            depth: item.depth,
            fetched_at: jiff::Timestamp::now(),
            status: None,
            error: Some(why),
            content_type: None,
            location: None,
            etag: None,
            last_modified: None,
            snapshot: None,
            bytes: 0,
            news: false,
            own_page: false,
            offers_application: false,
        };
        self.shared.store.put_page(&self.record.id, &rec)?;
        self.seen.insert(&rec);
        self.save_frontier(Some(rec.url))?;
        Ok(())
    }

    async fn run_loop(
        mut self,
        mut stop: watch::Receiver<bool>,
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Result<RunRecord, CrawlError> {
        let mut tasks: JoinSet<Outcome> = JoinSet::new();
        let mut last_progress = Instant::now();
        let mut last_save = Instant::now();
        let mut stopped = *stop.borrow();
        loop {
            if !self.queued_unsaved.is_empty() {
                self.save_frontier(None)?;
            }
            let wait = if stopped {
                None
            } else {
                self.dispatch(&mut tasks)?
            };
            if tasks.is_empty() && (stopped || self.frontier.is_empty()) {
                break;
            }
            let joined = tokio::select! {
                j = tasks.join_next(), if !tasks.is_empty() => j,
                _ = tokio::time::sleep(wait.unwrap_or(Duration::from_millis(50))),
                    if wait.is_some() || tasks.is_empty() => None,
                changed = stop.changed(), if !stopped => {
                    if changed.is_err() || *stop.borrow() {
                        stopped = true;
                        tracing::warn!("stopping: finishing requests in flight");
                        self.drain(&mut tasks).await?;
                    }
                    None
                }
            };
            if let Some(j) = joined {
                self.joined(j)?;
            }
            if !stopped
                && self
                    .opts()
                    .max_duration
                    .is_some_and(|d| self.started.elapsed() >= d)
            {
                stopped = true;
                self.stats.time_budget_used = true;
                tracing::warn!("time budget used up: finishing requests in flight");
                self.drain(&mut tasks).await?;
            }
            if last_progress.elapsed() >= Duration::from_secs(1) {
                last_progress = Instant::now();
                progress(&Progress {
                    pages_fetched: self.stats.pages_fetched,
                    max_pages: self.opts().max_pages,
                    queued: self.frontier.len(),
                    errors: self.stats.errors,
                    in_flight: tasks.len(),
                    bytes: self.stats.bytes_received,
                });
            }
            if last_save.elapsed() >= Duration::from_secs(5) {
                last_save = Instant::now();
                self.record.stats = self.stats.clone();
                self.record.stats.seconds += self.started.elapsed().as_secs_f64();
                self.shared.store.put_run(&self.record)?;
            }
        }
        self.finish(stopped)
    }

    /// Give requests in flight a moment after a stop, then abandon them.
    async fn drain(&mut self, tasks: &mut JoinSet<Outcome>) -> Result<(), CrawlError> {
        let grace = tokio::time::sleep(Duration::from_secs(3));
        tokio::pin!(grace);
        loop {
            tokio::select! {
                j = tasks.join_next() => match j {
                    Some(j) => self.joined(j)?,
                    None => return Ok(()),
                },
                _ = &mut grace => {
                    tasks.abort_all();
                    return Ok(());
                }
            }
        }
    }

    fn joined(&mut self, j: Result<Outcome, tokio::task::JoinError>) -> Result<(), CrawlError> {
        match j {
            Ok(o) => self.handle(o),
            Err(e) if e.is_panic() => {
                // A panic in one page's processing must not end the run.
                self.stats.errors += 1;
                *self
                    .stats
                    .errors_by_class
                    .entry("internal".into())
                    .or_default() += 1;
                tracing::error!("internal error while processing a page: {e}");
                Ok(())
            }
            Err(_) => Ok(()),
        }
    }

    /// Start every request that may go now; returns how long until the next
    /// one may go, if something waits on a limiter.
    fn dispatch(&mut self, tasks: &mut JoinSet<Outcome>) -> Result<Option<Duration>, CrawlError> {
        let mut wait: Option<Duration> = None;
        let mut soonest = |w: Duration| wait = Some(wait.map_or(w, |x: Duration| x.min(w)));
        if !self.budget_spent && self.pages_dispatched >= self.opts().max_pages {
            self.budget_spent = true;
            // Pages nobody asked about are dropped; link targets stay as
            // liveness checks, so evidence never rests on an unchecked link.
            let t = &self.targets;
            let dropped = self
                .frontier
                .retain_as_probes(|i| t.contains(i.url.as_str()));
            self.stats.skipped_by_limits += dropped.len() as u64;
            for d in dropped {
                self.save_frontier(Some(d.url.to_string()))?;
            }
        }
        let per_origin_cap = if self.politeness.unlimited() {
            self.opts().concurrency
        } else {
            1
        };
        for origin in self.frontier.origins() {
            if tasks.len() >= self.opts().concurrency {
                break;
            }
            let ignore_robots = self.opts().ignore_robots;
            let state = self
                .robots
                .entry(origin.clone())
                .or_insert(if ignore_robots {
                    RobotsState::Ready(Rules::AllowAll)
                } else {
                    RobotsState::Unknown
                });
            match state {
                RobotsState::Pending => continue,
                RobotsState::Unknown => match self.politeness.ready(&origin) {
                    Ok(()) => {
                        *state = RobotsState::Pending;
                        spawn(tasks, &self.shared, Job::Robots { origin });
                    }
                    Err(w) => soonest(w),
                },
                RobotsState::Ready(_) => {
                    if let Some(w) = self.dispatch_origin(&origin, per_origin_cap, tasks)? {
                        soonest(w);
                    }
                }
            }
        }
        Ok(wait)
    }

    fn dispatch_origin(
        &mut self,
        origin: &str,
        cap: usize,
        tasks: &mut JoinSet<Outcome>,
    ) -> Result<Option<Duration>, CrawlError> {
        // Fill the origin's free request slots (one while rate-limited);
        // what robots.txt forbids, or the budget no longer allows, is
        // dropped before it costs a slot.
        loop {
            if tasks.len() >= self.opts().concurrency
                || self.in_flight_per.get(origin).copied().unwrap_or(0) >= cap
            {
                return Ok(None);
            }
            let Some(next) = self.frontier.peek(origin) else {
                return Ok(None);
            };
            let allowed = match self.robots.get(origin) {
                Some(RobotsState::Ready(rules)) => rules
                    .allowed(next.url.as_str())
                    .then_some(())
                    .ok_or_else(|| rules.why_disallowed()),
                _ => Ok(()),
            };
            if let Err(why) = allowed {
                if let Some(item) = self.frontier.pop(origin) {
                    self.stats.robots_excluded += 1;
                    self.record_unfetched(&item, format!("robots: {why}"))?;
                }
                continue;
            }
            let over_pages =
                next.kind == FetchKind::Page && self.pages_dispatched >= self.opts().max_pages;
            let over_probes =
                next.kind == FetchKind::Probe && self.probes_dispatched >= self.opts().max_probes;
            if over_pages || over_probes {
                if let Some(mut item) = self.frontier.pop(origin) {
                    if over_pages && self.targets.contains(item.url.as_str()) {
                        item.kind = FetchKind::Probe;
                        self.frontier.requeue(item);
                    } else {
                        self.stats.skipped_by_limits += 1;
                        self.save_frontier(Some(item.url.to_string()))?;
                    }
                }
                continue;
            }
            if let Err(w) = self.politeness.ready(origin) {
                return Ok(Some(w));
            }
            if let Some(item) = self.frontier.pop(origin) {
                match item.kind {
                    FetchKind::Page => self.pages_dispatched += 1,
                    FetchKind::Probe => self.probes_dispatched += 1,
                    FetchKind::Sitemap => self.stats.sitemaps += 1,
                }
                *self.in_flight_per.entry(origin.to_string()).or_default() += 1;
                spawn(tasks, &self.shared, Job::Fetch(item));
            }
        }
    }

    fn handle(&mut self, outcome: Outcome) -> Result<(), CrawlError> {
        match outcome {
            Outcome::Robots { origin, rules } => {
                match &rules {
                    Rules::DisallowAll(why) => {
                        tracing::warn!(host = %origin, "robots.txt: nothing fetched from this host ({why})")
                    }
                    Rules::AllowAll => {
                        tracing::info!(host = %origin, "robots.txt: no restrictions")
                    }
                    Rules::Parsed(_) => tracing::info!(
                        host = %origin,
                        crawl_delay = ?rules.crawl_delay(),
                        sitemaps = rules.sitemaps().len(),
                        "robots.txt read"
                    ),
                }
                self.politeness.configure(&origin, rules.crawl_delay());
                if self.opts().sitemaps {
                    self.queue_sitemaps(&origin, &rules);
                }
                self.robots.insert(origin, RobotsState::Ready(rules));
            }
            Outcome::Retry { item, wait, class } => {
                let origin = origin_of(&item.url);
                self.finished_request(&origin);
                self.stats.retries += 1;
                self.politeness.delay(&origin, wait);
                // A timeout counts once per URL, when its last try failed
                // (see `host_failed`); a 429 is an answer, not a failure.
                let counts = !matches!(class, ErrorClass::Timeout | ErrorClass::Http429);
                if counts && self.host_failed(&origin, class)? {
                    return Ok(());
                }
                match item.kind {
                    FetchKind::Page => self.pages_dispatched -= 1,
                    FetchKind::Probe => self.probes_dispatched -= 1,
                    FetchKind::Sitemap => {}
                }
                self.frontier.requeue(Item {
                    attempt: item.attempt + 1,
                    ..item
                });
            }
            Outcome::Fetched(f) => self.fetched(*f)?,
        }
        Ok(())
    }

    fn finished_request(&mut self, origin: &str) {
        if let Some(n) = self.in_flight_per.get_mut(origin) {
            *n = n.saturating_sub(1);
        }
    }

    /// Count a failure against the origin; past the limit its circuit opens
    /// and everything still queued for it is recorded as not fetched.
    /// Returns whether the circuit is (now) open.
    fn host_failed(&mut self, origin: &str, class: ErrorClass) -> Result<bool, CrawlError> {
        // A timeout costs a whole request timeout: URLs that time out in a
        // row give a host up sooner than other failures (counted per
        // attempt: a host that refuses connections or answers 5xx).
        let (timeout_limit, failure_limit) =
            (self.opts().timeout_breaker, self.opts().circuit_breaker);
        let (map, limit) = if class == ErrorClass::Timeout {
            (&mut self.timeouts, timeout_limit)
        } else {
            (&mut self.failures, failure_limit)
        };
        let n = map.entry(origin.to_string()).or_default();
        *n += 1;
        if *n < limit.max(1) {
            return Ok(false);
        }
        let n = *n;
        if !self.stats.circuit_open.iter().any(|o| o == origin) {
            tracing::warn!(
                "{origin}: {n} failures in a row ({class}); giving the host up for this run"
            );
            self.stats.circuit_open.push(origin.to_string());
        }
        for item in self.frontier.drain_origin(origin) {
            *self
                .stats
                .errors_by_class
                .entry(ErrorClass::CircuitOpen.as_str().into())
                .or_default() += 1;
            self.stats.errors += 1;
            self.record_unfetched(
                &item,
                format!("circuit-open: {origin} kept failing ({class})"),
            )?;
        }
        Ok(true)
    }

    fn queue_sitemaps(&mut self, origin: &str, rules: &Rules) {
        // `Sitemap:` should be absolute; relative ones are common enough to
        // resolve against the origin.
        let base = Url::parse(&format!("{origin}/")).ok();
        let mut listed: Vec<Url> = rules
            .sitemaps()
            .iter()
            .filter_map(|s| base.as_ref().and_then(|b| b.join(s.trim()).ok()))
            .filter(|u| self.in_scope(u))
            .collect();
        if listed.is_empty() {
            if let Ok(u) = Url::parse(&format!("{origin}/sitemap.xml")) {
                if self.in_scope(&u) {
                    listed.push(u);
                }
            }
        }
        for u in listed {
            self.enqueue(u, FetchKind::Sitemap, 0, Rank::Fixed(4));
        }
    }

    fn fetched(&mut self, f: Fetched) -> Result<(), CrawlError> {
        let Fetched {
            item,
            record,
            links,
            sitemap_index,
            findings,
            new_snapshot,
            error_class,
            host_failure,
        } = f;
        let origin = origin_of(&item.url);
        tracing::debug!(
            url = %item.url,
            kind = ?item.kind,
            status = ?record.status,
            error = record.error.as_deref().unwrap_or(""),
            bytes = record.bytes,
            "fetched"
        );
        self.finished_request(&origin);
        if host_failure {
            self.host_failed(&origin, error_class.unwrap_or(ErrorClass::Other))?;
        } else if record.status.is_some() {
            self.failures.remove(&origin);
            self.timeouts.remove(&origin);
        }
        if record.status.is_some() {
            if item.kind != FetchKind::Sitemap {
                self.stats.pages_fetched += 1;
            }
            self.stats.bytes_received += record.bytes;
        }
        if record.status == Some(304) {
            self.stats.not_modified += 1;
        }
        if item.kind == FetchKind::Page && record.is_success() && self.in_scope(&item.url) {
            self.stats.pages_ok += 1;
        }
        if new_snapshot {
            self.stats.snapshots_new += 1;
        }
        if item.kind == FetchKind::Probe {
            self.stats.liveness_checks += 1;
        }
        if let Some(class) = error_class {
            self.stats.errors += 1;
            *self
                .stats
                .errors_by_class
                .entry(class.as_str().to_string())
                .or_default() += 1;
        }
        self.seen.insert(&record);

        // A redirect: its target is fetched like any other URL.
        if let Some(loc) = record.location.as_deref().and_then(|l| Url::parse(l).ok()) {
            self.follow_redirect(&item, &record, loc);
        }
        if let Some(f) = &findings {
            self.order.insert(f.url.clone(), self.stats.pages_fetched);
        }
        self.discover(&item, findings.as_ref(), links, sitemap_index);
        if let Some(f) = findings {
            self.findings.push(f);
        }
        self.save_frontier(Some(record.url))
    }

    /// Queue what a fetched document leads to: its link targets that need a
    /// liveness check, and its links (or a sitemap's entries).
    fn discover(
        &mut self,
        item: &Item,
        findings: Option<&PageFindings>,
        links: Vec<(Url, String)>,
        sitemap_index: bool,
    ) {
        if let Some(f) = findings {
            for t in f.targets().map(str::to_string).collect::<Vec<_>>() {
                let Some(u) = Url::parse(&t)
                    .ok()
                    .and_then(|u| url::canonical(&u, &self.shared.catalogue.crawl))
                else {
                    continue;
                };
                self.targets.insert(u.to_string());
                let as_page = self.in_scope(&u)
                    && !url::is_document(&u)
                    && item.depth < self.opts().max_depth
                    && !self.budget_spent;
                let kind = if as_page {
                    FetchKind::Page
                } else {
                    FetchKind::Probe
                };
                self.enqueue(u, kind, item.depth + 1, Rank::Fixed(3));
            }
        }
        match item.kind {
            FetchKind::Sitemap => {
                for (u, _) in links {
                    if !self.in_scope(&u) {
                        continue;
                    }
                    if sitemap_index {
                        let n = self
                            .sitemaps_per_origin
                            .entry(origin_of(&item.url))
                            .or_default();
                        if *n < MAX_SITEMAPS_PER_ORIGIN {
                            *n += 1;
                            self.enqueue(u, FetchKind::Sitemap, 0, Rank::Fixed(4));
                        }
                    } else if !self.budget_spent
                        && !url::is_binary_asset(&u)
                        && !url::is_document(&u)
                    {
                        self.enqueue(u, FetchKind::Page, 1, Rank::Words(""));
                    }
                }
            }
            _ => {
                for (u, text) in links {
                    if url::is_binary_asset(&u) {
                        continue;
                    }
                    if !self.in_scope(&u) {
                        if let Some(n) = url::normalize(&u) {
                            self.outlinks.insert(n.to_string());
                        }
                        continue;
                    }
                    if url::is_document(&u)
                        || item.depth >= self.opts().max_depth
                        || self.budget_spent
                    {
                        continue;
                    }
                    self.enqueue(u, FetchKind::Page, item.depth + 1, Rank::Words(&text));
                }
            }
        }
    }

    /// Mirror the frontier's changes in the store: the URLs queued since the
    /// last save and the one just fetched. A crash between storing a page
    /// and this loses nothing: `resume` re-queues what fetched pages found.
    fn save_frontier(&mut self, fetched: Option<String>) -> Result<(), CrawlError> {
        let add = std::mem::take(&mut self.queued_unsaved);
        let remove: Vec<String> = fetched.into_iter().collect();
        self.shared
            .store
            .update_queued(&self.record.id, &add, &remove)?;
        Ok(())
    }

    fn follow_redirect(&mut self, item: &Item, record: &PageRecord, loc: Url) {
        let Some(target) = url::canonical(&loc, &self.shared.catalogue.crawl) else {
            return;
        };
        let is_target = self.targets.contains(record.url.as_str());
        if is_target {
            // Liveness follows the chain: the next hop is a target too.
            self.targets.insert(target.to_string());
        }
        if self.frontier.seen(&target) {
            // Already queued or fetched: a loop (or a shared destination);
            // liveness resolves it through the records.
            if target.as_str() == record.url {
                *self
                    .stats
                    .errors_by_class
                    .entry(ErrorClass::RedirectLoop.as_str().into())
                    .or_default() += 1;
                self.stats.errors += 1;
            }
            return;
        }
        let kind = match item.kind {
            FetchKind::Page if self.in_scope(&target) && !url::is_document(&target) => {
                FetchKind::Page
            }
            FetchKind::Sitemap if self.in_scope(&target) => FetchKind::Sitemap,
            FetchKind::Probe => FetchKind::Probe,
            _ if is_target => FetchKind::Probe,
            _ => {
                self.outlinks.insert(target.to_string());
                return;
            }
        };
        if item.attempt >= 10 {
            return;
        }
        let pushed = self.enqueue(target, kind, item.depth, Rank::Fixed(item.priority));
        if !pushed {
            *self
                .stats
                .errors_by_class
                .entry(ErrorClass::RedirectLoop.as_str().into())
                .or_default() += 1;
        }
    }

    fn finish(mut self, stopped: bool) -> Result<RunRecord, CrawlError> {
        self.save_frontier(None)?;
        let mut lost: Vec<String> = self
            .robots
            .iter()
            .filter(|(_, r)| matches!(r, RobotsState::Ready(Rules::DisallowAll(_))))
            .map(|(o, _)| o.clone())
            .chain(self.stats.circuit_open.iter().cloned())
            // Only the city's own hosts: a dead portal is evidence, not a gap.
            .filter(|o| Url::parse(o).is_ok_and(|u| self.in_scope(&u)))
            .collect();
        lost.sort();
        lost.dedup();
        if !lost.is_empty() {
            tracing::warn!("not crawled in this run: {}", lost.join(", "));
        }
        self.stats.hosts_lost = lost;
        self.stats.out_of_scope_links = self.outlinks.len() as u64;
        let seen = &self.seen;
        let rules = &self.shared.catalogue.crawl;
        let liveness = |target: &str, claim: detect::Claim| seen.answer(rules, target, claim);
        let verdicts = detect::verdicts(&self.shared.catalogue, &self.findings, &liveness);
        self.stats.evidence_complete_at = evidence_complete_at(&verdicts, &self.order);
        self.shared.store.put_verdicts(&self.record.id, &verdicts)?;
        // `stats.seconds` holds the time of earlier parts of a resumed run;
        // `record.stats` may already include this part's time (checkpoints).
        self.stats.seconds += self.started.elapsed().as_secs_f64();
        self.record.stats = self.stats;
        self.record.finished_at = Some(jiff::Timestamp::now());
        self.record.status = if stopped {
            RunStatus::Interrupted
        } else if self.record.stats.pages_ok == 0 {
            // An outage is not a result: nothing of the city answered.
            self.record.failure = Some(failure_reason(&self.record.stats));
            RunStatus::Failed
        } else {
            self.shared.store.clear_queued(&self.record.id)?;
            RunStatus::Complete
        };
        self.shared.store.put_run(&self.record)?;
        self.shared.store.flush()?;
        tracing::info!(
            status = self.record.status.public(),
            pages = self.record.stats.pages_fetched,
            errors = self.record.stats.errors,
            "crawl ended"
        );
        Ok(self.record)
    }
}

/// Why a run that fetched nothing failed, in words, from its error counts.
fn failure_reason(stats: &RunStats) -> String {
    let causes: Vec<String> = stats
        .errors_by_class
        .iter()
        .map(|(class, n)| format!("{class}: {n}"))
        .collect();
    let mut why = String::from("no page of the city could be fetched");
    if stats.robots_excluded > 0 {
        why.push_str(&format!(
            "; {} URLs held back by robots.txt (unreachable or forbidding)",
            stats.robots_excluded
        ));
    }
    if !causes.is_empty() {
        why.push_str(&format!(" ({})", causes.join(", ")));
    }
    if !stats.circuit_open.is_empty() {
        why.push_str(&format!(
            "; hosts given up: {}",
            stats.circuit_open.join(", ")
        ));
    }
    why
}

/// After how many fetched pages every service had the evidence of its final
/// level: the latest, over services, of the earliest page carrying it.
fn evidence_complete_at(
    verdicts: &[detect::ServiceVerdict],
    order: &HashMap<String, u64>,
) -> Option<u64> {
    let mut point = None;
    for v in verdicts
        .iter()
        .filter(|v| v.level > crate::types::Level::Offline)
    {
        let first = v
            .evidence
            .iter()
            .filter(|e| e.level == v.level)
            .filter_map(|e| order.get(&e.url).copied())
            .min()?;
        point = Some(point.map_or(first, |p: u64| p.max(first)));
    }
    point
}

fn spawn(tasks: &mut JoinSet<Outcome>, shared: &Arc<Shared>, job: Job) {
    let shared = Arc::clone(shared);
    tasks.spawn(async move {
        match job {
            Job::Robots { origin } => {
                let rules = match Url::parse(&format!("{origin}/robots.txt")) {
                    Ok(u) => fetch_robots(&shared.client, &u).await,
                    Err(_) => Rules::AllowAll,
                };
                Outcome::Robots { origin, rules }
            }
            Job::Fetch(item) => {
                let cap = match item.kind {
                    FetchKind::Page => shared.opts.max_body,
                    FetchKind::Sitemap => shared.opts.max_body.max(sitemap::MAX_BYTES),
                    // A liveness check needs the start of the page, not all of it.
                    FetchKind::Probe => shared.opts.max_body.min(2 * 1024 * 1024),
                };
                let earlier = if shared.opts.conditional {
                    shared.store.validator(item.url.as_str()).ok().flatten()
                } else {
                    None
                };
                let cond = earlier.as_ref().map(|v| Conditional {
                    etag: v.etag.clone(),
                    last_modified: v.last_modified.clone(),
                });
                let fetched_at = jiff::Timestamp::now();
                let result = fetch::get(
                    &shared.client,
                    &item.url,
                    cap,
                    cond.as_ref(),
                    shared.opts.min_rate,
                )
                .await;
                if let Some(retry) = retry_of(&shared.opts, &item, &result) {
                    return retry;
                }
                // A 304 reuses the stored analysis: a few store reads and
                // writes, cheaper than handing the page to another thread.
                if matches!(&result, Ok(r) if r.status == 304) && earlier.is_some() {
                    return Outcome::Fetched(Box::new(process(
                        &shared, item, fetched_at, result, earlier,
                    )));
                }
                let sh = Arc::clone(&shared);
                // The semaphore is never closed, so acquiring only fails if
                // it were; then the page is processed without a permit.
                let permit = shared.cpu.clone().acquire_owned().await.ok();
                let joined = tokio::task::spawn_blocking(move || {
                    let _permit = permit;
                    process(&sh, item, fetched_at, result, earlier)
                })
                .await;
                match joined {
                    Ok(f) => Outcome::Fetched(Box::new(f)),
                    Err(e) => std::panic::resume_unwind(e.into_panic()),
                }
            }
        }
    });
}

/// Whether a failed request deserves another try, and after how long:
/// connection errors, timeouts, 5xx and 429, with exponential backoff and
/// jitter, or the server's Retry-After when it gives one.
fn retry_of(
    opts: &CrawlOptions,
    item: &Item,
    result: &Result<fetch::Response, FetchError>,
) -> Option<Outcome> {
    if item.attempt >= opts.max_retries {
        return None;
    }
    if matches!(result, Err(FetchError::Timeout(_))) && item.attempt >= opts.timeout_retries {
        return None;
    }
    let (class, retry_after) = match result {
        Err(FetchError::Timeout(_)) => (ErrorClass::Timeout, None),
        Err(FetchError::Connect(_)) => (ErrorClass::Connect, None),
        Ok(r) if r.status == 429 => (ErrorClass::Http429, r.retry_after),
        Ok(r) if matches!(r.status, 500 | 502 | 503 | 504) => (ErrorClass::Http5xx, r.retry_after),
        _ => return None,
    };
    let wait = match retry_after {
        Some(w) if w > opts.max_retry_after => return None,
        Some(w) => w,
        None => {
            let base = opts.backoff.as_secs_f64() * f64::from(1u32 << item.attempt.min(16));
            Duration::from_secs_f64(base * jitter(item.url.as_str(), item.attempt))
        }
    };
    Some(Outcome::Retry {
        item: item.clone(),
        wait,
        class,
    })
}

/// A factor in [0.5, 1.5) derived from the URL and attempt: spreads retries
/// of many URLs apart without a random number generator, and is repeatable.
fn jitter(url: &str, attempt: u8) -> f64 {
    let h = blake3::hash(format!("{url}#{attempt}").as_bytes());
    let b = h.as_bytes();
    let v = u16::from_le_bytes([b[0], b[1]]);
    0.5 + f64::from(v) / 65536.0
}

async fn fetch_robots(client: &reqwest::Client, url: &Url) -> Rules {
    let mut current = url.clone();
    // Up to five redirects, as RFC 9309 asks.
    for _ in 0..=5 {
        // A larger file is read up to the cap, never taken as "allow all".
        match fetch::get_prefix(client, &current, robots::MAX_ROBOTS_BYTES).await {
            Ok(r) if (300..400).contains(&r.status) => match r.location {
                Some(l) => current = l,
                None => return Rules::AllowAll,
            },
            Ok(r) => return Rules::from_response(Some(r.status), &r.body),
            Err(_) => return Rules::from_response(None, b""),
        }
    }
    Rules::AllowAll
}

/// Store, extract and analyse one fetch result (runs on a blocking thread).
fn process(
    shared: &Shared,
    item: Item,
    fetched_at: jiff::Timestamp,
    result: Result<fetch::Response, FetchError>,
    earlier: Option<Validator>,
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
        news: false,
        own_page: false,
        offers_application: false,
    };
    let mut out = Fetched {
        item,
        record: record.clone(),
        links: Vec::new(),
        sitemap_index: false,
        findings: None,
        new_snapshot: false,
        error_class: None,
        host_failure: false,
    };
    match result {
        Err(e) => {
            out.error_class = Some(e.class());
            out.host_failure = matches!(e, FetchError::Timeout(_) | FetchError::Connect(_));
            record.error = Some(e.to_string());
        }
        Ok(resp) => {
            record.status = Some(resp.status);
            record.content_type = resp.content_type.clone();
            record.location = resp.location.as_ref().map(|u| u.to_string());
            record.etag = resp.etag.clone();
            record.last_modified = resp.last_modified.clone();
            record.bytes = resp.body.len() as u64;
            // A missing sitemap.xml is normal, not an error of the site.
            let quiet_404 = out.item.kind == FetchKind::Sitemap && resp.status == 404;
            if resp.status >= 400 && !quiet_404 {
                out.error_class = Some(if resp.status >= 500 {
                    ErrorClass::Http5xx
                } else {
                    ErrorClass::Http4xx
                });
                // A 429 is the server asking to slow down (Retry-After is
                // obeyed): an answer, not a failing host.
                out.host_failure = resp.status >= 500;
            }
            // 304: the earlier snapshot is still the page; reuse it (its
            // bytes are read only if its analysis is not stored).
            let (ok, body, content_type) = match (resp.status, &earlier) {
                (304, Some(v)) => {
                    record.snapshot = Some(v.snapshot.clone());
                    record.content_type = v.content_type.clone();
                    (true, Vec::new(), v.content_type.clone())
                }
                (s, _) => (
                    (200..300).contains(&s),
                    resp.body,
                    resp.content_type.clone(),
                ),
            };
            // A failed fetch never stores a snapshot: error pages are not evidence.
            if ok && !body.is_empty() && record.snapshot.is_none() {
                match shared.store.put_snapshot(&body) {
                    Ok((sid, new)) => {
                        record.snapshot = Some(sid.clone());
                        out.new_snapshot = new;
                        if record.etag.is_some() || record.last_modified.is_some() {
                            let v = Validator {
                                etag: record.etag.clone(),
                                last_modified: record.last_modified.clone(),
                                snapshot: sid,
                                content_type: record.content_type.clone(),
                            };
                            let _ = shared.store.put_validator(&record.url, &v);
                        }
                    }
                    Err(e) => {
                        record.error = Some(format!("store: {e}"));
                        out.error_class = Some(ErrorClass::Store);
                    }
                }
            }
            if ok {
                analyse(shared, &mut out, &mut record, body, content_type.as_deref());
            }
        }
    }
    if let Err(e) = shared.store.put_page(&shared.run, &record) {
        tracing::error!("cannot store page record for {}: {e}", record.url);
        out.error_class = Some(ErrorClass::Store);
    }
    out.record = record;
    out
}

/// Sitemaps are read here; every other document goes through the analysis
/// stage (from its cache when the same bytes were judged before).
fn analyse(
    shared: &Shared,
    out: &mut Fetched,
    record: &mut PageRecord,
    body: Vec<u8>,
    content_type: Option<&str>,
) {
    let Some(sid) = record.snapshot.clone() else {
        return;
    };
    if out.item.kind == FetchKind::Sitemap {
        let body = if body.is_empty() {
            shared
                .store
                .snapshot(&sid)
                .ok()
                .flatten()
                .unwrap_or_default()
        } else {
            body
        };
        read_sitemap(out, record, &body);
        return;
    }
    let doc = analysis::Document {
        kind: out.item.kind,
        url: &out.item.url,
        content_type,
        fetched_at: record.fetched_at,
        snapshot: &sid,
    };
    let mut body = Some(body);
    let mut bytes = || match body.take() {
        Some(b) if !b.is_empty() => b,
        _ => shared
            .store
            .snapshot(&sid)
            .ok()
            .flatten()
            .unwrap_or_default(),
    };
    let a = analysis::cached(
        &shared.store,
        &shared.catalogue,
        &shared.extractor,
        &shared.scope,
        &doc,
        &mut bytes,
    );
    record.news = a.news;
    record.own_page = a.own_page;
    record.offers_application = a.offers_application;
    out.links = a.links;
    if let Some(f) = a.findings {
        if let Err(e) = shared.store.put_findings(&shared.run, &f) {
            record.error = Some(format!("store: {e}"));
            out.error_class = Some(ErrorClass::Store);
        }
        out.findings = Some(f);
    }
}

fn read_sitemap(out: &mut Fetched, record: &mut PageRecord, body: &[u8]) {
    match sitemap::maybe_gunzip(body) {
        Ok(xml) => {
            let sm = sitemap::parse(&xml);
            out.sitemap_index = sm.is_index;
            out.links = sm
                .locs
                .iter()
                .filter_map(|l| out.item.url.join(l).ok())
                .map(|u| (u, String::new()))
                .collect();
        }
        Err(e) => {
            record.error = Some(format!("sitemap: {e}"));
            out.error_class = Some(ErrorClass::Sitemap);
        }
    }
}
