//! `serve`: a local, read-only web view of the database (axum). Runs, the
//! service matrix of a run, each service's level over time across the
//! city's runs (drawn server-side as SVG; no scripts, no CDN), diffs between
//! two runs, and stored snapshots shown inertly: served with a
//! `Content-Security-Policy` that forbids scripts and every live resource,
//! and with links and sources rewritten so nothing is fetched from the web.

use crate::catalogue::Catalogue;
use crate::report::{self, html_escape, Lang, CSS};
use crate::store::{RunRecord, Store};
use crate::types::SnapshotId;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;

struct App {
    store: Store,
    catalogue: Arc<Catalogue>,
    /// The token other processes must show to have a command run here
    /// (see `owner`); `None`: nobody may ask.
    token: Option<String>,
}

type Shared = State<Arc<App>>;

/// The router (also used by tests).
pub fn router(store: Store, catalogue: Arc<Catalogue>) -> axum::Router {
    router_for(store, catalogue, None)
}

fn router_for(store: Store, catalogue: Arc<Catalogue>, token: Option<String>) -> axum::Router {
    let app = Arc::new(App {
        store,
        catalogue,
        token,
    });
    axum::Router::new()
        .route("/api/ask", post(ask))
        .route("/", get(index))
        .route("/run/{id}", get(run_page))
        .route("/city/{city}", get(timeline))
        .route("/survey/{id}", get(survey_page))
        .route("/diff", get(diff_query))
        .route("/diff/{a}/{b}", get(diff_page))
        .route("/snapshot/{id}", get(snapshot))
        .fallback(|| async { not_found("Seite nicht gefunden") })
        .with_state(app)
}

/// Serve until the process ends, as the owner of the database: other
/// commands on it are run here (see `owner`).
pub async fn serve(
    store: Store,
    catalogue: Arc<Catalogue>,
    bind: SocketAddr,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    let token = crate::owner::new_token()?;
    let loopback = if addr.ip().is_unspecified() || addr.ip().is_loopback() {
        SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
    } else {
        addr
    };
    let _owner = crate::owner::OwnerGuard::write(
        store.path(),
        &crate::owner::OwnerFile {
            url: format!("http://{loopback}"),
            pid: std::process::id(),
            token: token.clone(),
            db: std::fs::canonicalize(store.path())?,
        },
    )?;
    let _ = writeln!(
        std::io::stderr(),
        "serving http://{addr} (Ctrl-C to stop); other ozgcheck commands on {} run here",
        store.path().display()
    );
    let app = router_for(store, catalogue, Some(token));
    axum::serve(listener, app)
        .with_graceful_shutdown(stopped())
        .await
}

/// Ctrl-C or SIGTERM (systemd's stop): the server ends and its owner file
/// goes with it.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// `POST /api/ask`: run an ozgcheck command for another process on this
/// database; the answer streams its output, messages and exit code as
/// frames (see `owner`).
async fn ask(State(app): Shared, body: axum::body::Bytes) -> Response {
    use crate::owner::{frame, Ask, Asked, ASKED, FRAME_ERR, FRAME_EXIT};
    let Some(token) = &app.token else {
        return not_found("Seite nicht gefunden");
    };
    let Ok(req) = serde_json::from_slice::<Ask>(&body) else {
        return (StatusCode::BAD_REQUEST, "bad request").into_response();
    };
    // Compared in full whatever differs first: the token is the secret.
    let same = req.token.len() == token.len()
        && req
            .token
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        return (StatusCode::FORBIDDEN, "wrong token").into_response();
    }
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    match <crate::cli::Cli as clap::Parser>::try_parse_from(&req.argv) {
        Err(e) => {
            let _ = tx.send(frame(FRAME_ERR, e.render().to_string().as_bytes()));
            let _ = tx.send(frame(FRAME_EXIT, &[2]));
        }
        Ok(mut cli) => {
            // Always this server's database, whatever the asker's default.
            cli.db = app.store.path().to_path_buf();
            let asked = Asked {
                store: app.store.clone(),
                tx: tx.clone(),
                quiet: cli.quiet,
                english: cli.lang == crate::cli::LangArg::En,
            };
            tokio::spawn(ASKED.scope(asked, async move {
                let code = match crate::cli::run_asked(cli).await {
                    Ok(c) => c,
                    Err(f) => {
                        crate::owner::say(&format!("ozgcheck: {}\n", f.message));
                        f.code
                    }
                };
                let _ = tx.send(frame(FRAME_EXIT, &[code]));
            }));
        }
    }
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, std::convert::Infallible>(chunk), rx))
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(axum::body::Body::from_stream(stream))
        .unwrap_or_else(error)
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{CSS}</style></head><body><header><p class=\"noprint\"><a href=\"/\">ozgcheck · Läufe</a></p><h1>{}</h1></header><main>{body}</main></body></html>",
        html_escape(title),
        html_escape(title)
    ))
}

