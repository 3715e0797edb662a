//! Reports people read (Markdown, Excel-ready CSV, self-contained HTML) and
//! the read-only web view, over a real crawl of the demo city.

mod common;

use common::{crawl_site, root};
use ozgcheck::report::{self, Lang};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_formats_and_the_web_view() {
    let c = crawl_site(&root().join("fixtures/demo"), 0.0).await;
    let cat = common::catalogue();
    let r = report::build(&cat, &c.store, &c.run).unwrap_or_else(|e| panic!("{e}"));

    // CSV as German Excel reads it: BOM, `;`, CRLF, one row per service.
    let csv = report::to_csv(&r, b';', true);
    assert!(csv.starts_with('\u{feff}'));
    let lines: Vec<&str> = csv
        .trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), 1 + common::catalogue().services.len());
    assert!(lines[0].starts_with("service;name;level;"));
    assert!(lines.iter().any(|l| l.starts_with("elterngeld;Elterngeld;3;Online-Leistung;ja;http://www.musterstadt.de/buergerservice/elterngeld.html;")));
    let comma = report::to_csv(&r, b',', false);
    assert!(comma.starts_with("service,name,level"));
    // A standard CSV reader sees a row of 8 fields per service (quoting is right).
    let mut rd = csv::Reader::from_reader(comma.as_bytes());
    let rows: Vec<csv::StringRecord> = rd
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .collect();
    assert_eq!(rows.len(), common::catalogue().services.len());
    assert!(rows.iter().all(|r| r.len() == 8));

    let md = report::to_markdown(&r, Lang::De);
    // German reports show Berlin local time; JSON keeps RFC 3339 UTC.
    let started: jiff::Timestamp = r.run.started_at.parse().unwrap_or_else(|e| panic!("{e}"));
    let local = report::local_de(started);
    assert!(md.contains(&local), "German time {local} in: {md}");
    assert!(
        !md.contains(&r.run.started_at),
        "no UTC stamp in German text"
    );
    let md_en = report::to_markdown(&r, Lang::En);
    assert!(md_en.contains(&r.run.started_at));
    // CSV: a time Excel reads, "YYYY-MM-DD HH:MM:SS".
    let first_row = lines[1].split(';').nth(6).unwrap_or_default().to_string();
    assert!(
        first_row.len() == 19 && first_row.as_bytes()[10] == b' ' && !first_row.contains('T'),
        "CSV time {first_row:?}"
    );
    assert!(
        md.contains("| Elterngeld | 3 Online-Leistung | ja |"),
        "{md}"
    );

    // HTML: self-contained, one card per service, level as text, marks.
    let html = report::to_html(&r, Lang::De, None);
    assert_eq!(
        html.matches("<article class=\"card").count(),
        common::catalogue().services.len()
    );
    assert!(!html.contains("<script"), "no scripts");
    assert!(!html.contains("src=\"http"), "no remote resources");
    assert!(html.contains("<mark>Elterngeld online beantragen</mark>"));
    assert!(html.contains("3 Online-Leistung"));
    assert!(html.contains("@media print"));
    let en = report::to_html(&r, Lang::En, None);
    assert!(en.contains("lang=\"en\"") && en.contains("3 online service"));
    // Reports say why a service is not online: the demo's i-Kfz link is dead.
    let kfz = r
        .services
        .iter()
        .find(|s| s.id == "kfz-zulassung")
        .unwrap_or_else(|| panic!("no kfz-zulassung"));
    let why = kfz.reason.clone().unwrap_or_default();
    assert!(why.contains("toter Link"), "{why}");
    assert!(
        html.contains(&report::html_escape(&why)),
        "the HTML card says why"
    );
    assert!(md.contains("Warum nicht online"), "{md}");
    assert!(en.contains("dead link"));
    assert!(report::to_table(&r).contains("toter Link"));

    // The web view on loopback.
    let app = ozgcheck::serve::router(c.store.clone(), cat.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let get = |path: &str| {
        let url = format!("http://{addr}{path}");
        async move {
            let resp = reqwest::get(&url).await.unwrap_or_else(|e| panic!("{e}"));
            let headers = resp.headers().clone();
            let status = resp.status().as_u16();
            (status, headers, resp.text().await.unwrap_or_default())
        }
    };
    let (s, _, body) = get("/").await;
    assert_eq!(s, 200);
    assert!(body.contains(c.run.id.as_str()));
    let (s, _, body) = get(&format!("/run/{}", c.run.id)).await;
    assert_eq!(s, 200);
    assert_eq!(
        body.matches("<article class=\"card").count(),
        common::catalogue().services.len()
    );
    assert!(body.contains("href=\"/snapshot/"));
    let (s, _, body) = get("/city/Musterstadt").await;
    assert_eq!(s, 200);
    assert_eq!(
        body.matches("<svg").count(),
        common::catalogue().services.len(),
        "one chart per service"
    );
    // A stored snapshot is served inertly.
    let snap = r.services[0].evidence[0].snapshot.clone();
    let (s, h, body) = get(&format!("/snapshot/{snap}")).await;
    assert_eq!(s, 200);
    let csp = h
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        csp.starts_with("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(!body.contains(" href="), "links are disabled");
    let (s, _, _) = get("/snapshot/nothex").await;
    assert_eq!(s, 404);
}

/// A city's history in the view: the service × run matrix, dated charts,
/// and a comparison of any two runs (not only the last two).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_view_compares_any_two_runs() {
    let c = crawl_site(&root().join("fixtures/demo"), 0.0).await;
    let cat = common::catalogue();
    let profile = common::profile_of(&common::truth(&root().join("fixtures/demo")));
    let opts = ozgcheck::crawl::CrawlOptions {
        resolve: c.site.resolves(),
        rate: 0.0,
        ..Default::default()
    };
    let mut ids = vec![c.run.id.to_string()];
    for _ in 0..2 {
        let (_tx, rx) = tokio::sync::watch::channel(false);
        let run = ozgcheck::crawl::run(&profile, cat.clone(), &c.store, &opts, rx, &|_| {})
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        ids.push(run.id.to_string());
    }
    let app = ozgcheck::serve::router(c.store.clone(), cat.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let get = |path: String| async move {
        let resp = reqwest::get(format!("http://{addr}{path}"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap_or_default())
    };

    let (s, body) = get("/city/Musterstadt".into()).await;
    assert_eq!(s, 200);
    let matrix = body
        .split("<table class=\"matrix\">")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .unwrap_or_else(|| panic!("no matrix: {body}"));
    // One column per run, one row per service, a linked level per cell.
    for id in &ids {
        assert!(
            matrix.contains(&format!("href=\"/run/{id}\"")),
            "column {id}"
        );
    }
    assert_eq!(
        matrix.matches("<th scope=\"row\">").count(),
        cat.services.len()
    );
    assert_eq!(
        matrix.matches("<td class=\"l").count(),
        cat.services.len() * ids.len()
    );
    assert!(matrix.contains(&format!("href=\"/run/{}#svc-elterngeld\"", ids[2])));
    // Dates on the charts' x axis, as a German reader writes them.
    let day = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").unwrap_or(jiff::tz::TimeZone::UTC))
        .strftime("%d.%m.%Y")
        .to_string();
    assert!(
        body.contains("class=\"day\"") && body.contains(&day),
        "dated axis"
    );
    // The compare form lists every run twice.
    assert_eq!(body.matches("<option value=").count(), 2 * ids.len());

    // The first and the last run, what the form sends.
    let (s, diff) = get(format!("/diff?a={}&b={}", ids[0], ids[2])).await;
    assert_eq!(s, 200, "{diff}");
    assert!(diff.contains(&ids[0]) && diff.contains(&ids[2]), "{diff}");
    assert!(diff.contains("<pre>"));
    let (s, _) = get(format!("/diff?a={}", ids[0])).await;
    assert_eq!(s, 400, "one run is no comparison");
    let (s, _) = get(format!("/diff?a={}&b=no-such-run", ids[0])).await;
    assert_eq!(s, 404);
}
