//! The command line: flags as typed, validated once here, then handed to the
//! library as typed options. Logs and progress go to stderr, machine output
//! to stdout or `-o FILE`. Exit codes: 0 success, 1 differences found (diff,
//! audit), 2 usage or input error, 3 runtime failure.

use crate::catalogue::Catalogue;
use crate::crawl::{self, fetch::Resolve, CrawlOptions, Progress};
use crate::demo::{self, LocalSite};
use crate::profile::Profile;
use crate::report;
use crate::store::{RunRecord, Store, StoreError};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Human messages on stderr. A closed stderr (`crawl … 2>&1 | head -1`)
/// drops them quietly instead of panicking the way `eprintln!` does.
/// A command that the database's owner runs for another process says it
/// to that process (see `owner`).
macro_rules! say {
    ($($arg:tt)*) => {{
        if !QUIET.load(std::sync::atomic::Ordering::Relaxed) || crate::owner::asked().is_some() {
            crate::owner::say(&format!("{}\n", format_args!($($arg)*)));
        }
    }};
}

/// `say!` without the line end.
macro_rules! say_part {
    ($($arg:tt)*) => {{
        if !QUIET.load(std::sync::atomic::Ordering::Relaxed) || crate::owner::asked().is_some() {
            crate::owner::say(&format!($($arg)*));
        }
    }};
}

/// `-q`: human messages and progress are left out (errors still go out).
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `--lang en`: human messages in English (German by default).
static ENGLISH: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The language of this command's human output (the asker's, when asked).
fn lang() -> report::Lang {
    let english = match crate::owner::asked() {
        Some(a) => a.english,
        None => ENGLISH.load(std::sync::atomic::Ordering::Relaxed),
    };
    if english {
        report::Lang::En
    } else {
        report::Lang::De
    }
}

/// German or English text, by [`lang`].
fn tr<T>(de: T, en: T) -> T {
    match lang() {
        report::Lang::De => de,
        report::Lang::En => en,
    }
}

/// A number with one decimal, with a decimal comma in German text.
fn num1(x: f64) -> String {
    tr(crate::index::dez(x), format!("{x:.1}"))
}

