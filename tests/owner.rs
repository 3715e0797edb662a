//! The web view beside the nightly crawl: while `serve` holds the database,
//! `crawl`, `runs`, `report` and `export warc` run inside it (asked over
//! loopback), the view shows the new run, `-o` files are written by the
//! asking process, and a stopped server leaves the database to the next
//! process. Real binary, real sled database, real HTTP.

mod common;

use common::{ozgcheck, root, stderr};
use ozgcheck::demo::LocalSite;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `serve` as a child process; stopped with SIGTERM when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        terminate(&mut self.0);
    }
}

fn terminate(child: &mut Child) {
    // SIGTERM, as systemd stops the service.
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn owner_file(db: &Path) -> std::path::PathBuf {
    std::path::PathBuf::from(format!("{}.owner", db.display()))
}

fn start_serve(db: &Path) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_ozgcheck"))
        .args(["serve", "--bind", "127.0.0.1:0", "--db"])
        .arg(db)
        .env_remove("OZGCHECK_DB")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start serve: {e}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while !owner_file(db).exists() {
        assert!(Instant::now() < deadline, "serve wrote no owner file");
        std::thread::sleep(Duration::from_millis(50));
    }
    Server(child)
}

fn crawl_args(db: &str, site: &LocalSite) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "crawl".into(),
        root()
            .join("fixtures/demo/city.toml")
            .to_string_lossy()
            .into_owned(),
        "--db".into(),
        db.into(),
        "--rate".into(),
        "0".into(),
    ];
    for r in site.resolves() {
        args.push("--resolve".into());
        args.push(r.to_string());
    }
    args
}

async fn run_blocking(args: Vec<String>, cwd: &Path) -> std::process::Output {
    let cwd = cwd.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        ozgcheck(&a, &cwd)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_run_inside_the_server_that_holds_the_database() {
    let site = LocalSite::start_dir(&root().join("fixtures/demo"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = tmp.path().join("db");
    let db_s = db.to_string_lossy().into_owned();

    // A first night's run, before the view is up.
    let first = run_blocking(crawl_args(&db_s, &site), tmp.path()).await;
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));

    let server = start_serve(&db);
    let owner: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(owner_file(&db)).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("owner file is not JSON: {e}"));
    let url = owner["url"].as_str().unwrap_or_default().to_string();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(owner_file(&db))
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        assert_eq!(mode, 0o600, "the owner file holds a secret");
    }

    // The second night's crawl while the view is open: it runs in the server.
    let second = run_blocking(crawl_args(&db_s, &site), tmp.path()).await;
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("ozgcheck serve"),
        "says where it runs: {}",
        stderr(&second)
    );

    let runs = ozgcheck(&["runs", "--db", &db_s, "--format", "json"], tmp.path());
    assert_eq!(runs.status.code(), Some(0), "{}", stderr(&runs));
    let list: serde_json::Value = serde_json::from_slice(&runs.stdout).unwrap_or_else(|e| {
        panic!(
            "runs is not JSON: {e}: {}",
            String::from_utf8_lossy(&runs.stdout)
        )
    });
    let ids: Vec<String> = list
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["run"]["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(ids.len(), 2, "{list}");

    // The view shows both runs, the new one included.
    let index = reqwest::get(format!("{url}/"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    for id in &ids {
        assert!(index.contains(id.as_str()), "view lacks run {id}");
    }

    // -o is written by the asking process, relative to its own directory.
    let report = ozgcheck(
        &[
            "report",
            "--run",
            "latest",
            "--format",
            "json",
            "-o",
            "report.json",
            "--db",
            &db_s,
        ],
        tmp.path(),
    );
    assert_eq!(report.status.code(), Some(0), "{}", stderr(&report));
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(tmp.path().join("report.json")).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["schema"], "ozgcheck/report/v1");
    let warc = ozgcheck(
        &[
            "export", "warc", "--run", "latest", "-o", "run.warc", "--db", &db_s,
        ],
        tmp.path(),
    );
    assert_eq!(warc.status.code(), Some(0), "{}", stderr(&warc));
    let bytes = std::fs::read(tmp.path().join("run.warc")).unwrap_or_default();
    let mut first = String::new();
    use std::io::Read as _;
    let _ = flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut first);
    assert!(first.starts_with("WARC/1.1"), "not a WARC file");

    // Errors keep their exit codes through the server.
    let bad = ozgcheck(
        &["report", "--run", "no-such-run", "--db", &db_s],
        tmp.path(),
    );
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("kein Lauf passt zu"),
        "{}",
        stderr(&bad)
    );

    // Without the token nobody may ask.
    let forged = reqwest::Client::new()
        .post(format!("{url}/api/ask"))
        .body(r#"{"token":"00","argv":["ozgcheck","gc","--db","x"]}"#)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(forged.status().as_u16(), 403);

    // Stopped, the server takes its owner file along and frees the database.
    drop(server);
    assert!(!owner_file(&db).exists(), "stale owner file after SIGTERM");
    let local = ozgcheck(&["runs", "--db", &db_s], tmp.path());
    assert_eq!(local.status.code(), Some(0), "{}", stderr(&local));
    assert!(!stderr(&local).contains("ozgcheck serve"));
}