fn not_found(what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        page("Nicht gefunden", &format!("<p>{}</p>", html_escape(what))),
    )
        .into_response()
}

fn error(e: impl std::fmt::Display) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        page("Fehler", &format!("<p>{}</p>", html_escape(&e.to_string()))),
    )
        .into_response()
}

fn online_count(app: &App, r: &RunRecord) -> usize {
    app.store
        .verdicts(&r.id)
        .map(|v| v.iter().filter(|v| v.level >= report::ONLINE_FROM).count())
        .unwrap_or(0)
}

async fn index(State(app): Shared) -> Response {
    let runs = match app.store.runs() {
        Ok(r) => r,
        Err(e) => return error(e),
    };
    let mut b = String::from("<div class=\"scroll\"><table><caption>Läufe in der Datenbank</caption><thead><tr><th scope=\"col\">Lauf</th><th scope=\"col\">Stadt</th><th scope=\"col\">Beginn</th><th scope=\"col\">Status</th><th scope=\"col\">Seiten</th><th scope=\"col\">online</th><th scope=\"col\">Label</th></tr></thead><tbody>");
    for r in runs.iter().rev() {
        let _ = write!(
            b,
            "<tr><td><a href=\"/run/{id}\">{id}</a></td><td><a href=\"/city/{cityq}\">{city}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            html_escape(&report::local_de(r.started_at)),
            r.status.public(),
            r.stats.pages_fetched,
            online_count(&app, r),
            html_escape(r.label.as_deref().unwrap_or("")),
            id = html_escape(r.id.as_str()),
            city = html_escape(&r.city),
            cityq = html_escape(&percent_encoding::utf8_percent_encode(&r.city, percent_encoding::NON_ALPHANUMERIC).to_string()),
        );
    }
    b.push_str("</tbody></table></div>");
    if let Ok(surveys) = app.store.surveys() {
        for s in surveys.iter().rev() {
            let _ = write!(
                b,
                "<p>Umfrage <a href=\"/survey/{id}\">{name}</a> ({} Städte, {})</p>",
                s.cities.len(),
                html_escape(&report::local_de(s.started_at)),
                id = html_escape(s.id.as_str()),
                name = html_escape(&s.name),
            );
        }
    }
    if runs.is_empty() {
        b.push_str("<p>Noch keine Läufe: <code>ozgcheck crawl STADT.toml</code></p>");
    }
    page("ozgcheck – Läufe", &b).into_response()
}

/// A survey's ranking; each city links to its run.
async fn survey_page(State(app): Shared, Path(id): Path<String>) -> Response {
    let survey = match app.store.resolve_survey(&id) {
        Ok(Some(s)) => s,
        Ok(None) => return not_found(&format!("Keine Umfrage {id}")),
        Err(e) => return error(e),
    };
    let model = match crate::index::Model::load(None, &survey.model) {
        Ok(m) => m,
        Err(e) => return not_found(&format!("Indexmodell {}: {e}", survey.model)),
    };
    match crate::survey::ranking(&app.store, &survey, &model) {
        Ok(r) => {
            let body = format!(
                "<p><a href=\"/\">Alle Läufe</a></p><h1>Rangliste {}</h1>{}",
                html_escape(&survey.name),
                crate::survey::to_html_table(&r, true)
            );
            page(&format!("ozgcheck – Rangliste {}", survey.name), &body).into_response()
        }
        Err(e) => error(e),
    }
}

