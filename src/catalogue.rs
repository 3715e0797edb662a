//! The catalogue: everything ozgcheck knows about services, wording and
//! portals, loaded from TOML files under `catalogues/` and validated once.
//!
//! Files of a catalogue directory:
//! - `services.toml` — the services (ids, names, terms that make a page about
//!   them, LeiKa keys that appear in service-directory URLs);
//! - `signals.toml` — phrase lists that mark a level (online application,
//!   full transaction, form download), or take one away (negation,
//!   appointment booking, contact forms);
//! - `portals.toml` — known service-portal hosts, the states and services they
//!   serve, and retired ones;
//! - `page.toml` — CSS selectors for main content and boilerplate;
//! - `crawl.toml` — session parameters, crawler-trap caps, words that make a
//!   link worth fetching first.
//!
//! Every problem is reported as `file:line: what is wrong`; loading stops at
//! the first file that has errors and lists all of that file's errors.

use crate::text::{Phrase, PhraseSet};
use crate::types::{ServiceId, State};
use include_dir::{include_dir, Dir};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The catalogue shipped inside the binary (a copy of `catalogues/`).
static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/catalogues");

/// Errors from loading catalogue, profile and other TOML inputs.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
}

/// A file of the embedded catalogue: (name for messages, text).
/// Names of the index models in `DIR/index/` (or built in), sorted.
pub fn model_names(dir: Option<&Path>) -> Vec<String> {
    let mut names: Vec<String> = match dir {
        Some(d) => std::fs::read_dir(d.join("index"))
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter_map(|e| e.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default(),
        None => EMBEDDED
            .get_dir("index")
            .map(|d| {
                d.files()
                    .filter_map(|f| f.path().file_name()?.to_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    };
    names.retain(|n| n.ends_with(".toml"));
    for n in &mut names {
        n.truncate(n.len() - ".toml".len());
    }
    names.sort();
    names
}

pub fn embedded_file(name: &str) -> Result<(String, String), LoadError> {
    EMBEDDED
        .get_file(name)
        .and_then(|f| f.contents_utf8())
        .map(|t| (format!("<embedded>/{name}"), t.to_string()))
        .ok_or_else(|| LoadError::Io {
            path: format!("<embedded>/{name}"),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not in the embedded catalogue",
            ),
        })
}

/// One validation problem, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub message: String,
    /// The message in German, where the input is a city's own file.
    pub german: Option<String>,
}

impl Problem {
    /// `file:line: what`, in German where known.
    pub fn german(&self) -> String {
        let what = self.german.as_deref().unwrap_or(&self.message);
        format!("{}:{}: {what}", self.file, self.line)
    }
}

impl LoadError {
    /// The error in German words (validation messages of the catalogue's
    /// own files stay English: they are for its maintainers).
    pub fn de(&self) -> String {
        match self {
            LoadError::Io { path, source } => {
                let why = match source.kind() {
                    std::io::ErrorKind::NotFound => "nicht gefunden".to_string(),
                    std::io::ErrorKind::PermissionDenied => "keine Berechtigung".to_string(),
                    _ => source.to_string(),
                };
                format!("{path}: kann nicht gelesen werden: {why}")
            }
            LoadError::Invalid(problems) => problems
                .iter()
                .map(Problem::german)
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// A TOML source with its name, to turn byte spans into `file:line`.
pub struct Source<'a> {
    pub name: String,
    pub text: &'a str,
}

impl Source<'_> {
    pub fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }
    pub fn problem(&self, offset: usize, message: impl Into<String>) -> Problem {
        Problem {
            file: self.name.clone(),
            line: self.line_of(offset),
            message: message.into(),
            german: None,
        }
    }
    /// A problem with its message in German too.
    pub fn problem_de(
        &self,
        offset: usize,
        german: impl Into<String>,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            german: Some(german.into()),
            ..self.problem(offset, message)
        }
    }
    /// Parse TOML into `T`, turning syntax and type errors into a located problem.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, LoadError> {
        toml::from_str::<T>(self.text).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            // toml's message repeats the snippet over several lines; keep the
            // first line, which says what is wrong.
            let msg = e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_string();
            LoadError::Invalid(vec![self.problem(offset, msg)])
        })
    }
}

