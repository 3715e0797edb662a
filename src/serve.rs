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
    let mut b = String::from("<table><caption>Läufe in der Datenbank</caption><thead><tr><th scope=\"col\">Lauf</th><th scope=\"col\">Stadt</th><th scope=\"col\">Beginn</th><th scope=\"col\">Status</th><th scope=\"col\">Seiten</th><th scope=\"col\">online</th><th scope=\"col\">Label</th></tr></thead><tbody>");
    for r in runs.iter().rev() {
        let _ = write!(
            b,
            "<tr><td><a href=\"/run/{id}\">{id}</a></td><td><a href=\"/city/{cityq}\">{city}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            html_escape(&report::rfc3339(r.started_at)),
            r.status.public(),
            r.stats.pages_fetched,
            online_count(&app, r),
            html_escape(r.label.as_deref().unwrap_or("")),
            id = html_escape(r.id.as_str()),
            city = html_escape(&r.city),
            cityq = html_escape(&percent_encoding::utf8_percent_encode(&r.city, percent_encoding::NON_ALPHANUMERIC).to_string()),
        );
    }
    b.push_str("</tbody></table>");
    if runs.is_empty() {
        b.push_str("<p>Noch keine Läufe: <code>ozgcheck crawl STADT.toml</code></p>");
    }
    page("ozgcheck – Läufe", &b).into_response()
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

/// Levels of every service across the city's runs: one small SVG line chart
/// per service (level 0–4 on the y axis, runs in time order on the x axis),
/// with the numbers as text so colour and shape are not the only cue.
async fn timeline(State(app): Shared, Path(city): Path<String>) -> Response {
    let runs: Vec<RunRecord> = match app.store.runs() {
        Ok(r) => r.into_iter().filter(|r| r.city == city).collect(),
        Err(e) => return error(e),
    };
    if runs.is_empty() {
        return not_found(&format!("Keine Läufe für {city}"));
    }
    let mut levels: Vec<Vec<u8>> = Vec::new();
    for r in &runs {
        let v = app.store.verdicts(&r.id).unwrap_or_default();
        levels.push(
            app.catalogue
                .services
                .iter()
                .map(|s| {
                    v.iter()
                        .find(|x| x.service == s.id)
                        .map(|x| x.level.as_u8())
                        .unwrap_or(0)
                })
                .collect(),
        );
    }
    let mut b = String::new();
    let _ = write!(
        b,
        "<p>{} Läufe von {} bis {}. ",
        runs.len(),
        html_escape(&report::rfc3339(runs[0].started_at)),
        html_escape(&report::rfc3339(runs[runs.len() - 1].started_at))
    );
    if runs.len() >= 2 {
        let _ = write!(
            b,
            "<a href=\"/diff/{}/{}\">Änderungen zwischen den letzten beiden Läufen</a>",
            html_escape(runs[runs.len() - 2].id.as_str()),
            html_escape(runs[runs.len() - 1].id.as_str())
        );
    }
    b.push_str("</p><div class=\"timeline\">");
    let (w, h, pad) = (640.0, 110.0, 28.0);
    let n = runs.len();
    let x = |i: usize| {
        if n <= 1 {
            w / 2.0
        } else {
            pad + (w - 2.0 * pad) * i as f64 / (n - 1) as f64
        }
    };
    let y = |l: u8| h - pad - (h - 2.0 * pad) * f64::from(l) / 4.0;
    for (k, svc) in app.catalogue.services.iter().enumerate() {
        let series: Vec<u8> = levels.iter().map(|l| l[k]).collect();
        let points: Vec<String> = series
            .iter()
            .enumerate()
            .map(|(i, l)| format!("{:.1},{:.1}", x(i), y(*l)))
            .collect();
        let desc = series
            .iter()
            .zip(&runs)
            .map(|(l, r)| format!("{}: {l}", report::rfc3339(r.started_at)))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = write!(
            b,
            "<figure class=\"chart\" id=\"chart-{id}\"><figcaption><strong>{name}</strong> – aktuell Reifegrad {last}</figcaption><svg role=\"img\" aria-label=\"{name}: {desc}\" viewBox=\"0 0 {w} {h}\" width=\"100%\" height=\"{h}\"><title>{name}: {desc}</title>",
            id = html_escape(svc.id.as_str()),
            name = html_escape(&svc.name),
            last = series.last().copied().unwrap_or(0),
            desc = html_escape(&desc),
        );
        for l in 0..=4u8 {
            let _ = write!(b, "<line x1=\"{pad}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/><text x=\"4\" y=\"{:.1}\">{l}</text>", w - pad, y(l), y(l), y(l) + 4.0);
        }
        let _ = write!(
            b,
            "<polyline fill=\"none\" stroke=\"#1b1b1b\" stroke-width=\"2\" points=\"{}\"/>",
            points.join(" ")
        );
        for (i, l) in series.iter().enumerate() {
            let _ = write!(b, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"#1b1b1b\"/><text x=\"{:.1}\" y=\"{:.1}\">{l}</text>", x(i), y(*l), x(i) + 5.0, y(*l) - 6.0);
        }
        b.push_str("</svg></figure>");
    }
    b.push_str("</div>");
    page(&format!("{city}: Reifegrade im Verlauf"), &b).into_response()
}

async fn diff_page(State(app): Shared, Path((a, b)): Path<(String, String)>) -> Response {
    let (ra, rb) = match (app.store.resolve_run(&a), app.store.resolve_run(&b)) {
        (Ok(Some(x)), Ok(Some(y))) => (x, y),
        (Err(e), _) | (_, Err(e)) => return error(e),
        _ => return not_found("Lauf nicht gefunden"),
    };
    match crate::diff::diff(&app.catalogue, &app.store, &ra, &rb) {
        Ok(d) => {
            let md = crate::diff::render(&d, false, false);
            page(
                &format!("Änderungen {} → {}", ra.id, rb.id),
                &format!("<pre>{}</pre>", html_escape(&md)),
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