#[derive(Parser, Debug)]
#[command(
    name = "ozgcheck",
    version,
    about = "Measures how far a city's OZG services are really online, with stored evidence.",
    long_about = None
)]
pub struct Cli {
    /// Database directory (sled). Default: $OZGCHECK_DB, else ./ozgcheck-db.
    #[arg(
        long,
        global = true,
        env = "OZGCHECK_DB",
        default_value = "ozgcheck-db"
    )]
    pub db: PathBuf,
    /// Catalogue directory. Default: ./catalogues if present, else the
    /// catalogue built into this binary.
    #[arg(long, global = true)]
    pub catalogue: Option<PathBuf>,
    /// More log output on stderr: -v shows each run's and host's steps,
    /// -vv every URL's outcome. RUST_LOG, when set, decides instead.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr (no progress, no warnings).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Log lines as text or as JSON objects (for journald, ELK).
    #[arg(long, global = true, value_enum, default_value = "text")]
    pub log_format: LogFormat,
    /// Language of human-readable output: messages, crawl summary, html and
    /// md reports (German by default; JSON and CSV field names stay English).
    #[arg(
        long,
        global = true,
        env = "OZGCHECK_LANG",
        value_enum,
        default_value = "de"
    )]
    pub lang: LangArg,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Cli {
    /// The log filter the flags ask for (RUST_LOG overrides it).
    pub fn log_filter(&self) -> &'static str {
        // pdf-extract/lopdf complain about every odd PDF; that is expected
        // input, not something to tell a user about.
        match (self.quiet, self.verbose) {
            (true, _) => "error,pdf_extract=off,lopdf=off",
            (false, 0) => "warn,pdf_extract=off,lopdf=off",
            (false, 1) => "warn,ozgcheck=info,pdf_extract=off,lopdf=off",
            (false, _) => "info,ozgcheck=debug,pdf_extract=off,lopdf=off",
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Crawl a city's sites and record evidence for every service.
    Crawl(CrawlArgs),
    /// Show the result of a run.
    Report(ReportArgs),
    /// List the runs in the database.
    Runs(RunsArgs),
    /// Work with catalogues.
    #[command(subcommand)]
    Catalogue(CatalogueCmd),
    /// Serve the bundled demo city on loopback, crawl it into a temporary
    /// database and print the report. Needs no network.
    Demo(DemoArgs),
    /// Judge a stored run again with the current catalogue (--catalogue),
    /// without network, into a new run that names its source.
    Reanalyze(ReanalyzeArgs),
    /// Show what the detector saw on one stored page: main text, services it
    /// is about and why, every signal with its rule, negations applied.
    Explain(ExplainArgs),
    /// Score a run with the Smart City Index model: OZG share, indicator
    /// points and rank against peers, projected sector/overall, what-if.
    Score(ScoreArgs),
    /// Compare claims (and the OZG dashboard) with the evidence; exit 1 when
    /// they disagree.
    Audit(AuditArgs),
    /// Import or download the federal OZG dashboard's export for a region.
    #[command(subcommand)]
    Dashboard(DashboardCmd),
    /// Print a stored snapshot's bytes exactly as they were fetched.
    Show(ShowArgs),
    /// Compare two runs of a city; exit 1 when something that matters changed.
    Diff(DiffArgs),
    /// Export a run for archives.
    #[command(subcommand)]
    Export(ExportCmd),
    /// Delete old runs and the snapshots no remaining run needs.
    Gc(GcArgs),
    /// Database size, runs, snapshots and deduplication.
    Stats,
    /// A local, read-only web view: runs, service matrix, timeline, diffs,
    /// stored pages (shown inertly).
    Serve {
        /// Address to listen on; loopback by default.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: std::net::SocketAddr,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExportCmd {
    /// WARC 1.1 (gzip per record) of the run's fetched documents.
    Warc {
        #[arg(long, default_value = "latest")]
        run: String,
        /// Output file, e.g. hagen-2026-03-01.warc.gz.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
}

#[derive(clap::Args, Debug)]
pub struct GcArgs {
    /// Keep the newest N runs of each city.
    #[arg(long, conflicts_with = "older_than")]
    pub keep_last: Option<usize>,
    /// Delete runs older than this, e.g. 90d, 12w, 6mo (months of 30 days).
    #[arg(long)]
    pub older_than: Option<String>,
    /// Delete labelled runs (survey dates) too.
    #[arg(long)]
    pub force: bool,
    /// Only say what would be deleted.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The earlier run: id, `latest`, `previous` or a date YYYY-MM-DD.
    pub from: String,
    /// The later run.
    pub to: String,
    #[arg(long, value_enum, default_value = "table")]
    pub format: ScoreFormat,
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    /// Run id, `latest`, `previous` or a date YYYY-MM-DD.
    #[arg(long, default_value = "latest")]
    pub run: String,
    /// Claims sheet (CSV: service,claimed,note).
    #[arg(long)]
    pub claims: Option<PathBuf>,
    /// Regional key (ARS, 12 digits) of the dashboard import to compare;
    /// default: derived from the run's AGS when a matching import exists.
    #[arg(long)]
    pub ars: Option<String>,
    /// Write a proof pack (snapshots, metadata with SHA-256, German summary)
    /// for every disputed service into DIR.
    #[arg(long, value_name = "DIR")]
    pub pack: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum DashboardCmd {
    /// Import an export file (CSV or JSON) and keep it with its date.
    Import {
        file: PathBuf,
        /// Regional key (12 digits), when the file has no `ars` column.
        #[arg(long)]
        ars: Option<String>,
        /// Date of the export (YYYY-MM-DD); default today.
        #[arg(long)]
        date: Option<String>,
    },
    /// Download the export for a region and import it.
    Fetch {
        #[arg(long)]
        ars: String,
        /// Export address; `{ars}` is replaced by the key.
        #[arg(long, value_name = "URL")]
        url: String,
        #[arg(long)]
        date: Option<String>,
    },
}

#[derive(clap::Args, Debug)]
pub struct ShowArgs {
    /// Snapshot id (the content hash shown in reports).
    pub snapshot: String,
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ScoreFormat {
    Table,
    Json,
    Md,
}

#[derive(clap::Args, Debug)]
pub struct ScoreArgs {
    /// Run id, `latest`, `previous` or a date YYYY-MM-DD.
    #[arg(long, default_value = "latest")]
    pub run: String,
    /// Index model: catalogues/index/NAME.toml.
    #[arg(long, default_value = "sci2023")]
    pub model: String,
    /// Peer cities' OZG shares (CSV: city,ozg_share) for points and rank.
    #[arg(long)]
    pub peers: Option<PathBuf>,
    /// The city's other indicator points and sector scores (TOML) for the
    /// projected sector and overall score.
    #[arg(long)]
    pub city: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: ScoreFormat,
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ReanalyzeArgs {
    /// The run to judge again: id, `latest`, `previous` or a date YYYY-MM-DD.
    #[arg(long, default_value = "latest")]
    pub run: String,
    /// Label of the new run (default: the source run's label).
    #[arg(long)]
    pub label: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// URL of a page fetched in the run.
    pub url: String,
    /// Run id, `latest`, `previous` or a date YYYY-MM-DD.
    #[arg(long, default_value = "latest")]
    pub run: String,
    /// Print the whole main text (default: the first 2000 characters).
    #[arg(long)]
    pub full: bool,
}

#[derive(clap::Args, Debug)]
pub struct CrawlArgs {
    /// City profile (TOML).
    pub profile: PathBuf,
    /// Stop after fetching this many pages (liveness checks not counted).
    #[arg(long, default_value_t = 5000)]
    pub max_pages: usize,
    /// Follow links at most this many steps from a seed.
    #[arg(long, default_value_t = 10)]
    pub max_depth: usize,
    /// Requests per second per host; 0 means no limit (benchmarks only).
    #[arg(long, default_value_t = 2.0)]
    pub rate: f64,
    /// Requests in flight at once, over all hosts.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Send requests for HOST to ADDR (like curl): HOST:PORT:ADDR. When the
    /// URL has no port, PORT is the port connected to.
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<Resolve>,
    /// Continue the last interrupted (or killed) run of this city instead of
    /// starting a new one.
    #[arg(long)]
    pub resume: bool,
    /// Do not read or obey robots.txt. Only for your own servers; logged
    /// loudly and kept with the run's settings.
    #[arg(long)]
    pub ignore_robots: bool,
    /// Do not read sitemaps (robots.txt `Sitemap:` lines and /sitemap.xml).
    #[arg(long)]
    pub no_sitemaps: bool,
    /// Do not send conditional requests (ETag / Last-Modified of earlier runs).
    #[arg(long)]
    pub no_conditional: bool,
    /// A label kept with the run, e.g. "Stichtag Umfrage 2025".
    #[arg(long)]
    pub label: Option<String>,
    /// Time budget, e.g. `2h`, `90m`, `1h30m`, `45s`: when it is used up the
    /// run stops cleanly, keeps what it has not fetched yet, and
    /// `--resume` continues it (the next night).
    #[arg(long, value_name = "DURATION")]
    pub max_duration: Option<String>,
    /// Slowest transfer read to the end, in bytes per second (like curl's
    /// --speed-limit); a dripping body is given up after --speed-time.
    /// 0 turns the check off.
    #[arg(long, default_value_t = 1024, value_name = "BYTES_PER_SEC")]
    pub min_rate: u64,
    /// Seconds a transfer may stay below --min-rate.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    pub speed_time: u64,
    /// User-Agent header (default names ozgcheck and its version).
    #[arg(long)]
    pub user_agent: Option<String>,
    /// Largest response body read, in bytes.
    #[arg(long, default_value_t = 10 * 1024 * 1024)]
    pub max_body: usize,
    /// After the crawl, POST a JSON summary of what changed since the
    /// previous run of this city to this webhook (Matrix, Teams, Slack and
    /// generic receivers accept JSON). Only when something changed; a failing
    /// webhook never fails the crawl.
    #[arg(long, value_name = "URL")]
    pub notify: Option<url::Url>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
    Csv,
    Md,
    Html,
}

/// Formats of listings (runs, audit).
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    De,
    En,
}

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Run id, `latest`, `previous` or a date YYYY-MM-DD.
    #[arg(long, default_value = "latest")]
    pub run: String,
    #[arg(long, value_enum, default_value = "table")]
    pub format: ReportFormat,
    /// Write to FILE instead of stdout.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// CSV field separator (default `;` for German Excel).
    #[arg(long, default_value = ";")]
    pub csv_delimiter: char,
    /// No UTF-8 byte order mark in CSV.
    #[arg(long)]
    pub no_bom: bool,
}

#[derive(clap::Args, Debug)]
pub struct RunsArgs {
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
    /// Only runs of this city (as named in its profile).
    #[arg(long)]
    pub city: Option<String>,
    /// Only runs started on or after this day (YYYY-MM-DD).
    #[arg(long)]
    pub since: Option<String>,
    /// Only runs started on or before this day (YYYY-MM-DD).
    #[arg(long)]
    pub until: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum CatalogueCmd {
    /// Validate a catalogue directory (and the city profiles in its cities/).
    Check {
        /// Directory to check (default: ./catalogues).
        dir: Option<PathBuf>,
    },
    /// List the services (with their names and the portals that carry
    /// them), the portals and the index models of a catalogue.
    List {
        /// Catalogue directory (default: --catalogue, ./catalogues, or the
        /// catalogue built into this binary).
        dir: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
}

#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    #[arg(long, value_enum, default_value = "table")]
    pub format: ReportFormat,
}

/// A failure with its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    fn input(m: impl std::fmt::Display) -> Self {
        Failure {
            code: 2,
            message: m.to_string(),
        }
    }
    fn runtime(m: impl std::fmt::Display) -> Self {
        Failure {
            code: 3,
            message: m.to_string(),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::runtime(e)
    }
}

fn load_catalogue(dir: Option<&Path>) -> Result<Arc<Catalogue>, Failure> {
    Catalogue::locate(dir).map(Arc::new).map_err(Failure::input)
}

/// Run the parsed command; returns the exit code.
pub async fn run(cli: Cli) -> Result<u8, Failure> {
    if crate::owner::asked().is_none() {
        QUIET.store(cli.quiet, std::sync::atomic::Ordering::Relaxed);
        ENGLISH.store(
            cli.lang == LangArg::En,
            std::sync::atomic::Ordering::Relaxed,
        );
        if cli.command.uses_db() {
            if let Some(owner) = crate::owner::live_owner(&cli.db) {
                return ask_owner(&cli, owner).await;
            }
        }
    }
    match cli.command {
        Command::Crawl(args) => crawl_cmd(&cli.db, cli.catalogue.as_deref(), args).await,
        Command::Report(args) => report_cmd(&cli.db, cli.catalogue.as_deref(), args),
        Command::Runs(args) => runs_cmd(&cli.db, args),
        Command::Catalogue(CatalogueCmd::Check { dir }) => catalogue_check(dir.or(cli.catalogue)),
        Command::Catalogue(CatalogueCmd::List { dir, format }) => {
            catalogue_list(dir.or(cli.catalogue).as_deref(), format)
        }
        Command::Demo(args) => demo_cmd(cli.catalogue.as_deref(), args).await,
        Command::Reanalyze(args) => reanalyze_cmd(&cli.db, cli.catalogue.as_deref(), args),
        Command::Explain(args) => explain_cmd(&cli.db, cli.catalogue.as_deref(), args),
        Command::Score(args) => score_cmd(&cli.db, cli.catalogue.as_deref(), args),
        Command::Audit(args) => audit_cmd(&cli.db, cli.catalogue.as_deref(), args),
        Command::Dashboard(cmd) => dashboard_cmd(&cli.db, cmd).await,
        Command::Show(args) => show_cmd(&cli.db, args),
        Command::Diff(args) => diff_cmd(&cli.db, cli.catalogue.as_deref(), args),
        Command::Export(ExportCmd::Warc { run, output }) => warc_cmd(&cli.db, &run, &output),
        Command::Gc(args) => gc_cmd(&cli.db, args),
        Command::Stats => stats_cmd(&cli.db),
        Command::Serve { bind } => {
            let catalogue = load_catalogue(cli.catalogue.as_deref())?;
            let store = open_existing(&cli.db)?;
            if !bind.ip().is_loopback() {
                say!(
                    "{}",
                    tr(
                        format!(
                            "Warnung: serve lauscht auf {bind}, von anderen Rechnern erreichbar"
                        ),
                        format!("warning: serving on {bind}, reachable from other machines")
                    )
                );
            }
            crate::serve::serve(store, catalogue, bind)
                .await
                .map_err(|e| Failure::runtime(format!("{bind}: {e}")))?;
            Ok(0)
        }
    }
}

/// A command another process asked the database's owner to run (see
/// `owner`): what `serve`, `demo` and the catalogue commands do has no
/// place there.
pub async fn run_asked(cli: Cli) -> Result<u8, Failure> {
    if !cli.command.uses_db() {
        return Err(Failure::input(
            "this command does not run through `ozgcheck serve`; run it without --db of a served database",
        ));
    }
    run(cli).await
}

impl Command {
    /// Commands that open the database (and so may be asked of its owner).
    fn uses_db(&self) -> bool {
        !matches!(
            self,
            Command::Catalogue(_) | Command::Demo(_) | Command::Serve { .. }
        )
    }
}

/// Runs this command in the process that owns the database (a running
/// `serve`): sends it the command line, prints what it says, writes `-o`
/// files here with this user's rights, and exits with its exit code.
async fn ask_owner(cli: &Cli, owner: crate::owner::OwnerFile) -> Result<u8, Failure> {
    use crate::owner::{self, FRAME_ERR, FRAME_EXIT, FRAME_OUT};
    let argv: Vec<String> = std::env::args().collect();
    let cwd = std::env::current_dir().map_err(|e| Failure::runtime(format!("cwd: {e}")))?;
    let (argv, output) = owner::strip_output(&argv);
    let mut argv = owner::absolute_argv(&argv, &cwd);
    if matches!(cli.command, Command::Export(_)) {
        // `export warc` needs an -o; the owner sends the archive back.
        argv.extend(["-o".to_string(), "-".to_string()]);
    }
    if cli.catalogue.is_none() {
        if let Some(dir) = catalogue_dir(None) {
            argv.extend([
                "--catalogue".to_string(),
                cwd.join(dir).to_string_lossy().into_owned(),
            ]);
        }
    }
    say!(
        "{}",
        tr(
            format!(
                "{}: von `ozgcheck serve` (pid {}) belegt; der Befehl läuft dort",
                cli.db.display(),
                owner.pid
            ),
            format!(
                "{}: used by `ozgcheck serve` (pid {}); asking it to run the command",
                cli.db.display(),
                owner.pid
            )
        )
    );
    let unreachable = |e: &dyn std::fmt::Display| {
        Failure::runtime(format!(
            "{} is held by `ozgcheck serve` (pid {}, {}), which does not answer: {e}",
            cli.db.display(),
            owner.pid,
            owner.url
        ))
    };
    let body = serde_json::to_vec(&owner::Ask {
        token: owner.token.clone(),
        argv,
    })
    .map_err(|e| Failure::runtime(e.to_string()))?;
    let mut resp = reqwest::Client::new()
        .post(format!("{}/api/ask", owner.url))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| unreachable(&e))?;
    if !resp.status().is_success() {
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        return Err(unreachable(&format!("{status} {}", text.trim())));
    }
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut code = None;
    while let Some(chunk) = resp.chunk().await.map_err(|e| unreachable(&e))? {
        buf.extend_from_slice(&chunk);
        for (kind, payload) in owner::take_frames(&mut buf) {
            match kind {
                FRAME_ERR => {
                    let _ = std::io::stderr().lock().write_all(&payload);
                }
                FRAME_OUT if output.is_some() => out.extend_from_slice(&payload),
                FRAME_OUT => {
                    let mut o = std::io::stdout().lock();
                    let _ = o.write_all(&payload).and_then(|_| o.flush());
                }
                FRAME_EXIT => code = payload.first().copied(),
                _ => {}
            }
        }
    }
    let code = code.ok_or_else(|| unreachable(&"the answer ended before the command did"))?;
    if let Some(path) = output.filter(|_| code != 3) {
        // As locally: a temporary file first, so a failure leaves no half file.
        let tmp = path.with_extension("partial");
        std::fs::write(&tmp, &out)
            .and_then(|_| std::fs::rename(&tmp, &path))
            .map_err(|e| Failure::runtime(format!("{}: cannot write: {e}", path.display())))?;
    }
    Ok(code)
}

fn validate_crawl(args: &CrawlArgs) -> Result<CrawlOptions, Failure> {
    if !args.rate.is_finite() || args.rate < 0.0 {
        return Err(Failure::input(format!(
            "--rate {}: must be 0 (no limit) or a positive number of requests per second",
            args.rate
        )));
    }
    if args.concurrency == 0 || args.concurrency > 512 {
        return Err(Failure::input("--concurrency must be between 1 and 512"));
    }
    if args.max_pages == 0 {
        return Err(Failure::input("--max-pages must be at least 1"));
    }
    if let Some(ua) = &args.user_agent {
        if ua.is_empty() || !ua.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return Err(Failure::input(
                "--user-agent must be non-empty printable ASCII (it is sent as an HTTP header)",
            ));
        }
    }
    if args.max_body < 1024 {
        return Err(Failure::input("--max-body must be at least 1024 bytes"));
    }
    let max_duration = args
        .max_duration
        .as_deref()
        .map(|d| {
            parse_duration(d).ok_or_else(|| {
                Failure::input(format!(
                    "--max-duration {d:?}: a duration such as 2h, 90m, 1h30m or 45s"
                ))
            })
        })
        .transpose()?;
    Ok(CrawlOptions {
        max_pages: args.max_pages,
        max_depth: args.max_depth,
        rate: args.rate,
        concurrency: args.concurrency,
        user_agent: args
            .user_agent
            .clone()
            .unwrap_or_else(crawl::default_user_agent),
        resolve: args.resolve.clone(),
        label: args.label.clone(),
        max_body: args.max_body,
        ignore_robots: args.ignore_robots,
        sitemaps: !args.no_sitemaps,
        conditional: !args.no_conditional,
        max_duration,
        min_rate: if args.min_rate == 0 {
            crawl::fetch::MinRate::NONE
        } else {
            crawl::fetch::MinRate {
                bytes_per_sec: args.min_rate,
                after: std::time::Duration::from_secs(args.speed_time.max(1)),
            }
        },
        ..CrawlOptions::default()
    })
}

/// `2h`, `90m`, `1h30m`, `45s`, `1d`: a sum of numbers with units.
fn parse_duration(s: &str) -> Option<std::time::Duration> {
    let mut total = 0u64;
    let mut num = String::new();
    let mut any = false;
    for c in s.trim().chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u64 = num.parse().ok()?;
        num.clear();
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => return None,
        };
        // A huge number is an input error, not an overflow.
        total = total.checked_add(n.checked_mul(unit)?)?;
        any = true;
    }
    (num.is_empty() && any && total > 0).then(|| std::time::Duration::from_secs(total))
}