async fn run_page(State(app): Shared, Path(id): Path<String>) -> Response {
    let run = match app.store.resolve_run(&id) {
        Ok(Some(r)) => r,
        Ok(None) => return not_found(&format!("Kein Lauf {id}")),
        Err(e) => return error(e),
    };
    let r = match report::build(&app.catalogue, &app.store, &run) {
        Ok(r) => r,
        Err(e) => return error(e),
    };
    let link = |s: &str| format!("/snapshot/{s}");
    let mut html = report::to_html(&r, Lang::De, Some(&link));
    // A way back and to the city's timeline above the report.
    let nav = format!(
        "<p class=\"noprint\"><a href=\"/\">ozgcheck · Läufe</a> · <a href=\"/city/{}\">Verlauf von {}</a></p>",
        html_escape(&percent_encoding::utf8_percent_encode(&run.city, percent_encoding::NON_ALPHANUMERIC).to_string()),
        html_escape(&run.city)
    );
    html = html.replacen("<header>", &format!("<header>{nav}"), 1);
    Html(html).into_response()
}

/// A city's runs over time: a form to compare any two of them, the matrix
/// of every service's level per run (each cell links to that run's card of
/// the service), and one small SVG line chart per service with the runs'
/// dates on the x axis and the numbers as text, so colour and shape are
/// never the only cue.
async fn timeline(State(app): Shared, Path(city): Path<String>) -> Response {
    let runs: Vec<RunRecord> = match app.store.runs() {
        Ok(r) => r.into_iter().filter(|r| r.city == city).collect(),
        Err(e) => return error(e),
    };
    let (Some(first), Some(last)) = (runs.first(), runs.last()) else {
        return not_found(&format!("Keine Läufe für {city}"));
    };
    // levels[run][service], in catalogue order.
    let levels: Vec<Vec<u8>> = runs
        .iter()
        .map(|r| {
            let v = app.store.verdicts(&r.id).unwrap_or_default();
            app.catalogue
                .services
                .iter()
                .map(|s| {
                    v.iter()
                        .find(|x| x.service == s.id)
                        .map_or(0, |x| x.level.as_u8())
                })
                .collect()
        })
        .collect();
    let mut b = format!(
        "<p>{} Läufe vom {} bis {}.</p>",
        runs.len(),
        html_escape(&report::local_de(first.started_at)),
        html_escape(&report::local_de(last.started_at))
    );
    if runs.len() >= 2 {
        b.push_str(&diff_picker(&runs));
    }
    b.push_str(&matrix(&app.catalogue, &runs, &levels));
    b.push_str("<h2>Verlauf je Leistung</h2><div class=\"timeline\">");
    for (k, svc) in app.catalogue.services.iter().enumerate() {
        let series: Vec<u8> = levels.iter().map(|l| l[k]).collect();
        b.push_str(&chart(svc, &series, &runs));
    }
    b.push_str("</div>");
    page(&format!("{city}: Reifegrade im Verlauf"), &b).into_response()
}

/// Two lists of the city's runs (newest first) and a button: any two runs
/// compared, without scripts.
fn diff_picker(runs: &[RunRecord]) -> String {
    let options = |selected: usize| {
        runs.iter()
            .enumerate()
            .rev()
            .map(|(i, r)| {
                format!(
                    "<option value=\"{}\"{}>{}{}</option>",
                    html_escape(r.id.as_str()),
                    if i == selected { " selected" } else { "" },
                    html_escape(&report::local_de(r.started_at)),
                    r.label
                        .as_deref()
                        .map(|l| format!(" – {}", html_escape(l)))
                        .unwrap_or_default()
                )
            })
            .collect::<String>()
    };
    let n = runs.len();
    format!(
        "<form class=\"pick noprint\" action=\"/diff\" method=\"get\"><label>Lauf <select name=\"a\">{}</select></label> <label>mit Lauf <select name=\"b\">{}</select></label> <button type=\"submit\">vergleichen</button></form>",
        options(n.saturating_sub(2)),
        options(n - 1)
    )
}

