//! Evaluation of the Verwaltung sector's detection on a labelled corpus
//! (`fixtures/verwaltung/`): every case is a small site served on loopback
//! and crawled for real; each parameter found (or not) is compared with the
//! case's truth. Shared by `tests/verwaltung.rs` and the `sector` example.

use ozgcheck::catalogue::{Catalogue, Source};
use ozgcheck::crawl::{self, CrawlOptions};
use ozgcheck::demo::LocalSite;
use ozgcheck::profile::Profile;
use ozgcheck::store::Store;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Deserialize)]
pub struct Case {
    pub city: String,
    pub state: String,
    pub seeds: Vec<String>,
    pub scope: Vec<String>,
    /// The real page a case was modelled on (real-language cases).
    #[serde(default)]
    pub source: Option<String>,
    /// Found parameters per indicator; every other parameter is not found.
    pub found: BTreeMap<String, Vec<String>>,
}

/// One (case, indicator/parameter) comparison.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub case: String,
    pub indicator: String,
    pub parameter: String,
    pub truth: bool,
    pub found: bool,
    pub basis: Option<&'static str>,
    pub source: Option<String>,
    /// For misses: the evidence, or what the pages showed of it.
    pub why: Vec<String>,
}

pub fn case_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.join("case.toml").is_file())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    if let Ok(only) = std::env::var("OZGCHECK_CASE") {
        dirs.retain(|d| d.to_string_lossy().contains(&only));
    }
    dirs
}

async fn run_case(dir: PathBuf, cat: Arc<Catalogue>) -> Result<Vec<Outcome>, String> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text =
        std::fs::read_to_string(dir.join("case.toml")).map_err(|e| format!("{name}: {e}"))?;
    let case: Case = toml::from_str(&text).map_err(|e| format!("{name}/case.toml: {e}"))?;
    for (ind, params) in &case.found {
        let i = cat
            .verwaltung
            .indicator(ind)
            .ok_or_else(|| format!("{name}/case.toml: unknown indicator {ind:?}"))?;
        if let Some(p) = params
            .iter()
            .find(|p| !i.parameters.iter().any(|q| &q.id == *p))
        {
            return Err(format!("{name}/case.toml: unknown parameter {ind}/{p}"));
        }
    }
    let profile_text = format!(
        "name = {:?}\nstate = {:?}\nseeds = {:?}\nscope = {:?}\n",
        case.city, case.state, case.seeds, case.scope
    );
    let profile = Profile::parse(&Source {
        name: format!("{name}/case.toml"),
        text: &profile_text,
    })
    .map_err(|e| e.to_string())?;
    let site = LocalSite::start_dir(&dir)
        .await
        .map_err(|e| e.to_string())?;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let store = Store::open(&tmp.path().join("db")).map_err(|e| e.to_string())?;
    let opts = CrawlOptions {
        resolve: site.resolves(),
        rate: 0.0,
        max_pages: 300,
        backoff: std::time::Duration::from_millis(10),
        ..CrawlOptions::default()
    };
    let (_tx, rx) = tokio::sync::watch::channel(false);
    let run = crawl::run(&profile, cat.clone(), &store, &opts, rx, &|_| {})
        .await
        .map_err(|e| format!("{name}: {e}"))?;
    let verdicts = ozgcheck::verwaltung::of_run(&cat, &store, &run).map_err(|e| e.to_string())?;
    let findings = store.findings(&run.id).map_err(|e| e.to_string())?;
    let pages = store.pages(&run.id).map_err(|e| e.to_string())?;
    let live = ozgcheck::analysis::LivenessIndex::from_records(&pages);
    let mut out = Vec::new();
    for iv in &verdicts {
        for p in &iv.parameters {
            let truth = case
                .found
                .get(&iv.id)
                .is_some_and(|l| l.iter().any(|x| x == &p.id));
            let mut why = Vec::new();
            if truth != p.found {
                for e in &p.evidence {
                    why.push(format!(
                        "evidence {}: {} | {}",
                        e.url,
                        e.signals.join("; "),
                        e.excerpt
                    ));
                }
                if let Some(m) = &p.missing {
                    why.push(format!("missing: {}", m.words(ozgcheck::report::Lang::En)));
                }
                // What the pages showed of it: each distinct sign once.
                let mut seen = std::collections::BTreeSet::new();
                for f in &findings {
                    for s in f
                        .verwaltung
                        .iter()
                        .filter(|s| s.indicator == iv.id && s.parameter == p.id)
                    {
                        let target = s
                            .target
                            .as_deref()
                            .map(|t| format!(" -> {t} ({:?})", live.liveness(&cat.crawl, t)))
                            .unwrap_or_default();
                        let line = format!(
                            "{}{target}{}",
                            s.rule,
                            s.cancelled
                                .as_deref()
                                .map(|c| format!(" [cancelled: {c}]"))
                                .unwrap_or_default()
                        );
                        if seen.len() < 8 && seen.insert(line.clone()) {
                            why.push(format!("{}: {line}", f.url));
                        }
                    }
                }
            }
            out.push(Outcome {
                case: name.clone(),
                indicator: iv.id.clone(),
                parameter: p.id.clone(),
                truth,
                found: p.found,
                basis: p.basis.map(|b| b.as_str()),
                source: case.source.clone(),
                why,
            });
        }
    }
    Ok(out)
}

