//! Evidence over time: a site changes between two crawls; `diff` reports the
//! service that gained an online form and the one that lost its portal link,
//! and stays quiet about a page whose footer alone changed.

mod common;

use common::{catalogue, profile_of, root, truth};
use ozgcheck::crawl::{self, CrawlOptions};
use ozgcheck::demo::LocalSite;
use ozgcheck::store::Store;
use std::path::Path;
use std::process::Command;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{e}"));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{e}")) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

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
    // 2. Elterngeld loses its portal link.
    edit(
        &www.join("elterngeld.html"),
        "<p><a class=\"button\" href=\"http://www.elterngeld-digital.de/elterngeld/\">Elterngeld online beantragen</a></p>",
        "<p>Der Antrag wird derzeit überarbeitet.</p>",
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