/// Services × runs: the level of each service in each run, linked to the
/// run's card of the service. Wide histories scroll inside their box.
fn matrix(cat: &Catalogue, runs: &[RunRecord], levels: &[Vec<u8>]) -> String {
    let mut b = String::from("<div class=\"scroll\"><table class=\"matrix\"><caption>Reifegrad je Leistung und Lauf</caption><thead><tr><th scope=\"col\">Leistung</th>");
    for r in runs {
        let _ = write!(
            b,
            "<th scope=\"col\"><a href=\"/run/{id}\">{}</a></th>",
            html_escape(&report::local_day_de(r.started_at)),
            id = html_escape(r.id.as_str())
        );
    }
    b.push_str("</tr></thead><tbody>");
    for (k, svc) in cat.services.iter().enumerate() {
        let _ = write!(b, "<tr><th scope=\"row\">{}</th>", html_escape(&svc.name));
        for (r, l) in runs.iter().zip(levels) {
            let level = l[k];
            let _ = write!(
                b,
                "<td class=\"l{level}\"><a href=\"/run/{id}#svc-{svc}\" title=\"{name}: Reifegrad {level} am {day}\">{level}</a></td>",
                id = html_escape(r.id.as_str()),
                svc = html_escape(svc.id.as_str()),
                name = html_escape(&svc.name),
                day = html_escape(&report::local_day_de(r.started_at)),
            );
        }
        b.push_str("</tr>");
    }
    b.push_str("</tbody></table></div>");
    b
}

/// One service's level over the runs: a line chart with levels 0–4 on the
/// y axis and the runs' days on the x axis (at most six labels).
fn chart(svc: &crate::catalogue::Service, series: &[u8], runs: &[RunRecord]) -> String {
    let (w, h, pad, bottom) = (640.0, 130.0, 28.0, 24.0);
    let n = series.len();
    let x = |i: usize| {
        if n <= 1 {
            w / 2.0
        } else {
            pad + (w - 2.0 * pad) * i as f64 / (n - 1) as f64
        }
    };
    let y = |l: u8| h - bottom - (h - pad - bottom) * f64::from(l) / 4.0;
    let desc = series
        .iter()
        .zip(runs)
        .map(|(l, r)| format!("{}: {l}", report::local_day_de(r.started_at)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut b = format!(
        "<figure class=\"chart\" id=\"chart-{id}\"><figcaption><strong>{name}</strong> – aktuell Reifegrad {last}</figcaption><svg role=\"img\" aria-label=\"{name}: {desc}\" viewBox=\"0 0 {w} {h}\" width=\"100%\" height=\"{h}\"><title>{name}: {desc}</title>",
        id = html_escape(svc.id.as_str()),
        name = html_escape(&svc.name),
        last = series.last().copied().unwrap_or(0),
        desc = html_escape(&desc),
    );
    for l in 0..=4u8 {
        let _ = write!(b, "<line x1=\"{pad}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/><text x=\"4\" y=\"{:.1}\">{l}</text>", w - pad, y(l), y(l), y(l) + 4.0);
    }
    // Date labels: every run's day when few, else evenly spaced ones.
    let step = n.div_ceil(6).max(1);
    for (i, r) in runs.iter().enumerate() {
        if i % step == 0 || i + 1 == n {
            let _ = write!(
                b,
                "<text class=\"day\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x(i),
                h - 6.0,
                html_escape(&report::local_day_de(r.started_at))
            );
        }
    }
    let points: Vec<String> = series
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{:.1},{:.1}", x(i), y(*l)))
        .collect();
    let _ = write!(
        b,
        "<polyline fill=\"none\" stroke=\"#1b1b1b\" stroke-width=\"2\" points=\"{}\"/>",
        points.join(" ")
    );
    for (i, l) in series.iter().enumerate() {
        let _ = write!(b, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"#1b1b1b\"/><text x=\"{:.1}\" y=\"{:.1}\">{l}</text>", x(i), y(*l), x(i) + 5.0, y(*l) - 6.0);
    }
    b.push_str("</svg></figure>");
    b
}

async fn diff_page(State(app): Shared, Path((a, b)): Path<(String, String)>) -> Response {
    render_diff(&app, &a, &b)
}

/// `/diff?a=RUN&b=RUN`, what the compare form sends.
async fn diff_query(State(app): Shared, uri: axum::http::Uri) -> Response {
    let (mut a, mut b) = (None, None);
    for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "a" => a = Some(v.into_owned()),
            "b" => b = Some(v.into_owned()),
            _ => {}
        }
    }
    match (a, b) {
        (Some(a), Some(b)) => render_diff(&app, &a, &b),
        _ => (
            StatusCode::BAD_REQUEST,
            page("Kein Vergleich", "<p>Zwei Läufe wählen: a und b.</p>"),
        )
            .into_response(),
    }
}

