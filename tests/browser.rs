//! Browser tests: Debian's Chromium, headless, against `serve` and the HTML
//! report. Pages load without console errors, the service cards and the
//! timeline are there, and a stored snapshot with a `<script>` does not run
//! it. A missing Chromium fails the test with what to install
//! (`scripts/test.sh` installs it), unless `OZGCHECK_SKIP_BROWSER=1`.

mod common;

use common::{crawl_site, root};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn chromium() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

/// Run headless Chromium on `url` with `extra` flags; returns (stdout, stderr).
fn run_chromium(bin: &Path, profile: &Path, url: &str, extra: &[&str]) -> (String, String) {
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("chromium: {e}"));
    // Drain both pipes while waiting: a DOM dump larger than the pipe's
    // buffer would otherwise block Chromium forever.
    let drain = |r: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|r| Box::new(r) as Box<dyn std::io::Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|r| Box::new(r) as Box<dyn std::io::Read + Send>),
    );
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > Duration::from_secs(60) => {
                let _ = child.kill();
                panic!("chromium hung on {url}");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => panic!("{e}"),
        }
    }
    (
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default(),
    )
}

fn console_errors(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            l.contains("CONSOLE")
                && (l.contains("Uncaught") || l.contains("Error") || l.contains("Refused"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_in_chromium_and_snapshots_stay_inert() {
    let Some(bin) = chromium() else {
        // Never a silent pass: skipping needs an explicit opt-out.
        assert!(
            std::env::var_os("OZGCHECK_SKIP_BROWSER").is_some(),
            "no Chromium found: install Debian's 'chromium' (bash scripts/test.sh does it), \
             or set OZGCHECK_SKIP_BROWSER=1 to skip the browser tests on purpose"
        );
        eprintln!("skipped on request (OZGCHECK_SKIP_BROWSER): no chromium installed");
        return;
    };
    let c = crawl_site(&root().join("fixtures/demo"), 0.0).await;
    let cat = common::catalogue();
    // A hostile stored page: its script would rewrite the document.
    let (hostile, _) = c
        .store
        .put_snapshot(b"<html><head><title>alt</title><script>var m='PW'+'NED';document.title=m;document.addEventListener('DOMContentLoaded',()=>{document.body.innerHTML='<p>'+m+'</p>'})</script></head><body><p>harmlos</p><a href=\"https://example.invalid/\">weg</a><img src=\"https://example.invalid/x.png\"></body></html>")
        .unwrap_or_else(|e| panic!("{e}"));
    // A second run, so the history has a matrix and a comparison.
    let (_tx, rx) = tokio::sync::watch::channel(false);
    let opts = ozgcheck::crawl::CrawlOptions {
        resolve: c.site.resolves(),
        rate: 0.0,
        ..Default::default()
    };
    let profile_city = common::profile_of(&common::truth(&root().join("fixtures/demo")));
    let second = ozgcheck::crawl::run(&profile_city, cat.clone(), &c.store, &opts, rx, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // The view, plus a test-only page on the same origin that loads a view
    // page into a phone-wide frame and writes whether it scrolls sideways.
    let app = ozgcheck::serve::router(c.store.clone(), cat.clone()).route(
        "/harness",
        axum::routing::get(|uri: axum::http::Uri| async move {
            let path = uri.query().unwrap_or("/").replace('"', "");
            axum::response::Html(format!(
                "<!DOCTYPE html><html><body><iframe id=\"f\" src=\"{path}\" style=\"width:420px;height:700px;border:0\"></iframe>\
                 <script>document.getElementById('f').onload=function(){{var d=this.contentDocument.documentElement;\
                 document.body.setAttribute('data-overflow',d.scrollWidth>d.clientWidth?'yes '+d.scrollWidth+'>'+d.clientWidth:'no');}}</script></body></html>"
            ))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let r = ozgcheck::report::build(&cat, &c.store, &c.run).unwrap_or_else(|e| panic!("{e}"));
    let report_file = c.dir.path().join("bericht.html");
    std::fs::write(
        &report_file,
        ozgcheck::report::to_html(&r, ozgcheck::report::Lang::De, None),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let shots = root().join("target/browser-screenshots");
    let _ = std::fs::create_dir_all(&shots);
    let run_id = c.run.id.to_string();
    let services = cat.services.len();
    let profile = c.dir.path().join("chromium-profile");

    let result = tokio::task::spawn_blocking(move || {
        let dom = |url: &str| {
            run_chromium(
                &bin,
                &profile,
                url,
                &["--dump-dom", "--virtual-time-budget=3000"],
            )
        };
        // The HTML report file, and a screenshot of it (A4-ish width).
        let file_url = format!("file://{}", report_file.display());
        let (d, e) = dom(&file_url);
        assert_eq!(
            d.matches("class=\"card l").count(),
            services,
            "report cards"
        );
        assert!(
            console_errors(&e).is_empty(),
            "console errors: {:?}",
            console_errors(&e)
        );
        let shot = shots.join("report.png");
        let _ = run_chromium(
            &bin,
            &profile,
            &file_url,
            &[
                &format!("--screenshot={}", shot.display()),
                "--window-size=1240,1754",
            ],
        );
        assert!(
            std::fs::metadata(&shot)
                .map(|m| m.len() > 10_000)
                .unwrap_or(false),
            "screenshot written"
        );
        // serve: runs, the run's matrix, the timeline.
        let base = format!("http://{addr}");
        let (d, e) = dom(&format!("{base}/"));
        assert!(d.contains(&run_id));
        assert!(console_errors(&e).is_empty(), "{:?}", console_errors(&e));
        let (d, e) = dom(&format!("{base}/run/{run_id}"));
        assert_eq!(d.matches("class=\"card l").count(), services);
        assert!(console_errors(&e).is_empty(), "{:?}", console_errors(&e));
        let (d, e) = dom(&format!("{base}/city/Musterstadt"));
        assert_eq!(d.matches("<svg").count(), services, "timeline charts");
        assert!(console_errors(&e).is_empty(), "{:?}", console_errors(&e));
        let _ = run_chromium(
            &bin,
            &profile,
            &format!("{base}/city/Musterstadt"),
            &[
                &format!("--screenshot={}", shots.join("timeline.png").display()),
                "--window-size=1240,1754",
            ],
        );
        // No view page scrolls sideways on a phone-wide screen: wide
        // tables scroll in their box, long diff lines wrap.
        let second_id = second.id.to_string();
        for path in [
            "/".to_string(),
            "/city/Musterstadt".to_string(),
            format!("/run/{run_id}"),
            format!("/diff/{run_id}/{second_id}"),
        ] {
            let (d, _) = dom(&format!("{base}/harness?{path}"));
            assert!(
                d.contains("data-overflow=\"no\""),
                "{path} overflows sideways: {}",
                d.split("data-overflow=")
                    .nth(1)
                    .unwrap_or("no result")
                    .chars()
                    .take(40)
                    .collect::<String>()
            );
        }
        let (d, _) = dom(&format!("{base}/city/Musterstadt"));
        assert!(
            d.contains("<table class=\"matrix\">"),
            "service × run matrix"
        );
        // The hostile snapshot: the script must not run.
        let (d, _) = dom(&format!("{base}/snapshot/{hostile}"));
        assert!(d.contains("harmlos"), "snapshot shown: {d}");
        assert!(!d.contains("PWNED"), "a snapshot's script ran: {d}");
    })
    .await;
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}
