//! End-to-end crawls of fixture cities served on loopback: levels and
//! evidence per service against each site's truth, robots.txt from the
//! server's own request log, politeness from its timestamps.

mod common;

use common::{crawl_site, root, truth};
use ozgcheck::store::RunStatus;
use std::collections::BTreeMap;
use std::time::Duration;

async fn assert_matches_truth(site: &str) {
    let dir = root().join(site);
    let t = truth(&dir);
    let c = crawl_site(&dir, 0.0).await;
    assert_eq!(c.run.status, RunStatus::Complete);
    let verdicts = c
        .store
        .verdicts(&c.run.id)
        .unwrap_or_else(|e| panic!("{e}"));
    let got: BTreeMap<String, u8> = verdicts
        .iter()
        .map(|v| (v.service.to_string(), v.level.as_u8()))
        .collect();
    assert_eq!(
        got.len(),
        common::catalogue().services.len(),
        "every catalogue service has a verdict"
    );
    let mut wrong = Vec::new();
    for (svc, want) in &t.levels {
        let have = got.get(svc).copied();
        if have != Some(*want) {
            let ev = verdicts
                .iter()
                .find(|v| v.service.as_str() == svc)
                .map(|v| format!("{:#?}", v.evidence))
                .unwrap_or_default();
            wrong.push(format!("{svc}: want {want}, got {have:?}\n{ev}"));
        }
    }
    assert!(wrong.is_empty(), "{site}:\n{}", wrong.join("\n"));
    for (svc, url) in &t.evidence {
        let v = verdicts
            .iter()
            .find(|v| v.service.as_str() == svc)
            .unwrap_or_else(|| panic!("no verdict for {svc}"));
        assert!(
            v.evidence.iter().any(|e| &e.url == url),
            "{site}: {svc}: evidence {url} missing from {:?}",
            v.evidence.iter().map(|e| &e.url).collect::<Vec<_>>()
        );
        // Evidence is ordered strongest first and the verdict is the best.
        assert_eq!(v.evidence.first().map(|e| e.level), Some(v.level));
        assert!(v.evidence.windows(2).all(|w| w[0].level >= w[1].level));
        // Every evidence item points at a stored snapshot.
        for e in &v.evidence {
            let snap = c
                .store
                .snapshot(&e.snapshot)
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(
                snap.is_some_and(|b| !b.is_empty()),
                "snapshot of {} missing",
                e.url
            );
        }
    }
    // robots.txt: no disallowed path was ever requested, and each host's
    // robots.txt came before any other request to that host.
    let log = c.site.requests();
    if let Some(r) = &t.robots_disallowed {
        for req in &log {
            for p in &r.paths {
                assert!(
                    !req.path.starts_with(p.as_str()),
                    "{site}: requested disallowed {}{}",
                    req.host,
                    req.path
                );
            }
        }
    }
    let mut hosts_seen = std::collections::HashSet::new();
    for req in &log {
        if hosts_seen.insert(req.host.clone()) {
            assert_eq!(
                req.path, "/robots.txt",
                "{site}: first request to {} was {}",
                req.host, req.path
            );
        }
        assert!(
            req.user_agent.starts_with("ozgcheck/"),
            "User-Agent names ozgcheck: {}",
            req.user_agent
        );
    }
}

#[tokio::test]
async fn demo_city_matches_its_truth() {
    assert_matches_truth("fixtures/demo").await;
}

#[tokio::test]
async fn old_cms_city_in_bavaria_matches_its_truth() {
    assert_matches_truth("fixtures/sites/beispielstadt").await;
}

#[tokio::test]
async fn each_url_is_fetched_once_and_dead_links_are_recorded() {
    let c = crawl_site(&root().join("fixtures/demo"), 0.0).await;
    let log = c.site.requests();
    let mut count = BTreeMap::new();
    for r in &log {
        *count.entry(format!("{}{}", r.host, r.path)).or_insert(0) += 1;
    }
    let pages = c.store.pages(&c.run.id).unwrap_or_else(|e| panic!("{e}"));
    // Only server errors are tried again (twice, with backoff).
    let failing: Vec<String> = pages
        .iter()
        .filter(|p| p.status.is_some_and(|s| s >= 500))
        .map(|p| p.url.trim_start_matches("http://").to_string())
        .collect();
    assert!(!failing.is_empty(), "the demo has a 500 page");
    for (url, n) in &count {
        let allowed = if failing.contains(url) { 3 } else { 1 };
        assert!(*n <= allowed, "{url} fetched {n} times");
        if failing.contains(url) {
            assert_eq!(*n, 3, "{url}: one try and two retries");
        }
    }
    // The dead i-Kfz portal link got its liveness check and is on record.
    let dead = pages
        .iter()
        .find(|p| p.url == "http://kfz.musterstadt.de/ikfz/")
        .unwrap_or_else(|| panic!("dead portal link not recorded"));
    assert_eq!(dead.status, Some(404));
    assert!(dead.snapshot.is_none(), "an error page is no evidence");
    // Out-of-scope portals get one request and are never crawled further.
    let external: Vec<_> = log
        .iter()
        .filter(|r| r.host == "www.elterngeld-digital.de")
        .collect();
    assert_eq!(
        external.len(),
        2,
        "robots.txt + one liveness check: {external:?}"
    );
}

