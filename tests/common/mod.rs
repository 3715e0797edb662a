//! Helpers for integration tests: serve a fixture site on loopback, crawl it
//! into a fresh database, read the site's truth file.
#![allow(dead_code)]

use ozgcheck::catalogue::{Catalogue, Source};
use ozgcheck::crawl::{self, CrawlOptions};
use ozgcheck::demo::LocalSite;
use ozgcheck::profile::Profile;
use ozgcheck::store::{RunRecord, Store};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Run the binary in `cwd` (without a database from the environment).
pub fn ozgcheck(args: &[&str], cwd: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ozgcheck"))
        .args(args)
        .current_dir(cwd)
        .env_remove("OZGCHECK_DB")
        .env_remove("OZGCHECK_LANG")
        .output()
        .unwrap_or_else(|e| panic!("cannot run ozgcheck: {e}"))
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Copy a directory tree (a fixture site, a catalogue) to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
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

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `expected.toml` of a fixture site: the profile fields plus the truth.
#[derive(Deserialize)]
pub struct Truth {
    pub city: String,
    pub state: String,
    pub seeds: Vec<String>,
    pub scope: Vec<String>,
    pub levels: BTreeMap<String, u8>,
    #[serde(default)]
    pub evidence: BTreeMap<String, String>,
    pub robots_disallowed: Option<RobotsTruth>,
}

#[derive(Deserialize)]
pub struct RobotsTruth {
    pub paths: Vec<String>,
}

pub fn truth(site: &Path) -> Truth {
    let text = std::fs::read_to_string(site.join("expected.toml"))
        .unwrap_or_else(|e| panic!("{}: {e}", site.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", site.display()))
}

pub fn profile_of(t: &Truth) -> Profile {
    let text = format!(
        "name = {:?}\nstate = {:?}\nseeds = {:?}\nscope = {:?}\n",
        t.city, t.state, t.seeds, t.scope
    );
    Profile::parse(&Source {
        name: "expected.toml".into(),
        text: &text,
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

pub fn catalogue() -> Arc<Catalogue> {
    Arc::new(Catalogue::load(&root().join("catalogues")).unwrap_or_else(|e| panic!("{e}")))
}

/// A crawl of a fixture site with everything the test needs afterwards.
pub struct Crawled {
    pub site: LocalSite,
    pub store: Store,
    pub run: RunRecord,
    pub dir: tempfile::TempDir,
}

pub async fn crawl_site(site_dir: &Path, rate: f64) -> Crawled {
    let t = truth(site_dir);
    let profile = profile_of(&t);
    let site = LocalSite::start_dir(site_dir)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = Store::open(&dir.path().join("db")).unwrap_or_else(|e| panic!("{e}"));
    let opts = CrawlOptions {
        resolve: site.resolves(),
        rate,
        // Retries of the fixtures' 500 pages need not wait a second.
        backoff: std::time::Duration::from_millis(50),
        ..CrawlOptions::default()
    };
    let (_tx, rx) = tokio::sync::watch::channel(false);
    let run = crawl::run(&profile, catalogue(), &store, &opts, rx, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    Crawled {
        site,
        store,
        run,
        dir,
    }
}
