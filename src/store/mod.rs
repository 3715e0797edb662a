//! The evidence store: one sled database, and the only module that knows it.
//!
//! Trees (keys → values; every value starts with a one-byte schema version,
//! then JSON, so later releases can read old databases and add fields):
//! - `runs`: run id → [`RunRecord`]
//! - `snapshots`: content hash → version byte + zstd(bytes); stored once
//!   however often a page is seen
//! - `pages`: run id `\0` url → [`PageRecord`]
//! - `findings`: run id `\0` url → per-page detection result
//! - `verdicts`: run id `\0` service id → [`ServiceVerdict`]
//! - `frontier`: run id `\0` url → [`QueuedUrl`] (what a run still has to
//!   fetch; what makes `crawl --resume` possible after a crash)
//! - `dashboard`: ARS `\0` date → [`DashboardImport`] (the federal OZG
//!   dashboard's rows for a region, as imported)
//! - `analysis`: key of (catalogue, city context, url, snapshot) →
//!   [`CachedAnalysis`]: detection is pure, so an unchanged page (a 304) is
//!   not parsed again
//! - `validators`: url → [`Validator`] (ETag/Last-Modified of the last good
//!   fetch, for conditional requests of the next run)
//! - `meta`: `schema` → database schema version
//!
//! sled is opened once per process with an explicit cache size; a second
//! process gets [`StoreError::Locked`] naming the path (after a 3 s wait,
//! since sled releases its lock a moment after the last handle is dropped).

use crate::detect::{PageFindings, ServiceVerdict};
use crate::types::{RunId, SnapshotId, State};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[cfg(test)]
mod tests;

/// Version byte written in front of every JSON value.
const VALUE_VERSION: u8 = 1;
/// The same JSON, zstd-compressed: values above [`COMPRESS_ABOVE`] bytes
/// (findings, the analysis cache with a page's links). Small values stay
/// plain, where compression would cost more than it saves.
const VALUE_ZSTD: u8 = 2;
const COMPRESS_ABOVE: usize = 512;
/// Version byte in front of a compressed snapshot.
const SNAPSHOT_ZSTD: u8 = 1;
/// Database layout version, checked on open.
pub const DB_SCHEMA: u32 = 1;
/// Largest snapshot we ever decompress (bounds memory on a corrupt value).
const MAX_SNAPSHOT: usize = 64 * 1024 * 1024;
/// How long `open` waits for a lock held by a handle that is going away.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {0} is in use by another ozgcheck process; wait for it to finish or use another --db")]
    Locked(PathBuf),
    #[error("database {path}: {source}")]
    Sled { path: PathBuf, source: sled::Error },
    #[error("database {path}: stored value for {key} is unreadable: {why}")]
    Corrupt {
        path: PathBuf,
        key: String,
        why: String,
    },
    #[error("database {path} has schema {found}; this ozgcheck reads up to {DB_SCHEMA}")]
    TooNew { path: PathBuf, found: u32 },
}

impl StoreError {
    /// The error in German words.
    pub fn de(&self) -> String {
        match self {
            StoreError::Locked(p) => format!(
                "Datenbank {} wird von einem anderen ozgcheck-Prozess benutzt; warten, bis er fertig ist, oder eine andere --db angeben",
                p.display()
            ),
            StoreError::Sled { path, source } => format!("Datenbank {}: {source}", path.display()),
            StoreError::Corrupt { path, key, why } => format!(
                "Datenbank {}: gespeicherter Wert für {key} ist unlesbar: {why}",
                path.display()
            ),
            StoreError::TooNew { path, found } => format!(
                "Datenbank {} hat Schema {found}; dieses ozgcheck liest bis {DB_SCHEMA}",
                path.display()
            ),
        }
    }
}

/// Whether a run finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Running,
    Complete,
    Interrupted,
    /// Nothing could be fetched from the seeds (DNS, refused connections,
    /// robots.txt unreachable, every seed 5xx): not a result, never compared.
    Failed,
}