async fn crawl_cmd(db: &Path, cat_dir: Option<&Path>, args: CrawlArgs) -> Result<u8, Failure> {
    let opts = validate_crawl(&args)?;
    let profile = Profile::load(&args.profile).map_err(Failure::input)?;
    let catalogue = load_catalogue(cat_dir)?;
    let store = open_store(db)?;
    let mut opts = opts;
    if let Some(ars) = profile.ags.as_deref().and_then(crate::audit::ars_from_ags) {
        if let Some(d) = store.latest_dashboard(&ars)? {
            opts.extra_probes = d
                .rows
                .iter()
                .filter_map(|r| url::Url::parse(r.url.trim()).ok())
                .collect();
            say!(
                "{}",
                tr(
                    format!(
                        "prüfe {} Leistungs-URLs des OZG-Dashboard-Exports {} ({})",
                        opts.extra_probes.len(),
                        d.ars,
                        d.date
                    ),
                    format!(
                        "checking {} service URLs of the OZG dashboard export {} ({})",
                        opts.extra_probes.len(),
                        d.ars,
                        d.date
                    )
                )
            );
        }
    }
    if opts.rate == 0.0 {
        say!(
            "{}",
            tr(
                "Warnung: --rate 0: keine Ratenbegrenzung; nur gegen eigene Server verwenden",
                "warning: --rate 0: no rate limit; use this only against your own servers"
            )
        );
    }
    if opts.ignore_robots {
        say!(
            "{}",
            tr(
                "WARNUNG: --ignore-robots: robots.txt wird in diesem Lauf NICHT beachtet. So nur eigene Server crawlen.",
                "WARNING: --ignore-robots: robots.txt is NOT obeyed in this run. Only crawl servers you operate this way."
            )
        );
    }
    let (record, signal) =
        crawl_with_signals(&profile, catalogue.clone(), &store, &opts, args.resume).await?;
    if record.status == crate::store::RunStatus::Failed {
        say_part!("{}", summary(&record));
        return Err(Failure {
            code: 3,
            message: tr(
                format!(
                    "Lauf {} von {} gescheitert: {}. Er bleibt als gescheitert gespeichert; `latest`, `diff` und `--notify` übergehen ihn.",
                    record.id,
                    record.city,
                    record.failure.as_deref().unwrap_or("keine Seite abrufbar")
                ),
                format!(
                    "run {} of {} failed: {}. It is kept as failed; `latest`, `diff` and `--notify` skip it.",
                    record.id,
                    record.city,
                    record.failure.as_deref().unwrap_or("nothing could be fetched")
                ),
            ),
        });
    }
    let report = report::build(&catalogue, &store, &record)?;
    say_part!("{}", summary(&record));
    let online = report.services.iter().filter(|s| s.online).count();
    say!(
        "{}",
        tr(
            format!(
                "{online} von {} Leistungen online. Details: `ozgcheck report --run {}`.",
                report.services.len(),
                record.id
            ),
            format!(
                "{online} of {} services online. See `ozgcheck report --run {}`.",
                report.services.len(),
                record.id
            )
        )
    );
    if let Some(hook) = args
        .notify
        .as_ref()
        .filter(|_| record.status == crate::store::RunStatus::Complete)
    {
        notify(&catalogue, &store, &record, hook, &opts).await;
    }
    if record.stats.time_budget_used {
        say!(
            "{}",
            tr(
                format!(
                    "Zeitbudget aufgebraucht: der Lauf bleibt als unterbrochen gespeichert; `ozgcheck crawl {} --resume` setzt ihn fort",
                    args.profile.display()
                ),
                format!(
                    "time budget used up: the run is kept as interrupted; `ozgcheck crawl {} --resume` continues it",
                    args.profile.display()
                )
            )
        );
    }
    // Stopped by a signal: everything fetched is stored and flushed; the
    // exit code says so the way shells expect (128 + signal number).
    Ok(match signal {
        Some(Stop::Interrupt) => 130,
        Some(Stop::Terminate) => 143,
        None => 0,
    })
}