// ---- raw file shapes (what the author wrote) ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServices {
    schema: Spanned<u32>,
    edition: String,
    service: Vec<Spanned<RawService>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    id: Spanned<String>,
    name: String,
    terms: Vec<Spanned<String>>,
    #[serde(default)]
    weak: Vec<Spanned<String>>,
    #[serde(default)]
    leika: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignals {
    schema: Spanned<u32>,
    application: RawPhraseList,
    application_link: RawPhraseList,
    transaction: RawPhraseList,
    form_download: RawPhraseList,
    form_words: RawPhraseList,
    #[serde(default)]
    auxiliary: Option<RawPhraseList>,
    print: RawPhraseList,
    paper: RawPhraseList,
    login: RawPhraseList,
    negation: RawPhraseList,
    appointment: RawPhraseList,
    contact: RawPhraseList,
    search: RawPhraseList,
    news: RawPhraseList,
    service_section: RawPhraseList,
    claim: RawPhraseList,
    hedge: RawPhraseList,
    apply_verbs: RawPhraseList,
    #[serde(default)]
    separable_prefixes: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhraseList {
    phrases: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPortals {
    schema: Spanned<u32>,
    portal: Vec<Spanned<RawPortal>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPortal {
    host: Spanned<String>,
    name: String,
    states: Vec<Spanned<String>>,
    services: Vec<Spanned<String>>,
    #[serde(default)]
    retired: Option<String>,
    #[serde(default)]
    names: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPage {
    schema: Spanned<u32>,
    main: Vec<Spanned<String>>,
    boilerplate: Vec<Spanned<String>>,
    #[serde(default)]
    boxes: Vec<Spanned<String>>,
    #[serde(default)]
    breadcrumb: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCrawl {
    schema: Spanned<u32>,
    session_params: Vec<Spanned<String>>,
    max_urls_per_pattern: Spanned<u32>,
    max_segment_repeats: Spanned<u32>,
    max_path_segments: Spanned<u32>,
    max_url_length: Spanned<u32>,
    priority_phrases: Vec<Spanned<String>>,
}

// ---- validated catalogue (what the program uses) ----

/// One service of the catalogue.
#[derive(Debug, Clone)]
pub struct Service {
    pub id: ServiceId,
    pub name: String,
    pub terms: PhraseSet,
    /// Terms that name the service only where nothing else does: a bare
    /// "Ummeldung" on a page about Gewerbe means the trade's, not the
    /// change of address. Each is also one of `terms`.
    pub weak: Vec<String>,
    /// Service-directory keys (LeiKa) that appear in URLs.
    pub leika: Vec<String>,
}

/// Which services a portal serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope<T> {
    All,
    Only(Vec<T>),
}

impl<T: PartialEq> Scope<T> {
    pub fn contains(&self, t: &T) -> bool {
        match self {
            Scope::All => true,
            Scope::Only(v) => v.contains(t),
        }
    }
}

/// A known service portal host.
#[derive(Debug, Clone)]
pub struct Portal {
    /// `host.example` or `*.example` (any subdomain and the domain itself).
    pub host: String,
    pub name: String,
    pub states: Scope<State>,
    pub services: Scope<ServiceId>,
    /// Set when the portal was shut down: links to it are stale evidence.
    pub retired: Option<String>,
    /// How pages name the portal in their text ("ElterngeldDigital",
    /// "Wirtschafts-Service-Portal.NRW"): a sentence that offers the
    /// application through it is a claim even without a link.
    pub names: PhraseSet,
}

impl Portal {
    pub fn matches_host(&self, host: &str) -> bool {
        host_matches(&self.host, host)
    }
}

/// `pattern` is a host, `*.domain` or `label.*`; hosts compare
/// case-insensitively.
pub fn host_matches(pattern: &str, host: &str) -> bool {
    // Called for every link of every page: compares in place, no copies.
    let host = host.trim_end_matches('.');
    if let Some(label) = pattern.strip_suffix(".*") {
        // `label.*`: the first label, on any domain (ikfz.kreis-x.de).
        return host
            .split_once('.')
            .is_some_and(|(first, rest)| first.eq_ignore_ascii_case(label) && rest.contains('.'));
    }
    match pattern.strip_prefix("*.") {
        Some(domain) => {
            host.eq_ignore_ascii_case(domain)
                || host
                    .len()
                    .checked_sub(domain.len() + 1)
                    .and_then(|dot| host.get(dot..))
                    .and_then(|tail| tail.strip_prefix('.'))
                    .is_some_and(|tail| tail.eq_ignore_ascii_case(domain))
        }
        None => host.eq_ignore_ascii_case(pattern),
    }
}

/// Phrase lists that mark or cancel signals.
#[derive(Debug, Clone)]
pub struct Signals {
    /// Wording that offers the online application (level 3), in a link's
    /// text or in its sentence.
    pub application: PhraseSet,
    /// Wording that offers the application only when it is a link's or
    /// button's own text ("Antrag stellen", "Jetzt beantragen").
    pub application_link: PhraseSet,
    /// Wording of a fully digital process (level 4).
    pub transaction: PhraseSet,
    /// Wording of a downloadable form (level 2) in link text or context.
    pub form_download: PhraseSet,
    /// Words that name an application form document.
    pub form_words: PhraseSet,
    /// Documents that go with an application but are not its form (a
    /// power of attorney, the landlord's confirmation).
    pub auxiliary: PhraseSet,
    /// Wording that the filled-in form is printed and signed (read on a
    /// form and in the sentence that introduces it).
    pub print: PhraseSet,
    /// Wording that a form goes by post (read only on the form itself: in
    /// its intro it as often means the notice that comes back by post).
    pub paper: PhraseSet,
    /// Online account logins (BundID, Nutzerkonto, …).
    pub login: PhraseSet,
    /// Negations that cancel signals in the same sentence.
    pub negation: PhraseSet,
    /// Appointment booking: never an online application.
    pub appointment: PhraseSet,
    /// Contact and feedback forms: never an online application.
    pub contact: PhraseSet,
    /// Site search forms.
    pub search: PhraseSet,
    /// Wording that marks a page as a news item.
    pub news: PhraseSet,
    /// Headings of the parts of a service description ("Online-Antrag",
    /// "Unterlagen", "Kosten", "Wie beantrage ich …?"): a section headed so
    /// belongs to the page's service; any other heading that names no
    /// service opens a section about something else.
    pub service_section: PhraseSet,
    /// A sentence that says the application can be made online, with no
    /// link of its own to show it: level 3, *claimed* (not verified).
    pub claim: PhraseSet,
    /// Future, conditional or general wording that makes a sentence no
    /// claim about this city's service ("geplant", "je nach Behörde").
    pub hedge: PhraseSet,
    /// Verbs of applying ("beantragen", "anmelden", "einreichen"): a
    /// sentence that names a portal and one of these offers the
    /// application through the portal.
    pub apply_verbs: PhraseSet,
}

/// Selectors that find main content and boilerplate.
#[derive(Debug, Clone)]
pub struct PageRules {
    pub main: Vec<String>,
    pub boilerplate: Vec<String>,
    /// Boxes: boilerplate beside the main content (a sidebar), content
    /// inside it (a box of online services within the article).
    pub boxes: Vec<String>,
    pub breadcrumb: Vec<String>,
}

/// Crawl rules that are data: session parameters, trap caps, priorities.
#[derive(Debug, Clone)]
pub struct CrawlRules {
    /// Lowercase parameter names dropped from URLs.
    pub session_params: Vec<String>,
    pub max_urls_per_pattern: usize,
    pub max_segment_repeats: usize,
    pub max_path_segments: usize,
    pub max_url_length: usize,
    pub priority: PhraseSet,
}

/// The whole validated catalogue.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub edition: String,
    pub services: Vec<Service>,
    pub signals: Signals,
    pub portals: Vec<Portal>,
    pub page: PageRules,
    pub crawl: CrawlRules,
    /// The Verwaltung sector's indicators (`verwaltung.toml`; empty for a
    /// catalogue directory without that file).
    pub verwaltung: crate::verwaltung::Verwaltung,
    /// Where it was loaded from, for messages.
    pub origin: String,
    /// BLAKE3 of all catalogue sources: detection results computed with
    /// the same catalogue can be reused.
    pub fingerprint: String,
}

pub const SCHEMA: u32 = 1;

impl Catalogue {
    /// The catalogue compiled into the binary.
    pub fn embedded() -> Result<Self, LoadError> {
        let read = |name: &str| -> Result<String, LoadError> {
            EMBEDDED
                .get_file(name)
                .and_then(|f| f.contents_utf8())
                .map(str::to_string)
                .ok_or_else(|| LoadError::Io {
                    path: format!("<embedded>/{name}"),
                    source: std::io::Error::new(std::io::ErrorKind::NotFound, "not embedded"),
                })
        };
        Self::from_sources("<embedded>", read)
    }

    /// Load and validate a catalogue directory.
    pub fn load(dir: &Path) -> Result<Self, LoadError> {
        let read = |name: &str| -> Result<String, LoadError> {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|source| LoadError::Io {
                path: path.display().to_string(),
                source,
            })
        };
        Self::from_sources(&dir.display().to_string(), read)
    }

    /// `--catalogue DIR` if given, else `./catalogues` when it holds a
    /// catalogue, else the embedded copy.
    pub fn locate(explicit: Option<&Path>) -> Result<Self, LoadError> {
        if let Some(dir) = explicit {
            return Self::load(dir);
        }
        let local = PathBuf::from("catalogues");
        if local.join("services.toml").is_file() {
            return Self::load(&local);
        }
        Self::embedded()
    }

    fn from_sources(
        origin: &str,
        read: impl Fn(&str) -> Result<String, LoadError>,
    ) -> Result<Self, LoadError> {
        let name = |f: &str| {
            if origin == "<embedded>" {
                format!("<embedded>/{f}")
            } else {
                Path::new(origin).join(f).display().to_string()
            }
        };
        let services_text = read("services.toml")?;
        let services = parse_services(&Source {
            name: name("services.toml"),
            text: &services_text,
        })?;
        let (edition, services) = services;
        let ids: HashSet<ServiceId> = services.iter().map(|s| s.id.clone()).collect();

        let signals_text = read("signals.toml")?;
        let signals = parse_signals(&Source {
            name: name("signals.toml"),
            text: &signals_text,
        })?;
        let portals_text = read("portals.toml")?;
        let portals = parse_portals(
            &Source {
                name: name("portals.toml"),
                text: &portals_text,
            },
            &ids,
        )?;
        let page_text = read("page.toml")?;
        let page = parse_page(&Source {
            name: name("page.toml"),
            text: &page_text,
        })?;
        let crawl_text = read("crawl.toml")?;
        // Optional: a catalogue kept from before the sector was added still loads.
        let verwaltung_text = match read("verwaltung.toml") {
            Ok(t) => Some(t),
            Err(LoadError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                None
            }
            Err(e) => return Err(e),
        };
        let verwaltung = match &verwaltung_text {
            Some(t) => crate::verwaltung::parse(&Source {
                name: name("verwaltung.toml"),
                text: t,
            })?,
            None => crate::verwaltung::Verwaltung::default(),
        };
        let mut h = blake3::Hasher::new();
        for t in [
            &services_text,
            &signals_text,
            &portals_text,
            &page_text,
            &crawl_text,
            verwaltung_text.as_deref().unwrap_or(""),
        ] {
            h.update(t.as_bytes());
            h.update(b"\0");
        }
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        let fingerprint = h.finalize().to_hex().to_string();
        let crawl = parse_crawl(&Source {
            name: name("crawl.toml"),
            text: &crawl_text,
        })?;
        Ok(Catalogue {
            edition,
            services,
            signals,
            portals,
            page,
            crawl,
            verwaltung,
            origin: origin.to_string(),
            fingerprint,
        })
    }

    pub fn service(&self, id: &ServiceId) -> Option<&Service> {
        self.services.iter().find(|s| &s.id == id)
    }

    /// The known portal a host belongs to, if any (most specific pattern wins).
    pub fn portal_for_host(&self, host: &str) -> Option<&Portal> {
        self.portals
            .iter()
            .filter(|p| p.matches_host(host))
            .max_by_key(|p| {
                (
                    !p.host.starts_with("*.") && !p.host.ends_with(".*"),
                    p.host.len(),
                )
            })
    }
}

pub(crate) fn check_schema(src: &Source, schema: &Spanned<u32>, problems: &mut Vec<Problem>) {
    if *schema.get_ref() != SCHEMA {
        problems.push(src.problem(
            schema.span().start,
            format!(
                "schema {} is not supported by this ozgcheck (it reads schema {SCHEMA})",
                schema.get_ref()
            ),
        ));
    }
}

pub(crate) fn phrases(
    src: &Source,
    raw: &[Spanned<String>],
    problems: &mut Vec<Problem>,
) -> PhraseSet {
    let mut out = Vec::new();
    for p in raw {
        match Phrase::parse(p.get_ref()) {
            Ok(ph) => out.push(ph),
            Err(e) => problems.push(src.problem(p.span().start, e)),
        }
    }
    PhraseSet(out)
}

fn finish<T>(value: T, problems: Vec<Problem>) -> Result<T, LoadError> {
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(LoadError::Invalid(problems))
    }
}

fn parse_services(src: &Source) -> Result<(String, Vec<Service>), LoadError> {
    let raw: RawServices = src.parse()?;
    let mut problems = Vec::new();
    check_schema(src, &raw.schema, &mut problems);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    if raw.service.is_empty() {
        problems.push(src.problem(0, "no [[service]] entries"));
    }
    for s in &raw.service {
        let at = s.span().start;
        let s = s.get_ref();
        let id = match ServiceId::parse(s.id.get_ref()) {
            Ok(id) => id,
            Err(e) => {
                problems.push(src.problem(s.id.span().start, e));
                continue;
            }
        };
        if !seen.insert(id.clone()) {
            problems.push(src.problem(
                s.id.span().start,
                format!("service id {id:?} appears twice"),
            ));
        }
        if s.name.trim().is_empty() {
            problems.push(src.problem(at, format!("service {id}: name is empty")));
        }
        if s.terms.is_empty() {
            problems.push(src.problem(
                at,
                format!("service {id}: needs at least one term that names it"),
            ));
        }
        let terms = phrases(src, &s.terms, &mut problems);
        for w in &s.weak {
            if !s.terms.iter().any(|t| t.get_ref() == w.get_ref()) {
                problems.push(src.problem(
                    w.span().start,
                    format!(
                        "service {id}: weak term {:?} is not one of its terms",
                        w.get_ref()
                    ),
                ));
            }
        }
        let weak = s.weak.iter().map(|w| w.get_ref().clone()).collect();
        let mut leika = Vec::new();
        for k in &s.leika {
            let v = k.get_ref();
            if v.len() != 14 || !v.bytes().all(|b| b.is_ascii_digit()) {
                problems.push(src.problem(
                    k.span().start,
                    format!("service {id}: LeiKa key {v:?} must be 14 digits"),
                ));
            } else {
                leika.push(v.clone());
            }
        }
        out.push(Service {
            id,
            name: s.name.clone(),
            terms,
            weak,
            leika,
        });
    }
    finish((raw.edition, out), problems)
}

fn parse_signals(src: &Source) -> Result<Signals, LoadError> {
    let raw: RawSignals = src.parse()?;
    let mut problems = Vec::new();
    check_schema(src, &raw.schema, &mut problems);
    // Lists of what is done (apply, submit, print) find every form of
    // their verbs; lists of names find the names as written.
    let mut separable = Vec::new();
    for p in &raw.separable_prefixes {
        let word = p.get_ref();
        if word.len() < 2 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
            problems.push(src.problem(
                p.span().start,
                format!("separable prefix {word:?} must be two or more lowercase letters a-z"),
            ));
        } else {
            separable.push(word.clone());
        }
    }
    // Longest first: "zurueck" before "zu".
    separable.sort_by_key(|w| std::cmp::Reverse(w.len()));
    let verbs = |set: PhraseSet| set.with_verb_forms(&separable);
    let mut list = |l: &RawPhraseList| phrases(src, &l.phrases, &mut problems);
    let signals = Signals {
        application: verbs(list(&raw.application)),
        application_link: verbs(list(&raw.application_link)),
        transaction: verbs(list(&raw.transaction)),
        form_download: verbs(list(&raw.form_download)),
        form_words: list(&raw.form_words),
        auxiliary: raw.auxiliary.as_ref().map(&mut list).unwrap_or_default(),
        print: verbs(list(&raw.print)),
        paper: verbs(list(&raw.paper)),
        login: list(&raw.login),
        negation: verbs(list(&raw.negation)),
        appointment: list(&raw.appointment),
        contact: list(&raw.contact),
        search: list(&raw.search),
        news: list(&raw.news),
        service_section: list(&raw.service_section),
        claim: verbs(list(&raw.claim)),
        hedge: verbs(list(&raw.hedge)),
        apply_verbs: verbs(list(&raw.apply_verbs)),
    };
    finish(signals, problems)
}