impl RunStatus {
    /// The contract knows only complete/interrupted: a run still marked
    /// running in a database nobody holds open was cut off.
    pub fn public(self) -> &'static str {
        match self {
            RunStatus::Complete => "complete",
            RunStatus::Running | RunStatus::Interrupted => "interrupted",
            RunStatus::Failed => "failed",
        }
    }
}

/// The settings a run was made with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
    pub seeds: Vec<String>,
    pub scope: Vec<String>,
    pub max_pages: usize,
    pub max_depth: usize,
    /// Requests per second per host; 0 = unlimited.
    pub rate: f64,
    pub concurrency: usize,
    pub user_agent: String,
    #[serde(default)]
    pub resolve: Vec<String>,
    #[serde(default)]
    pub catalogue: String,
}

/// Counters of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunStats {
    pub pages_fetched: u64,
    pub bytes_received: u64,
    pub snapshots_new: u64,
    pub errors: u64,
    pub robots_excluded: u64,
    pub out_of_scope_links: u64,
    pub liveness_checks: u64,
    pub skipped_by_limits: u64,
    #[serde(default)]
    pub errors_by_class: BTreeMap<String, u64>,
    /// Answers 304 Not Modified (snapshot reused).
    #[serde(default)]
    pub not_modified: u64,
    #[serde(default)]
    pub retries: u64,
    #[serde(default)]
    pub sitemaps: u64,
    /// URLs not queued because they look like crawler traps, by reason.
    #[serde(default)]
    pub trap_cuts: BTreeMap<String, u64>,
    /// Hosts whose circuit breaker opened after repeated failures.
    #[serde(default)]
    pub circuit_open: Vec<String>,
    /// After how many fetched pages every service had reached its final level.
    #[serde(default)]
    pub evidence_complete_at: Option<u64>,
    /// Wall-clock seconds spent crawling (summed over resumed parts).
    #[serde(default)]
    pub seconds: f64,
    /// Pages of the city's own scope that answered (2xx or 304): none means
    /// the run could fetch nothing and failed.
    #[serde(default)]
    pub pages_ok: u64,
    /// The run stopped because its time budget (`--max-duration`) was used up.
    #[serde(default)]
    pub time_budget_used: bool,
    /// Origins that could not be crawled in this run (robots.txt unreachable
    /// or 5xx, or given up after failing): what lived there was not checked.
    #[serde(default)]
    pub hosts_lost: Vec<String>,
}

/// One crawl of one city.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub id: RunId,
    pub city: String,
    pub state: State,
    #[serde(default)]
    pub ags: Option<String>,
    pub label: Option<String>,
    pub settings: RunSettings,
    pub started_at: jiff::Timestamp,
    pub finished_at: Option<jiff::Timestamp>,
    pub status: RunStatus,
    pub stats: RunStats,
    /// Why a failed run failed, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// Set on a run made by `reanalyze`: the stored pages of another run
    /// judged again under another catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reanalysis: Option<Reanalysis>,
}

/// One survey: every city of a survey file crawled by the same rules, each
/// city's crawl an ordinary run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyRecord {
    pub id: RunId,
    pub name: String,
    /// The index model whose services and threshold the ranking uses.
    pub model: String,
    pub started_at: jiff::Timestamp,
    pub finished_at: Option<jiff::Timestamp>,
    pub cities: Vec<SurveyCity>,
}

/// A city of a survey and its run (none before its crawl began).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyCity {
    pub name: String,
    pub state: State,
    /// The profile file it was read from.
    pub profile: String,
    pub run: Option<RunId>,
}

/// Where a reanalysed run's pages come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reanalysis {
    /// The run whose pages and snapshots were judged again.
    pub source: RunId,
    /// Fingerprint of the catalogue the source run was judged with.
    pub source_catalogue: String,
    /// When the reanalysis ran (the run's own times are the source's).
    pub at: jiff::Timestamp,
}

/// Why a URL was requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FetchKind {
    /// A page of the city's scope, parsed for links.
    Page,
    /// A one-request liveness check of a link target; never parsed for links.
    Probe,
    /// A sitemap or sitemap index.
    Sitemap,
}

