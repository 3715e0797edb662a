//! `reanalyze`: a run crawled with an older catalogue, judged again under a
//! newer one, gains verdicts for the new services from the very same stored
//! bytes, without one request on the network; judged again under the same
//! catalogue it gives the same verdicts as the crawl.

mod common;

use common::{catalogue, copy_dir, ozgcheck, root, stderr};
use ozgcheck::catalogue::Catalogue;
use ozgcheck::crawl::{self, CrawlOptions};
use ozgcheck::demo::{self, LocalSite};
use ozgcheck::store::Store;
use ozgcheck::types::RunId;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The services an "older" catalogue did not know yet.
const NEW: [&str; 2] = ["bewohnerparkausweis", "kindertagesbetreuung"];

/// A copy of the shipped catalogue without the services in `NEW` (as an
/// older edition would have been): their `[[service]]` blocks are dropped
/// and portals no longer name them.
fn older_catalogue(dir: &Path) {
    copy_dir(&root().join("catalogues"), dir);
    let services = std::fs::read_to_string(dir.join("services.toml")).unwrap_or_default();
    let mut blocks = services.split("[[service]]");
    let mut kept = blocks.next().unwrap_or_default().to_string();
    for b in blocks {
        if !NEW.iter().any(|id| b.contains(&format!("id = \"{id}\""))) {
            kept.push_str("[[service]]");
            kept.push_str(b);
        }
    }
    std::fs::write(dir.join("services.toml"), kept).unwrap_or_else(|e| panic!("{e}"));
    let portals = std::fs::read_to_string(dir.join("portals.toml")).unwrap_or_default();
    let mut out = String::new();
    for block in portals.split("[[portal]]").enumerate() {
        let (i, mut b) = (block.0, block.1.to_string());
        for id in NEW {
            for pat in [
                format!("\"{id}\", "),
                format!(", \"{id}\""),
                format!("\"{id}\""),
            ] {
                b = b.replace(&pat, "");
            }
        }
        // A portal left with no service is dropped with its block.
        if i > 0 && b.contains("services = []") {
            continue;
        }
        if i > 0 {
            out.push_str("[[portal]]");
        }
        out.push_str(&b);
    }
    std::fs::write(dir.join("portals.toml"), out).unwrap_or_else(|e| panic!("{e}"));
}

fn levels(store: &Store, run: &RunId) -> BTreeMap<String, u8> {
    store
        .verdicts(run)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .filter(|v| v.level.as_u8() > 0)
        .map(|v| (v.service.to_string(), v.level.as_u8()))
        .collect()
}

