//! The command line: flags as typed, validated once here, then handed to the
//! library as typed options. Logs and progress go to stderr, machine output
//! to stdout or `-o FILE`. Exit codes: 0 success, 1 differences found (diff,
//! audit), 2 usage or input error, 3 runtime failure.
//!
//! This file: the flags, the dispatch and what every command shares (human
//! messages in German or English, output to stdout, `-o` or the process
//! that asked the database's owner, the store); `commands/` has one file
//! per command.

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

/// An I/O error in the output language: the common kinds in German words,
/// others as the system says them.
fn io_words(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let de = match e.kind() {
        K::NotFound => "nicht gefunden",
        K::PermissionDenied => "keine Berechtigung",
        K::AlreadyExists => "existiert schon",
        K::IsADirectory => "ist ein Verzeichnis",
        K::InvalidData => "ungültige Daten (kein UTF-8?)",
        _ => return e.to_string(),
    };
    tr(de.to_string(), e.to_string())
}

/// `--csv-delimiter`: one ASCII punctuation character.
fn csv_delimiter(c: char) -> Result<u8, Failure> {
    if !c.is_ascii() || c.is_ascii_alphanumeric() || c == '"' {
        return Err(Failure::input(tr(
            "--csv-delimiter muss ein ASCII-Satzzeichen wie ; oder , sein",
            "--csv-delimiter must be an ASCII punctuation character such as ; or ,",
        )));
    }
    Ok(c as u8)
}

fn cannot_read(p: &Path, e: &std::io::Error) -> String {
    tr(
        format!(
            "{}: kann nicht gelesen werden: {}",
            p.display(),
            io_words(e)
        ),
        format!("{}: cannot read: {e}", p.display()),
    )
}

fn cannot_write(p: &Path, e: &std::io::Error) -> String {
    tr(
        format!(
            "{}: kann nicht geschrieben werden: {}",
            p.display(),
            io_words(e)
        ),
        format!("{}: cannot write: {e}", p.display()),
    )
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
    /// Export a run for archives (WARC) or for another database (bundle).
    #[command(subcommand)]
    Export(ExportCmd),
    /// Import runs exported from another database.
    #[command(subcommand)]
    Import(ImportCmd),
    /// Delete old runs and the snapshots no remaining run needs.
    Gc(GcArgs),
    /// Database size, runs, snapshots and deduplication.
    Stats,
    /// Crawl every city of a survey file (or the city profiles given) by the
    /// same rules into this database, several at a time, resumable.
    Survey(SurveyArgs),
    /// Rank the cities of a survey by their share of services online, as
    /// the index computes the OZG indicator, from their evidence.
    Ranking(RankingArgs),
    /// A local web view: runs, service matrix, timeline, diffs, stored pages
    /// (shown inertly); other commands on its database run inside it.
    Serve {
        /// Address to listen on; loopback by default.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: std::net::SocketAddr,
    },
}