/// A URL waiting in a run's frontier (stored so a crashed run can resume).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedUrl {
    pub url: String,
    pub kind: FetchKind,
    pub depth: usize,
    pub priority: u8,
    #[serde(default)]
    pub attempt: u8,
}

/// One row of the federal OZG dashboard export for a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardRow {
    /// Line (CSV) or index (JSON) in the imported file.
    pub line: usize,
    pub leika_key: String,
    pub leika_name: String,
    pub ozgid: String,
    pub ozg_bezeichnung: String,
    pub url: String,
    pub online_status: String,
    pub aktiv: String,
    pub art_flaechendeckung: String,
}

/// A dashboard export as imported, with its date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardImport {
    /// Amtlicher Regionalschlüssel (12 digits).
    pub ars: String,
    /// Date of the export (YYYY-MM-DD).
    pub date: String,
    pub source: String,
    pub rows: Vec<DashboardRow>,
}

/// What analysing one stored page gave, reusable while the catalogue, the
/// city context, the URL and the bytes are the same.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedAnalysis {
    pub findings: Option<PageFindings>,
    pub links: Vec<(String, String)>,
    pub news: bool,
    pub offers_application: bool,
    /// Whether the document was read as one of the city's pages (absent in
    /// entries of older releases).
    #[serde(default)]
    pub own_page: Option<bool>,
}

/// Validators of the last good fetch of a URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validator {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub snapshot: SnapshotId,
    pub content_type: Option<String>,
}

/// What happened to one URL in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageRecord {
    pub url: String,
    pub kind: FetchKind,
    pub depth: usize,
    pub fetched_at: jiff::Timestamp,
    /// HTTP status; None when the request failed before a response.
    pub status: Option<u16>,
    /// Error class and message when the fetch failed.
    pub error: Option<String>,
    pub content_type: Option<String>,
    /// Redirect target, resolved to an absolute URL.
    pub location: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub snapshot: Option<SnapshotId>,
    pub bytes: u64,
    /// The page is a news item (announces; never itself the application).
    #[serde(default)]
    pub news: bool,
    /// A page of the city's own scope that was read (not only checked alive).
    #[serde(default)]
    pub own_page: bool,
    /// The page itself holds an application form or a portal login: what a
    /// frame, or a same-site link to a page about no service, must lead to.
    #[serde(default)]
    pub offers_application: bool,
    /// Why the URL was not requested at all (absent when it was).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unfetched: Option<Unfetched>,
}

/// Why a URL of a run was not requested.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unfetched {
    /// robots.txt forbids it (or could not be read: then all is forbidden).
    Robots,
    /// Its host kept failing; the circuit breaker held its other URLs back.
    CircuitOpen,
    /// Its host did not answer at all (not even robots.txt): not fetched,
    /// as under `Robots`, and known to be out of a citizen's reach too.
    Unreachable,
}

impl PageRecord {
    /// The record of a URL before anything is known of its answer.
    pub fn blank(url: &url::Url, kind: FetchKind, depth: usize, at: jiff::Timestamp) -> Self {
        PageRecord {
            url: url.to_string(),
            kind,
            depth,
            fetched_at: at,
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
            unfetched: None,
        }
    }

    /// Why the URL was not requested. Databases written before the field
    /// existed said it only in `error` ("robots: …"): read that there.
    pub fn unfetched(&self) -> Option<Unfetched> {
        let legacy = |prefix: &str| {
            self.status.is_none() && self.error.as_deref().is_some_and(|e| e.starts_with(prefix))
        };
        self.unfetched.or_else(|| {
            if legacy("robots:") {
                Some(Unfetched::Robots)
            } else if legacy("circuit-open:") {
                Some(Unfetched::CircuitOpen)
            } else {
                None
            }
        })
    }
    /// 2xx, or 304 (the stored snapshot is still the page).
    pub fn is_success(&self) -> bool {
        matches!(self.status, Some(s) if (200..300).contains(&s) || s == 304)
    }
}

/// What `gc` removed (or would remove).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GcReport {
    pub snapshots_deleted: u64,
    pub bytes_reclaimed: u64,
}

