//! Survey mode end to end: three fictitious cities of the held-out corpus
//! and one that cannot be reached, crawled by the binary in one database
//! over loopback; the ranking; a survey killed after its crawls resumes
//! without crawling again.

mod common;

use common::{copy_dir, ozgcheck, root, stderr};
use ozgcheck::demo::LocalSite;
use ozgcheck::store::Store;
use std::path::Path;

const CASES: [&str; 3] = ["a2-grabenfeld", "a3-rossbach", "b2-oberwinkel"];

/// A profile from a corpus case's `case.toml` (its city, state, seeds, scope).
fn profile_text(case: &Path) -> String {
    let text = std::fs::read_to_string(case.join("case.toml")).unwrap_or_else(|e| panic!("{e}"));
    let t: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    format!(
        "name = {}\nstate = {}\nseeds = {}\nscope = {}\n",
        t["city"], t["state"], t["seeds"], t["scope"]
    )
}

fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// Three corpus cities and one unreachable one, served on loopback; the
/// survey file `umfrage.toml` names them. Returns the site and the
/// `--resolve` flags that point the cities' hosts at it.
async fn prepare(tmp: &Path) -> (LocalSite, Vec<String>) {
    let site = tmp.join("site");
    let cities = tmp.join("cities");
    std::fs::create_dir_all(&cities).unwrap_or_else(|e| panic!("{e}"));
    for case in CASES {
        let dir = root().join("fixtures/holdout").join(case);
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{e}")) {
            let p = entry.unwrap_or_else(|e| panic!("{e}")).path();
            if p.is_dir() {
                copy_dir(&p, &site.join(p.file_name().unwrap_or_default()));
            }
        }
        std::fs::write(cities.join(format!("{case}.toml")), profile_text(&dir))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    // A city whose server does not answer (a closed port on loopback).
    std::fs::write(
        cities.join("z-nirgendwo.toml"),
        "name = \"Nirgendwo\"\nstate = \"HE\"\nseeds = [\"http://www.nirgendwo.de:9/\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        tmp.join("umfrage.toml"),
        "name = \"Testumfrage\"\nmodel = \"sci2025\"\ncities = [\"cities/\"]\n\
         cities_at_once = 2\nmax_pages = 300\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let served = LocalSite::start_dir(&site)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut args: Vec<String> = Vec::new();
    for r in served.resolves() {
        args.push("--resolve".into());
        args.push(r.to_string());
    }
    args.push("--resolve".into());
    args.push("www.nirgendwo.de:9:127.0.0.1".into());
    (served, args)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_survey_crawls_every_city_ranks_them_and_resumes() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (served, resolves) = prepare(tmp.path()).await;
    let mut args: Vec<String> = ["survey", "umfrage.toml", "--db", "db", "--rate", "0"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(resolves);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let run_survey = |extra: &[&str]| {
        let mut a = argv.clone();
        a.extend_from_slice(extra);
        let dir = tmp.path().to_path_buf();
        let a: Vec<String> = a.iter().map(|s| s.to_string()).collect();
        std::thread::spawn(move || {
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            ozgcheck(&a, &dir)
        })
        .join()
        .unwrap_or_else(|_| panic!("survey thread"))
    };
    let o = run_survey(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    for city in [
        "Grabenfeld",
        "Roßbach im Vogtland",
        "Oberwinkel",
        "Nirgendwo",
    ] {
        assert!(err.contains(&format!("{city}: beginnt")), "{err}");
    }
    assert!(err.contains("Nirgendwo: gescheitert"), "{err}");

    let o = ozgcheck(&["ranking", "--db", "db", "--format", "json"], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = json(&o);
    assert_eq!(r["schema"], "ozgcheck/ranking/v1");
    assert_eq!(r["survey"]["cities"], 4);
    let rows = r["cities"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 4);
    // The unreachable city is a failed run at the end, never a share of 0.
    let last = &rows[3];
    assert_eq!(last["city"], "Nirgendwo");
    assert_eq!(last["status"], "failed");
    assert!(last["share"].is_null() && last["points"].is_null() && last["rank"].is_null());
    // The others: best first, ranks and percent-rank points consistent with
    // their shares; each count matches the city's own report.
    let shares: Vec<f64> = rows[..3]
        .iter()
        .filter_map(|c| c["share"].as_f64())
        .collect();
    assert_eq!(shares.len(), 3, "{rows:?}");
    assert!(shares.windows(2).all(|w| w[0] >= w[1]), "{shares:?}");
    assert_eq!(rows[0]["rank"], 1);
    assert_eq!(rows[0]["points"].as_f64(), Some(100.0));
    if shares[2] < shares[1] {
        assert_eq!(rows[2]["points"].as_f64(), Some(0.0));
    }
    for c in &rows[..3] {
        assert_eq!(c["status"], "complete");
        let total = c["services_total"].as_u64().unwrap_or_default();
        let online = c["services_online"].as_u64().unwrap_or_default();
        assert!(total >= 13 && online <= total, "{c}");
        assert!(c["services_verified"].as_u64().unwrap_or_default() <= online);
        let want = online as f64 / total as f64;
        assert!((c["share"].as_f64().unwrap_or(-1.0) - want).abs() < 1e-9);
        // An ordinary run: its report works.
        let run = c["run"].as_str().unwrap_or_default();
        let rep = ozgcheck(
            &["report", "--db", "db", "--run", run, "--format", "json"],
            tmp.path(),
        );
        assert_eq!(rep.status.code(), Some(0), "{}", stderr(&rep));
        assert_eq!(json(&rep)["run"]["city"], c["city"]);
    }
    let table = ozgcheck(&["ranking", "--db", "db"], tmp.path());
    let table = String::from_utf8_lossy(&table.stdout).to_string();
    assert!(
        table.starts_with("Rangliste Testumfrage")
            && table
                .lines()
                .any(|l| l.contains("Nirgendwo") && l.contains("gescheitert"))
            && table
                .lines()
                .nth(2)
                .is_some_and(|l| l.trim_start().starts_with("1 ") && l.contains(',')),
        "{table}"
    );
    let csv = ozgcheck(&["ranking", "--db", "db", "--format", "csv"], tmp.path());
    let csv = String::from_utf8_lossy(&csv.stdout).to_string();
    assert!(csv.starts_with("rank;city;state;status;"), "{csv}");
    assert!(
        csv.lines().any(|l| l.contains(";Nirgendwo;HE;failed;")),
        "{csv}"
    );

    // The Verwaltung indicators the crawl sees stand in every format.
    assert!(
        rows[0]["verwaltung"]["online-terminvergabe"].is_number(),
        "{}",
        rows[0]
    );
    assert!(
        csv.lines()
            .next()
            .is_some_and(|h| h.contains(";points_online-terminvergabe")),
        "{csv}"
    );
    let html = ozgcheck(&["ranking", "--db", "db", "--format", "html"], tmp.path());
    let html = String::from_utf8_lossy(&html.stdout).to_string();
    assert!(html.contains("<h1>Rangliste Testumfrage</h1>"), "{html}");
    assert!(
        html.contains("<th scope=\"col\">online-terminvergabe</th>"),
        "{html}"
    );
    for c in &rows[..3] {
        let link = format!(
            "<a href=\"/run/{}\">",
            c["run"].as_str().unwrap_or_default()
        );
        assert!(html.contains(&link), "{link} in {html}");
    }

    // One city scored against the others of the survey: the same points and
    // rank as in the ranking.
    for c in &rows[..3] {
        let run = c["run"].as_str().unwrap_or_default();
        let o = ozgcheck(
            &[
                "score",
                "--db",
                "db",
                "--run",
                run,
                "--model",
                "sci2025",
                "--peers-from-survey",
                "latest",
                "--format",
                "json",
            ],
            tmp.path(),
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let ozg = &json(&o)["ozg"];
        assert_eq!(ozg["peers"], 2, "{ozg}");
        assert_eq!(ozg["rank"], c["rank"], "{ozg} vs {c}");
        assert_eq!(ozg["points"].as_f64(), c["points"].as_f64(), "{ozg} vs {c}");
    }

    // Killed after the crawls, before the record was stored: --resume takes
    // the finished runs as they are and requests nothing.
    let runs_before = {
        let store = Store::open(&tmp.path().join("db")).unwrap_or_else(|e| panic!("{e}"));
        let mut s = store
            .resolve_survey("latest")
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no survey"));
        s.finished_at = None;
        for c in &mut s.cities {
            c.run = None;
        }
        store.put_survey(&s).unwrap_or_else(|e| panic!("{e}"));
        store.runs().unwrap_or_else(|e| panic!("{e}")).len()
    };
    let requests_before = served.requests().len();
    let o = run_survey(&["--resume"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("wird fortgesetzt"), "{}", stderr(&o));
    assert_eq!(
        served.requests().len(),
        requests_before,
        "nothing crawled again"
    );
    let store = Store::open(&tmp.path().join("db")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.runs().unwrap_or_default().len(), runs_before);
    let surveys = store.surveys().unwrap_or_default();
    assert_eq!(surveys.len(), 1, "resumed, not started anew");
    assert!(surveys[0].finished_at.is_some());
    assert!(surveys[0].cities.iter().all(|c| c.run.is_some()));
    drop(store);

    // The web view lists the survey and shows its ranking.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_ozgcheck"))
        .args([
            "serve",
            "--db",
            "db",
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .current_dir(tmp.path())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let base = format!("http://127.0.0.1:{port}");
    let mut index = String::new();
    for _ in 0..100 {
        if let Ok(r) = reqwest::get(format!("{base}/")).await {
            index = r.text().await.unwrap_or_default();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let page = match reqwest::get(format!("{base}/survey/latest")).await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(e) => e.to_string(),
    };
    let _ = server.kill();
    let _ = server.wait();
    assert!(index.contains("Umfrage <a href=\"/survey/"), "{index}");
    assert!(
        page.contains("Rangliste Testumfrage") && page.contains("<a href=\"/run/"),
        "{page}"
    );
}

/// A survey file's mistakes are input errors with file and line.
#[test]
fn survey_file_errors_name_the_file() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        tmp.path().join("u.toml"),
        "name = \"U\"\ncities = [\"a.toml\", \"b.toml\"]\nmax_pagez = 3\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = ozgcheck(&["survey", "u.toml", "--db", "db"], tmp.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("u.toml:3"), "{}", stderr(&o));

    let city = "name = \"Stadt\"\nstate = \"BY\"\nseeds = [\"https://www.stadt.de/\"]\n";
    std::fs::write(tmp.path().join("a.toml"), city).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(tmp.path().join("b.toml"), city).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        tmp.path().join("u.toml"),
        "name = \"U\"\ncities = [\"a.toml\", \"b.toml\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = ozgcheck(&["survey", "u.toml", "--db", "db"], tmp.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("Stadt \"Stadt\" kommt in der Umfrage zweimal vor"),
        "{}",
        stderr(&o)
    );
    assert!(
        !tmp.path().join("db").exists(),
        "no database for a bad survey"
    );
}

/// Run the binary on a thread of its own (the test's runtime keeps serving
/// the site meanwhile).
fn run_blocking(args: Vec<String>, dir: &Path) -> std::process::Output {
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        ozgcheck(&a, &dir)
    })
    .join()
    .unwrap_or_else(|_| panic!("ozgcheck thread"))
}

/// A survey split into shards on "several machines" (separate databases,
/// one survey id), each writing bundles, merges by `import run` into the
/// same ranking as the survey crawled in one piece.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shards_merge_into_the_same_ranking() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (_served, resolves) = prepare(tmp.path()).await;
    let survey = |db: &str, extra: &[&str]| {
        let mut a: Vec<String> = ["survey", "umfrage.toml", "--db", db, "--rate", "0"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        a.extend(resolves.iter().cloned());
        a.extend(extra.iter().map(|s| s.to_string()));
        let o = run_blocking(a, tmp.path());
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        o
    };
    survey("ganz", &[]);
    for i in 0..2 {
        let shard = format!("{i}/2");
        let o = survey(
            &format!("teil-{i}"),
            &[
                "--id",
                "sci-test",
                "--shard",
                &shard,
                "--bundles",
                "buendel",
            ],
        );
        assert!(stderr(&o).contains("2 Städte"), "{}", stderr(&o));
    }
    let bundles: Vec<String> = std::fs::read_dir(tmp.path().join("buendel"))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok().map(|e| e.path().display().to_string()))
        .collect();
    assert_eq!(bundles.len(), 4, "{bundles:?}");
    let mut a = vec![
        "import".to_string(),
        "run".into(),
        "--db".into(),
        "zentral".into(),
    ];
    a.extend(bundles);
    let o = run_blocking(a, tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let rows = |db: &str, id: &str| -> Vec<(String, String, Option<f64>, Option<u64>)> {
        let o = ozgcheck(
            &["ranking", "--db", db, "--survey", id, "--format", "json"],
            tmp.path(),
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        json(&o)["cities"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                (
                    c["city"].as_str().unwrap_or_default().to_string(),
                    c["status"].as_str().unwrap_or_default().to_string(),
                    c["share"].as_f64(),
                    c["rank"].as_u64(),
                )
            })
            .collect()
    };
    let whole = rows("ganz", "latest");
    assert_eq!(whole.len(), 4);
    assert_eq!(rows("zentral", "sci-test"), whole);
}
