//! Survey mode: every city of a survey file crawled by the same rules into
//! one database, each city's crawl an ordinary run (report, diff, audit and
//! serve work on it), and a ranking computed the way the index computes the
//! OZG indicator — a percent rank over every city's share — but from
//! evidence anyone can check.
//!
//! A survey file names the cities (profile files, or directories of them)
//! and the per-city budgets:
//! ```toml
//! name  = "Smart City Index 2025"
//! model = "sci2025"            # services and threshold of the ranking
//! cities = ["../cities/"]      # profile files or directories, relative to this file
//! cities_at_once = 4           # cities crawled at the same time
//! max_pages = 2000             # per city
//! max_duration = "1h"          # per city
//! ```
//! Politeness is per host exactly as in a single crawl; the cities share
//! nothing but the process, so `cities_at_once × --concurrency` bounds the
//! requests in flight. The survey record names each city's run as soon as
//! it begins, so a killed survey resumes where it stopped.

use crate::catalogue::{LoadError, Problem, Source};
use crate::profile::Profile;
use crate::store::{RunStatus, Store, StoreError, SurveyRecord};
use crate::types::State;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A survey as read from its file (or from city profiles given directly).
#[derive(Debug, Clone)]
pub struct Survey {
    pub name: String,
    pub model: String,
    /// The cities with the file each was read from, in file order.
    pub cities: Vec<(String, Profile)>,
    pub budgets: Budgets,
}

/// Per-city settings of a survey file; flags on the command line win.
#[derive(Debug, Clone, Default)]
pub struct Budgets {
    pub cities_at_once: Option<usize>,
    pub max_pages: Option<usize>,
    pub max_depth: Option<usize>,
    pub max_duration: Option<String>,
    pub rate: Option<f64>,
    pub concurrency: Option<usize>,
}

// serde cannot deny unknown fields through `flatten`: the budgets are
// listed again here, so a typo (`max_pagez`) is an error with its line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSurvey {
    name: String,
    #[serde(default = "default_model")]
    model: String,
    cities: Vec<String>,
    cities_at_once: Option<usize>,
    max_pages: Option<usize>,
    max_depth: Option<usize>,
    max_duration: Option<String>,
    rate: Option<f64>,
    concurrency: Option<usize>,
}

fn default_model() -> String {
    "sci2025".to_string()
}

fn problem(file: &str, what: String, german: String) -> Problem {
    Problem {
        file: file.to_string(),
        line: 1,
        message: what,
        german: Some(german),
    }
}