/// Sizes and counts for `stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DbStats {
    pub disk_bytes: u64,
    pub runs: u64,
    pub page_records: u64,
    pub pages_with_snapshot: u64,
    pub snapshots: u64,
    pub snapshot_bytes: u64,
}

/// The database handle. Cheap to clone (sled trees are reference counted).
#[derive(Clone)]
pub struct Store {
    path: PathBuf,
    db: sled::Db,
    runs: sled::Tree,
    snapshots: sled::Tree,
    pages: sled::Tree,
    findings: sled::Tree,
    verdicts: sled::Tree,
    frontier: sled::Tree,
    validators: sled::Tree,
    dashboard: sled::Tree,
    analysis: sled::Tree,
    surveys: sled::Tree,
}

/// zstd's fast level -1: on the bench site's HTML it stores as small as
/// level 1 (7.6 MB for 2,000 pages) for a quarter less CPU; -3 would save
/// another fifth of the CPU for 10 % more bytes. Snapshots are written once.
const ZSTD_LEVEL: i32 = -1;

thread_local! {
    /// One zstd context per thread: setting one up costs more than
    /// compressing a typical page.
    static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

thread_local! {
    static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

/// Decompress at most `cap` bytes, with this thread's zstd context.
fn decompress(bytes: &[u8], cap: usize) -> std::io::Result<Vec<u8>> {
    // The frame says its size (our own values always do): allocate that,
    // not the cap, which `decompress` would reserve up front.
    let cap = match zstd::zstd_safe::get_frame_content_size(bytes) {
        Ok(Some(n)) if (n as usize) <= cap => n as usize,
        _ => cap,
    };
    DECOMPRESSOR.with(|d| {
        let mut d = d.borrow_mut();
        if d.is_none() {
            *d = Some(zstd::bulk::Decompressor::new()?);
        }
        match d.as_mut() {
            Some(z) => z.decompress(bytes, cap),
            None => zstd::bulk::decompress(bytes, cap),
        }
    })
}

fn compress(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    COMPRESSOR.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            *c = Some(zstd::bulk::Compressor::new(ZSTD_LEVEL)?);
        }
        match c.as_mut() {
            Some(z) => z.compress(bytes),
            None => zstd::bulk::compress(bytes, ZSTD_LEVEL),
        }
    })
}

fn run_key(run: &RunId, rest: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(run.as_str().len() + 1 + rest.len());
    k.extend_from_slice(run.as_str().as_bytes());
    k.push(0);
    k.extend_from_slice(rest.as_bytes());
    k
}

fn run_prefix(run: &RunId) -> Vec<u8> {
    run_key(run, "")
}

impl Store {
    fn open_db(path: &Path) -> Result<sled::Db, StoreError> {
        sled::Config::new()
            .path(path)
            // sled's default cache is large; evidence access is sequential,
            // so a small cache keeps memory flat on big databases.
            .cache_capacity(16 * 1024 * 1024)
            .open()
            .map_err(|e| match &e {
                sled::Error::Io(io) if io.kind() == std::io::ErrorKind::WouldBlock => {
                    StoreError::Locked(path.to_path_buf())
                }
                // sled reports a held lock as "could not acquire lock" inside
                // an Io error of kind Other on some platforms.
                sled::Error::Io(io) if io.to_string().contains("lock") => {
                    StoreError::Locked(path.to_path_buf())
                }
                _ => StoreError::Sled {
                    path: path.to_path_buf(),
                    source: e,
                },
            })
    }