#[tokio::test]
async fn requests_to_one_host_respect_the_rate() {
    let c = crawl_site(&root().join("fixtures/demo"), 20.0).await;
    let log = c.site.requests();
    let www: Vec<_> = log
        .iter()
        .filter(|r| r.host == "www.musterstadt.de")
        .collect();
    assert!(www.len() > 10);
    // 20 requests/s per host: 50 ms apart when sent. Seen at the server,
    // connection set-up jitter shifts single arrivals, so each gap must be
    // well above zero and the whole sequence must take its full time.
    for w in www.windows(2) {
        let gap = w[1].at.duration_since(w[0].at);
        assert!(
            gap >= Duration::from_millis(20),
            "gap {gap:?} between {} and {}",
            w[0].path,
            w[1].path
        );
    }
    let span = www[www.len() - 1].at.duration_since(www[0].at);
    let least = Duration::from_millis(45) * (www.len() as u32 - 1);
    assert!(
        span >= least,
        "{} requests in {span:?}, want at least {least:?}",
        www.len()
    );
}

#[tokio::test]
async fn max_pages_bounds_the_crawl() {
    let dir = root().join("fixtures/demo");
    let t = truth(&dir);
    let profile = common::profile_of(&t);
    let site = ozgcheck::demo::LocalSite::start_dir(&dir)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store =
        ozgcheck::store::Store::open(&tmp.path().join("db")).unwrap_or_else(|e| panic!("{e}"));
    let opts = ozgcheck::crawl::CrawlOptions {
        resolve: site.resolves(),
        rate: 0.0,
        max_pages: 5,
        ..Default::default()
    };
    let (_tx, rx) = tokio::sync::watch::channel(false);
    let run = ozgcheck::crawl::run(&profile, common::catalogue(), &store, &opts, rx, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pages = store.pages(&run.id).unwrap_or_else(|e| panic!("{e}"));
    let crawled = pages
        .iter()
        .filter(|p| p.kind == ozgcheck::store::FetchKind::Page && p.status.is_some())
        .count();
    assert!(crawled <= 5, "{crawled} pages fetched with --max-pages 5");
    assert!(run.stats.skipped_by_limits > 0);
}

/// A run that cannot reach one of the city's hosts says which, and a
/// service whose evidence lived there is "not checked", not level 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_host_makes_its_services_not_checked() {
    use ozgcheck::crawl::{self, fetch::Resolve, CrawlOptions};
    use ozgcheck::demo::LocalSite;
    use ozgcheck::store::Store;
    let dir = root().join("fixtures/demo");
    let profile = common::profile_of(&truth(&dir));
    let site = LocalSite::start_dir(&dir)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = Store::open(&tmp.path().join("db")).unwrap_or_else(|e| panic!("{e}"));
    let dead_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let crawl_with = |resolve: Vec<Resolve>| {
        let store = store.clone();
        let profile = profile.clone();
        async move {
            let opts = CrawlOptions {
                resolve,
                rate: 0.0,
                backoff: Duration::from_millis(10),
                connect_timeout: Duration::from_secs(2),
                ..CrawlOptions::default()
            };
            let (_tx, rx) = tokio::sync::watch::channel(false);
            crawl::run(&profile, common::catalogue(), &store, &opts, rx, &|_| {})
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let first = crawl_with(site.resolves()).await;
    assert_eq!(first.status, RunStatus::Complete);
    // The Kita portal (a subdomain of the city) is down the next night.
    let resolves = site
        .resolves()
        .into_iter()
        .map(|mut r| {
            if r.host == "kitaportal.musterstadt.de" {
                r.port = dead_port;
            }
            r
        })
        .collect();
    let second = crawl_with(resolves).await;
    assert_eq!(second.status, RunStatus::Complete, "the main site answered");
    assert!(
        second
            .stats
            .hosts_lost
            .iter()
            .any(|h| h.contains("kitaportal.musterstadt.de")),
        "{:?}",
        second.stats.hosts_lost
    );
    let cat = common::catalogue();
    let report = ozgcheck::report::build(&cat, &store, &second).unwrap_or_else(|e| panic!("{e}"));
    let kita = report
        .services
        .iter()
        .find(|s| s.id == "kindertagesbetreuung")
        .unwrap_or_else(|| panic!("no kita"));
    assert!(
        kita.not_checked,
        "level {} reason {:?}",
        kita.level, kita.reason
    );
    assert!(kita
        .reason
        .as_deref()
        .is_some_and(|r| r.contains("Nicht geprüft")));
    let json = ozgcheck::report::to_json(&report);
    assert!(json.contains("\"hosts_lost\"") && json.contains("\"not_checked\": true"));
    // Services whose evidence was elsewhere are judged as usual.
    assert!(report.services.iter().filter(|s| s.not_checked).count() <= 2);
}