fn parse_portals(src: &Source, ids: &HashSet<ServiceId>) -> Result<Vec<Portal>, LoadError> {
    let raw: RawPortals = src.parse()?;
    let mut problems = Vec::new();
    check_schema(src, &raw.schema, &mut problems);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for p in &raw.portal {
        let p = p.get_ref();
        let host = p.host.get_ref().to_ascii_lowercase();
        let at = p.host.span().start;
        let first_label = host.strip_suffix(".*");
        let bare = host.strip_prefix("*.").or(first_label).unwrap_or(&host);
        let states = scope(src, &p.states, &mut problems, State::parse);
        // A whole top-level domain only where one state owns it (.nrw,
        // .bayern): an entry for one state may name one, no other may.
        let state_tld = host.starts_with("*.")
            && bare.len() >= 3
            && matches!(&states, Scope::Only(v) if v.len() == 1);
        let valid_host = !bare.is_empty()
            && (bare.contains('.') || state_tld || (first_label.is_some() && !bare.contains('.')))
            && bare
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if !valid_host {
            problems.push(src.problem(
                at,
                format!(
                    "portal host {host:?} must be a host name, *.domain or label.* \
                     (a bare *.tld only for a portal of one state)"
                ),
            ));
        }
        if seen.insert(host.clone(), at).is_some() {
            problems.push(src.problem(at, format!("portal host {host:?} appears twice")));
        }
        let services = scope(src, &p.services, &mut problems, |s| {
            let id = ServiceId::parse(s)?;
            if ids.contains(&id) {
                Ok(id)
            } else {
                Err(format!("unknown service id {s:?} (not in services.toml)"))
            }
        });
        let names = phrases(src, &p.names, &mut problems);
        out.push(Portal {
            host,
            name: p.name.clone(),
            states,
            services,
            retired: p.retired.clone(),
            names,
        });
    }
    finish(out, problems)
}