#[derive(clap::Args, Debug)]
pub struct SurveyArgs {
    /// A survey file (TOML with `cities`), or city profiles.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Pages per city (default: the survey file's max_pages, else 2000).
    #[arg(long)]
    pub max_pages: Option<usize>,
    /// Link depth per city (default: the survey file's, else 10).
    #[arg(long)]
    pub max_depth: Option<usize>,
    /// Requests per second per host (default: the survey file's, else 2).
    #[arg(long)]
    pub rate: Option<f64>,
    /// Requests in flight per city (default: the survey file's, else 8).
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Cities crawled at the same time (default: the survey file's, else 4).
    #[arg(long)]
    pub cities_at_once: Option<usize>,
    /// Time budget per city, e.g. `1h` (default: the survey file's, none).
    #[arg(long, value_name = "DURATION")]
    pub max_duration: Option<String>,
    /// Send requests for HOST to ADDR (like curl): HOST:PORT:ADDR.
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<Resolve>,
    /// Continue the last unfinished survey of this name instead of starting
    /// a new one.
    #[arg(long)]
    pub resume: bool,
    /// The survey's id: every shard of a survey split over machines uses
    /// the same; a survey of this id in the database is continued.
    #[arg(long)]
    pub id: Option<String>,
    /// Only the cities at positions I, I+N, I+2N, … of the survey (0-based):
    /// one shard of N, e.g. `--shard "$JOB_COMPLETION_INDEX/83"`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Write each city's run as a bundle (`export run`) into DIR as soon as
    /// it ends, for `import run` elsewhere.
    #[arg(long, value_name = "DIR")]
    pub bundles: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct RankingArgs {
    /// Survey id or `latest`.
    #[arg(long, default_value = "latest")]
    pub survey: String,
    #[arg(long, value_enum, default_value = "table")]
    pub format: RankingFormat,
    /// CSV field separator (default `;` for German Excel).
    #[arg(long, default_value = ";")]
    pub csv_delimiter: char,
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RankingFormat {
    Table,
    Json,
    Csv,
    Html,
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
    /// The run with its pages, findings, verdicts and snapshots, as one
    /// portable file that `import run` reads into another database.
    Run {
        #[arg(long, default_value = "latest")]
        run: String,
        /// Output file, e.g. hagen-2026-03-01.ozgrun.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportCmd {
    /// Read run bundles (from `export run`) into this database, e.g. the
    /// shards of a survey crawled on several machines.
    Run {
        /// Bundle files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
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
    /// Peer cities' shares from a survey in this database (id or `latest`),
    /// judged by the same model.
    #[arg(long, conflicts_with = "peers", value_name = "SURVEY")]
    pub peers_from_survey: Option<String>,
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
        Failure::runtime(tr(e.de(), e.to_string()))
    }
}

impl From<crate::catalogue::LoadError> for Failure {
    fn from(e: crate::catalogue::LoadError) -> Self {
        Failure::input(tr(e.de(), e.to_string()))
    }
}

fn load_catalogue(dir: Option<&Path>) -> Result<Arc<Catalogue>, Failure> {
    Ok(Catalogue::locate(dir).map(Arc::new)?)
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
        Command::Export(ExportCmd::Run { run, output }) => export_run_cmd(&cli.db, &run, &output),
        Command::Import(ImportCmd::Run { files }) => import_run_cmd(&cli.db, &files),
        Command::Gc(args) => gc_cmd(&cli.db, args),
        Command::Stats => stats_cmd(&cli.db),
        Command::Survey(args) => survey_cmd(&cli.db, cli.catalogue.as_deref(), args).await,
        Command::Ranking(args) => ranking_cmd(&cli.db, cli.catalogue.as_deref(), args),
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
        return Err(Failure::input(tr(
            "dieser Befehl läuft nicht über `ozgcheck serve`; ohne die --db einer bedienten Datenbank aufrufen",
            "this command does not run through `ozgcheck serve`; run it without --db of a served database",
        )));
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

fn write_output(path: Option<&Path>, text: &str) -> Result<(), Failure> {
    write_bytes(path, text.as_bytes())
}

/// Output to `-o FILE`, to the asking process (see `owner`), or to stdout.
fn write_bytes(path: Option<&Path>, bytes: &[u8]) -> Result<(), Failure> {
    match path {
        Some(p) => std::fs::write(p, bytes).map_err(|e| Failure::runtime(cannot_write(p, &e))),
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
        return Err(Failure::input(tr(
            format!(
                "Datenbank {} gibt es nicht; zuerst `ozgcheck crawl PROFIL.toml` ausführen (oder --db angeben)",
                db.display()
            ),
            format!(
                "database {} does not exist; run `ozgcheck crawl PROFILE.toml` first (or pass --db)",
                db.display()
            ),
        )));
    }
    Ok(Store::open(db)?)
}

fn find_run(store: &Store, spec: &str) -> Result<RunRecord, Failure> {
    store.resolve_run(spec)?.ok_or_else(|| {
        Failure::input(tr(
            format!(
                "kein Lauf passt zu {spec:?}; `ozgcheck runs` listet die Läufe in {}",
                store.path().display()
            ),
            format!(
                "no run matches {spec:?}; `ozgcheck runs` lists the runs in {}",
                store.path().display()
            ),
        ))
    })
}

fn catalogue_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    match explicit {
        Some(d) => Some(d.to_path_buf()),
        None => Path::new("catalogues/services.toml")
            .is_file()
            .then(|| PathBuf::from("catalogues")),
    }
}

/// Whether the command line or the environment asks for English
/// (`--lang en`, `--lang=en`, `OZGCHECK_LANG=en`), before clap has parsed it.
pub fn wants_english(args: &[String]) -> bool {
    let flag = args
        .windows(2)
        .any(|w| w[0] == "--lang" && w[1].eq_ignore_ascii_case("en"))
        || args.iter().any(|a| a.eq_ignore_ascii_case("--lang=en"));
    let env = std::env::var("OZGCHECK_LANG").is_ok_and(|v| v.eq_ignore_ascii_case("en"));
    flag || (env
        && !args
            .iter()
            .any(|a| a == "--lang" || a.starts_with("--lang=")))
}

mod commands;
mod help_de;
use commands::*;
pub use help_de::{command_de, parse_de};

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
        command_de().debug_assert();
    }

    #[test]
    fn help_summaries_are_german_unless_english_is_asked_for() {
        let help = command_de().render_long_help().to_string();
        assert!(help.contains("Läufe in der Datenbank"), "{help}");
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(wants_english(&args(&[
            "ozgcheck", "--lang", "en", "--help"
        ])));
        assert!(wants_english(&args(&["ozgcheck", "runs", "--lang=EN"])));
        assert!(!wants_english(&args(&["ozgcheck", "--lang", "de", "runs"])));
    }
}
