//! The binary as users and their scripts see it: exit codes, `file:line`
//! messages, the lock error, and the report JSON pinned by a golden file.

mod common;

use common::{copy_dir, ozgcheck, root, stderr};
use ozgcheck::demo::LocalSite;
use std::path::Path;
use std::process::Command;

#[test]
fn shipped_catalogue_and_city_profiles_are_valid() {
    let o = ozgcheck(&["catalogue", "check", "catalogues"], &root());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let services = common::catalogue().services.len();
    assert!(
        services >= 40,
        "a broad municipal catalogue: {services} services"
    );
    assert!(
        stderr(&o).contains(&format!("{services} Leistungen")),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("5 Indexmodelle"), "{}", stderr(&o));
    for city in ["hagen", "herne", "hannover", "bochum", "duisburg"] {
        assert!(root()
            .join(format!("catalogues/cities/{city}.toml"))
            .is_file());
    }
}

#[test]
fn catalogue_errors_name_file_and_line() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = tmp.path().join("cat");
    copy_dir(&root().join("catalogues"), &dir);
    let services = dir.join("services.toml");
    let text = std::fs::read_to_string(&services).unwrap_or_else(|e| panic!("{e}"));
    // A second service with an existing id and a phrase with a dangling gap.
    let broken = format!(
        "{text}\n[[service]]\nid = \"elterngeld\"\nname = \"Doppelt\"\nterms = [\"online ...\"]\n"
    );
    std::fs::write(&services, &broken).unwrap_or_else(|e| panic!("{e}"));
    let id_line = broken.lines().count() - 2;
    let o = ozgcheck(
        &["catalogue", "check", dir.to_str().unwrap_or_default()],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("services.toml:{id_line}: service id"))
            && err.contains("appears twice"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "services.toml:{}: phrase \"online ...\"",
            id_line + 2
        )),
        "{err}"
    );

    // A portal naming a service that does not exist.
    std::fs::write(&services, &text).unwrap_or_else(|e| panic!("{e}"));
    let portals = dir.join("portals.toml");
    let p = std::fs::read_to_string(&portals).unwrap_or_else(|e| panic!("{e}"));
    let p = format!("{p}\n[[portal]]\nhost = \"x.example.de\"\nname = \"X\"\nstates = [\"NW\"]\nservices = [\"hundeschule\"]\n");
    std::fs::write(&portals, &p).unwrap_or_else(|e| panic!("{e}"));
    let o = ozgcheck(
        &["catalogue", "check", dir.to_str().unwrap_or_default()],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let line = p.lines().count();
    assert!(
        stderr(&o).contains(&format!(
            "portals.toml:{line}: unknown service id \"hundeschule\""
        )),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_profile_exits_2_with_file_and_line() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = tmp.path().join("stadt.toml");
    std::fs::write(
        &p,
        "name = \"Stadt\"\nstate = \"Bayern\"\nseeds = [\"https://www.stadt.de/\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = ozgcheck(&["crawl", "stadt.toml", "--db", "db"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("stadt.toml:2: unbekanntes Bundesland \"Bayern\""),
        "{}",
        stderr(&o)
    );
    assert!(
        !tmp.path().join("db").exists(),
        "no database for a bad profile"
    );

    std::fs::write(&p, "name = \"Stadt\"\nstate = \"BY\"\nseeds = []\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let o = ozgcheck(&["crawl", "stadt.toml", "--db", "db"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("stadt.toml:3: seeds braucht mindestens eine URL"),
        "{}",
        stderr(&o)
    );
    // The same error in English on request.
    let o = ozgcheck(
        &["crawl", "stadt.toml", "--db", "db", "--lang", "en"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("stadt.toml:3: seeds needs at least one URL"),
        "{}",
        stderr(&o)
    );

    let o = ozgcheck(&["crawl", "missing.toml", "--db", "db"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("missing.toml: kann nicht gelesen werden: nicht gefunden"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_second_process_gets_a_clear_lock_error() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = tmp.path().join("shared-db");
    let _held = ozgcheck::store::Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
    let o = ozgcheck(
        &["runs", "--db", db.to_str().unwrap_or_default()],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(db.to_str().unwrap_or_default())
            && err.contains("von einem anderen ozgcheck-Prozess benutzt"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn report_of_unknown_run_is_an_input_error() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let o = ozgcheck(&["report", "--db", "nothing-here"], tmp.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// Usage errors and help speak German by default, English on request,
/// and keep the contract's exit codes.
#[test]
fn usage_errors_and_help_are_german_unless_english_is_asked_for() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let o = ozgcheck(&["crawl", "--bogus"], tmp.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("Fehler: unbekanntes Argument '--bogus'")
            && err.contains("Aufruf: ozgcheck crawl"),
        "{err}"
    );
    let o = ozgcheck(&["report", "--format", "xls"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("ungültiger Wert 'xls'") && stderr(&o).contains("möglich: table"),
        "{}",
        stderr(&o)
    );
    let o = ozgcheck(&["crawl", "--bogus", "--lang", "en"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unexpected argument '--bogus'"),
        "{}",
        stderr(&o)
    );

    let o = ozgcheck(&["help", "crawl"], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(
        help.contains("Stadtprofil (TOML)") && help.contains("Optionen:"),
        "{help}"
    );
    let o = ozgcheck(&["crawl", "--help", "--lang", "en"], tmp.path());
    assert!(String::from_utf8_lossy(&o.stdout).contains("City profile (TOML)"));
}

/// Replace what changes from run to run (times) with placeholders.
fn normalise(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if k.ends_with("_at") && val.is_string() {
                    *val = serde_json::Value::String(format!("<{k}>"));
                } else {
                    normalise(val);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(normalise),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawl_then_report_json_matches_the_golden_file() {
    let site = LocalSite::start_dir(&root().join("fixtures/demo"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = tmp.path().join("db");
    let db_s = db.to_str().unwrap_or_default().to_string();
    let profile = root().join("fixtures/demo/city.toml");
    let mut args: Vec<String> = vec![
        "crawl".into(),
        profile.to_str().unwrap_or_default().into(),
        "--db".into(),
        db_s.clone(),
        "--rate".into(),
        "0".into(),
        "--label".into(),
        "Stichtag".into(),
    ];
    for r in site.resolves() {
        args.push("--resolve".into());
        args.push(r.to_string());
    }
    let cwd = tmp.path().to_path_buf();
    let crawl = tokio::task::spawn_blocking(move || {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        ozgcheck(&a, &cwd)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(crawl.status.code(), Some(0), "{}", stderr(&crawl));

    let o = ozgcheck(&["report", "--format", "json", "--db", &db_s], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut got: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("report is not JSON: {e}"));

    // The contract, checked independently of the golden file.
    assert_eq!(got["schema"], "ozgcheck/report/v1");
    assert_eq!(got["run"]["status"], "complete");
    assert_eq!(got["run"]["label"], "Stichtag");
    assert_eq!(got["run"]["city"], "Musterstadt");
    let services = got["services"].as_array().cloned().unwrap_or_default();
    assert_eq!(services.len(), common::catalogue().services.len());
    for s in &services {
        let level = s["level"].as_u64().unwrap_or(99);
        assert!(level <= 4);
        assert_eq!(s["online"].as_bool(), Some(level >= 3));
        let ev = s["evidence"].as_array().cloned().unwrap_or_default();
        assert_eq!(ev.is_empty(), level == 0, "{}", s["id"]);
        for e in &ev {
            for field in [
                "url",
                "fetched_at",
                "level",
                "signals",
                "excerpt",
                "snapshot",
            ] {
                assert!(e.get(field).is_some(), "evidence lacks {field}");
            }
            let t = e["fetched_at"].as_str().unwrap_or_default();
            assert!(
                t.parse::<jiff::Timestamp>().is_ok(),
                "fetched_at {t} is not RFC 3339"
            );
        }
    }

    got["run"]["id"] = serde_json::Value::String("<run id>".into());
    normalise(&mut got);
    let golden_path = root().join("tests/golden/report-demo.json");
    let pretty = serde_json::to_string_pretty(&got).unwrap_or_default() + "\n";
    if std::env::var_os("OZGCHECK_BLESS").is_some() {
        std::fs::create_dir_all(root().join("tests/golden")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&golden_path, &pretty).unwrap_or_else(|e| panic!("{e}"));
    }
    let golden = std::fs::read_to_string(&golden_path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with OZGCHECK_BLESS=1 to create)",
            golden_path.display()
        )
    });
    assert_eq!(
        pretty, golden,
        "report JSON differs from tests/golden/report-demo.json"
    );

    // explain: what the detector saw on the dead-portal page.
    let o = ozgcheck(
        &[
            "explain",
            "http://www.musterstadt.de/buergerservice/kfz-zulassung.html",
            "--db",
            &db_s,
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("kfz-zulassung: title names"), "{out}");
    assert!(
        out.contains("http://kfz.musterstadt.de/ikfz/ — dead (HTTP 404)"),
        "{out}"
    );
    assert!(out.contains("== main text"), "{out}");
    // explain on a page whose sentence states an online application it then
    // negates: the sentence, the rule in words, and why it does not count.
    let o = ozgcheck(
        &[
            "explain",
            "http://www.musterstadt.de/buergerservice/fuehrerschein.html",
            "--db",
            &db_s,
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("ProseClaim: the text says the application can be made online"),
        "{out}"
    );
    assert!(out.contains("basis:   claimed"), "{out}");
    assert!(out.contains("NOT COUNTED: negated"), "{out}");
    let o = ozgcheck(
        &[
            "explain",
            "http://www.musterstadt.de/nie-gesehen",
            "--db",
            &db_s,
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("wurde im Lauf") && stderr(&o).contains("nicht geladen"),
        "{}",
        stderr(&o)
    );

    // score: 6 of 13 online in the demo; against peers, points and rank.
    std::fs::write(
        tmp.path().join("peers.csv"),
        "city,ozg_share\nA,0.1\nB,0.2\nC,0.6\nD,0.9\nMusterstadt,0.0\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        tmp.path().join("city.toml"),
        "[indicators.verwaltung]\ninterne-prozesse = 33.3\npayment = 81.8\nonline-terminvergabe = 83.3\nwebseite-social-media = 70.4\nbevoelkerungsanliegen = 44.2\nserviceportal = 75.0\n\n[sectors]\nenergie-umwelt = 53.5\nit-kommunikation = 67.6\nmobilitaet = 21.0\ngesellschaft-bildung = 43.9\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = ozgcheck(
        &[
            "score",
            "--db",
            &db_s,
            "--peers",
            "peers.csv",
            "--city",
            "city.toml",
            "--format",
            "json",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["schema"], "ozgcheck/score/v1");
    assert_eq!(v["ozg"]["services_online"], 6);
    assert_eq!(v["ozg"]["services_total"], 13);
    // 6/13 = 0.46: two peers below, two above (its own stale row is replaced).
    assert_eq!(v["ozg"]["points"].as_f64(), Some(50.0));
    assert_eq!(v["ozg"]["rank"], 3);
    assert_eq!(v["ozg"]["peers"], 4);
    assert_eq!(v["what_if"].as_array().map(Vec::len), Some(7));
    assert!(v["projection"]["overall"].as_f64().is_some());
    let o = ozgcheck(
        &["score", "--db", &db_s, "--peers", "city.toml"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("city.toml:1: header must be 'city,ozg_share'"),
        "{}",
        stderr(&o)
    );

    let o = ozgcheck(&["runs", "--db", &db_s], tmp.path());
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("Musterstadt") && out.contains("complete") && out.contains("Stichtag"),
        "{out}"
    );
}

/// A slow crawl of the demo city (2 requests/s per host) as a child process.
fn slow_demo_crawl(site: &LocalSite, db: &Path, extra: &[&str]) -> std::process::Child {
    let profile = root().join("fixtures/demo/city.toml");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ozgcheck"));
    cmd.args(["crawl", profile.to_str().unwrap_or_default(), "--db"])
        .arg(db)
        .args(["--rate", "2"])
        .args(extra)
        .stderr(std::process::Stdio::piped());
    for r in site.resolves() {
        cmd.args(["--resolve", &r.to_string()]);
    }
    cmd.spawn().unwrap_or_else(|e| panic!("{e}"))
}

/// Ctrl-C (SIGINT) and `systemctl stop` (SIGTERM) both stop gracefully: the
/// run is stored as interrupted with what it fetched, the summary is
/// printed, and the exit code is 128 + the signal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_and_sigterm_mark_the_run_interrupted_and_keep_what_was_fetched() {
    let site = LocalSite::start_dir(&root().join("fixtures/demo"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for (signal, code) in [("-INT", 130), ("-TERM", 143)] {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = tmp.path().join("db");
        let child = slow_demo_crawl(&site, &db, &[]);
        let pid = child.id().to_string();
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        let killed = Command::new("kill").args([signal, &pid]).status();
        assert!(killed.is_ok_and(|s| s.success()));
        let out = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.status.code(), Some(code), "{signal}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("Seiten/s"),
            "{signal}: summary printed: {}",
            stderr(&out)
        );

        let store = ozgcheck::store::Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
        let runs = store.runs().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(runs.len(), 1);
        assert_eq!(
            runs[0].status,
            ozgcheck::store::RunStatus::Interrupted,
            "{signal}"
        );
        assert!(runs[0].finished_at.is_some());
        let pages = store.pages(&runs[0].id).unwrap_or_else(|e| panic!("{e}"));
        let fetched = pages.iter().filter(|p| p.status.is_some()).count();
        assert!(
            fetched >= 2,
            "{signal}: pages fetched before the stop are kept: {fetched}"
        );
        assert!(fetched < 30, "{signal}: the crawl stopped early: {fetched}");
        let verdicts = store
            .verdicts(&runs[0].id)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            verdicts.len(),
            common::catalogue().services.len(),
            "an interrupted run still has a verdict per service"
        );
    }
}

/// A time budget ends a nightly crawl cleanly: interrupted, resumable, exit 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_time_budget_stops_the_crawl_and_resume_finishes_it() {
    let site = LocalSite::start_dir(&root().join("fixtures/demo"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = tmp.path().join("db");
    let child = slow_demo_crawl(&site, &db, &["--max-duration", "2s"]);
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("Zeitbudget"), "{}", stderr(&out));
    {
        let store = ozgcheck::store::Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
        let runs = store.runs().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(runs[0].status, ozgcheck::store::RunStatus::Interrupted);
        assert!(runs[0].stats.time_budget_used);
    }
    let child = slow_demo_crawl(&site, &db, &["--resume"]);
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let store = ozgcheck::store::Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
    let runs = store.runs().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(runs.len(), 1, "the same run was continued");
    assert_eq!(runs[0].status, ozgcheck::store::RunStatus::Complete);
    // A malformed budget is an input error.
    let o = ozgcheck(
        &[
            "crawl",
            "fixtures/demo/city.toml",
            "--max-duration",
            "zwei Stunden",
        ],
        &root(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--max-duration"), "{}", stderr(&o));
}

/// A city whose host does not answer is a failed run (exit 3), not a result:
/// `runs` lists it as failed, `latest` and `diff` skip or refuse it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_city_is_a_failed_run_not_a_result() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // A port nobody listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let profile = tmp.path().join("stadt.toml");
    std::fs::write(
        &profile,
        "name = \"Nirgendwo\"\nstate = \"NW\"\nseeds = [\"http://www.nirgendwo.de/\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let db = tmp.path().join("db");
    let (db_s, profile_s) = (
        db.to_string_lossy().into_owned(),
        profile.to_string_lossy().into_owned(),
    );
    let resolve = format!("www.nirgendwo.de:{port}:127.0.0.1");
    let o = ozgcheck(
        &[
            "crawl",
            &profile_s,
            "--db",
            &db_s,
            "--resolve",
            &resolve,
            "--rate",
            "0",
            "--max-duration",
            "60s",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("gescheitert"), "{}", stderr(&o));
    let o = ozgcheck(&["runs", "--db", &db_s, "--format", "json"], tmp.path());
    let runs: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    assert_eq!(runs[0]["run"]["status"], "failed", "{runs}");
    // `latest` skips it: no result to report.
    let o = ozgcheck(&["report", "--db", &db_s], tmp.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // The same failure in English on request, with decimal points.
    let o = ozgcheck(
        &[
            "--lang",
            "en",
            "crawl",
            &profile_s,
            "--db",
            &db_s,
            "--resolve",
            &resolve,
            "--rate",
            "0",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("failed") && err.contains("pages/s"), "{err}");
    assert!(!err.contains("gescheitert"), "{err}");
}

/// Logs a cron job or journald can use: no colour codes off a terminal,
/// each run's steps with -v, every URL with -vv, JSON lines on request,
/// nothing but errors with -q.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_for_cron_and_journald() {
    let site = LocalSite::start_dir(&root().join("fixtures/demo"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let profile = root().join("fixtures/demo/city.toml");
    let run = |n: usize, flags: &[&str]| {
        let db = tmp.path().join(format!("db{n}"));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ozgcheck"));
        cmd.args([
            "crawl",
            profile.to_str().unwrap_or_default(),
            "--rate",
            "0",
            "--db",
        ])
        .arg(&db)
        .args(flags)
        .env_remove("RUST_LOG");
        for r in site.resolves() {
            cmd.args(["--resolve", &r.to_string()]);
        }
        cmd.output().unwrap_or_else(|e| panic!("{e}"))
    };
    let v = run(1, &["-v"]);
    let err = stderr(&v);
    assert_eq!(v.status.code(), Some(0), "{err}");
    assert!(
        !err.contains('\u{1b}'),
        "no escape codes in a log file: {err}"
    );
    assert!(
        err.contains("crawl started") && err.contains("crawl ended"),
        "{err}"
    );
    assert!(!err.contains("fetched"), "URLs only with -vv");
    let vv = run(2, &["-vv"]);
    assert!(stderr(&vv).contains("fetched"), "{}", stderr(&vv));
    let json = run(3, &["-v", "--log-format", "json"]);
    let lines: Vec<serde_json::Value> = stderr(&json)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "crawl started"),
        "{lines:?}"
    );
    let q = run(4, &["-q"]);
    assert_eq!(q.status.code(), Some(0));
    assert_eq!(stderr(&q), "", "-q: nothing but errors");
}

#[test]
fn a_closed_stderr_never_panics() {
    // `ozgcheck … 2>&1 | head -1`: stderr is a pipe whose reader is gone.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ozgcheck"))
        .args(["catalogue", "check", "catalogues"])
        .current_dir(root())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    drop(child.stderr.take());
    drop(child.stdout.take());
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        status.code(),
        Some(0),
        "no panic (exit 101) on a closed stderr"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_with_claims_and_a_dashboard_export() {
    let site = LocalSite::start_dir(&root().join("fixtures/demo"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db_s = tmp
        .path()
        .join("db")
        .to_str()
        .unwrap_or_default()
        .to_string();
    // The demo city with an AGS, so the dashboard import is found by ARS.
    let profile = std::fs::read_to_string(root().join("fixtures/demo/city.toml"))
        .unwrap_or_else(|e| panic!("{e}"))
        .replace("state = \"NW\"", "state = \"NW\"\nags = \"05999000\"");
    std::fs::write(tmp.path().join("city.toml"), profile).unwrap_or_else(|e| panic!("{e}"));
    // The dashboard, served by the same loopback site for `dashboard fetch`:
    // Elterngeld registered online (alive), Kita registered with a dead URL,
    // Gewerbe row present but offline, an extra column, a row naming nothing.
    let export = serde_json::json!([
        {"leika_key": "1", "leika_name": "Elterngeld", "ozgid": "1", "ozg_bezeichnung": "Elterngeld",
         "url": "http://www.elterngeld-digital.de/elterngeld/", "online_status": "online", "aktiv": "ja",
         "art_flaechendeckung": "EfA", "extra": 1},
        {"leika_key": "2", "leika_name": "Kindertagesbetreuung", "ozgid": "2", "ozg_bezeichnung": "Kita-Platz",
         "url": "http://kitaportal.musterstadt.de/gibt-es-nicht/", "online_status": "online", "aktiv": "ja",
         "art_flaechendeckung": "kommunal"},
        {"leika_key": "3", "leika_name": "Gewerbeanmeldung", "ozgid": "3", "ozg_bezeichnung": "Gewerbe",
         "url": "", "online_status": "offline", "aktiv": "nein", "art_flaechendeckung": "Land"}
    ]);
    // The loopback server picks the site by Host: a "127.0.0.1" directory
    // answers requests to the bare address.
    let export_dir = tmp.path().join("site/127.0.0.1/opendata");
    std::fs::create_dir_all(&export_dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(export_dir.join("059990000000.json"), export.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    let dash_site = LocalSite::start_dir(&tmp.path().join("site"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let url = format!(
        "http://127.0.0.1:{}/opendata/{{ars}}.json",
        dash_site.addr.port()
    );
    let o = ozgcheck(
        &["dashboard", "import", "nonexistent.json", "--db", &db_s],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2), "missing file is an input error");
    let cwd = tmp.path().to_path_buf();
    let db2 = db_s.clone();
    let o = tokio::task::spawn_blocking(move || {
        ozgcheck(
            &[
                "dashboard",
                "fetch",
                "--ars",
                "059990000000",
                "--url",
                &url,
                "--date",
                "2026-02-01",
                "--db",
                &db2,
            ],
            &cwd,
        )
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("3 Zeilen importiert, 2 online"),
        "{}",
        stderr(&o)
    );
    assert!(
        dash_site
            .requests()
            .iter()
            .any(|r| r.path == "/opendata/059990000000.json"),
        "fetched over HTTP"
    );
    // Import the same export from a file (CSV this time, German Excel style).
    std::fs::write(
        tmp.path().join("export.csv"),
        "leika_key;leika_name;ozgid;ozg_bezeichnung;url;online_status;aktiv;art_flaechendeckung;neu\n\
         1;Elterngeld;1;Elterngeld;http://www.elterngeld-digital.de/elterngeld/;online;ja;EfA;x\n\
         2;Kindertagesbetreuung;2;Kita-Platz;http://kitaportal.musterstadt.de/gibt-es-nicht/;online;ja;kommunal;x\n\
         3;Gewerbeanmeldung;3;Gewerbe;;offline;nein;Land;x\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = ozgcheck(
        &[
            "dashboard",
            "import",
            "export.csv",
            "--ars",
            "059990000000",
            "--date",
            "2026-03-01",
            "--db",
            &db_s,
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("3 Zeilen importiert, 2 online"),
        "{}",
        stderr(&o)
    );

    // Crawl: the dashboard URLs get their liveness check.
    let mut args: Vec<String> = ["crawl", "city.toml", "--db", &db_s, "--rate", "0"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for r in site.resolves() {
        args.push("--resolve".into());
        args.push(r.to_string());
    }
    let cwd = tmp.path().to_path_buf();
    let crawl = tokio::task::spawn_blocking(move || {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        ozgcheck(&a, &cwd)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(crawl.status.code(), Some(0), "{}", stderr(&crawl));
    assert!(
        stderr(&crawl).contains("prüfe 2 Leistungs-URLs des OZG-Dashboard"),
        "{}",
        stderr(&crawl)
    );

    std::fs::write(
        tmp.path().join("claims.csv"),
        "service,claimed,note\nelterngeld,nein,\nkfz-zulassung,ja,i-Kfz\nbewohnerparkausweis,ja,\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = ozgcheck(
        &[
            "audit",
            "--claims",
            "claims.csv",
            "--format",
            "json",
            "--db",
            &db_s,
            "--pack",
            "pack",
        ],
        tmp.path(),
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "disagreements exit 1: {}",
        stderr(&o)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["schema"], "ozgcheck/audit/v1");
    let kinds: Vec<(String, String)> = v["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f["service"].as_str().unwrap_or_default().to_string(),
                f["kind"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let has = |s: &str, k: &str| kinds.iter().any(|(a, b)| a == s && b == k);
    assert!(has("elterngeld", "online-not-claimed"), "{kinds:?}");
    assert!(has("kfz-zulassung", "claimed-not-found"), "{kinds:?}");
    assert!(
        has("kindertagesbetreuung", "dashboard-link-dead"),
        "{kinds:?}"
    );
    assert!(
        has("unternehmensanmeldung", "dashboard-missing"),
        "{kinds:?}"
    );
    assert!(has("ummeldung", "dashboard-missing"), "{kinds:?}");
    assert!(
        !has("bewohnerparkausweis", "online-not-claimed")
            && !has("bewohnerparkausweis", "claimed-not-found"),
        "claim and evidence agree: {kinds:?}"
    );
    assert!(!has("elterngeld", "dashboard-missing"), "{kinds:?}");

    // The proof pack: hashes match the bytes, the summary exists.
    let meta_path = std::fs::read_dir(tmp.path().join("pack/elterngeld"))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .unwrap_or_else(|| panic!("no metadata file"));
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
    let file = tmp
        .path()
        .join("pack/elterngeld")
        .join(meta["file"].as_str().unwrap_or_default());
    let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{e}"));
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(meta["sha256"].as_str(), Some(sha.as_str()));
    assert_eq!(meta["http_status"], 200);
    let summary = std::fs::read_to_string(tmp.path().join("pack/elterngeld/zusammenfassung.md"))
        .unwrap_or_default();
    assert!(
        summary.contains("Elterngeld") && summary.contains("SHA-256"),
        "{summary}"
    );
    assert!(tmp
        .path()
        .join("pack/elterngeld/zusammenfassung.html")
        .is_file());

    // `show` prints a snapshot byte for byte.
    let snap = meta["blake3"].as_str().unwrap_or_default().to_string();
    let o = ozgcheck(&["show", &snap, "--db", &db_s], tmp.path());
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(o.stdout, bytes);

    // A bad claims sheet names file and line.
    std::fs::write(
        tmp.path().join("bad.csv"),
        "service,claimed\nelterngeld,vielleicht\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = ozgcheck(&["audit", "--claims", "bad.csv", "--db", &db_s], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad.csv:2: claimed \"vielleicht\""),
        "{}",
        stderr(&o)
    );
}