fn read(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// The profile files a `cities` entry names: a file, or every `*.toml` of
/// a directory (sorted).
fn profile_files(base: &Path, entry: &str) -> Result<Vec<PathBuf>, std::io::Error> {
    let p = base.join(entry);
    if !p.is_dir() {
        return Ok(vec![p]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&p)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|f| f.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

impl Survey {
    /// Read a survey file, or city profiles given directly (a file with a
    /// `cities` list is a survey file; anything else must be a profile).
    pub fn load(paths: &[PathBuf]) -> Result<Survey, LoadError> {
        let mut survey = Survey {
            name: "Umfrage".to_string(),
            model: default_model(),
            cities: Vec::new(),
            budgets: Budgets::default(),
        };
        let mut problems = Vec::new();
        for path in paths {
            let text = read(path)?;
            let name = path.display().to_string();
            let src = Source {
                name: name.clone(),
                text: &text,
            };
            let is_survey = toml::from_str::<toml::Table>(&text)
                .map(|t| t.contains_key("cities"))
                .unwrap_or(false);
            if !is_survey {
                match Profile::parse(&src) {
                    Ok(p) => survey.cities.push((name, p)),
                    Err(LoadError::Invalid(mut p)) => problems.append(&mut p),
                    Err(e) => return Err(e),
                }
                continue;
            }
            let raw: RawSurvey = src.parse()?;
            survey.name = raw.name;
            survey.model = raw.model;
            survey.budgets = Budgets {
                cities_at_once: raw.cities_at_once,
                max_pages: raw.max_pages,
                max_depth: raw.max_depth,
                max_duration: raw.max_duration,
                rate: raw.rate,
                concurrency: raw.concurrency,
            };
            let base = path.parent().unwrap_or(Path::new("."));
            for entry in &raw.cities {
                let files = profile_files(base, entry).map_err(|source| LoadError::Io {
                    path: base.join(entry).display().to_string(),
                    source,
                })?;
                for f in files {
                    let text = read(&f)?;
                    let fname = f.display().to_string();
                    let src = Source {
                        name: fname.clone(),
                        text: &text,
                    };
                    match Profile::parse(&src) {
                        Ok(p) => survey.cities.push((fname, p)),
                        Err(LoadError::Invalid(mut p)) => problems.append(&mut p),
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        if survey.cities.is_empty() && problems.is_empty() {
            let file = paths.first().map(|p| p.display().to_string());
            problems.push(problem(
                &file.unwrap_or_default(),
                "the survey names no city".into(),
                "die Umfrage nennt keine Stadt".into(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (file, p) in &survey.cities {
            if !seen.insert(p.name.clone()) {
                problems.push(problem(
                    file,
                    format!("city {:?} appears twice in the survey", p.name),
                    format!("Stadt {:?} kommt in der Umfrage zweimal vor", p.name),
                ));
            }
        }
        if problems.is_empty() {
            Ok(survey)
        } else {
            Err(LoadError::Invalid(problems))
        }
    }
}

/// One city's row of a ranking.
#[derive(Debug, Clone, Serialize)]
pub struct RankedCity {
    pub city: String,
    pub state: State,
    pub run: Option<String>,
    /// `complete`, `interrupted` or `failed` (a city whose crawl never
    /// began counts as failed: it has no result).
    pub status: &'static str,
    pub services_online: usize,
    pub services_verified: usize,
    pub services_total: usize,
    pub share: Option<f64>,
    /// Percent rank (0–100) among the cities that did not fail.
    pub points: Option<f64>,
    pub rank: Option<usize>,
    /// Points (0–100, of the best city) of the Verwaltung indicators the
    /// crawl sees, by indicator id (see [`add_verwaltung`]).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub verwaltung: std::collections::BTreeMap<String, f64>,
}

/// Add the Verwaltung indicators the crawl sees to a ranking: per city
/// the model's weighted share of each indicator's parameters found, as
/// points of the best city of the survey (the index's normalisation for
/// them); failed cities get none.
pub fn add_verwaltung(
    r: &mut Ranking,
    cat: &crate::catalogue::Catalogue,
    store: &Store,
    model: &crate::index::Model,
) -> Result<(), StoreError> {
    let mut raw: Vec<std::collections::BTreeMap<String, f64>> = Vec::new();
    for c in &r.cities {
        let run = match (&c.run, c.status) {
            (Some(id), s) if s != "failed" => store.run(&crate::types::RunId::from_stored(id))?,
            _ => None,
        };
        let mut points = std::collections::BTreeMap::new();
        if let Some(run) = run {
            let v = crate::verwaltung::of_run(cat, store, &run)?;
            // An unknown parameter in the model is `score`'s error to report.
            if let Ok(scores) =
                crate::verwaltung::score::indicator_scores(model, &cat.verwaltung, &v)
            {
                points = crate::verwaltung::score::points_by_id(&scores);
            }
        }
        raw.push(points);
    }
    let ids: std::collections::BTreeSet<String> =
        raw.iter().flat_map(|m| m.keys().cloned()).collect();
    for id in ids {
        let all: Vec<f64> = raw.iter().filter_map(|m| m.get(&id).copied()).collect();
        for (c, m) in r.cities.iter_mut().zip(&raw) {
            if let Some(x) = m.get(&id) {
                let p =
                    crate::index::normalise(crate::index::Normalisation::PointsOfBest, &all, *x);
                c.verwaltung.insert(id.clone(), p.unwrap_or(0.0));
            }
        }
    }
    Ok(())
}

/// A survey's ranking (`ozgcheck/ranking/v1`).
#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    pub schema: &'static str,
    pub survey: RankingHeader,
    pub cities: Vec<RankedCity>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RankingHeader {
    pub id: String,
    pub name: String,
    pub started_at: String,
    pub cities: usize,
}

/// Rank the cities of a survey under `model`: per city its services at the
/// model's online threshold, the share, the points of the share among all
/// cities that did not fail as the model normalises the indicator (percent
/// rank since 2023), and the rank (1 + cities with a higher share).
pub fn ranking(
    store: &Store,
    survey: &SurveyRecord,
    model: &crate::index::Model,
) -> Result<Ranking, StoreError> {
    let (services, online_from) = (&model.ozg.services, model.ozg.online_from);
    let mut rows = Vec::new();
    for c in &survey.cities {
        let run = match &c.run {
            Some(id) => store.run(id)?,
            None => None,
        };
        let mut row = RankedCity {
            city: c.name.clone(),
            state: c.state,
            run: c.run.as_ref().map(|r| r.to_string()),
            status: "failed",
            services_online: 0,
            services_verified: 0,
            services_total: services.len(),
            share: None,
            points: None,
            rank: None,
            verwaltung: std::collections::BTreeMap::new(),
        };
        if let Some(run) = run.filter(|r| r.status != RunStatus::Failed) {
            row.status = run.status.public();
            let verdicts = store.verdicts(&run.id)?;
            for svc in services {
                let v = verdicts.iter().find(|v| &v.service == svc);
                if v.is_some_and(|v| v.level >= online_from) {
                    row.services_online += 1;
                    if v.and_then(|v| v.basis()) == Some(crate::detect::Basis::Verified) {
                        row.services_verified += 1;
                    }
                }
            }
            row.share = Some(row.services_online as f64 / services.len().max(1) as f64);
        }
        rows.push(row);
    }
    let shares: Vec<f64> = rows.iter().filter_map(|r| r.share).collect();
    for r in &mut rows {
        if let Some(s) = r.share {
            r.points = crate::index::normalise(model.ozg_normalisation(), &shares, s);
            r.rank = Some(1 + shares.iter().filter(|&&x| x > s).count());
        }
    }
    // Best first; failed cities last, by name.
    rows.sort_by(|a, b| {
        b.share
            .unwrap_or(-1.0)
            .total_cmp(&a.share.unwrap_or(-1.0))
            .then(a.city.cmp(&b.city))
    });
    Ok(Ranking {
        schema: "ozgcheck/ranking/v1",
        survey: RankingHeader {
            id: survey.id.to_string(),
            name: survey.name.clone(),
            started_at: crate::report::rfc3339(survey.started_at),
            cities: survey.cities.len(),
        },
        cities: rows,
    })
}

/// A number with `digits` decimals; a decimal comma in German.
fn decimal(x: f64, digits: usize, german: bool) -> String {
    let s = format!("{x:.digits$}");
    if german {
        s.replace('.', ",")
    } else {
        s
    }
}

/// The ranking as CSV (`;` for German Excel, decimal commas in German),
/// written by the report's CSV writer.
/// The Verwaltung indicator ids a ranking carries (see [`add_verwaltung`]).
fn verwaltung_ids(r: &Ranking) -> Vec<String> {
    let ids: std::collections::BTreeSet<&String> =
        r.cities.iter().flat_map(|c| c.verwaltung.keys()).collect();
    ids.into_iter().cloned().collect()
}

pub fn to_csv(r: &Ranking, delimiter: u8, german: bool) -> String {
    let extra = verwaltung_ids(r);
    let mut header = vec![
        "rank",
        "city",
        "state",
        "status",
        "services_online",
        "services_verified",
        "services_total",
        "share",
        "points",
        "run",
    ];
    let extra_heads: Vec<String> = extra.iter().map(|id| format!("points_{id}")).collect();
    header.extend(extra_heads.iter().map(String::as_str));
    let rows = r.cities.iter().map(|c| {
        let mut row = vec![
            c.rank.map(|x| x.to_string()).unwrap_or_default(),
            c.city.clone(),
            c.state.to_string(),
            c.status.to_string(),
            c.services_online.to_string(),
            c.services_verified.to_string(),
            c.services_total.to_string(),
            c.share.map(|v| decimal(v, 4, german)).unwrap_or_default(),
            c.points.map(|v| decimal(v, 1, german)).unwrap_or_default(),
            c.run.clone().unwrap_or_default(),
        ];
        row.extend(extra.iter().map(|id| {
            c.verwaltung
                .get(id)
                .map(|v| decimal(*v, 1, german))
                .unwrap_or_default()
        }));
        row
    });
    crate::report::csv_text(&header, rows, delimiter, false)
}

/// An indicator id cut to a table column ("online-terminvergabe" → "online-ter").
fn clip_id(id: &str) -> &str {
    id.get(..10).unwrap_or(id)
}

/// The ranking as a table for a terminal.
pub fn to_table(r: &Ranking, german: bool) -> String {
    let (head, failed) = if german {
        (
            format!(
                "Rangliste {} ({}, {} Städte)\n{:>4}  {:<28} {:<3} {:>7} {:>7} {:>7} {:>7}\n",
                r.survey.name,
                r.survey.id,
                r.survey.cities,
                "Rang",
                "Stadt",
                "BL",
                "online",
                "belegt",
                "Anteil",
                "Punkte"
            ),
            "gescheitert",
        )
    } else {
        (
            format!(
                "Ranking {} ({}, {} cities)\n{:>4}  {:<28} {:<3} {:>7} {:>7} {:>7} {:>7}\n",
                r.survey.name,
                r.survey.id,
                r.survey.cities,
                "rank",
                "city",
                "st",
                "online",
                "verif.",
                "share",
                "points"
            ),
            "failed",
        )
    };
    let extra = verwaltung_ids(r);
    let mut out = head;
    if !extra.is_empty() {
        // The header line gains the Verwaltung indicators' points.
        out.pop();
        for id in &extra {
            out.push_str(&format!(" {:>10}", clip_id(id)));
        }
        out.push('\n');
    }
    for c in &r.cities {
        let line = match (c.rank, c.share, c.points) {
            (Some(rank), Some(share), points) => format!(
                "{rank:>4}  {:<28} {:<3} {:>3}/{:<3} {:>7} {:>7} {:>7}\n",
                c.city,
                c.state,
                c.services_online,
                c.services_total,
                c.services_verified,
                format!("{} %", decimal(share * 100.0, 1, german)),
                points.map(|p| decimal(p, 1, german)).unwrap_or_default(),
            ),
            _ => format!("{:>4}  {:<28} {:<3} {failed}\n", "–", c.city, c.state),
        };
        let mut line = line;
        if !extra.is_empty() && c.share.is_some() {
            line.pop();
            for id in &extra {
                let v = c.verwaltung.get(id).map(|p| decimal(*p, 1, german));
                line.push_str(&format!(" {:>10}", v.unwrap_or_default()));
            }
            line.push('\n');
        }
        out.push_str(&line);
    }
    out
}

/// How often a long city crawl reports its progress.
pub const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// What happened to a city of a running survey (for progress lines).
#[derive(Debug, Clone)]
pub enum CityEvent {
    Started {
        city: String,
        resumed: bool,
    },
    /// A city's crawl goes on (at most every [`PROGRESS_EVERY`]).
    Progress {
        city: String,
        pages: u64,
        queued: usize,
    },
    Finished {
        city: String,
        run: Box<crate::store::RunRecord>,
    },
    Failed {
        city: String,
        error: String,
    },
}

/// Crawl every city of `survey` not yet done in `record` (a new survey, or
/// one resumed after a stop or a kill), at most `at_once` at a time, each
/// an ordinary run with `opts`. The record names each city's run as soon as
/// it is known and is stored after every city, so nothing is lost.
pub async fn crawl_all(
    survey: &Survey,
    record: SurveyRecord,
    catalogue: std::sync::Arc<crate::catalogue::Catalogue>,
    store: &Store,
    (opts, at_once): (&crate::crawl::CrawlOptions, usize),
    stop: tokio::sync::watch::Receiver<bool>,
    on_event: std::sync::Arc<dyn Fn(CityEvent) + Send + Sync>,
) -> Result<SurveyRecord, StoreError> {
    let mut record = record;
    let runs = store.runs()?;
    let mut todo = Vec::new();
    for (i, (_, profile)) in survey.cities.iter().enumerate() {
        // The city's runs since the survey began: a finished one counts
        // (a kill may have come before the record was stored); an
        // unfinished one is resumed.
        let mine: Vec<&crate::store::RunRecord> = runs
            .iter()
            .filter(|r| r.city == profile.name && r.started_at >= record.started_at)
            .collect();
        if let Some(done) = mine
            .iter()
            .rfind(|r| matches!(r.status, RunStatus::Complete | RunStatus::Failed))
        {
            record.cities[i].run = Some(done.id.clone());
            continue;
        }
        todo.push((i, !mine.is_empty()));
    }
    store.put_survey(&record)?;
    let mut tasks = tokio::task::JoinSet::new();
    let mut pending = todo.into_iter();
    loop {
        while tasks.len() < at_once.max(1) && !*stop.borrow() {
            let Some((i, resume)) = pending.next() else {
                break;
            };
            let (profile, catalogue, store, opts, stop, on_event) = (
                survey.cities[i].1.clone(),
                catalogue.clone(),
                store.clone(),
                opts.clone(),
                stop.clone(),
                on_event.clone(),
            );
            tasks.spawn(async move {
                on_event(CityEvent::Started {
                    city: profile.name.clone(),
                    resumed: resume,
                });
                let last = std::sync::Mutex::new(std::time::Instant::now());
                let name = profile.name.clone();
                let events = on_event.clone();
                let progress = move |p: &crate::crawl::Progress| {
                    let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
                    if last.elapsed() >= PROGRESS_EVERY {
                        *last = std::time::Instant::now();
                        events(CityEvent::Progress {
                            city: name.clone(),
                            pages: p.pages_fetched,
                            queued: p.queued,
                        });
                    }
                };
                let res = if resume {
                    crate::crawl::resume(&profile, catalogue, &store, &opts, stop, &progress).await
                } else {
                    crate::crawl::run(&profile, catalogue, &store, &opts, stop, &progress).await
                };
                (i, profile.name, res)
            });
        }
        let Some(joined) = tasks.join_next().await else {
            break;
        };
        let Ok((i, city, res)) = joined else {
            continue;
        };
        match res {
            Ok(run) => {
                record.cities[i].run = Some(run.id.clone());
                // Stored before anyone hears of it: a bundle written on the
                // event names the survey.
                store.put_survey(&record)?;
                on_event(CityEvent::Finished {
                    city,
                    run: Box::new(run),
                });
            }
            Err(e) => on_event(CityEvent::Failed {
                city,
                error: e.to_string(),
            }),
        }
        store.put_survey(&record)?;
    }
    let all_done = record.cities.iter().all(|c| c.run.is_some());
    if all_done && !*stop.borrow() {
        record.finished_at = Some(jiff::Timestamp::now());
        store.put_survey(&record)?;
    }
    store.flush()?;
    Ok(record)
}

impl Survey {
    /// Keep only shard `i` of `n`: the cities at positions i, i+n, i+2n, ….
    pub fn shard(&mut self, i: usize, n: usize) {
        let mut k = 0;
        self.cities.retain(|_| {
            k += 1;
            (k - 1) % n.max(1) == i
        });
    }
}

/// A new survey record for `survey` (its own id, or a new one), its cities
/// without runs yet.
pub fn new_record(survey: &Survey, id: Option<&str>) -> SurveyRecord {
    let started = jiff::Timestamp::now();
    SurveyRecord {
        id: id.map_or_else(
            || crate::types::RunId::new(started),
            crate::types::RunId::from_stored,
        ),
        name: survey.name.clone(),
        model: survey.model.clone(),
        started_at: started,
        finished_at: None,
        cities: survey
            .cities
            .iter()
            .map(|(file, p)| crate::store::SurveyCity {
                name: p.name.clone(),
                state: p.state,
                profile: file.clone(),
                run: None,
            })
            .collect(),
    }
}

/// The ranking as an HTML table; each city links to its run (`/run/ID`,
/// the report with its evidence in `ozgcheck serve`). Cells carry their
/// raw value in `data-v` for sorting.
pub fn to_html_table(r: &Ranking, german: bool) -> String {
    use crate::report::html_escape as esc;
    use std::fmt::Write as _;
    let heads: [&str; 8] = if german {
        [
            "Rang",
            "Stadt",
            "Land",
            "Status",
            "online",
            "davon belegt",
            "Anteil",
            "Punkte",
        ]
    } else {
        [
            "Rank", "City", "State", "Status", "online", "verified", "Share", "Points",
        ]
    };
    // The Verwaltung indicators the crawl sees, one column each.
    let extra = verwaltung_ids(r);
    let mut b = String::from("<div class=\"scroll\"><table class=\"ranking\"><thead><tr>");
    for h in heads {
        let _ = write!(b, "<th scope=\"col\">{h}</th>");
    }
    for id in &extra {
        let _ = write!(b, "<th scope=\"col\">{}</th>", esc(id));
    }
    b.push_str("</tr></thead><tbody>");
    for c in &r.cities {
        let city = match &c.run {
            Some(id) => format!("<a href=\"/run/{}\">{}</a>", esc(id), esc(&c.city)),
            None => esc(&c.city),
        };
        let status = match (german, c.status) {
            (true, "complete") => "vollständig",
            (true, "interrupted") => "unterbrochen",
            (true, _) => "gescheitert",
            (false, s) => s,
        };
        let _ = write!(
            b,
            "<tr><td data-v=\"{rank}\">{rank_s}</td><td data-v=\"{cityv}\">{city}</td><td>{}</td><td>{status}</td>\
             <td data-v=\"{on}\">{on}/{total}</td><td data-v=\"{ver}\">{ver}</td><td data-v=\"{share}\">{share_s}</td><td data-v=\"{points}\">{points_s}</td>",
            c.state,
            rank = c.rank.unwrap_or(usize::MAX),
            rank_s = c.rank.map(|x| x.to_string()).unwrap_or_else(|| "–".into()),
            cityv = esc(&c.city),
            on = c.services_online,
            total = c.services_total,
            ver = c.services_verified,
            share = c.share.unwrap_or(-1.0),
            share_s = c
                .share
                .map(|s| format!("{} %", decimal(s * 100.0, 1, german)))
                .unwrap_or_default(),
            points = c.points.unwrap_or(-1.0),
            points_s = c.points.map(|p| decimal(p, 1, german)).unwrap_or_default(),
        );
        for id in &extra {
            let v = c.verwaltung.get(id).filter(|_| c.share.is_some());
            let _ = write!(
                b,
                "<td data-v=\"{}\">{}</td>",
                v.copied().unwrap_or(-1.0),
                v.map(|p| decimal(*p, 1, german)).unwrap_or_default()
            );
        }
        b.push_str("</tr>");
    }
    b.push_str("</tbody></table></div>");
    b
}

/// The ranking as one self-contained HTML file: the table, sortable by a
/// click on a column head.
pub fn to_html(r: &Ranking, german: bool) -> String {
    use crate::report::html_escape as esc;
    let title = if german {
        format!("Rangliste {}", r.survey.name)
    } else {
        format!("Ranking {}", r.survey.name)
    };
    let note = if german {
        "Anteil der Leistungen, die online sind (Reifegrad ≥ 3); Punkte wie im Index (Perzentrang unter den Städten, deren Lauf nicht gescheitert ist). Klick auf eine Spaltenüberschrift sortiert."
    } else {
        "Share of services online (level ≥ 3); points as in the index (percent rank among the cities whose run did not fail). Click a column head to sort."
    };
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{t}</title><style>{css} th{{cursor:pointer}}</style></head><body><h1>{t}</h1><p>{note}</p><p>{id}</p>{table}\
         <script>for(const th of document.querySelectorAll('table.ranking th')){{th.addEventListener('click',()=>{{\
         const i=[...th.parentNode.children].indexOf(th),tb=th.closest('table').tBodies[0],up=th.dataset.up!=='1';\
         const v=td=>{{const x=td.dataset.v??td.textContent;const n=parseFloat(x);return isNaN(n)?x:n}};\
         [...tb.rows].sort((a,b)=>{{const p=v(a.cells[i]),q=v(b.cells[i]);return (p<q?-1:p>q?1:0)*(up?1:-1)}}).forEach(r=>tb.appendChild(r));\
         th.dataset.up=up?'1':'0'}})}}</script></body></html>\n",
        lang = if german { "de" } else { "en" },
        t = esc(&title),
        css = crate::report::CSS,
        id = esc(&r.survey.id),
        table = to_html_table(r, german),
    )
}
