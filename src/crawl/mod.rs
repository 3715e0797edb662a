//! The crawler: from a city profile to stored pages, findings and verdicts.
//!
//! Parts: [`frontier`] (what to fetch next, per origin, prioritised and
//! deduplicated), [`robots`] (RFC 9309 rules per origin), [`politeness`] (one
//! rate limiter per origin, Crawl-delay, backoff), [`fetch`] (one HTTP request
//! with caps and timeouts), [`sitemap`] and [`url`] (canonical URLs, traps).
//! The scheduler (`scheduler`) ties them together: it alone decides
//! when a request is sent, so every request — pages, robots.txt, sitemaps,
//! liveness checks of portal links — passes robots and the per-origin
//! limiter. Nothing outside `crawl` sends a request. A request's work runs
//! in `worker`; what it brings back is taken in by `intake`.
//!
//! Each fetched page is stored (snapshot + page record), extracted and
//! analysed on a blocking thread; the loop only moves URLs. The frontier is
//! mirrored in the store, so a run killed mid-way can be resumed
//! ([`resume`]). When the frontier is empty (or the budget spent, or
//! Ctrl-C) the run's findings and the liveness of link targets become one
//! verdict per service.

pub mod fetch;
pub mod frontier;
pub mod politeness;
pub mod robots;
pub mod sitemap;
pub mod url;

mod intake;
mod resume;
mod scheduler;
mod worker;

pub use resume::resume;
use scheduler::*;
use worker::*;

use crate::analysis::{self, LivenessIndex};
use crate::catalogue::Catalogue;
use crate::detect::{self, PageFindings};
use crate::extract::Extractor;
use crate::profile::Profile;
use crate::store::{
    FetchKind, PageRecord, RunRecord, RunSettings, RunStats, RunStatus, Store, StoreError,
    Unfetched, Validator,
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

impl CrawlError {
    /// The error in German words.
    pub fn de(&self) -> String {
        match self {
            CrawlError::Store(e) => e.de(),
            CrawlError::Client(e) => format!("HTTP-Client lässt sich nicht einrichten: {e}"),
            CrawlError::NothingToResume(city) => format!(
                "kein unterbrochener Lauf von {city} zum Fortsetzen; einen neuen Crawl ohne --resume beginnen"
            ),
        }
    }
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
