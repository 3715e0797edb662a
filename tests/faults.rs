//! Fault injection: a loopback server that answers with 5xx, resets, slow
//! drips, 429 + Retry-After, redirect loops, oversized and gzip-bomb bodies,
//! malformed HTML, invalid UTF-8, an endless calendar and a self-similar path
//! trap. The crawl must finish, record every failure with its class, never
//! panic, and find the page only the (gzip) sitemap lists.

mod common;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use ozgcheck::catalogue::Catalogue;
use ozgcheck::crawl::{self, fetch::Resolve, CrawlOptions};
use ozgcheck::profile::Profile;
use ozgcheck::store::{PageRecord, Store};
use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Default)]
struct Hits(Mutex<HashMap<String, usize>>);

impl Hits {
    fn hit(&self, path: &str) -> usize {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = m.entry(path.to_string()).or_default();
        *n += 1;
        *n
    }
}

struct Faults {
    hits: Hits,
    bomb: Vec<u8>,
    all_fail: bool,
    served: AtomicUsize,
}

fn html(body: &str) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!("<html><head><title>Test</title></head><body><main>{body}</main></body></html>"),
    )
        .into_response()
}

async fn handler(State(st): State<Arc<Faults>>, uri: Uri, _headers: HeaderMap) -> Response {
    let q: HashMap<String, String> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let path = uri.path().to_string();
    let n = st.hits.hit(&path);
    st.served.fetch_add(1, Ordering::Relaxed);
    if st.all_fail && path != "/robots.txt" {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    match path.as_str() {
        "/robots.txt" => (
            [(header::CONTENT_TYPE, "text/plain")],
            "User-agent: *\nDisallow: /privat/\nSitemap: /sitemap-index.xml\n",
        )
            .into_response(),
        "/" => html(
            r#"<h1>Rathaus</h1>
            <a href="/immer-500">a</a> <a href="/wackelig">b</a> <a href="/drossel">c</a>
            <a href="/reset">d</a> <a href="/tropf">e</a> <a href="/riesig">f</a> <a href="/bombe">g</a>
            <a href="/schleife-a">h</a> <a href="/kaputt">i</a> <a href="/kein-utf8">j</a>
            <a href="/kalender?monat=1">k</a> <a href="/ebene/">l</a> <a href="/privat/geheim">m</a>
            <a href="/alt-1252">n</a> <a href="/seite;jsessionid=ABC">o</a> <a href="/seite?PHPSESSID=x">p</a>
            <a href="/dienste/wohngeld.xml">q</a> <a href="/logo.png">r</a> <a href="/rinnsal">s</a>"#,
        ),
        "/immer-500" => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        "/wackelig" if n == 1 => StatusCode::BAD_GATEWAY.into_response(),
        "/wackelig" => html("wieder da"),
        "/drossel" if n == 1 => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "1")],
            "slow down",
        )
            .into_response(),
        "/drossel" => html("danke"),
        "/reset" => {
            // Headers, some bytes, then the connection breaks.
            let stream = futures_util::stream::iter(vec![
                Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"<html><body>halb")),
                Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset")),
            ]);
            Response::builder()
                .header(header::CONTENT_TYPE, "text/html")
                .body(Body::from_stream(stream))
                .unwrap_or_default()
        }
        "/tropf" => {
            // One byte, then silence longer than the read timeout.
            let stream = futures_util::stream::unfold(0u32, |i| async move {
                if i > 0 {
                    tokio::time::sleep(Duration::from_secs(3)).await;
                }
                (i < 3).then(|| (Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"<")), i + 1))
            });
            Response::builder()
                .header(header::CONTENT_TYPE, "text/html")
                .body(Body::from_stream(stream))
                .unwrap_or_default()
        }
        "/riesig" => Response::builder()
            .header(header::CONTENT_TYPE, "text/html")
            .body(Body::from(vec![b'a'; 3 * 1024 * 1024]))
            .unwrap_or_default(),
        "/bombe" => Response::builder()
            .header(header::CONTENT_TYPE, "text/html")
            .header(header::CONTENT_ENCODING, "gzip")
            .body(Body::from(st.bomb.clone()))
            .unwrap_or_default(),
        "/schleife-a" => (StatusCode::FOUND, [(header::LOCATION, "/schleife-b")]).into_response(),
        "/schleife-b" => (StatusCode::FOUND, [(header::LOCATION, "/schleife-a")]).into_response(),
        "/kaputt" => (
            [(header::CONTENT_TYPE, "text/html")],
            "<html><<body><div <p>Bürgergeld</a></table>&&&#xFFFFFF;<form action=\"javascript:x\"><input type=file></fo",
        )
            .into_response(),
        "/kein-utf8" => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            vec![0xff, 0xfe, 0xc3, 0x28, b'<', b'p', b'>', 0xe2, 0x82],
        )
            .into_response(),
        "/alt-1252" => (
            [(header::CONTENT_TYPE, "text/html")],
            b"<html><head><title>Eheschlie\xdfung</title></head><body><div id=\"inhalt\"><h1>Anmeldung der Eheschlie\xdfung</h1><p>Die Anmeldung der Eheschlie\xdfung erfolgt pers\xf6nlich im Standesamt.</p></div></body></html>".to_vec(),
        )
            .into_response(),
        // A trickle: a byte every 300 ms, never slow enough for the read
        // timeout, for 30 s: only the minimum transfer rate ends it.
        "/rinnsal" => {
            let stream = futures_util::stream::unfold(0u32, |i| async move {
                if i > 0 {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
                (i < 100).then(|| (Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"<")), i + 1))
            });
            Response::builder()
                .header(header::CONTENT_TYPE, "text/html")
                .body(Body::from_stream(stream))
                .unwrap_or_default()
        }
        // An old CMS serving its pages under a text ending: the content
        // type, not the ending, says it is a page.
        "/dienste/wohngeld.xml" => html(
            "<h1>Wohngeld</h1><p>Informationen zum Wohngeld und zum Antrag auf Mietzuschuss.</p>",
        ),
        "/kalender" => {
            let m: u64 = q.get("monat").and_then(|v| v.parse().ok()).unwrap_or(1);
            html(&format!("<a href=\"/kalender?monat={}\">weiter</a>", m + 1))
        }
        p if p.starts_with("/ebene/") => html("<a href=\"ebene/\">tiefer</a>"),
        "/seite" => html("eine Seite"),
        "/sitemap-index.xml" => (
            [(header::CONTENT_TYPE, "application/xml")],
            "<sitemapindex><sitemap><loc>/sitemap-1.xml.gz</loc></sitemap><sitemap><loc>http://faults.example/sitemap-1.xml.gz</loc></sitemap></sitemapindex>",
        )
            .into_response(),
        "/sitemap-1.xml.gz" => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            let _ = gz.write_all(b"<urlset><url><loc>http://faults.example/nur-in-sitemap</loc></url></urlset>");
            (
                [(header::CONTENT_TYPE, "application/gzip")],
                gz.finish().unwrap_or_default(),
            )
                .into_response()
        }
        "/nur-in-sitemap" => html("gefunden"),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn serve(all_fail: bool) -> (SocketAddr, Arc<Faults>) {
    // 32 MiB of zeros gzip to ~32 KiB: a bomb for a 1 MiB body cap.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..32 {
        let _ = gz.write_all(&zeros);
    }
    let st = Arc::new(Faults {
        hits: Hits::default(),
        bomb: gz.finish().unwrap_or_default(),
        all_fail,
        served: AtomicUsize::new(0),
    });
    let app = axum::Router::new()
        .fallback(handler)
        .with_state(Arc::clone(&st));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, st)
}