    /// Open (or create) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        // sled's background writer threads keep the file lock for a moment
        // after the last handle is dropped (a run that just ended, a cron job
        // that starts as the previous one finishes), so a held lock is
        // retried briefly before it is reported.
        let deadline = std::time::Instant::now() + LOCK_WAIT;
        let db = loop {
            match Self::open_db(path) {
                Err(StoreError::Locked(_)) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                other => break other?,
            }
        };
        let err = |source| StoreError::Sled {
            path: path.to_path_buf(),
            source,
        };
        let meta = db.open_tree("meta").map_err(err)?;
        match meta.get("schema").map_err(err)? {
            Some(v) => {
                let found = v
                    .as_ref()
                    .try_into()
                    .map(u32::from_be_bytes)
                    .unwrap_or(u32::MAX);
                if found > DB_SCHEMA {
                    return Err(StoreError::TooNew {
                        path: path.to_path_buf(),
                        found,
                    });
                }
            }
            None => {
                meta.insert("schema", &DB_SCHEMA.to_be_bytes())
                    .map_err(err)?;
            }
        }
        Ok(Store {
            path: path.to_path_buf(),
            runs: db.open_tree("runs").map_err(err)?,
            snapshots: db.open_tree("snapshots").map_err(err)?,
            pages: db.open_tree("pages").map_err(err)?,
            findings: db.open_tree("findings").map_err(err)?,
            verdicts: db.open_tree("verdicts").map_err(err)?,
            frontier: db.open_tree("frontier").map_err(err)?,
            validators: db.open_tree("validators").map_err(err)?,
            dashboard: db.open_tree("dashboard").map_err(err)?,
            analysis: db.open_tree("analysis").map_err(err)?,
            surveys: db.open_tree("surveys").map_err(err)?,
            db,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sled_err(&self, source: sled::Error) -> StoreError {
        StoreError::Sled {
            path: self.path.clone(),
            source,
        }
    }

    fn encode<T: Serialize>(value: &T) -> Vec<u8> {
        // Serialising our own plain structs to JSON cannot fail.
        let json = serde_json::to_vec(value).unwrap_or_default();
        if json.len() > COMPRESS_ABOVE {
            if let Ok(z) = compress(&json) {
                let mut out = Vec::with_capacity(z.len() + 1);
                out.push(VALUE_ZSTD);
                out.extend(z);
                return out;
            }
        }
        let mut out = Vec::with_capacity(json.len() + 1);
        out.push(VALUE_VERSION);
        out.extend(json);
        out
    }

    fn decode<T: DeserializeOwned>(&self, key: &[u8], raw: &[u8]) -> Result<T, StoreError> {
        let corrupt = |why: String| StoreError::Corrupt {
            path: self.path.clone(),
            key: String::from_utf8_lossy(key).replace('\0', " "),
            why,
        };
        match raw.split_first() {
            Some((&VALUE_VERSION, body)) => {
                serde_json::from_slice(body).map_err(|e| corrupt(e.to_string()))
            }
            Some((&VALUE_ZSTD, body)) => {
                let json = decompress(body, MAX_SNAPSHOT).map_err(|e| corrupt(e.to_string()))?;
                serde_json::from_slice(&json).map_err(|e| corrupt(e.to_string()))
            }
            Some((v, _)) => Err(corrupt(format!("unknown value version {v}"))),
            None => Err(corrupt("empty value".into())),
        }
    }

    fn get<T: DeserializeOwned>(
        &self,
        tree: &sled::Tree,
        key: &[u8],
    ) -> Result<Option<T>, StoreError> {
        match tree.get(key).map_err(|e| self.sled_err(e))? {
            Some(v) => self.decode(key, &v).map(Some),
            None => Ok(None),
        }
    }

    fn scan<T: DeserializeOwned>(
        &self,
        tree: &sled::Tree,
        prefix: &[u8],
    ) -> Result<Vec<T>, StoreError> {
        let mut out = Vec::new();
        for item in tree.scan_prefix(prefix) {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            out.push(self.decode(&k, &v)?);
        }
        Ok(out)
    }

    // ---- runs ----

    pub fn put_run(&self, run: &RunRecord) -> Result<(), StoreError> {
        self.runs
            .insert(run.id.as_str().as_bytes(), Self::encode(run))
            .map_err(|e| self.sled_err(e))?;
        Ok(())
    }

    pub fn run(&self, id: &RunId) -> Result<Option<RunRecord>, StoreError> {
        self.get(&self.runs, id.as_str().as_bytes())
    }

    /// All runs, oldest first (run ids sort by start time).
    pub fn runs(&self) -> Result<Vec<RunRecord>, StoreError> {
        let mut runs: Vec<RunRecord> = self.scan(&self.runs, b"")?;
        runs.sort_by(|a, b| a.started_at.cmp(&b.started_at).then(a.id.cmp(&b.id)));
        Ok(runs)
    }

    // ---- surveys ----

    pub fn put_survey(&self, s: &SurveyRecord) -> Result<(), StoreError> {
        self.surveys
            .insert(s.id.as_str().as_bytes(), Self::encode(s))
            .map_err(|e| self.sled_err(e))?;
        Ok(())
    }

    /// All surveys, oldest first.
    pub fn surveys(&self) -> Result<Vec<SurveyRecord>, StoreError> {
        let mut all: Vec<SurveyRecord> = self.scan(&self.surveys, b"")?;
        all.sort_by(|a, b| a.started_at.cmp(&b.started_at).then(a.id.cmp(&b.id)));
        Ok(all)
    }

    /// A survey by id, or `latest`.
    pub fn resolve_survey(&self, spec: &str) -> Result<Option<SurveyRecord>, StoreError> {
        let all = self.surveys()?;
        Ok(match spec {
            "latest" => all.last().cloned(),
            _ => all.into_iter().find(|s| s.id.as_str() == spec),
        })
    }

    // ---- snapshots ----

    /// Store bytes under their content hash; returns the id and whether the
    /// bytes were new.
    pub fn put_snapshot(&self, bytes: &[u8]) -> Result<(SnapshotId, bool), StoreError> {
        let id = SnapshotId::of(bytes);
        if self
            .snapshots
            .contains_key(id.as_str().as_bytes())
            .map_err(|e| self.sled_err(e))?
        {
            return Ok((id, false));
        }
        let mut value = vec![SNAPSHOT_ZSTD];
        let compressed = compress(bytes).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            key: id.to_string(),
            why: format!("compression failed: {e}"),
        })?;
        value.extend(compressed);
        self.snapshots
            .insert(id.as_str().as_bytes(), value)
            .map_err(|e| self.sled_err(e))?;
        Ok((id, true))
    }