fn render_diff(app: &App, a: &str, b: &str) -> Response {
    let (ra, rb) = match (app.store.resolve_run(a), app.store.resolve_run(b)) {
        (Ok(Some(x)), Ok(Some(y))) => (x, y),
        (Err(e), _) | (_, Err(e)) => return error(e),
        _ => return not_found("Lauf nicht gefunden"),
    };
    match crate::diff::diff(&app.catalogue, &app.store, &ra, &rb) {
        Ok(d) => {
            let md = crate::diff::render(&d, false, false);
            page(
                &format!(
                    "Änderungen {} → {}",
                    report::local_de(ra.started_at),
                    report::local_de(rb.started_at)
                ),
                &format!(
                    "<p class=\"meta\">Lauf <a href=\"/run/{ia}\">{ia}</a> → <a href=\"/run/{ib}\">{ib}</a></p><pre>{}</pre>",
                    html_escape(&md),
                    ia = html_escape(ra.id.as_str()),
                    ib = html_escape(rb.id.as_str()),
                ),
            )
            .into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            page(
                "Kein Vergleich",
                &format!("<p>{}</p>", html_escape(&e.to_string())),
            ),
        )
            .into_response(),
    }
}

/// The Content-Security-Policy of stored snapshots: a sandbox without
/// scripts, and no resource may load from anywhere.
pub const SNAPSHOT_CSP: &str = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; frame-ancestors 'self'";

async fn snapshot(State(app): Shared, Path(id): Path<String>) -> Response {
    if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return not_found("Kein Snapshot");
    }
    let bytes = match app.store.snapshot(&SnapshotId::from_stored(&id)) {
        Ok(Some(b)) => b,
        Ok(None) => return not_found("Kein Snapshot"),
        Err(e) => return error(e),
    };
    let is_pdf = bytes.starts_with(b"%PDF");
    let (ct, body) = if is_pdf {
        ("application/pdf", bytes)
    } else {
        // Inert HTML: links and sources renamed so a click or a parser never
        // reaches the live site; the CSP is the second line of defence.
        let text = crate::extract::decode(&bytes, None);
        ("text/html; charset=utf-8", inert(&text).into_bytes())
    };
    (
        [
            (header::CONTENT_TYPE, ct),
            (header::CONTENT_SECURITY_POLICY, SNAPSHOT_CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        body,
    )
        .into_response()
}

/// Rename attributes that load or navigate (`href`, `src`, `action`,
/// `srcset`, `formaction`, `http-equiv`), case-insensitively.
pub fn inert(html: &str) -> String {
    let re = regex::Regex::new(
        r"(?i)(\s)(href|src|srcset|action|formaction|http-equiv|background|poster|data)(\s*=)",
    )
    .expect("literal regex compiles");
    re.replace_all(html, "${1}data-ozgcheck-${2}${3}")
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inert_renames_loading_attributes() {
        let s = inert("<a HREF=\"https://x\">x</a><img src='y'><form action=/z><meta http-equiv=refresh content=0;url=q>");
        assert!(!s.to_ascii_lowercase().contains(" href="));
        assert!(!s.contains(" src="));
        assert!(!s.contains(" action="));
        assert!(s.contains("data-ozgcheck-HREF="));
    }
}