fn profile() -> Profile {
    Profile::parse(&ozgcheck::catalogue::Source {
        name: "faults.toml".into(),
        text: "name = \"Fehlerstadt\"\nstate = \"NW\"\nseeds = [\"http://faults.example/\"]\n",
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn options(addr: SocketAddr) -> CrawlOptions {
    CrawlOptions {
        resolve: vec![Resolve {
            host: "faults.example".into(),
            port: addr.port(),
            addr: addr.ip(),
        }],
        rate: 0.0,
        max_body: 1024 * 1024,
        read_timeout: Duration::from_secs(1),
        total_timeout: Duration::from_secs(60),
        min_rate: ozgcheck::crawl::fetch::MinRate {
            bytes_per_sec: 100,
            after: Duration::from_secs(2),
        },
        backoff: Duration::from_millis(50),
        // Deep enough that only the trap guard can stop the calendar.
        max_depth: 100,
        ..CrawlOptions::default()
    }
}

fn catalogue_with_small_trap_cap() -> Arc<Catalogue> {
    let mut c =
        Catalogue::load(&common::root().join("catalogues")).unwrap_or_else(|e| panic!("{e}"));
    c.crawl.max_urls_per_pattern = 15;
    Arc::new(c)
}

fn page<'a>(pages: &'a [PageRecord], path: &str) -> &'a PageRecord {
    let url = format!("http://faults.example{path}");
    pages
        .iter()
        .find(|p| p.url == url)
        .unwrap_or_else(|| panic!("no record for {path}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_site_cannot_crash_or_hang_the_crawl() {
    let (addr, st) = serve(false).await;
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = Store::open(&tmp.path().join("db")).unwrap_or_else(|e| panic!("{e}"));
    let (_tx, rx) = tokio::sync::watch::channel(false);
    let run = tokio::time::timeout(
        Duration::from_secs(60),
        crawl::run(
            &profile(),
            catalogue_with_small_trap_cap(),
            &store,
            &options(addr),
            rx,
            &|_| {},
        ),
    )
    .await
    .unwrap_or_else(|_| panic!("the crawl hung"))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(run.status, ozgcheck::store::RunStatus::Complete);
    let pages = store.pages(&run.id).unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(page(&pages, "/immer-500").status, Some(500));
    assert_eq!(st.hits.hit("/immer-500") - 1, 3, "one try + two retries");
    assert_eq!(
        page(&pages, "/wackelig").status,
        Some(200),
        "retried after a 502"
    );
    assert_eq!(
        page(&pages, "/drossel").status,
        Some(200),
        "retried after 429 + Retry-After"
    );
    assert!(
        page(&pages, "/reset").error.is_some(),
        "a reset is recorded"
    );
    let drip = page(&pages, "/tropf").error.clone().unwrap_or_default();
    assert!(drip.starts_with("timeout"), "slow drip: {drip}");
    // The trickle was cut by the minimum rate, and tried once more only.
    let trickle = page(&pages, "/rinnsal").error.clone().unwrap_or_default();
    assert!(trickle.contains("transfer too slow"), "trickle: {trickle}");
    assert_eq!(st.hits.hit("/rinnsal") - 1, 2, "a timeout is retried once");
    let huge = page(&pages, "/riesig").error.clone().unwrap_or_default();
    assert!(huge.starts_with("too-large"), "oversized: {huge}");
    let bomb = page(&pages, "/bombe").error.clone().unwrap_or_default();
    assert!(bomb.starts_with("too-large"), "gzip bomb: {bomb}");
    assert!(page(&pages, "/schleife-a").status == Some(302));
    assert!(page(&pages, "/schleife-b").status == Some(302));
    assert_eq!(
        st.hits.hit("/schleife-a") - 1,
        1,
        "a redirect loop is fetched once"
    );
    assert_eq!(page(&pages, "/kaputt").status, Some(200));
    assert_eq!(page(&pages, "/kein-utf8").status, Some(200));
    assert_eq!(
        page(&pages, "/nur-in-sitemap").status,
        Some(200),
        "found via the gzip sitemap"
    );
    assert!(
        pages
            .iter()
            .all(|p| !p.url.contains("/privat/") || p.status.is_none()),
        "robots.txt disallow obeyed"
    );
    // Session ids are stripped: /seite once.
    assert_eq!(st.hits.hit("/seite") - 1, 1);

    let s = &run.stats;
    assert!(
        s.errors_by_class.contains_key("timeout"),
        "{:?}",
        s.errors_by_class
    );
    assert!(
        s.errors_by_class.contains_key("too-large"),
        "{:?}",
        s.errors_by_class
    );
    assert!(
        s.errors_by_class.contains_key("http-5xx"),
        "{:?}",
        s.errors_by_class
    );
    assert!(s.retries >= 4, "retries {}", s.retries);
    assert!(
        s.trap_cuts.keys().any(|k| k.starts_with("pattern-cap")),
        "{:?}",
        s.trap_cuts
    );
    assert!(
        s.trap_cuts.contains_key("repeating-path-segments"),
        "{:?}",
        s.trap_cuts
    );
    let calendar = pages.iter().filter(|p| p.url.contains("/kalender")).count();
    assert!(calendar <= 15, "calendar trap capped: {calendar}");

    // The windows-1252 page without declaration: umlauts right in the evidence.
    let findings = store.findings(&run.id).unwrap_or_else(|e| panic!("{e}"));
    let f = findings
        .iter()
        .find(|f| f.url.ends_with("/alt-1252"))
        .unwrap_or_else(|| panic!("no findings for the windows-1252 page"));
    let about = f
        .about
        .iter()
        .find(|a| a.service.as_str() == "eheschliessung");
    let excerpt = about.map(|a| a.excerpt.clone()).unwrap_or_default();
    assert!(excerpt.contains("Eheschließung"), "{excerpt}");
    let bytes = store
        .snapshot(&f.snapshot)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_default();
    let text = ozgcheck::extract::decode(&bytes, Some("text/html"));
    assert!(text.contains("persönlich im Standesamt"), "{text}");
    // Fetched by what the server sent, not skipped by its ending; an image
    // ending is still not requested.
    assert!(
        findings
            .iter()
            .any(|f| f.url.ends_with("/dienste/wohngeld.xml")
                && f.about.iter().any(|a| a.service.as_str() == "wohngeld")),
        "the .xml page served as HTML was not read"
    );
    assert_eq!(st.hits.hit("/logo.png") - 1, 0, "an image is not requested");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_that_keeps_failing_is_given_up() {
    let (addr, st) = serve(true).await;
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = Store::open(&tmp.path().join("db")).unwrap_or_else(|e| panic!("{e}"));
    let (_tx, rx) = tokio::sync::watch::channel(false);
    let opts = CrawlOptions {
        circuit_breaker: 3,
        ..options(addr)
    };
    let run = crawl::run(
        &profile(),
        catalogue_with_small_trap_cap(),
        &store,
        &opts,
        rx,
        &|_| {},
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        run.stats.circuit_open,
        vec!["http://faults.example".to_string()]
    );
    // robots.txt + the seed's tries + the sitemap index, and then nothing.
    let served = st.served.load(Ordering::Relaxed);
    assert!(served <= 6, "{served} requests to a failing host");
}
