//! Nightly operation: an unchanged site is cheap to crawl again (conditional
//! requests, 304, nothing stored twice, same verdicts), and a crawl killed
//! with SIGKILL resumes to the levels of an uninterrupted one.

mod common;

use common::{catalogue, profile_of, root, truth};
use ozgcheck::crawl::{self, CrawlOptions};
use ozgcheck::demo::LocalSite;
use ozgcheck::store::{RunStatus, Store};
use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

fn levels(store: &Store, run: &ozgcheck::types::RunId) -> BTreeMap<String, u8> {
    store
        .verdicts(run)
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .map(|v| (v.service.to_string(), v.level.as_u8()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_site_answers_304_and_nothing_is_stored_twice() {
    let dir = root().join("fixtures/demo");
    let profile = profile_of(&truth(&dir));
    let site = LocalSite::start_dir(&dir)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = Store::open(&tmp.path().join("db")).unwrap_or_else(|e| panic!("{e}"));
    let opts = CrawlOptions {
        resolve: site.resolves(),
        rate: 0.0,
        backoff: Duration::from_millis(20),
        ..CrawlOptions::default()
    };
    let (_tx, rx) = tokio::sync::watch::channel(false);
    let first = crawl::run(&profile, catalogue(), &store, &opts, rx.clone(), &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let second = crawl::run(&profile, catalogue(), &store, &opts, rx, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (a, b) = (&first.stats, &second.stats);
    assert_eq!(a.not_modified, 0);
    // Every page answered 200 the first time answers 304 now.
    let ok_first = store
        .pages(&first.id)
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .filter(|p| p.status == Some(200))
        .count() as u64;
    assert_eq!(b.not_modified, ok_first, "304s in the second run");
    assert_eq!(b.snapshots_new, 0, "nothing unchanged is stored twice");
    assert!(
        b.bytes_received * 10 < a.bytes_received,
        "bytes {} vs {}",
        b.bytes_received,
        a.bytes_received
    );
    assert_eq!(levels(&store, &first.id), levels(&store, &second.id));
    // The second run still has full evidence, pointing at the same snapshots.
    let v1 = store.verdicts(&first.id).unwrap_or_else(|e| panic!("{e}"));
    let v2 = store.verdicts(&second.id).unwrap_or_else(|e| panic!("{e}"));
    for (x, y) in v1.iter().zip(&v2) {
        let s1: Vec<_> = x.evidence.iter().map(|e| (&e.url, &e.snapshot)).collect();
        let s2: Vec<_> = y.evidence.iter().map(|e| (&e.url, &e.snapshot)).collect();
        assert_eq!(s1, s2, "{}", x.service);
    }
    // The requests of the second run carried validators.
    let conditional = site.requests().iter().filter(|r| r.if_none_match).count() as u64;
    assert!(conditional >= b.not_modified);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_crawl_resumes_to_the_levels_of_an_uninterrupted_one() {
    let dir = root().join("fixtures/demo");
    let t = truth(&dir);
    let site = LocalSite::start_dir(&dir)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = tmp.path().join("db");
    let db_s = db.to_str().unwrap_or_default().to_string();
    let profile = dir.join("city.toml");
    let resolves: Vec<String> = site.resolves().iter().map(|r| r.to_string()).collect();
    let run_crawl = |extra: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ozgcheck"));
        cmd.args([
            "crawl",
            profile.to_str().unwrap_or_default(),
            "--db",
            &db_s,
            "--rate",
            "4",
        ])
        .args(extra)
        .current_dir(tmp.path())
        .stderr(std::process::Stdio::piped());
        for r in &resolves {
            cmd.args(["--resolve", r]);
        }
        cmd
    };
    // Slow crawl (4 requests/s per host), killed without warning mid-way.
    let mut child = run_crawl(&[]).spawn().unwrap_or_else(|e| panic!("{e}"));
    tokio::time::sleep(Duration::from_millis(3000)).await;
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();

    {
        let store = Store::open(&db)
            .unwrap_or_else(|e| panic!("the database must open after kill -9: {e}"));
        let runs = store.runs().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].status, RunStatus::Running, "killed mid-way");
        let fetched = store
            .pages(&runs[0].id)
            .unwrap_or_else(|e| panic!("{e}"))
            .len();
        assert!(
            fetched > 0 && fetched < 30,
            "{fetched} pages before the kill"
        );
    }
    // The killed run's report: valid, every service once, marked partial,
    // with the levels of what it had fetched (no verdicts were stored).
    let out = Command::new(env!("CARGO_BIN_EXE_ozgcheck"))
        .args(["report", "--db", &db_s, "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report["run"]["status"], "interrupted");
    let services = report["services"].as_array().cloned().unwrap_or_default();
    assert_eq!(services.len(), common::catalogue().services.len());
    assert!(services.iter().all(|s| s["partial"] == true));
    assert!(
        services
            .iter()
            .any(|s| s["level"].as_u64().unwrap_or(0) > 0),
        "what was fetched before the kill gives levels"
    );

    let before = site.requests().len();
    let mut cmd = run_crawl(&["--resume"]);
    let resumed =
        tokio::task::spawn_blocking(move || cmd.output().unwrap_or_else(|e| panic!("{e}")))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        resumed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );

    let store = Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
    let runs = store.runs().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(runs.len(), 1, "the same run was continued");
    assert_eq!(runs[0].status, RunStatus::Complete);
    let got = levels(&store, &runs[0].id);
    // The truth names the services with a level; every other is 0.
    let want: BTreeMap<String, u8> = common::catalogue()
        .services
        .iter()
        .map(|s| {
            let id = s.id.to_string();
            let level = t.levels.get(&id).copied().unwrap_or(0);
            (id, level)
        })
        .collect();
    assert_eq!(got, want);
    // The resumed part did not start from scratch.
    let after = site.requests().len() - before;
    assert!(
        after < before + 30,
        "resume refetched everything: {after} requests"
    );
}

/// kill -9 at twenty different moments, each in a fresh database: every
/// report of the killed run is valid and partial, every resume ends with
/// the levels of an uninterrupted crawl.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_kills_at_different_moments_all_resume_to_the_same_levels() {
    let dir = root().join("fixtures/demo");
    let t = truth(&dir);
    let want: BTreeMap<String, u8> = common::catalogue()
        .services
        .iter()
        .map(|s| {
            (
                s.id.to_string(),
                t.levels.get(s.id.as_str()).copied().unwrap_or(0),
            )
        })
        .collect();
    let site = LocalSite::start_dir(&dir)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let resolves: Vec<String> = site.resolves().iter().map(|r| r.to_string()).collect();
    let profile = dir.join("city.toml");
    let (mut killed_mid_run, mut x) = (0, 12345u64);
    for round in 0..20 {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = tmp.path().join("db");
        let db_s = db.to_string_lossy().into_owned();
        let crawl = |extra: &[&str]| {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_ozgcheck"));
            cmd.args([
                "crawl",
                profile.to_str().unwrap_or_default(),
                "--db",
                &db_s,
                "--rate",
                "15",
            ])
            .args(extra)
            .stderr(std::process::Stdio::null());
            for r in &resolves {
                cmd.args(["--resolve", r]);
            }
            cmd
        };
        // A repeatable spread of moments between 50 and 1,550 ms.
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let after = 50 + (x >> 33) % 1500;
        let mut child = crawl(&[]).spawn().unwrap_or_else(|e| panic!("{e}"));
        tokio::time::sleep(Duration::from_millis(after)).await;
        let _ = child.kill();
        let _ = child.wait();
        let report = Command::new(env!("CARGO_BIN_EXE_ozgcheck"))
            .args(["report", "--db", &db_s, "--format", "json"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        if report.status.code() == Some(2) {
            continue; // killed before its run was stored: nothing to resume
        }
        let r: serde_json::Value = serde_json::from_slice(&report.stdout)
            .unwrap_or_else(|e| panic!("round {round} ({after} ms): report is not JSON: {e}"));
        let status = r["run"]["status"].as_str().unwrap_or_default().to_string();
        if status == "complete" {
            continue; // finished before the kill
        }
        killed_mid_run += 1;
        assert_eq!(status, "interrupted", "round {round}");
        let services = r["services"].as_array().cloned().unwrap_or_default();
        assert_eq!(services.len(), want.len());
        assert!(
            services.iter().all(|s| s["partial"] == true),
            "round {round}"
        );
        let mut cmd = crawl(&["--resume"]);
        let out = tokio::task::spawn_blocking(move || cmd.output())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            out.status.code(),
            Some(0),
            "round {round} ({after} ms): resume failed"
        );
        let store = Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
        let runs = store.runs().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(runs.len(), 1, "round {round}: the same run was continued");
        assert_eq!(runs[0].status, RunStatus::Complete);
        assert_eq!(
            levels(&store, &runs[0].id),
            want,
            "round {round} ({after} ms)"
        );
    }
    assert!(
        killed_mid_run >= 10,
        "only {killed_mid_run} of 20 kills fell mid-run"
    );
}