/// Post the diff against the previous completed run of the city, if any
/// changed. Errors are reported on stderr, never returned.
async fn notify(
    catalogue: &Catalogue,
    store: &Store,
    record: &RunRecord,
    hook: &url::Url,
    opts: &CrawlOptions,
) {
    let previous = store.runs().ok().and_then(|runs| {
        runs.into_iter().rfind(|r| {
            r.city == record.city
                && r.id != record.id
                && r.status == crate::store::RunStatus::Complete
        })
    });
    let Some(prev) = previous else {
        say!(
            "{}",
            tr(
                format!(
                    "notify: erster Lauf von {}, nichts zu vergleichen",
                    record.city
                ),
                format!("notify: first run of {}, nothing to compare", record.city)
            )
        );
        return;
    };
    let d = match crate::diff::diff(catalogue, store, &prev, record) {
        Ok(d) => d,
        Err(e) => {
            say!("notify: {e}");
            return;
        }
    };
    if !d.changed() {
        say!(
            "{}",
            tr(
                format!("notify: nichts geändert seit Lauf {}", prev.id),
                format!("notify: nothing changed since run {}", prev.id)
            )
        );
        return;
    }
    let summary: Vec<String> = d
        .services
        .iter()
        .map(|s| format!("{}: {} → {}", s.name, s.from_level, s.to_level))
        .chain(d.dead_links.iter().map(|u| format!("Link tot: {u}")))
        .collect();
    // `text` for Slack/Matrix-style receivers; the whole diff for scripts.
    let body = serde_json::json!({
        "text": format!("ozgcheck {}: {}", record.city, summary.join("; ")),
        "diff": d,
    });
    let client = match crate::crawl::fetch::client(&crate::crawl::fetch::ClientConfig {
        user_agent: opts.user_agent.clone(),
        resolve: opts.resolve.clone(),
        connect_timeout: std::time::Duration::from_secs(10),
        read_timeout: std::time::Duration::from_secs(20),
        total_timeout: std::time::Duration::from_secs(30),
    }) {
        Ok(c) => c,
        Err(e) => {
            say!("notify: {e}");
            return;
        }
    };
    match crate::crawl::fetch::post_json(&client, hook, &body, 3).await {
        Ok(status) => say!(
            "{}",
            tr(
                format!("notify: an {hook} gesendet (HTTP {status})"),
                format!("notify: posted to {hook} (HTTP {status})")
            )
        ),
        Err(e) => say!(
            "{}",
            tr(
                format!("notify: {hook} nach 3 Versuchen gescheitert ({e}); der Crawl selbst war erfolgreich"),
                format!("notify: {hook} failed after 3 attempts ({e}); the crawl itself succeeded")
            )
        ),
    }
}

/// What stopped a crawl from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM (`systemctl stop`, `kill`).
    Terminate,
}

/// Resolves when SIGINT or SIGTERM arrives, with which one.
async fn stop_signal() -> Stop {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            return tokio::select! {
                _ = tokio::signal::ctrl_c() => Stop::Interrupt,
                _ = term.recv() => Stop::Terminate,
            };
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    Stop::Interrupt
}

/// Crawl until done, or until SIGINT/SIGTERM asks to stop gracefully (the
/// run is stored as interrupted with its summary); a second signal ends
/// the process at once (what was flushed stays).
async fn crawl_with_signals(
    profile: &Profile,
    catalogue: Arc<Catalogue>,
    store: &Store,
    opts: &CrawlOptions,
    resume: bool,
) -> Result<(RunRecord, Option<Stop>), Failure> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    let (sig_tx, mut sig_rx) = tokio::sync::watch::channel(None);
    let signals = match crate::owner::asked() {
        // Run for an asking process: its going away (Ctrl-C, a timer's
        // stop) is the signal; the owner itself keeps running.
        Some(asked) => tokio::spawn(async move {
            asked.tx.closed().await;
            let _ = sig_tx.send(Some(Stop::Interrupt));
            let _ = tx.send(true);
        }),
        None => tokio::spawn(async move {
            let first = stop_signal().await;
            let _ = sig_tx.send(Some(first));
            let _ = tx.send(true);
            let again = stop_signal().await;
            std::process::exit(match again {
                Stop::Interrupt => 130,
                Stop::Terminate => 143,
            });
        }),
    };
    let bar = ProgressView::new(opts.max_pages);
    let progress = |p: &Progress| bar.update(p);
    let res = if resume {
        crawl::resume(profile, catalogue, store, opts, rx, &progress).await
    } else {
        crawl::run(profile, catalogue, store, opts, rx, &progress).await
    };
    bar.finish();
    signals.abort();
    let signal = *sig_rx.borrow_and_update();
    res.map(|r| (r, signal)).map_err(|e| match e {
        crawl::CrawlError::NothingToResume(_) => Failure::input(e),
        e => Failure::runtime(e),
    })
}

/// Progress on stderr: a bar on a terminal, a plain line every few seconds
/// otherwise (cron logs, CI).
struct ProgressView {
    bar: Option<indicatif::ProgressBar>,
    last_line: std::sync::Mutex<std::time::Instant>,
}

impl ProgressView {
    fn new(max_pages: usize) -> Self {
        use std::io::IsTerminal;
        let quiet = QUIET.load(std::sync::atomic::Ordering::Relaxed);
        let local = crate::owner::asked().is_none();
        let bar = (local && std::io::stderr().is_terminal() && !quiet).then(|| {
            let b = indicatif::ProgressBar::new(max_pages as u64);
            let style = indicatif::ProgressStyle::with_template(
                "{spinner} {elapsed_precise} [{bar:30}] {pos} pages · {msg}",
            )
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            b.set_style(style);
            b
        });
        ProgressView {
            bar,
            last_line: std::sync::Mutex::new(std::time::Instant::now()),
        }
    }