async fn crawl_demo(cat: Arc<Catalogue>, db: &Path, site: &LocalSite) -> RunId {
    let store = Store::open(db).unwrap_or_else(|e| panic!("{e}"));
    let opts = CrawlOptions {
        resolve: site.resolves(),
        rate: 0.0,
        backoff: std::time::Duration::from_millis(10),
        ..CrawlOptions::default()
    };
    let (_tx, rx) = tokio::sync::watch::channel(false);
    let profile = demo::demo_profile().unwrap_or_else(|e| panic!("{e}"));
    crawl::run(&profile, cat, &store, &opts, rx, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_run_judged_by_a_newer_catalogue_gains_the_new_services() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let old_dir = tmp.path().join("old-catalogue");
    older_catalogue(&old_dir);
    let old = Arc::new(Catalogue::load(&old_dir).unwrap_or_else(|e| panic!("{e}")));
    assert!(NEW
        .iter()
        .all(|id| !old.services.iter().any(|s| s.id.as_str() == *id)));

    let site = LocalSite::start(demo::demo_files())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let db = tmp.path().join("db");
    let source = crawl_demo(old, &db, &site).await;
    let requests_after_crawl = site.requests().len();

    let db_arg = db.to_string_lossy().into_owned();
    let o = ozgcheck(
        &[
            "--db",
            &db_arg,
            "--catalogue",
            "catalogues",
            "reanalyze",
            "--run",
            "latest",
        ],
        &root(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let new_id = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert!(
        stderr(&o).contains("keine Anfrage gesendet"),
        "{}",
        stderr(&o)
    );
    // Not one request went to the site while the run was judged again.
    assert_eq!(site.requests().len(), requests_after_crawl);

    let store = Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
    let new = RunId::from_stored(&new_id);
    let run = store
        .run(&new)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("run {new_id} was not stored"));
    let re = run
        .reanalysis
        .as_ref()
        .unwrap_or_else(|| panic!("no source recorded"));
    assert_eq!(re.source, source);
    assert_eq!(run.settings.catalogue, catalogue().fingerprint);
    assert_ne!(re.source_catalogue, run.settings.catalogue);

    // The same pages with byte-identical snapshots.
    let snaps = |id: &RunId| -> BTreeMap<String, Option<String>> {
        store
            .pages(id)
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|p| (p.url, p.snapshot.map(|s| s.to_string())))
            .collect()
    };
    assert_eq!(snaps(&source), snaps(&new));

    let (before, after) = (levels(&store, &source), levels(&store, &new));
    for id in NEW {
        assert!(
            !before.contains_key(id),
            "{id} judged by a catalogue without it"
        );
        assert!(
            after.get(id).is_some_and(|l| *l >= 1),
            "{id} not found again: {after:?}"
        );
    }
    drop(store);
    // What a fresh crawl with the newer catalogue finds: the same, since
    // every link target of the demo city was requested by the older run too.
    let fresh_db = tmp.path().join("fresh");
    let fresh = crawl_demo(catalogue(), &fresh_db, &site).await;
    let fresh_store = Store::open(&fresh_db).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(after, levels(&fresh_store, &fresh));
    drop(fresh_store);

    // `runs` and `report` treat it like any run and say where it came from.
    let o = ozgcheck(&["--db", &db_arg, "runs", "--format", "json"], &root());
    let runs: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    assert_eq!(runs.as_array().map(Vec::len), Some(2));
    let o = ozgcheck(
        &[
            "--db", &db_arg, "report", "--run", &new_id, "--format", "json",
        ],
        &root(),
    );
    let report: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    assert_eq!(report["run"]["reanalysis"]["source"], source.to_string());
    let parking = report["services"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == "bewohnerparkausweis"))
        .unwrap_or_else(|| panic!("no bewohnerparkausweis in {report}"));
    assert!(parking["level"].as_u64().is_some_and(|l| l >= 1));

    // A provisional model scores the reanalysed run; the source run lacks
    // verdicts for the services its catalogue did not know, and says so.
    let o = ozgcheck(
        &[
            "--db", &db_arg, "score", "--run", &new_id, "--model", "sci2025", "--format", "json",
        ],
        &root(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let score: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    assert_eq!(score["model_provisional"], true);
    assert_eq!(
        score["services_not_judged"].as_array().map(Vec::len),
        Some(0)
    );
    let o = ozgcheck(
        &[
            "--db",
            &db_arg,
            "score",
            "--run",
            source.as_str(),
            "--model",
            "sci2025",
        ],
        &root(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("reanalyze --run"), "{}", stderr(&o));
    // A city's own model file: a typo is an error with file and line.
    let own = tmp.path().join("mein-modell.toml");
    let text = std::fs::read_to_string(root().join("catalogues/index/sci2025.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&own, text.replacen("online_from", "online_form", 1))
        .unwrap_or_else(|e| panic!("{e}"));
    let own_arg = own.to_string_lossy().into_owned();
    let o = ozgcheck(&["--db", &db_arg, "score", "--model", &own_arg], &root());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("mein-modell.toml:"), "{}", stderr(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn judged_again_under_the_same_catalogue_nothing_changes() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let site = LocalSite::start(demo::demo_files())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let db = tmp.path().join("db");
    let source = crawl_demo(catalogue(), &db, &site).await;
    let store = Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
    let run = store
        .run(&source)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no run"));
    let (again, summary) = ozgcheck::reanalyze::reanalyze(&catalogue(), &store, &run, &|_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(summary.pages > 0 && summary.snapshots_missing == 0);
    let a = store.verdicts(&source).unwrap_or_else(|e| panic!("{e}"));
    let b = store.verdicts(&again.id).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        a, b,
        "detection is pure: same bytes, same catalogue, same verdicts"
    );
    let t = common::truth(&root().join("fixtures/demo"));
    for (svc, level) in &t.levels {
        assert_eq!(
            levels(&store, &again.id).get(svc).copied().unwrap_or(0),
            *level,
            "{svc}"
        );
    }
}
