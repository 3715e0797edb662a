//! Evidence over time: a site changes between two crawls; `diff` reports the
//! service that gained an online form and the one that lost its portal link,
//! and stays quiet about a page whose footer alone changed.

mod common;

use common::{catalogue, copy_dir, profile_of, root, truth};
use ozgcheck::crawl::{self, CrawlOptions};
use ozgcheck::demo::LocalSite;
use ozgcheck::store::Store;
use std::path::Path;
use std::process::Command;

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        text.contains(from),
        "{}: {from:?} not found",
        path.display()
    );
    std::fs::write(path, text.replacen(from, to, 1)).unwrap_or_else(|e| panic!("{e}"));
}

async fn crawl_into(site_dir: &Path, db: &Path) {
    let t = truth(&root().join("fixtures/demo"));
    let site = LocalSite::start_dir(site_dir)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let store = Store::open(db).unwrap_or_else(|e| panic!("{e}"));
    let opts = CrawlOptions {
        resolve: site.resolves(),
        rate: 0.0,
        backoff: std::time::Duration::from_millis(10),
        ..CrawlOptions::default()
    };
    let (_tx, rx) = tokio::sync::watch::channel(false);
    crawl::run(&profile_of(&t), catalogue(), &store, &opts, rx, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

fn ozgcheck(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ozgcheck"))
        .args(args)
        .env_remove("OZGCHECK_DB")
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_reports_real_changes_and_ignores_the_footer() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let site = tmp.path().join("site");
    copy_dir(&root().join("fixtures/demo"), &site);
    let db = tmp.path().join("db");
    crawl_into(&site, &db).await;

    let www = site.join("www.musterstadt.de/buergerservice");
    // 1. Eheschließung gains an online application form.
    edit(
        &www.join("eheschliessung.html"),
        "</main>",
        "<h2>Online anmelden</h2><form action=\"/online/ehe/absenden\" method=\"post\"><label>Name <input name=\"name\"></label><label>Urkunden <input type=\"file\" name=\"urkunden\"></label><input type=\"submit\" value=\"Antrag absenden\"></form></main>",
    );
    // 2. Elterngeld loses its online offer: the portal link and the
    // sentence that sends people to the portal (a claim on its own).
    edit(
        &www.join("elterngeld.html"),
        "<p><a class=\"button\" href=\"http://www.elterngeld-digital.de/elterngeld/\">Elterngeld online beantragen</a></p>",
        "<p>Der Antrag wird derzeit überarbeitet.</p>",
    );
    edit(
        &www.join("elterngeld.html"),
        "<p>Den Antrag füllen Sie Schritt für Schritt im Bundesportal ElterngeldDigital aus. Nach dem Absenden wird er direkt an unsere Elterngeldstelle übermittelt.</p>",
        "<p>Den Antrag erhalten Sie in der Elterngeldstelle.</p>",
    );
    // 3. Bürgergeld: only the footer changes.
    edit(
        &www.join("buergergeld.html"),
        "Rathausplatz 1",
        "Rathausplatz 1a",
    );

    crawl_into(&site, &db).await;
    let db_s = db.to_str().unwrap_or_default();
    let o = ozgcheck(&[
        "diff", "previous", "latest", "--format", "json", "--db", db_s,
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "changes exit 1: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["schema"], "ozgcheck/diff/v1");
    let services = v["services"].as_array().cloned().unwrap_or_default();
    let ids: Vec<&str> = services
        .iter()
        .filter_map(|s| s["service"].as_str())
        .collect();
    assert_eq!(ids, vec!["elterngeld", "eheschliessung"], "{v:#}");
    let ehe = &services[1];
    assert_eq!(
        (ehe["from_level"].as_u64(), ehe["to_level"].as_u64()),
        (Some(1), Some(3))
    );
    let eg = &services[0];
    assert_eq!(
        (eg["from_level"].as_u64(), eg["to_level"].as_u64()),
        (Some(3), Some(1))
    );
    assert!(
        eg["text_changed"].as_array().is_some_and(|a| a
            .iter()
            .any(|u| u.as_str().is_some_and(|u| u.ends_with("elterngeld.html")))),
        "{eg:#}"
    );

    // Comparing a run with itself: nothing changed, exit 0.
    let o = ozgcheck(&["diff", "latest", "latest", "--db", db_s]);
    assert_eq!(o.status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warc_export_gc_and_stats() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let site = tmp.path().join("site");
    copy_dir(&root().join("fixtures/demo"), &site);
    let db = tmp.path().join("db");
    crawl_into(&site, &db).await;
    edit(
        &site.join("www.musterstadt.de/buergerservice/buergergeld.html"),
        "Rathausplatz 1",
        "Rathausplatz 2",
    );
    crawl_into(&site, &db).await;
    let db_s = db.to_str().unwrap_or_default();

    // WARC of the incremental run: one gzip member per record, warcinfo
    // first, request/response pairs; the pages that answered 304 carry their
    // stored payload, so the archive replays on its own.
    let warc = tmp.path().join("run.warc.gz");
    let o = ozgcheck(&[
        "export",
        "warc",
        "--run",
        "latest",
        "-o",
        warc.to_str().unwrap_or_default(),
        "--db",
        db_s,
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let raw = std::fs::read(&warc).unwrap_or_else(|e| panic!("{e}"));
    let mut text = Vec::new();
    use std::io::Read;
    flate2::read::MultiGzDecoder::new(&raw[..])
        .read_to_end(&mut text)
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&text);
    assert!(text.starts_with("WARC/1.1\r\nWARC-Type: warcinfo"));
    let count = |t: &str| text.matches(&format!("WARC-Type: {t}\r\n")).count();
    let revalidated = text.matches("ozgcheck-Revalidated:").count();
    assert!(
        count("response") >= 20 && revalidated >= 20 && count("revisit") == 0,
        "responses {} revalidated {revalidated} revisits {}",
        count("response"),
        count("revisit")
    );
    assert_eq!(count("request"), count("response"));
    assert!(text.contains("WARC-Payload-Digest: sha1:"));
    // The stored pages of the run, to compare the replayed payloads with.
    let stored: std::collections::BTreeMap<String, Vec<u8>> = {
        let s = Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
        let latest = s
            .resolve_run("latest")
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no run"));
        s.pages(&latest.id)
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .filter(|p| p.status == Some(304))
            .filter_map(|p| {
                let sid = p.snapshot?;
                Some((p.url, s.snapshot(&sid).ok()??))
            })
            .collect()
    };
    assert!(stored.len() >= 20, "{} pages answered 304", stored.len());
    // An independent reader (scripts/test.sh installs warcio): the file is
    // valid, every record is indexed, and re-validated pages replay with
    // exactly the stored bytes.
    let warcio = Command::new("warcio").arg("check").arg(&warc).output();
    match warcio {
        Ok(out) => {
            assert!(
                out.status.success(),
                "warcio check: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let idx = Command::new("warcio")
                .args(["index", "-f", "warc-type,warc-target-uri,offset"])
                .arg(&warc)
                .output()
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(idx.status.success());
            let index: Vec<serde_json::Value> = String::from_utf8_lossy(&idx.stdout)
                .lines()
                .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
                .collect();
            assert_eq!(
                index.len(),
                1 + 2 * count("response"),
                "warcio index lists every record"
            );
            let mut replayed = 0;
            for rec in index.iter().filter(|r| r["warc-type"] == "response") {
                let url = rec["warc-target-uri"].as_str().unwrap_or_default();
                let Some(want) = stored.get(url) else {
                    continue;
                };
                let offset = rec["offset"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| rec["offset"].to_string());
                let out = Command::new("warcio")
                    .args(["extract", "--payload"])
                    .arg(&warc)
                    .arg(&offset)
                    .output()
                    .unwrap_or_else(|e| panic!("{e}"));
                assert!(out.status.success(), "warcio extract {url}");
                assert_eq!(&out.stdout, want, "{url} replays with the stored bytes");
                replayed += 1;
                if replayed == 8 {
                    break;
                }
            }
            assert_eq!(replayed, 8, "re-validated pages replayed");
        }
        Err(_) => assert!(
            std::env::var_os("OZGCHECK_SKIP_WARCIO").is_some(),
            "warcio not found: `pip install warcio` (bash scripts/test.sh does it), \
             or set OZGCHECK_SKIP_WARCIO=1 to skip the independent WARC check on purpose"
        ),
    }

    // A replay tool of its own (pywb, the Webrecorder wayback machine)
    // indexes the archive and serves the pages of the incremental run with
    // exactly the stored bytes.
    replay_with_pywb(&warc, &stored).await;

    // gc: the older, unlabelled run goes; the kept run's evidence stays.
    let store_runs = {
        let s = Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
        s.runs().unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(store_runs.len(), 2);
    let o = ozgcheck(&["gc", "--keep-last", "1", "--db", db_s]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let msg = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        msg.contains("1 Läufe gelöscht") && msg.contains("1 Snapshots gelöscht"),
        "{msg}"
    );
    let s = Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
    let left = s.runs().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, store_runs[1].id);
    for v in s.verdicts(&left[0].id).unwrap_or_else(|e| panic!("{e}")) {
        for e in v.evidence {
            assert!(
                s.snapshot(&e.snapshot)
                    .unwrap_or_else(|e| panic!("{e}"))
                    .is_some(),
                "gc deleted evidence of a kept run"
            );
        }
    }
    drop(s);
    let o = ozgcheck(&["stats", "--db", db_s]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("runs            1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gc_keeps_labelled_runs_unless_forced() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = tmp.path().join("db");
    crawl_into(&root().join("fixtures/demo"), &db).await;
    {
        let s = Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
        let mut r = s.runs().unwrap_or_else(|e| panic!("{e}")).remove(0);
        r.label = Some("Stichtag 2026".into());
        s.put_run(&r).unwrap_or_else(|e| panic!("{e}"));
        s.flush().unwrap_or_else(|e| panic!("{e}"));
    }
    crawl_into(&root().join("fixtures/demo"), &db).await;
    crawl_into(&root().join("fixtures/demo"), &db).await;
    let db_s = db.to_str().unwrap_or_default();
    let o = ozgcheck(&["gc", "--keep-last", "1", "--db", db_s]);
    assert_eq!(o.status.code(), Some(0));
    let s = Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
    let left = s.runs().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(left.len(), 2, "the labelled run and the newest stay");
    assert!(left.iter().any(|r| r.label.is_some()));
    drop(s);
    let o = ozgcheck(&["gc", "--keep-last", "1", "--force", "--db", db_s]);
    assert_eq!(o.status.code(), Some(0));
    let s = Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.runs().unwrap_or_else(|e| panic!("{e}")).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_posts_the_diff_and_a_dead_webhook_never_fails_the_crawl() {
    use std::sync::{Arc, Mutex};
    // A webhook receiver on loopback that records what it gets.
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let g = Arc::clone(&got);
    let app = axum::Router::new().fallback(move |body: String| {
        let g = Arc::clone(&g);
        async move {
            g.lock().unwrap_or_else(|e| e.into_inner()).push(body);
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let hook = format!(
        "http://{}/hook",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let site_dir = tmp.path().join("site");
    copy_dir(&root().join("fixtures/demo"), &site_dir);
    let site = LocalSite::start_dir(&site_dir)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let db = tmp.path().join("db");
    let db_s = db.to_str().unwrap_or_default().to_string();
    let profile = root().join("fixtures/demo/city.toml");
    let resolves: Vec<String> = site.resolves().iter().map(|r| r.to_string()).collect();
    let crawl = |hook: String| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ozgcheck"));
        cmd.args([
            "crawl",
            profile.to_str().unwrap_or_default(),
            "--db",
            &db_s,
            "--rate",
            "0",
            "--notify",
            &hook,
        ]);
        for r in &resolves {
            cmd.args(["--resolve", r]);
        }
        cmd
    };
    let mut first = crawl(hook.clone());
    let o = tokio::task::spawn_blocking(move || first.output())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.status.code(), Some(0));
    assert!(
        got.lock().map(|g| g.is_empty()).unwrap_or(false),
        "first run: nothing to compare"
    );

    edit(
        &site_dir.join("www.musterstadt.de/buergerservice/elterngeld.html"),
        "<p><a class=\"button\" href=\"http://www.elterngeld-digital.de/elterngeld/\">Elterngeld online beantragen</a></p>",
        "",
    );
    // The sentence sending people to the portal goes too (a claim on its own).
    edit(
        &site_dir.join("www.musterstadt.de/buergerservice/elterngeld.html"),
        "<p>Den Antrag füllen Sie Schritt für Schritt im Bundesportal ElterngeldDigital aus. Nach dem Absenden wird er direkt an unsere Elterngeldstelle übermittelt.</p>",
        "",
    );
    let mut second = crawl(hook.clone());
    let o = tokio::task::spawn_blocking(move || second.output())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let bodies = got.lock().map(|g| g.clone()).unwrap_or_default();
    assert_eq!(bodies.len(), 1, "one notification");
    let v: serde_json::Value = serde_json::from_str(&bodies[0]).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        v["text"]
            .as_str()
            .is_some_and(|t| t.contains("Elterngeld: 3 → 1")),
        "{v}"
    );
    assert_eq!(v["diff"]["schema"], "ozgcheck/diff/v1");

    // A webhook that is down: the crawl still succeeds.
    edit(
        &site_dir.join("www.musterstadt.de/buergerservice/kita.html"),
        "</main>",
        "<p>Neu.</p></main>",
    );
    let mut third = crawl("http://127.0.0.1:9/nobody-listens".into());
    let o = tokio::task::spawn_blocking(move || third.output())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("nach 3 Versuchen gescheitert"));
}

/// The directory of pywb's commands: `OZGCHECK_PYWB` (scripts/test.sh puts
/// pywb into a virtual environment there), else the PATH.
fn pywb_bin() -> Option<std::path::PathBuf> {
    let from_env = std::env::var_os("OZGCHECK_PYWB").map(std::path::PathBuf::from);
    let on_path = std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).find(|d| d.join("wb-manager").is_file()));
    from_env.or(on_path).filter(|d| d.join("wayback").is_file())
}

/// Replay pages of `warc` in pywb (`wb-manager add`, `wayback`) and compare
/// each payload (`id_`: unmodified) with the stored snapshot.
async fn replay_with_pywb(warc: &Path, stored: &std::collections::BTreeMap<String, Vec<u8>>) {
    let Some(bin) = pywb_bin() else {
        assert!(
            std::env::var_os("OZGCHECK_SKIP_PYWB").is_some(),
            "pywb not found: `bash scripts/test.sh` installs it (or set OZGCHECK_PYWB to the \
             directory of its wb-manager and wayback), or set OZGCHECK_SKIP_PYWB=1 to skip \
             the replay check on purpose"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = |args: &[&std::ffi::OsStr]| {
        let out = Command::new(bin.join("wb-manager"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap_or_else(|e| panic!("wb-manager: {e}"));
        assert!(
            out.status.success(),
            "wb-manager {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["init".as_ref(), "ozg".as_ref()]);
    run(&["add".as_ref(), "ozg".as_ref(), warc.as_os_str()]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut server = Command::new(bin.join("wayback"))
        .args(["-p", &port.to_string(), "-b", "127.0.0.1"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("wayback: {e}"));
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}/ozg");
    let mut ready = false;
    for _ in 0..120 {
        if client.get(format!("{base}/")).send().await.is_ok() {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let mut replayed = 0;
    if ready {
        for (url, want) in stored.iter().take(8) {
            let resp = client.get(format!("{base}/2id_/{url}")).send().await;
            let body = match resp {
                Ok(r) if r.status().is_success() => r.bytes().await.map(|b| b.to_vec()).ok(),
                _ => None,
            };
            assert_eq!(body.as_deref(), Some(&want[..]), "pywb replays {url}");
            replayed += 1;
        }
    }
    let _ = server.kill();
    let _ = server.wait();
    assert!(ready, "pywb's wayback did not start on port {port}");
    assert_eq!(replayed, stored.len().min(8), "pages replayed by pywb");
}
