//! Evaluation of the detector on the labelled corpus (`fixtures/corpus/`):
//! every case is a small site served on loopback and crawled for real; the
//! levels found are compared with the case's truth. Shared by the corpus
//! test and the `confusion` example.

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
    #[serde(default)]
    pub cms: String,
    #[serde(default)]
    pub hard: Vec<String>,
    /// Every catalogue service not under `levels` is level 0 on this case.
    /// Without it, only the services under `levels` were labelled (the
    /// older corpora list the 13 services of their time), and the others
    /// are not compared.
    #[serde(default)]
    pub complete: bool,
    /// The real page a case was modelled on (real-language corpus).
    #[serde(default)]
    pub source: Option<String>,
    pub levels: BTreeMap<String, u8>,
}

/// One (case, service) comparison.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub case: String,
    pub service: String,
    pub truth: u8,
    pub found: u8,
    pub cms: String,
    pub hard: Vec<String>,
    /// The real page the case was modelled on, if any.
    pub source: Option<String>,
    /// For misses: what the detector saw (about reasons, signals, verdict).
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
    // OZGCHECK_CASE=substring narrows the run to matching cases (debugging).
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
    if let Some(unknown) = case
        .levels
        .keys()
        .find(|k| !cat.services.iter().any(|s| s.id.as_str() == k.as_str()))
    {
        return Err(format!(
            "{name}/case.toml: {unknown:?} is not a service of the catalogue"
        ));
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
    let verdicts = store.verdicts(&run.id).map_err(|e| e.to_string())?;
    let findings = store.findings(&run.id).map_err(|e| e.to_string())?;
    // OZGCHECK_DUMP=DIR writes every case's verdicts and findings (for
    // checking that a change of code leaves all evidence as it was).
    if let Some(dir) = std::env::var_os("OZGCHECK_DUMP") {
        let all = serde_json::json!({"verdicts": verdicts, "findings": findings});
        let file = std::path::Path::new(&dir).join(format!("{name}.json"));
        let text = serde_json::to_string_pretty(&all).map_err(|e| e.to_string())?;
        std::fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;
    }
    let why_for = |svc: &ozgcheck::types::ServiceId| -> Vec<String> {
        let mut w = Vec::new();
        for f in &findings {
            let path = f.url.split('/').skip(2).collect::<Vec<_>>().join("/");
            for a in f.about.iter().filter(|a| &a.service == svc) {
                w.push(format!("{path}: about ({})", a.reasons.join("; ")));
            }
            for sg in f.signals.iter().filter(|s| &s.service == svc) {
                w.push(format!(
                    "{path}: L{} {}{}{}",
                    sg.level,
                    sg.rule,
                    sg.target
                        .as_deref()
                        .map(|t| format!(" -> {t}"))
                        .unwrap_or_default(),
                    sg.cancelled
                        .as_ref()
                        .map(|c| format!(" [cancelled: {c}]"))
                        .unwrap_or_default()
                ));
            }
        }
        if let Some(v) = verdicts.iter().find(|v| &v.service == svc) {
            for e in &v.evidence {
                w.push(format!(
                    "evidence L{} {}: {}",
                    e.level,
                    e.url,
                    e.signals.join(" | ")
                ));
            }
        }
        w
    };
    Ok(cat
        .services
        .iter()
        .filter(|s| case.complete || case.levels.contains_key(s.id.as_str()))
        .map(|s| {
            let found = verdicts
                .iter()
                .find(|v| v.service == s.id)
                .map(|v| v.level.as_u8())
                .unwrap_or(0);
            let truth = case.levels.get(s.id.as_str()).copied().unwrap_or(0);
            Outcome {
                case: name.clone(),
                service: s.id.to_string(),
                truth,
                found,
                cms: case.cms.clone(),
                hard: case.hard.clone(),
                source: case.source.clone(),
                why: if truth != found {
                    why_for(&s.id)
                } else {
                    Vec::new()
                },
            }
        })
        .collect())
}

/// Crawl every case (a few at a time) and compare.
pub async fn evaluate(root: &Path, cat: Arc<Catalogue>) -> Result<Vec<Outcome>, String> {
    use futures_util::stream::{self, StreamExt};
    let dirs = case_dirs(root);
    let results: Vec<Result<Vec<Outcome>, String>> = stream::iter(dirs)
        .map(|d| run_case(d, cat.clone()))
        .buffer_unordered(4)
        .collect()
        .await;
    let mut out = Vec::new();
    for r in results {
        out.extend(r?);
    }
    out.sort_by(|a, b| a.case.cmp(&b.case).then(a.service.cmp(&b.service)));
    Ok(out)
}