fn scope<T>(
    src: &Source,
    raw: &[Spanned<String>],
    problems: &mut Vec<Problem>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Scope<T> {
    if raw.len() == 1 && raw[0].get_ref() == "*" {
        return Scope::All;
    }
    let mut out = Vec::new();
    for r in raw {
        match parse(r.get_ref()) {
            Ok(v) => out.push(v),
            Err(e) => problems.push(src.problem(r.span().start, e)),
        }
    }
    if raw.is_empty() {
        problems.push(src.problem(0, "an empty list; use [\"*\"] for all"));
    }
    Scope::Only(out)
}

fn parse_page(src: &Source) -> Result<PageRules, LoadError> {
    let raw: RawPage = src.parse()?;
    let mut problems = Vec::new();
    check_schema(src, &raw.schema, &mut problems);
    let mut sel = |list: &[Spanned<String>]| {
        let mut out = Vec::new();
        for s in list {
            match scraper::Selector::parse(s.get_ref()) {
                Ok(_) => out.push(s.get_ref().clone()),
                Err(e) => problems.push(src.problem(
                    s.span().start,
                    format!("CSS selector {:?} does not parse: {e}", s.get_ref()),
                )),
            }
        }
        out
    };
    let page = PageRules {
        main: sel(&raw.main),
        boilerplate: sel(&raw.boilerplate),
        boxes: sel(&raw.boxes),
        breadcrumb: sel(&raw.breadcrumb),
    };
    finish(page, problems)
}

fn parse_crawl(src: &Source) -> Result<CrawlRules, LoadError> {
    let raw: RawCrawl = src.parse()?;
    let mut problems = Vec::new();
    check_schema(src, &raw.schema, &mut problems);
    let mut session_params = Vec::new();
    for p in &raw.session_params {
        let v = p.get_ref().trim().to_ascii_lowercase();
        if v.is_empty()
            || !v
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'=' && b != b'&')
        {
            problems.push(src.problem(
                p.span().start,
                format!(
                    "session parameter {:?} must be a plain parameter name",
                    p.get_ref()
                ),
            ));
        } else {
            session_params.push(v);
        }
    }
    let mut positive = |v: &Spanned<u32>, what: &str| -> usize {
        if *v.get_ref() == 0 {
            problems.push(src.problem(v.span().start, format!("{what} must be at least 1")));
        }
        *v.get_ref() as usize
    };
    let max_urls_per_pattern = positive(&raw.max_urls_per_pattern, "max_urls_per_pattern");
    let max_segment_repeats = positive(&raw.max_segment_repeats, "max_segment_repeats");
    let max_path_segments = positive(&raw.max_path_segments, "max_path_segments");
    let max_url_length = positive(&raw.max_url_length, "max_url_length");
    let priority = phrases(src, &raw.priority_phrases, &mut problems);
    finish(
        CrawlRules {
            session_params,
            max_urls_per_pattern,
            max_segment_repeats,
            max_path_segments,
            max_url_length,
            priority,
        },
        problems,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogue_is_valid_and_has_the_2023_services() {
        let c = match Catalogue::embedded() {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        // The 2023 services (their ids are public contract) and a broad
        // municipal catalogue beyond them.
        for id in [
            "elterngeld",
            "kindertagesbetreuung",
            "eheschliessung",
            "buergergeld",
            "ummeldung",
            "fuehrerschein",
            "einbuergerung",
            "handwerksgruendung",
            "unternehmensanmeldung",
            "kfz-zulassung",
            "baugenehmigung",
            "meldebescheinigung",
            "bewohnerparkausweis",
        ] {
            assert!(c.services.iter().any(|s| s.id.as_str() == id), "{id}");
        }
        assert!(c.services.len() >= 40, "{} services", c.services.len());
    }

    /// Separable prefixes are data, checked on load with the line of the
    /// bad one.
    #[test]
    fn a_bad_separable_prefix_is_refused_with_its_line() {
        let text = include_str!("../catalogues/signals.toml").replacen(
            "separable_prefixes = [",
            "separable_prefixes = [\"Zu-\", ",
            1,
        );
        let err = match parse_signals(&Source {
            name: "signals.toml".into(),
            text: &text,
        }) {
            Ok(_) => panic!("a bad prefix was accepted"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains("separable prefix \"Zu-\""), "{err}");
        let line = text
            .lines()
            .position(|l| l.starts_with("separable_prefixes"))
            .map_or(0, |i| i + 1);
        assert!(err.contains(&format!("signals.toml:{line}")), "{err}");
    }

    #[test]
    fn a_bare_tld_is_a_portal_only_for_one_state() {
        let parse = |host: &str, states: &str| {
            let text = format!(
                "schema = 1\n[[portal]]\nhost = \"{host}\"\nname = \"x\"\nstates = {states}\nservices = [\"*\"]\n"
            );
            parse_portals(
                &Source {
                    name: "portals.toml".into(),
                    text: &text,
                },
                &HashSet::new(),
            )
            .map_err(|e| e.to_string())
        };
        assert!(parse("*.nrw", "[\"NW\"]").is_ok());
        let e = parse("*.com", "[\"*\"]").err().unwrap_or_default();
        assert!(
            e.contains("portals.toml:3") && e.contains("one state"),
            "{e}"
        );
        assert!(parse("*.online", "[\"NW\", \"BY\"]").is_err());
        assert!(parse("*.service.example.de", "[\"*\"]").is_ok());
    }

    #[test]
    fn a_weak_term_must_be_one_of_the_service_s_terms() {
        let parse = |weak: &str| {
            let text = format!(
                "schema = 1\nedition = \"t\"\n[[service]]\nid = \"ummeldung\"\nname = \"Ummeldung\"\n\
                 terms = [\"Ummeldung\", \"Wohnsitz ummelden\"]\nweak = [{weak}]\n"
            );
            parse_services(&Source {
                name: "services.toml".into(),
                text: &text,
            })
            .map(|(_, s)| s)
            .map_err(|e| e.to_string())
        };
        let ok = parse("\"Ummeldung\"").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok[0].weak, vec!["Ummeldung".to_string()]);
        let e = parse("\"Umzug\"").err().unwrap_or_default();
        assert!(
            e.contains("services.toml:7") && e.contains("not one of its terms"),
            "{e}"
        );
    }

    #[test]
    fn host_patterns() {
        assert!(host_matches("*.hagen.de", "www.hagen.de"));
        assert!(host_matches("*.hagen.de", "hagen.de"));
        assert!(!host_matches("*.hagen.de", "nothagen.de"));
        assert!(host_matches(
            "www.elterngeld-digital.de",
            "WWW.Elterngeld-Digital.de"
        ));
        assert!(host_matches("*.Hagen.de", "a.b.HAGEN.de."));
        assert!(!host_matches("*.hagen.de", "de"));
        assert!(host_matches("ikfz.*", "ikfz.lk-seenplatte.de"));
        assert!(host_matches("ikfz.*", "IKFZ.hamburg.de."));
        assert!(!host_matches("ikfz.*", "www.ikfz.de"));
        assert!(!host_matches("ikfz.*", "ikfz.de"));
        assert!(!host_matches("*.hagen.de", "xhagen.de"));
        assert!(!host_matches("*.hagen.de", "hagen.de.evil.com"));
        assert!(!host_matches("hagen.de", "www.hagen.de"));
        assert!(!host_matches("*.hagen.de", "ö.hagen.dex"));
        assert!(host_matches("*.hagen.de", "ö.hagen.de"));
    }
}
