//! Run bundles: a run exported from one database and imported into another
//! reports, explains and shows its evidence exactly as before; a damaged or
//! repeated import changes nothing.

mod common;

use common::{crawl_site, ozgcheck, root, stderr};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exported_run_joins_another_database_unchanged() {
    let c = crawl_site(&root().join("fixtures/sites/beispielstadt"), 0.0).await;
    drop(c.store);
    let dir = c.dir.path();
    let run = c.run.id.to_string();
    let o = ozgcheck(
        &[
            "export",
            "run",
            "--run",
            &run,
            "-o",
            "lauf.ozgrun",
            "--db",
            "db",
        ],
        dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = ozgcheck(&["import", "run", "lauf.ozgrun", "--db", "zentral"], dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("importiert"), "{}", stderr(&o));

    let report = |db: &str| {
        let o = ozgcheck(
            &["report", "--run", &run, "--format", "json", "--db", db],
            dir,
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        o.stdout
    };
    let before = report("db");
    assert_eq!(
        before,
        report("zentral"),
        "the same report from both databases"
    );
    // Every evidence snapshot came along, byte for byte.
    let r: serde_json::Value = serde_json::from_slice(&before).unwrap_or_else(|e| panic!("{e}"));
    let mut checked = 0;
    for e in r["services"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["evidence"].as_array().cloned().unwrap_or_default())
    {
        let id = e["snapshot"].as_str().unwrap_or_default();
        let show = |db: &str| ozgcheck(&["show", id, "--db", db], dir).stdout;
        assert_eq!(show("db"), show("zentral"), "snapshot {id}");
        let url = e["url"].as_str().unwrap_or_default();
        let o = ozgcheck(&["explain", url, "--run", &run, "--db", "zentral"], dir);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        checked += 1;
    }
    assert!(checked > 3, "{checked} evidence items");

    // The same run twice: refused, nothing changes.
    let o = ozgcheck(&["import", "run", "lauf.ozgrun", "--db", "zentral"], dir);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("schon in dieser Datenbank"),
        "{}",
        stderr(&o)
    );

    // A truncated bundle is refused before anything is written.
    let bytes = std::fs::read(dir.join("lauf.ozgrun")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("kaputt.ozgrun"), &bytes[..bytes.len() * 2 / 3])
        .unwrap_or_else(|e| panic!("{e}"));
    let o = ozgcheck(&["import", "run", "kaputt.ozgrun", "--db", "leer"], dir);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // Not a bundle at all, or zstd holding something else: refused, no panic.
    std::fs::write(dir.join("text.ozgrun"), "kein Bündel\n").unwrap_or_else(|e| panic!("{e}"));
    let other = zstd::encode_all(&b"{\"page\": 1}\n"[..], 3).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("anders.ozgrun"), other).unwrap_or_else(|e| panic!("{e}"));
    for bad in ["text.ozgrun", "anders.ozgrun"] {
        let o = ozgcheck(&["import", "run", bad, "--db", "leer"], dir);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
    let o = ozgcheck(&["runs", "--db", "leer", "--format", "json"], dir);
    let runs: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    assert!(
        runs.as_array().is_none_or(|a| a.is_empty()),
        "no run from a damaged bundle: {runs}"
    );
}