/// Precision, recall, F1 of `online` (level ≥ 3) and exact-level accuracy.
#[derive(Debug, Clone, Copy)]
pub struct Scores {
    pub cases: usize,
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Over the pairs where truth or finding is above 0 (the trivial
    /// 0-vs-0 pairs would inflate it).
    pub exact_nonzero: f64,
    pub exact_all: f64,
}

pub fn score(out: &[Outcome]) -> Scores {
    let tp = out.iter().filter(|o| o.truth >= 3 && o.found >= 3).count();
    let fp = out.iter().filter(|o| o.truth < 3 && o.found >= 3).count();
    let fn_ = out.iter().filter(|o| o.truth >= 3 && o.found < 3).count();
    let precision = if tp + fp == 0 {
        1.0
    } else {
        tp as f64 / (tp + fp) as f64
    };
    let recall = if tp + fn_ == 0 {
        1.0
    } else {
        tp as f64 / (tp + fn_) as f64
    };
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    let nz: Vec<&Outcome> = out.iter().filter(|o| o.truth > 0 || o.found > 0).collect();
    let exact_nonzero =
        nz.iter().filter(|o| o.truth == o.found).count() as f64 / nz.len().max(1) as f64;
    let exact_all =
        out.iter().filter(|o| o.truth == o.found).count() as f64 / out.len().max(1) as f64;
    let mut cases: Vec<&str> = out.iter().map(|o| o.case.as_str()).collect();
    cases.dedup();
    Scores {
        cases: cases.len(),
        tp,
        fp,
        fn_,
        precision,
        recall,
        f1,
        exact_nonzero,
        exact_all,
    }
}

/// Confusion matrices (truth rows × found columns), overall and per service.
pub fn confusion_report(out: &[Outcome]) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let mut services: Vec<&str> = out.iter().map(|o| o.service.as_str()).collect();
    services.sort_unstable();
    services.dedup();
    let matrix = |rows: &[&Outcome]| {
        let mut m = [[0usize; 5]; 5];
        for o in rows {
            m[usize::from(o.truth.min(4))][usize::from(o.found.min(4))] += 1;
        }
        let mut t = String::from("        found 0    1    2    3    4\n");
        for (i, row) in m.iter().enumerate() {
            let _ = writeln!(
                t,
                "  truth {i} {:>4} {:>4} {:>4} {:>4} {:>4}",
                row[0], row[1], row[2], row[3], row[4]
            );
        }
        t
    };
    let sc = score(out);
    let _ = writeln!(
        s,
        "corpus: {} cases · online precision {:.3} recall {:.3} F1 {:.3} (tp {} fp {} fn {}) · exact level {:.3} (non-zero pairs) / {:.3} (all pairs)\n",
        sc.cases, sc.precision, sc.recall, sc.f1, sc.tp, sc.fp, sc.fn_, sc.exact_nonzero, sc.exact_all
    );
    let all: Vec<&Outcome> = out.iter().collect();
    let _ = writeln!(s, "all services\n{}", matrix(&all));
    for svc in services {
        let rows: Vec<&Outcome> = out.iter().filter(|o| o.service == svc).collect();
        let owned: Vec<Outcome> = rows.iter().map(|o| (*o).clone()).collect();
        let sc = score(&owned);
        let _ = writeln!(
            s,
            "{svc}: F1 {:.3}, exact {:.3}\n{}",
            sc.f1,
            sc.exact_nonzero,
            matrix(&rows)
        );
    }
    let wrong: Vec<&Outcome> = out.iter().filter(|o| o.truth != o.found).collect();
    if !wrong.is_empty() {
        let _ = writeln!(s, "misses ({}):", wrong.len());
        for o in wrong {
            let _ = writeln!(
                s,
                "  {} {}: truth {} found {} [{}; {}]",
                o.case,
                o.service,
                o.truth,
                o.found,
                o.cms,
                o.hard.join(",")
            );
            if let Some(src) = &o.source {
                let _ = writeln!(s, "      modelled on {src}");
            }
            if std::env::var_os("OZGCHECK_WHY").is_some() {
                for w in &o.why {
                    let _ = writeln!(s, "      {w}");
                }
            }
        }
    }
    s
}