    fn update(&self, p: &Progress) {
        match &self.bar {
            Some(b) => {
                b.set_position(p.pages_fetched);
                b.set_message(format!(
                    "{} queued, {} in flight, {} errors, {:.1} MB",
                    p.queued,
                    p.in_flight,
                    p.errors,
                    p.bytes as f64 / 1e6
                ));
            }
            None => {
                let Ok(mut last) = self.last_line.lock() else {
                    return;
                };
                if last.elapsed() >= std::time::Duration::from_secs(5) {
                    *last = std::time::Instant::now();
                    say!(
                        "{}",
                        tr(
                            format!(
                                "crawl: {} Seiten geholt, {} in der Warteschlange, {} unterwegs, {} Fehler",
                                p.pages_fetched, p.queued, p.in_flight, p.errors
                            ),
                            format!(
                                "crawl: {} pages fetched, {} queued, {} in flight, {} errors",
                                p.pages_fetched, p.queued, p.in_flight, p.errors
                            )
                        )
                    );
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

fn summary(r: &RunRecord) -> String {
    let s = &r.stats;
    let secs = s.seconds.max(0.001);
    let list = |m: &std::collections::BTreeMap<String, u64>| {
        if m.is_empty() {
            tr("keine", "none").to_string()
        } else {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let rate = num1(s.pages_fetched as f64 / secs);
    let mut out = tr(
        format!(
            "Lauf {} {}: {} Seiten ({} Bytes, {} mit 304 beantwortet, {} neue Snapshots) in {} s = {rate} Seiten/s\n",
            r.id,
            r.status.public(),
            s.pages_fetched,
            s.bytes_received,
            s.not_modified,
            s.snapshots_new,
            num1(secs),
        ),
        format!(
            "run {} {}: {} pages ({} bytes, {} answered 304, {} new snapshots) in {} s = {rate} pages/s\n",
            r.id,
            r.status.public(),
            s.pages_fetched,
            s.bytes_received,
            s.not_modified,
            s.snapshots_new,
            num1(secs),
        ),
    );
    out.push_str(&tr(
        format!(
            "  Fehler: {}; Wiederholungen {}; robots-Ausschlüsse {}; Fallen gekappt: {}; wegen Grenzen ausgelassen {}; Erreichbarkeitsprüfungen {}; Sitemaps {}\n",
            list(&s.errors_by_class),
            s.retries,
            s.robots_excluded,
            list(&s.trap_cuts),
            s.skipped_by_limits,
            s.liveness_checks,
            s.sitemaps,
        ),
        format!(
            "  errors: {}; retries {}; robots exclusions {}; trap cuts: {}; skipped by limits {}; liveness checks {}; sitemaps {}\n",
            list(&s.errors_by_class),
            s.retries,
            s.robots_excluded,
            list(&s.trap_cuts),
            s.skipped_by_limits,
            s.liveness_checks,
            s.sitemaps,
        ),
    ));
    if !s.hosts_lost.is_empty() {
        out.push_str(&tr(
            format!(
                "  nicht gecrawlt (nicht erreichbar oder aufgegeben): {}; Leistungen, deren Belege dort lagen, gelten als nicht geprüft\n",
                s.hosts_lost.join(", ")
            ),
            format!(
                "  not crawled (unreachable or given up): {}; services whose evidence lived there are reported as not checked\n",
                s.hosts_lost.join(", ")
            ),
        ));
    }
    if !s.circuit_open.is_empty() {
        out.push_str(&tr(
            format!(
                "  nach wiederholten Fehlern aufgegebene Hosts: {}\n",
                s.circuit_open.join(", ")
            ),
            format!(
                "  hosts given up after repeated failures: {}\n",
                s.circuit_open.join(", ")
            ),
        ));
    }
    if let Some(p) = s.evidence_complete_at {
        out.push_str(&tr(
            format!("  Belege vollständig nach {p} Seiten\n"),
            format!("  evidence complete after {p} pages\n"),
        ));
    }
    out
}

fn write_output(path: Option<&Path>, text: &str) -> Result<(), Failure> {
    write_bytes(path, text.as_bytes())
}

/// Output to `-o FILE`, to the asking process (see `owner`), or to stdout.
fn write_bytes(path: Option<&Path>, bytes: &[u8]) -> Result<(), Failure> {
    match path {
        Some(p) => std::fs::write(p, bytes)
            .map_err(|e| Failure::runtime(format!("{}: cannot write: {e}", p.display()))),
        None if crate::owner::out(bytes).is_some() => Ok(()),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .and_then(|_| out.flush())
                .or_else(|e| {
                    // A closed pipe (`| head`) is not an error worth a message.
                    if e.kind() == std::io::ErrorKind::BrokenPipe {
                        Ok(())
                    } else {
                        Err(e)
                    }
                })
                .map_err(|e| Failure::runtime(format!("stdout: {e}")))
        }
    }
}

/// The database, created if missing: the owner's open handle when asked.
fn open_store(db: &Path) -> Result<Store, Failure> {
    match crate::owner::asked() {
        Some(asked) => Ok(asked.store),
        None => Ok(Store::open(db)?),
    }
}

fn open_existing(db: &Path) -> Result<Store, Failure> {
    if let Some(asked) = crate::owner::asked() {
        return Ok(asked.store);
    }
    if !db.exists() {
        return Err(Failure::input(format!(
            "database {} does not exist; run `ozgcheck crawl PROFILE.toml` first (or pass --db)",
            db.display()
        )));
    }
    Ok(Store::open(db)?)
}

fn find_run(store: &Store, spec: &str) -> Result<RunRecord, Failure> {
    store.resolve_run(spec)?.ok_or_else(|| {
        Failure::input(format!(
            "no run matches {spec:?}; `ozgcheck runs` lists the runs in {}",
            store.path().display()
        ))
    })
}

fn report_cmd(db: &Path, cat_dir: Option<&Path>, args: ReportArgs) -> Result<u8, Failure> {
    let catalogue = load_catalogue(cat_dir)?;
    let store = open_existing(db)?;
    let run = find_run(&store, &args.run)?;
    let r = report::build(&catalogue, &store, &run)?;
    if !args.csv_delimiter.is_ascii()
        || args.csv_delimiter.is_ascii_alphanumeric()
        || args.csv_delimiter == '"'
    {
        return Err(Failure::input(
            "--csv-delimiter must be an ASCII punctuation character such as ; or ,",
        ));
    }
    let lang = lang();
    let text = match args.format {
        ReportFormat::Table => report::to_table(&r),
        ReportFormat::Json => report::to_json(&r),
        ReportFormat::Md => report::to_markdown(&r, lang),
        ReportFormat::Csv => report::to_csv(&r, args.csv_delimiter as u8, !args.no_bom),
        ReportFormat::Html => report::to_html(&r, lang, None),
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(0)
}

fn runs_cmd(db: &Path, args: RunsArgs) -> Result<u8, Failure> {
    let day = |d: &Option<String>, flag: &str| -> Result<Option<jiff::civil::Date>, Failure> {
        d.as_deref()
            .map(|s| {
                crate::store::parse_day(s).ok_or_else(|| {
                    Failure::input(format!(
                        "{flag} {s:?}: a day such as 2026-12-01 or 01.12.2026"
                    ))
                })
            })
            .transpose()
    };
    let (since, until) = (day(&args.since, "--since")?, day(&args.until, "--until")?);
    let store = open_existing(db)?;
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap_or(jiff::tz::TimeZone::UTC);
    let runs: Vec<RunRecord> = store
        .runs()?
        .into_iter()
        .filter(|r| {
            args.city
                .as_deref()
                .is_none_or(|c| r.city.eq_ignore_ascii_case(c))
        })
        .filter(|r| {
            let d = r.started_at.to_zoned(tz.clone()).date();
            since.is_none_or(|s| d >= s) && until.is_none_or(|u| d <= u)
        })
        .collect();
    let mut rows = Vec::new();
    for r in &runs {
        let online = store
            .verdicts(&r.id)?
            .iter()
            .filter(|v| v.level >= report::ONLINE_FROM)
            .count();
        rows.push((r, online));
    }
    let text = match args.format {
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = rows
                .iter()
                .map(|(r, online)| {
                    serde_json::json!({
                        "run": report::RunHeader::of(r),
                        "services_online": online,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&list).unwrap_or_default() + "\n"
        }
        ListFormat::Table => {
            let mut t = format!(
                "{:<24} {:<16} {:<20} {:>8} {:<11} {:>6} {:>7}  {}\n",
                "RUN", "CITY", "STARTED", "SECONDS", "STATUS", "PAGES", "ONLINE", "LABEL"
            );
            for (r, online) in &rows {
                let secs = r
                    .finished_at
                    .map(|f| {
                        format!(
                            "{:.0}",
                            (f.as_millisecond() - r.started_at.as_millisecond()) as f64 / 1000.0
                        )
                    })
                    .unwrap_or_else(|| "–".into());
                t.push_str(&format!(
                    "{:<24} {:<16} {:<20} {:>8} {:<11} {:>6} {:>7}  {}\n",
                    r.id,
                    crate::text::clip(&r.city, 16),
                    report::rfc3339(r.started_at),
                    secs,
                    r.status.public(),
                    r.stats.pages_fetched,
                    online,
                    match &r.reanalysis {
                        Some(re) => format!(
                            "{}[reanalysis of {}]",
                            r.label
                                .as_deref()
                                .map(|l| format!("{l} "))
                                .unwrap_or_default(),
                            re.source
                        ),
                        None => r.label.clone().unwrap_or_default(),
                    }
                ));
            }
            if rows.is_empty() {
                t.push_str("(no runs yet)\n");
            }
            t
        }
    };
    write_output(None, &text)?;
    Ok(0)
}

fn catalogue_check(dir: Option<PathBuf>) -> Result<u8, Failure> {
    let dir = dir.unwrap_or_else(|| PathBuf::from("catalogues"));
    let cat = Catalogue::load(&dir).map_err(Failure::input)?;
    let mut problems = Vec::new();
    let cities = dir.join("cities");
    let mut count = 0;
    if let Ok(rd) = std::fs::read_dir(&cities) {
        let mut paths: Vec<PathBuf> = rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        for p in paths {
            count += 1;
            if let Err(e) = Profile::load(&p) {
                problems.push(e.to_string());
            }
        }
    }
    let mut models = 0;
    if let Ok(rd) = std::fs::read_dir(dir.join("index")) {
        let mut names: Vec<String> = rd
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().into_string().ok())
            .filter_map(|n| n.strip_suffix(".toml").map(str::to_string))
            .collect();
        names.sort();
        for n in names {
            models += 1;
            match crate::index::Model::load(Some(&dir), &n) {
                Ok(m) => {
                    for s in &m.ozg.services {
                        if cat.service(s).is_none() {
                            problems.push(format!(
                                "{}: ozg.services names {s:?}, which services.toml does not define",
                                dir.join("index").join(format!("{n}.toml")).display()
                            ));
                        }
                    }
                }
                Err(e) => problems.push(e.to_string()),
            }
        }
    }
    if !problems.is_empty() {
        return Err(Failure::input(problems.join("\n")));
    }
    say!(
        "{}",
        tr(
            format!(
                "{}: Katalog {} ist gültig: {} Leistungen, {} Portale, {models} Indexmodelle, {count} Stadtprofile",
                dir.display(),
                cat.edition,
                cat.services.len(),
                cat.portals.len()
            ),
            format!(
                "{}: catalogue {} is valid: {} services, {} portals, {models} index models, {count} city profiles",
                dir.display(),
                cat.edition,
                cat.services.len(),
                cat.portals.len()
            )
        )
    );
    Ok(0)
}

fn catalogue_list(dir: Option<&Path>, format: ListFormat) -> Result<u8, Failure> {
    use crate::catalogue::Scope;
    let dir = catalogue_dir(dir);
    let cat = load_catalogue(dir.as_deref())?;
    let mut models = Vec::new();
    for n in crate::catalogue::model_names(dir.as_deref()) {
        models.push(crate::index::Model::load(dir.as_deref(), &n).map_err(Failure::input)?);
    }
    let scope_text = |all: bool, items: Vec<String>| {
        if all {
            "alle".to_string()
        } else {
            items.join(" ")
        }
    };
    let portals_of = |id: &crate::types::ServiceId| -> Vec<&str> {
        cat.portals
            .iter()
            .filter(|p| p.retired.is_none())
            .filter(|p| match &p.services {
                Scope::All => false,
                Scope::Only(v) => v.contains(id),
            })
            .map(|p| p.name.as_str())
            .collect()
    };
    let in_models = |id: &crate::types::ServiceId| -> Vec<&str> {
        models
            .iter()
            .filter(|m| m.ozg.services.contains(id))
            .map(|m| m.id.as_str())
            .collect()
    };
    let text = match format {
        ListFormat::Json => {
            let json = serde_json::json!({
                "schema": "ozgcheck/catalogue/v1",
                "edition": cat.edition,
                "fingerprint": cat.fingerprint,
                "services": cat.services.iter().map(|s| serde_json::json!({
                    "id": s.id.as_str(), "name": s.name,
                    "terms": s.terms.0.iter().map(|t| t.source()).collect::<Vec<_>>(),
                    "leika": s.leika, "portals": portals_of(&s.id), "models": in_models(&s.id),
                })).collect::<Vec<_>>(),
                "portals": cat.portals.iter().map(|p| serde_json::json!({
                    "host": p.host, "name": p.name,
                    "states": match &p.states { Scope::All => vec!["*".to_string()], Scope::Only(v) => v.iter().map(|s| s.to_string()).collect() },
                    "services": match &p.services { Scope::All => vec!["*".to_string()], Scope::Only(v) => v.iter().map(|s| s.to_string()).collect() },
                    "retired": p.retired,
                })).collect::<Vec<_>>(),
                "models": models.iter().map(|m| serde_json::json!({
                    "id": m.id, "title": m.title, "provisional": m.provisional, "note": m.note,
                    "services": m.ozg.services.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            });
            serde_json::to_string_pretty(&json).unwrap_or_default() + "\n"
        }
        ListFormat::Table => {
            let mut t = format!(
                "Katalog {} ({} Leistungen, {} Portale, {} Indexmodelle)\n\n",
                cat.edition,
                cat.services.len(),
                cat.portals.len(),
                models.len()
            );
            t.push_str(&format!(
                "{:<26} {:<44} {:>6} {:<5} {}\n",
                "LEISTUNG", "NAME", "BEGR.", "LEIKA", "PORTALE · MODELLE"
            ));
            for s in &cat.services {
                t.push_str(&format!(
                    "{:<26} {:<44} {:>6} {:<5} {} · {}\n",
                    s.id.as_str(),
                    crate::text::clip(&s.name, 44),
                    s.terms.0.len(),
                    if s.leika.is_empty() { "–" } else { "ja" },
                    scope_text(
                        false,
                        portals_of(&s.id).iter().map(|p| p.to_string()).collect()
                    ),
                    in_models(&s.id).join(" ")
                ));
            }
            t.push_str(&format!(
                "\n{:<40} {:<12} {}\n",
                "PORTAL", "LÄNDER", "LEISTUNGEN"
            ));
            for p in &cat.portals {
                let states = match &p.states {
                    Scope::All => scope_text(true, vec![]),
                    Scope::Only(v) => scope_text(false, v.iter().map(|s| s.to_string()).collect()),
                };
                let services = match &p.services {
                    Scope::All => scope_text(true, vec![]),
                    Scope::Only(v) => scope_text(false, v.iter().map(|s| s.to_string()).collect()),
                };
                t.push_str(&format!(
                    "{:<40} {:<12} {}{}\n",
                    crate::text::clip(&p.name, 40),
                    states,
                    services,
                    if p.retired.is_some() {
                        " (abgeschaltet)"
                    } else {
                        ""
                    }
                ));
            }
            t.push_str(&format!(
                "\n{:<10} {:>9}  {}\n",
                "MODELL", "LEISTUNG.", "TITEL"
            ));
            for m in &models {
                t.push_str(&format!(
                    "{:<10} {:>9}  {}{}\n",
                    m.id,
                    m.ozg.services.len(),
                    m.title,
                    if m.provisional { " [vorläufig]" } else { "" }
                ));
            }
            t
        }
    };
    write_output(None, &text)?;
    Ok(0)
}

fn catalogue_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    match explicit {
        Some(d) => Some(d.to_path_buf()),
        None => Path::new("catalogues/services.toml")
            .is_file()
            .then(|| PathBuf::from("catalogues")),
    }
}

fn score_cmd(db: &Path, cat_dir: Option<&Path>, args: ScoreArgs) -> Result<u8, Failure> {
    use crate::index::{self, Model};
    let model =
        Model::load(catalogue_dir(cat_dir).as_deref(), &args.model).map_err(Failure::input)?;
    let catalogue = load_catalogue(cat_dir)?;
    let unknown: Vec<String> = model
        .ozg
        .services
        .iter()
        .filter(|s| catalogue.service(s).is_none())
        .map(|s| s.to_string())
        .collect();
    if !unknown.is_empty() {
        return Err(Failure::input(format!(
            "model {}: ozg.services names {} which the catalogue ({} services) does not define; \
             `ozgcheck catalogue list` shows the service ids",
            args.model,
            unknown.join(", "),
            catalogue.services.len()
        )));
    }
    let peers = match &args.peers {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| Failure::input(format!("{}: cannot read: {e}", p.display())))?;
            Some(index::read_peers(&p.display().to_string(), &text).map_err(Failure::input)?)
        }
        None => None,
    };
    let values = match &args.city {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| Failure::input(format!("{}: cannot read: {e}", p.display())))?;
            let src = crate::catalogue::Source {
                name: p.display().to_string(),
                text: &text,
            };
            Some(index::read_city_values(&src, &model).map_err(Failure::input)?)
        }
        None => None,
    };
    let store = open_existing(db)?;
    let run = find_run(&store, &args.run)?;
    let (verdicts, _) = crate::analysis::verdicts_of(&catalogue, &store, &run)?;
    // A run judged under an older catalogue has no verdict for services
    // added since: say so instead of silently counting them offline.
    let unjudged: Vec<String> = model
        .ozg
        .services
        .iter()
        .filter(|s| !verdicts.iter().any(|v| &v.service == *s))
        .map(|s| s.to_string())
        .collect();
    if !unjudged.is_empty() {
        say!(
            "{}",
            tr(
                format!(
                    "Warnung: Lauf {} wurde ohne {} beurteilt (sein Katalog kannte sie nicht); sie zählen als offline. \
                     `ozgcheck reanalyze --run {}` beurteilt seine gespeicherten Seiten mit dem aktuellen Katalog",
                    run.id,
                    unjudged.join(", "),
                    run.id
                ),
                format!(
                    "warning: run {} was judged without {} (its catalogue did not know them); they count as offline. \
                     `ozgcheck reanalyze --run {}` judges its stored pages with the current catalogue",
                    run.id,
                    unjudged.join(", "),
                    run.id
                )
            )
        );
    }
    let level = |s: &crate::types::ServiceId| {
        verdicts
            .iter()
            .find(|v| &v.service == s)
            .map(|v| v.level)
            .unwrap_or(crate::types::Level::Offline)
    };
    let (ozg, what_if) = index::ozg_score(&model, &level, peers.as_deref(), &run.city);
    let projection = match (&values, ozg.points) {
        (Some(v), Some(p)) => Some(index::project(&model, v, p)),
        _ => None,
    };
    let json = serde_json::json!({
        "schema": "ozgcheck/score/v1",
        "model": model.id,
        "model_provisional": model.provisional,
        "model_note": model.note,
        "services_not_judged": unjudged,
        "run": report::RunHeader::of(&run),
        "ozg": ozg,
        "what_if": what_if,
        "projection": projection,
    });
    let text = match args.format {
        ScoreFormat::Json => serde_json::to_string_pretty(&json).unwrap_or_default() + "\n",
        ScoreFormat::Table | ScoreFormat::Md => index::render(
            &model,
            &format!("{} ({}), Lauf {}", run.city, run.state, run.id),
            &ozg,
            &what_if,
            projection.as_ref(),
            matches!(args.format, ScoreFormat::Md),
        ),
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(0)
}

fn valid_ars(a: &str) -> Result<String, Failure> {
    let a = a.trim();
    if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) {
        Ok(a.to_string())
    } else {
        Err(Failure::input(format!(
            "ARS {a:?} must be the 12-digit Amtlicher Regionalschlüssel"
        )))
    }
}

fn export_date(d: Option<String>) -> Result<String, Failure> {
    match d {
        Some(d) => d
            .parse::<jiff::civil::Date>()
            .map(|x| x.to_string())
            .map_err(|e| Failure::input(format!("--date {d:?}: {e}"))),
        None => Ok(jiff::Zoned::now().date().to_string()),
    }
}

async fn dashboard_cmd(db: &Path, cmd: DashboardCmd) -> Result<u8, Failure> {
    let (source, text, ars_arg, date) = match cmd {
        DashboardCmd::Import { file, ars, date } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Failure::input(format!("{}: cannot read: {e}", file.display())))?;
            (file.display().to_string(), text, ars, date)
        }
        DashboardCmd::Fetch { ars, url, date } => {
            let ars = valid_ars(&ars)?;
            let target = url.replace("{ars}", &ars);
            let u = url::Url::parse(&target)
                .map_err(|e| Failure::input(format!("--url {target:?}: {e}")))?;
            let client = crate::crawl::fetch::client(&crate::crawl::fetch::ClientConfig {
                user_agent: crawl::default_user_agent(),
                resolve: Vec::new(),
                connect_timeout: std::time::Duration::from_secs(10),
                read_timeout: std::time::Duration::from_secs(30),
                total_timeout: std::time::Duration::from_secs(120),
            })
            .map_err(Failure::runtime)?;
            let resp = crate::crawl::fetch::get(
                &client,
                &u,
                64 * 1024 * 1024,
                None,
                crate::crawl::fetch::MinRate::NONE,
            )
            .await
            .map_err(|e| Failure::runtime(format!("{target}: {e}")))?;
            if resp.status != 200 {
                return Err(Failure::runtime(format!("{target}: HTTP {}", resp.status)));
            }
            (
                target,
                String::from_utf8_lossy(&resp.body).into_owned(),
                Some(ars),
                date,
            )
        }
    };
    let (file_ars, rows) = crate::audit::read_dashboard(&source, &text).map_err(Failure::input)?;
    let ars = match ars_arg.or(file_ars) {
        Some(a) => valid_ars(&a)?,
        None => {
            return Err(Failure::input(format!(
                "{source}: no `ars` column; pass --ars"
            )))
        }
    };
    let date = export_date(date)?;
    let store = open_store(db)?;
    let n = rows.len();
    let online = rows.iter().filter(|r| crate::audit::row_online(r)).count();
    store.put_dashboard(&crate::store::DashboardImport {
        ars: ars.clone(),
        date: date.clone(),
        source,
        rows,
    })?;
    say!(
        "{}",
        tr(
            format!("Dashboard {ars} ({date}): {n} Zeilen importiert, {online} online; ihre URLs prüft der nächste Crawl"),
            format!("dashboard {ars} ({date}): {n} rows imported, {online} online; their URLs are checked by the next crawl")
        )
    );
    Ok(0)
}

fn audit_cmd(db: &Path, cat_dir: Option<&Path>, args: AuditArgs) -> Result<u8, Failure> {
    let catalogue = load_catalogue(cat_dir)?;
    let claims = match &args.claims {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| Failure::input(format!("{}: cannot read: {e}", p.display())))?;
            crate::audit::read_claims(&p.display().to_string(), &text, &catalogue)
                .map_err(Failure::input)?
        }
        None => Vec::new(),
    };
    let ars = args.ars.as_deref().map(valid_ars).transpose()?;
    let store = open_existing(db)?;
    let run = find_run(&store, &args.run)?;
    let ars = ars.or_else(|| run.ags.as_deref().and_then(crate::audit::ars_from_ags));
    let dashboard = match &ars {
        Some(a) => store.latest_dashboard(a)?,
        None => None,
    };
    if args.claims.is_none() && dashboard.is_none() {
        return Err(Failure::input("nothing to compare: pass --claims FILE and/or import a dashboard export (ozgcheck dashboard import)"));
    }
    let model = crate::index::Model::load(catalogue_dir(cat_dir).as_deref(), "sci2023")
        .map_err(Failure::input)?;
    let a = crate::audit::audit(
        &catalogue,
        &store,
        &run,
        &claims,
        dashboard.as_ref(),
        model.ozg.online_from,
    )?;
    if let Some(dir) = &args.pack {
        let n = crate::audit::write_pack(dir, &a, &store, &run).map_err(Failure::runtime)?;
        say!(
            "{}",
            tr(
                format!("Nachweispaket: {n} Dateien in {}", dir.display()),
                format!("proof pack: {n} files in {}", dir.display())
            )
        );
    }
    let text = match args.format {
        ListFormat::Json => serde_json::to_string_pretty(&a).unwrap_or_default() + "\n",
        ListFormat::Table => crate::audit::to_table(&a),
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(if a.findings.is_empty() { 0 } else { 1 })
}

fn diff_cmd(db: &Path, cat_dir: Option<&Path>, args: DiffArgs) -> Result<u8, Failure> {
    use std::io::IsTerminal;
    let catalogue = load_catalogue(cat_dir)?;
    let store = open_existing(db)?;
    let a = find_run(&store, &args.from)?;
    let b = find_run(&store, &args.to)?;
    for r in [&a, &b] {
        if r.status == crate::store::RunStatus::Failed {
            return Err(Failure::input(format!(
                "run {} failed ({}): it holds no result to compare; `ozgcheck runs` lists the others",
                r.id,
                r.failure.as_deref().unwrap_or("nothing fetched")
            )));
        }
    }
    let d = crate::diff::diff(&catalogue, &store, &a, &b).map_err(|e| match e {
        crate::diff::DiffError::Store(s) => Failure::runtime(s),
        other => Failure::input(other),
    })?;
    let text = match args.format {
        ScoreFormat::Json => serde_json::to_string_pretty(&d).unwrap_or_default() + "\n",
        ScoreFormat::Md => crate::diff::render(&d, true, false),
        ScoreFormat::Table => crate::diff::render(
            &d,
            false,
            args.output.is_none()
                && crate::owner::asked().is_none()
                && std::io::stdout().is_terminal(),
        ),
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(if d.changed() { 1 } else { 0 })
}

fn warc_cmd(db: &Path, run: &str, output: &Path) -> Result<u8, Failure> {
    let store = open_existing(db)?;
    let run = find_run(&store, run)?;
    if crate::owner::asked().is_some() {
        // The asking process writes the file (see `ask_owner`).
        let mut buf = Vec::new();
        let n = crate::warc::export(&store, &run, &mut buf, &output.display().to_string())
            .map_err(Failure::runtime)?;
        write_bytes(None, &buf)?;
        say!(
            "{}",
            tr(
                format!("{n} WARC-Einträge von Lauf {}", run.id),
                format!("{n} WARC records of run {}", run.id)
            )
        );
        return Ok(0);
    }
    // Write to a temporary file first: a crash never leaves half a WARC
    // under the final name.
    let tmp = output.with_extension("partial");
    let file = std::fs::File::create(&tmp)
        .map_err(|e| Failure::runtime(format!("{}: {e}", tmp.display())))?;
    let mut w = std::io::BufWriter::new(file);
    let n = crate::warc::export(&store, &run, &mut w, &output.display().to_string())
        .map_err(Failure::runtime)?;
    w.flush()
        .map_err(|e| Failure::runtime(format!("{}: {e}", tmp.display())))?;
    drop(w);
    std::fs::rename(&tmp, output)
        .map_err(|e| Failure::runtime(format!("{}: {e}", output.display())))?;
    say!(
        "{}",
        tr(
            format!(
                "{}: {n} WARC-Einträge von Lauf {}",
                output.display(),
                run.id
            ),
            format!("{}: {n} WARC records of run {}", output.display(), run.id)
        )
    );
    Ok(0)
}

fn parse_age(s: &str) -> Result<jiff::SignedDuration, Failure> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: i64 = n
        .parse()
        .map_err(|_| Failure::input(format!("--older-than {s:?}: e.g. 90d, 12w, 6mo, 48h")))?;
    let hours = match unit {
        "h" => n,
        "d" => n * 24,
        "w" => n * 24 * 7,
        "mo" => n * 24 * 30,
        "y" => n * 24 * 365,
        _ => {
            return Err(Failure::input(format!(
                "--older-than {s:?}: unit h, d, w, mo or y"
            )))
        }
    };
    Ok(jiff::SignedDuration::from_hours(hours))
}

fn gc_cmd(db: &Path, args: GcArgs) -> Result<u8, Failure> {
    if args.keep_last.is_none() && args.older_than.is_none() {
        return Err(Failure::input(
            "gc needs --keep-last N or --older-than DURATION",
        ));
    }
    let age = args.older_than.as_deref().map(parse_age).transpose()?;
    let store = open_existing(db)?;
    let runs = store.runs()?;
    let now = jiff::Timestamp::now();
    let mut doomed = Vec::new();
    let mut per_city: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for r in runs.iter().rev() {
        let nth = per_city.entry(r.city.as_str()).or_default();
        *nth += 1;
        let old = match (args.keep_last, age) {
            (Some(k), _) => *nth > k,
            (None, Some(a)) => now.duration_since(r.started_at) > a,
            _ => false,
        };
        if old && (r.label.is_none() || args.force) {
            doomed.push(r.id.clone());
        }
    }
    let report = store.gc(&doomed, args.dry_run)?;
    let mb = num1(report.bytes_reclaimed as f64 / 1e6);
    say!(
        "{}",
        tr(
            format!(
                "{}{} Läufe gelöscht, {} Snapshots gelöscht, {mb} MB Snapshot-Daten frei; {} Läufe behalten",
                if args.dry_run { "Probelauf: " } else { "" },
                doomed.len(),
                report.snapshots_deleted,
                runs.len() - doomed.len()
            ),
            format!(
                "{}{} runs deleted, {} snapshots deleted, {mb} MB of snapshot data reclaimed; {} runs kept",
                if args.dry_run { "dry run: " } else { "" },
                doomed.len(),
                report.snapshots_deleted,
                runs.len() - doomed.len()
            )
        )
    );
    Ok(0)
}

fn stats_cmd(db: &Path) -> Result<u8, Failure> {
    let store = open_existing(db)?;
    let s = store.stats()?;
    let text = format!(
        "database        {}\nsize on disk    {:.1} MB\nruns            {}\npage records    {}\n\
         snapshots       {} ({:.1} MB compressed)\n\
         dedup ratio     {:.2} (page records with a snapshot per stored snapshot)\n",
        db.display(),
        s.disk_bytes as f64 / 1e6,
        s.runs,
        s.page_records,
        s.snapshots,
        s.snapshot_bytes as f64 / 1e6,
        s.pages_with_snapshot as f64 / s.snapshots.max(1) as f64
    );
    write_output(None, &text)?;
    Ok(0)
}

fn show_cmd(db: &Path, args: ShowArgs) -> Result<u8, Failure> {
    let id = args.snapshot.trim();
    if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Failure::input(format!(
            "{id:?} is not a snapshot id (64 hex digits)"
        )));
    }
    let store = open_existing(db)?;
    let bytes = store
        .snapshot(&crate::types::SnapshotId::from_stored(
            &id.to_ascii_lowercase(),
        ))?
        .ok_or_else(|| Failure::input(format!("no snapshot {id} in {}", db.display())))?;
    write_bytes(args.output.as_deref(), &bytes)?;
    Ok(0)
}

fn reanalyze_cmd(db: &Path, cat_dir: Option<&Path>, args: ReanalyzeArgs) -> Result<u8, Failure> {
    let catalogue = load_catalogue(cat_dir)?;
    let store = open_existing(db)?;
    let source = find_run(&store, &args.run)?;
    let progress = |done: usize, total: usize| {
        if done < total {
            tracing::info!("reanalyze: {done} of {total} stored pages");
        }
    };
    let (mut run, summary) = crate::reanalyze::reanalyze(&catalogue, &store, &source, &progress)
        .map_err(|e| match e {
            crate::reanalyze::ReanalyzeError::Store(s) => Failure::runtime(s),
            other => Failure::input(other),
        })?;
    if args.label.is_some() {
        run.label = args.label;
        store.put_run(&run)?;
    }
    let online = store
        .verdicts(&run.id)?
        .iter()
        .filter(|v| v.level >= report::ONLINE_FROM)
        .count();
    let (pages, found) = (summary.pages, summary.pages_with_findings);
    say!(
        "{}",
        tr(
            format!(
                "Lauf {} ({}, {}) neu beurteilt mit Katalog {} ({} Leistungen): {pages} gespeicherte Seiten, \
                 {found} mit Befunden, {online} Leistungen online; keine Anfrage gesendet",
                source.id,
                source.city,
                report::local_de(source.started_at),
                catalogue.edition,
                catalogue.services.len(),
            ),
            format!(
                "reanalyzed run {} ({}, {}) with catalogue {} ({} services): {pages} stored pages judged again, \
                 {found} with findings, {online} services online; no request was sent",
                source.id,
                source.city,
                report::rfc3339(source.started_at),
                catalogue.edition,
                catalogue.services.len(),
            )
        )
    );
    if summary.snapshots_missing > 0 {
        say!(
            "{}",
            tr(
                format!(
                    "Warnung: {} gespeicherte Seiten hatten keinen lesbaren Snapshot und blieben unbeurteilt",
                    summary.snapshots_missing
                ),
                format!(
                    "warning: {} stored pages had no readable snapshot and were left unjudged",
                    summary.snapshots_missing
                )
            )
        );
    }
    write_output(None, &format!("{}\n", run.id))?;
    Ok(0)
}

fn explain_cmd(db: &Path, cat_dir: Option<&Path>, args: ExplainArgs) -> Result<u8, Failure> {
    let catalogue = load_catalogue(cat_dir)?;
    let store = open_existing(db)?;
    let run = find_run(&store, &args.run)?;
    let text = crate::explain::explain(&catalogue, &store, &run, &args.url, args.full).map_err(
        |e| match e {
            crate::explain::ExplainError::Store(s) => Failure::runtime(s),
            other => Failure::input(other),
        },
    )?;
    write_output(None, &text)?;
    Ok(0)
}

async fn demo_cmd(cat_dir: Option<&Path>, args: DemoArgs) -> Result<u8, Failure> {
    let catalogue = load_catalogue(cat_dir)?;
    let profile = demo::demo_profile().map_err(Failure::input)?;
    let site = LocalSite::start(demo::demo_files())
        .await
        .map_err(Failure::runtime)?;
    let tmp =
        tempfile::tempdir().map_err(|e| Failure::runtime(format!("temporary directory: {e}")))?;
    let store = Store::open(&tmp.path().join("db"))?;
    say!(
        "{}",
        tr(
            format!(
                "demo: {} läuft auf {} ({}), Crawl in eine temporäre Datenbank",
                profile.name,
                site.addr,
                site.hosts().join(", ")
            ),
            format!(
                "demo: serving {} on {} ({}), crawling into a temporary database",
                profile.name,
                site.addr,
                site.hosts().join(", ")
            )
        )
    );
    let opts = CrawlOptions {
        resolve: site.resolves(),
        // The server is ours and on loopback: no need to be slow.
        rate: 0.0,
        label: Some("demo".into()),
        ..CrawlOptions::default()
    };
    let (record, _) = crawl_with_signals(&profile, catalogue.clone(), &store, &opts, false).await?;
    say_part!("{}", summary(&record));
    let r = report::build(&catalogue, &store, &record)?;
    let text = match args.format {
        ReportFormat::Json => report::to_json(&r),
        ReportFormat::Md => report::to_markdown(&r, report::Lang::De),
        ReportFormat::Csv => report::to_csv(&r, b';', true),
        ReportFormat::Html => report::to_html(&r, report::Lang::De, None),
        ReportFormat::Table => report::to_table(&r),
    };
    write_output(None, &text)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