    pub fn snapshot(&self, id: &SnapshotId) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(raw) = self
            .snapshots
            .get(id.as_str().as_bytes())
            .map_err(|e| self.sled_err(e))?
        else {
            return Ok(None);
        };
        let corrupt = |why: String| StoreError::Corrupt {
            path: self.path.clone(),
            key: id.to_string(),
            why,
        };
        match raw.split_first() {
            Some((&SNAPSHOT_ZSTD, body)) => decompress(body, MAX_SNAPSHOT)
                .map(Some)
                .map_err(|e| corrupt(e.to_string())),
            _ => Err(corrupt("unknown snapshot format".into())),
        }
    }

    // ---- pages ----

    pub fn put_page(&self, run: &RunId, page: &PageRecord) -> Result<(), StoreError> {
        self.pages
            .insert(run_key(run, &page.url), Self::encode(page))
            .map_err(|e| self.sled_err(e))?;
        Ok(())
    }

    pub fn page(&self, run: &RunId, url: &str) -> Result<Option<PageRecord>, StoreError> {
        self.get(&self.pages, &run_key(run, url))
    }

    pub fn pages(&self, run: &RunId) -> Result<Vec<PageRecord>, StoreError> {
        self.scan(&self.pages, &run_prefix(run))
    }

    // ---- findings and verdicts ----

    pub fn put_findings(&self, run: &RunId, f: &PageFindings) -> Result<(), StoreError> {
        self.findings
            .insert(run_key(run, &f.url), Self::encode(f))
            .map_err(|e| self.sled_err(e))?;
        Ok(())
    }

    pub fn findings(&self, run: &RunId) -> Result<Vec<PageFindings>, StoreError> {
        self.scan(&self.findings, &run_prefix(run))
    }

    /// A run's findings one page at a time (for work over big runs).
    pub fn findings_iter<'s>(
        &'s self,
        run: &RunId,
    ) -> impl Iterator<Item = Result<PageFindings, StoreError>> + 's {
        self.findings.scan_prefix(run_prefix(run)).map(move |item| {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            self.decode(&k, &v)
        })
    }

    /// Replace the run's verdicts in one batch, so a crash never leaves half.
    pub fn put_verdicts(&self, run: &RunId, verdicts: &[ServiceVerdict]) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        for item in self.verdicts.scan_prefix(run_prefix(run)).keys() {
            batch.remove(item.map_err(|e| self.sled_err(e))?);
        }
        for v in verdicts {
            batch.insert(run_key(run, v.service.as_str()), Self::encode(v));
        }
        self.verdicts
            .apply_batch(batch)
            .map_err(|e| self.sled_err(e))
    }

    pub fn verdicts(&self, run: &RunId) -> Result<Vec<ServiceVerdict>, StoreError> {
        self.scan(&self.verdicts, &run_prefix(run))
    }

    // ---- frontier (resume) ----

    /// Queue new URLs and forget fetched ones (what one fetched page changes
    /// in the frontier). Plain writes, not a sled batch: a batch forces a
    /// log write per call, and a resumed run re-derives what a crash lost.
    pub fn update_queued(
        &self,
        run: &RunId,
        add: &[QueuedUrl],
        remove: &[String],
    ) -> Result<(), StoreError> {
        if add.is_empty() && remove.is_empty() {
            return Ok(());
        }
        for q in add {
            self.frontier
                .insert(run_key(run, &q.url), Self::encode(q))
                .map_err(|e| self.sled_err(e))?;
        }
        for url in remove {
            self.frontier
                .remove(run_key(run, url))
                .map_err(|e| self.sled_err(e))?;
        }
        Ok(())
    }

    pub fn queued(&self, run: &RunId) -> Result<Vec<QueuedUrl>, StoreError> {
        self.scan(&self.frontier, &run_prefix(run))
    }

    /// Forget a finished run's frontier.
    pub fn clear_queued(&self, run: &RunId) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        for k in self.frontier.scan_prefix(run_prefix(run)).keys() {
            batch.remove(k.map_err(|e| self.sled_err(e))?);
        }
        self.frontier
            .apply_batch(batch)
            .map_err(|e| self.sled_err(e))
    }

    // ---- validators (conditional requests) ----

    pub fn put_validator(&self, url: &str, v: &Validator) -> Result<(), StoreError> {
        self.validators
            .insert(url.as_bytes(), Self::encode(v))
            .map_err(|e| self.sled_err(e))?;
        Ok(())
    }

    pub fn validator(&self, url: &str) -> Result<Option<Validator>, StoreError> {
        self.get(&self.validators, url.as_bytes())
    }

    // ---- analysis cache ----

    pub fn put_analysis(&self, key: &str, a: &CachedAnalysis) -> Result<(), StoreError> {
        self.analysis
            .insert(key.as_bytes(), Self::encode(a))
            .map_err(|e| self.sled_err(e))?;
        Ok(())
    }

    pub fn analysis(&self, key: &str) -> Result<Option<CachedAnalysis>, StoreError> {
        self.get(&self.analysis, key.as_bytes())
    }

    // ---- dashboard ----

    pub fn put_dashboard(&self, d: &DashboardImport) -> Result<(), StoreError> {
        let key = format!("{}\0{}", d.ars, d.date);
        self.dashboard
            .insert(key.as_bytes(), Self::encode(d))
            .map_err(|e| self.sled_err(e))?;
        self.flush()
    }

    /// The newest import for a region.
    pub fn latest_dashboard(&self, ars: &str) -> Result<Option<DashboardImport>, StoreError> {
        let all: Vec<DashboardImport> =
            self.scan(&self.dashboard, format!("{ars}\0").as_bytes())?;
        Ok(all.into_iter().max_by(|a, b| a.date.cmp(&b.date)))
    }

    // ---- retention ----

    /// Delete runs (their pages, findings, verdicts, frontier) and then every
    /// snapshot that no remaining page record or validator references.
    pub fn gc(&self, runs: &[RunId], dry_run: bool) -> Result<GcReport, StoreError> {
        let doomed: std::collections::HashSet<&RunId> = runs.iter().collect();
        let mut keep = std::collections::HashSet::new();
        for r in self.runs()?.iter().filter(|r| !doomed.contains(&r.id)) {
            for p in self.pages(&r.id)? {
                if let Some(s) = p.snapshot {
                    keep.insert(s);
                }
            }
        }
        let mut stale_validators = Vec::new();
        for item in self.validators.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            let val: Validator = self.decode(&k, &v)?;
            if keep.contains(&val.snapshot) {
                continue;
            }
            stale_validators.push(k);
        }
        let mut report = GcReport::default();
        let mut dead = Vec::new();
        for item in self.snapshots.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            let id = SnapshotId::from_stored(&String::from_utf8_lossy(&k));
            if !keep.contains(&id) {
                report.snapshots_deleted += 1;
                report.bytes_reclaimed += v.len() as u64;
                dead.push(k);
            }
        }
        if dry_run {
            return Ok(report);
        }
        for run in runs {
            for tree in [&self.pages, &self.findings, &self.verdicts, &self.frontier] {
                let mut batch = sled::Batch::default();
                for k in tree.scan_prefix(run_prefix(run)).keys() {
                    batch.remove(k.map_err(|e| self.sled_err(e))?);
                }
                tree.apply_batch(batch).map_err(|e| self.sled_err(e))?;
            }
            self.runs
                .remove(run.as_str().as_bytes())
                .map_err(|e| self.sled_err(e))?;
        }
        // A validator without its snapshot would make a 304 unusable.
        for k in stale_validators {
            self.validators.remove(k).map_err(|e| self.sled_err(e))?;
        }
        for k in dead {
            self.snapshots.remove(k).map_err(|e| self.sled_err(e))?;
        }
        self.flush()?;
        Ok(report)
    }

    pub fn stats(&self) -> Result<DbStats, StoreError> {
        let mut s = DbStats {
            disk_bytes: self.db.size_on_disk().map_err(|e| self.sled_err(e))?,
            ..DbStats::default()
        };
        for r in self.runs()? {
            s.runs += 1;
            for p in self.pages(&r.id)? {
                s.page_records += 1;
                if p.snapshot.is_some() {
                    s.pages_with_snapshot += 1;
                }
            }
        }
        for item in self.snapshots.iter() {
            let (_, v) = item.map_err(|e| self.sled_err(e))?;
            s.snapshots += 1;
            s.snapshot_bytes += v.len() as u64;
        }
        Ok(s)
    }

    /// Make everything written so far durable.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map(|_| ()).map_err(|e| self.sled_err(e))
    }

    /// Resolve a RUN argument: a run id, `latest`, `previous`, or a date
    /// `YYYY-MM-DD` (the last completed run started on or before that day,
    /// in Europe/Berlin).
    pub fn resolve_run(&self, spec: &str) -> Result<Option<RunRecord>, StoreError> {
        let runs = self.runs()?;
        let complete: Vec<&RunRecord> = runs
            .iter()
            .filter(|r| r.status == RunStatus::Complete)
            .collect();
        let found = match spec {
            "latest" => complete
                .last()
                .copied()
                .or(runs.iter().rfind(|r| r.status != RunStatus::Failed)),
            "previous" => complete.iter().rev().nth(1).copied(),
            _ => match parse_day(spec) {
                Some(day) => {
                    let tz =
                        jiff::tz::TimeZone::get("Europe/Berlin").unwrap_or(jiff::tz::TimeZone::UTC);
                    complete
                        .iter()
                        .rev()
                        .find(|r| r.started_at.to_zoned(tz.clone()).date() <= day)
                        .copied()
                }
                None => runs.iter().find(|r| r.id.as_str() == spec),
            },
        };
        Ok(found.cloned())
    }
}

/// A day as users write it: `2026-12-01` or German `1.12.2026`.
pub fn parse_day(s: &str) -> Option<jiff::civil::Date> {
    let s = s.trim();
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return Some(d);
    }
    let mut parts = s.split('.');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    jiff::civil::Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}