/// Crawl every case (a few at a time) and compare.
pub async fn evaluate(root: &Path, cat: Arc<Catalogue>) -> Result<Vec<Outcome>, String> {
    use futures_util::stream::{self, StreamExt};
    let results: Vec<Result<Vec<Outcome>, String>> = stream::iter(case_dirs(root))
        .map(|d| run_case(d, cat.clone()))
        .buffer_unordered(4)
        .collect()
        .await;
    let mut out = Vec::new();
    for r in results {
        out.extend(r?);
    }
    out.sort_by(|a, b| {
        (&a.case, &a.indicator, &a.parameter).cmp(&(&b.case, &b.indicator, &b.parameter))
    });
    Ok(out)
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Counts {
    pub fn of<'a>(out: impl Iterator<Item = &'a Outcome>) -> Self {
        let mut c = Counts::default();
        for o in out {
            match (o.truth, o.found) {
                (true, true) => c.tp += 1,
                (false, true) => c.fp += 1,
                (true, false) => c.fn_ += 1,
                _ => {}
            }
        }
        c
    }
    pub fn f1(&self) -> f64 {
        let d = 2 * self.tp + self.fp + self.fn_;
        if d == 0 {
            1.0
        } else {
            2.0 * self.tp as f64 / d as f64
        }
    }
}

/// The scores the issue asks for: F1 over all parameters and per
/// parameter, office attribution (cases whose set of offices with online
/// booking is exactly right, among cases where truth or finding names
/// one), and credits given where the truth says none (false positives).
pub struct Scores {
    pub cases: usize,
    pub all: Counts,
    pub per_parameter: BTreeMap<String, Counts>,
    pub offices_exact: f64,
    pub office_cases: usize,
}

pub fn score(out: &[Outcome]) -> Scores {
    let mut per_parameter: BTreeMap<String, Counts> = BTreeMap::new();
    for o in out {
        let key = format!("{}/{}", o.indicator, o.parameter);
        let c = per_parameter.entry(key).or_default();
        *c = Counts {
            tp: c.tp + usize::from(o.truth && o.found),
            fp: c.fp + usize::from(!o.truth && o.found),
            fn_: c.fn_ + usize::from(o.truth && !o.found),
        };
    }
    let mut cases: Vec<&str> = out.iter().map(|o| o.case.as_str()).collect();
    cases.dedup();
    let mut office_cases = 0;
    let mut exact = 0;
    for c in &cases {
        let rows: Vec<&Outcome> = out
            .iter()
            .filter(|o| o.case == *c && o.indicator == "online-terminvergabe")
            .collect();
        if rows.iter().any(|o| o.truth || o.found) {
            office_cases += 1;
            if rows.iter().all(|o| o.truth == o.found) {
                exact += 1;
            }
        }
    }
    Scores {
        cases: cases.len(),
        all: Counts::of(out.iter()),
        per_parameter,
        offices_exact: if office_cases == 0 {
            1.0
        } else {
            exact as f64 / office_cases as f64
        },
        office_cases,
    }
}

pub fn report(out: &[Outcome]) -> String {
    use std::fmt::Write as _;
    let s = score(out);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "verwaltung corpus: {} cases · F1 over all parameters {:.3} (tp {} fp {} fn {}) · office attribution exact {:.3} ({} cases)",
        s.cases,
        s.all.f1(),
        s.all.tp,
        s.all.fp,
        s.all.fn_,
        s.offices_exact,
        s.office_cases
    );
    for (k, c) in &s.per_parameter {
        let _ = writeln!(
            o,
            "  {k:<45} F1 {:.3}  tp {:>3} fp {:>3} fn {:>3}",
            c.f1(),
            c.tp,
            c.fp,
            c.fn_
        );
    }
    let wrong: Vec<&Outcome> = out.iter().filter(|o| o.truth != o.found).collect();
    if !wrong.is_empty() {
        let _ = writeln!(o, "misses ({}):", wrong.len());
        for w in wrong {
            let _ = writeln!(
                o,
                "  {} {}/{}: truth {} found {}{}",
                w.case,
                w.indicator,
                w.parameter,
                w.truth,
                w.found,
                w.basis.map(|b| format!(" ({b})")).unwrap_or_default()
            );
            if let Some(src) = &w.source {
                let _ = writeln!(o, "      modelled on {src}");
            }
            if std::env::var_os("OZGCHECK_WHY").is_some() {
                for line in &w.why {
                    let _ = writeln!(o, "      {line}");
                }
            }
        }
    }
    o
}
