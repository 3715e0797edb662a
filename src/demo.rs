//! The bundled demo city and the local site server behind it.
//!
//! [`LocalSite`] serves a directory of sites — one sub-directory per host
//! name — on an ephemeral loopback port, choosing the site by the `Host`
//! header, so a crawl with `--resolve HOST:PORT:127.0.0.1` sees real-looking
//! host names. A host directory may hold `_routes.toml` with redirects and
//! status codes. The demo and the integration tests use the same server; it
//! logs every request so tests can check what was (not) requested.

use crate::catalogue::{LoadError, Source};
use crate::crawl::fetch::Resolve;
use axum::body::Body;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use include_dir::{include_dir, Dir};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The demo city, compiled into the binary so `ozgcheck demo` needs no files.
static DEMO: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/fixtures/demo");

/// Where a site's files come from.
#[derive(Clone)]
pub enum Files {
    Disk(PathBuf),
    Embedded(&'static Dir<'static>),
}

impl Files {
    fn read(&self, rel: &str) -> Option<Vec<u8>> {
        match self {
            Files::Disk(root) => {
                let p = root.join(rel);
                if p.is_file() {
                    std::fs::read(p).ok()
                } else {
                    None
                }
            }
            Files::Embedded(dir) => dir.get_file(rel).map(|f| f.contents().to_vec()),
        }
    }

    fn hosts(&self) -> Vec<String> {
        let mut out: Vec<String> = match self {
            Files::Disk(root) => std::fs::read_dir(root)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .filter(|e| e.path().is_dir())
                        .filter_map(|e| e.file_name().into_string().ok())
                        .collect()
                })
                .unwrap_or_default(),
            Files::Embedded(dir) => dir
                .dirs()
                .filter_map(|d| d.path().file_name()?.to_str().map(str::to_string))
                .collect(),
        };
        out.retain(|h| h.contains('.'));
        out.sort();
        out
    }
}

#[derive(Debug, Clone, Deserialize)]
struct Route {
    path: String,
    status: u16,
    #[serde(default)]
    location: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct Routes {
    #[serde(default)]
    route: Vec<Route>,
}

/// One request the server saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub host: String,
    pub path: String,
    pub user_agent: String,
    pub at: std::time::Instant,
    /// Whether the request was conditional (If-None-Match).
    pub if_none_match: bool,
}

struct State {
    files: Files,
    routes: HashMap<String, Vec<Route>>,
    log: Mutex<Vec<Logged>>,
}

/// A running local site server.
pub struct LocalSite {
    pub addr: SocketAddr,
    hosts: Vec<String>,
    state: Arc<State>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl LocalSite {
    /// Serve `files` on 127.0.0.1 with an ephemeral port.
    pub async fn start(files: Files) -> Result<Self, LoadError> {
        let hosts = files.hosts();
        let mut routes = HashMap::new();
        for h in &hosts {
            let rel = format!("{h}/_routes.toml");
            if let Some(bytes) = files.read(&rel) {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let parsed: Routes = Source {
                    name: rel.clone(),
                    text: &text,
                }
                .parse()?;
                routes.insert(h.clone(), parsed.route);
            }
        }
        let state = Arc::new(State {
            files,
            routes,
            log: Mutex::new(Vec::new()),
        });
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0))
                .await
                .map_err(|source| LoadError::Io {
                    path: "127.0.0.1:0".into(),
                    source,
                })?;
        let addr = listener.local_addr().map_err(|source| LoadError::Io {
            path: "127.0.0.1:0".into(),
            source,
        })?;
        let st = Arc::clone(&state);
        let app =
            axum::Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap| {
                let st = Arc::clone(&st);
                async move { serve(&st, &method, &uri, &headers) }
            });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(LocalSite {
            addr,
            hosts,
            state,
            shutdown: Some(tx),
        })
    }

    /// Serve a directory from disk.
    pub async fn start_dir(dir: &Path) -> Result<Self, LoadError> {
        Self::start(Files::Disk(dir.to_path_buf())).await
    }

    /// The host names this server answers for.
    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }

    /// `--resolve` entries mapping every host to this server.
    pub fn resolves(&self) -> Vec<Resolve> {
        self.hosts
            .iter()
            .map(|h| Resolve {
                host: h.clone(),
                port: self.addr.port(),
                addr: self.addr.ip(),
            })
            .collect()
    }

    /// Every request seen so far.
    pub fn requests(&self) -> Vec<Logged> {
        self.state.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Drop for LocalSite {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn serve(st: &State, method: &Method, uri: &Uri, headers: &HeaderMap) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| h.rsplit_once(':').map_or(h, |(name, _)| name))
        .unwrap_or_default()
        .to_ascii_lowercase();
    let path = percent_encoding::percent_decode_str(uri.path())
        .decode_utf8_lossy()
        .into_owned();
    if let Ok(mut log) = st.log.lock() {
        log.push(Logged {
            host: host.clone(),
            path: path.clone(),
            user_agent: headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string(),
            at: std::time::Instant::now(),
            if_none_match: headers.contains_key(header::IF_NONE_MATCH),
        });
    }
    let respond = |status: StatusCode, ct: &str, body: Vec<u8>| {
        Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(if method == Method::HEAD {
                Vec::new()
            } else {
                body
            }))
            .unwrap_or_default()
    };
    if let Some(r) = st
        .routes
        .get(&host)
        .and_then(|rs| rs.iter().find(|r| r.path == path))
    {
        let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut b = Response::builder().status(status);
        if let Some(l) = &r.location {
            b = b.header(header::LOCATION, l);
        }
        return b.body(Body::empty()).unwrap_or_default();
    }
    if path.split('/').any(|seg| seg == "..") || host.is_empty() || host.contains('/') {
        return respond(
            StatusCode::BAD_REQUEST,
            "text/plain",
            b"bad request".to_vec(),
        );
    }
    let mut rel = format!("{host}{path}");
    if rel.ends_with('/') {
        rel.push_str("index.html");
    }
    match st.files.read(&rel) {
        Some(body) => {
            // Strong ETag from the content, and 304 for a matching
            // If-None-Match, as real servers do for static files.
            let etag = format!("\"{}\"", &blake3::hash(&body).to_hex()[..16]);
            let matches = headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
            let b = Response::builder().header(header::ETAG, &etag);
            if matches {
                return b
                    .status(StatusCode::NOT_MODIFIED)
                    .body(Body::empty())
                    .unwrap_or_default();
            }
            b.status(StatusCode::OK)
                .header(header::CONTENT_TYPE, content_type(&rel))
                .body(Body::from(if method == Method::HEAD { Vec::new() } else { body }))
                .unwrap_or_default()
        }
        None if st.files.read(&format!("{rel}/index.html")).is_some() => Response::builder()
            .status(StatusCode::MOVED_PERMANENTLY)
            .header(header::LOCATION, format!("{path}/"))
            .body(Body::empty())
            .unwrap_or_default(),
        None => respond(
            StatusCode::NOT_FOUND,
            "text/html; charset=utf-8",
            b"<html><head><title>Seite nicht gefunden</title></head><body><h1>404</h1></body></html>".to_vec(),
        ),
    }
}

fn content_type(rel: &str) -> &'static str {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    match name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()) {
        Some(e) if e == "pdf" => "application/pdf",
        Some(e) if e == "txt" => "text/plain; charset=utf-8",
        Some(e) if e == "xml" => "application/xml",
        Some(e) if e == "css" => "text/css",
        Some(e) if e == "png" => "image/png",
        Some(e) if e == "html" || e == "htm" => "text/html; charset=utf-8",
        // Extension-less paths and anything else are pages.
        _ => "text/html; charset=utf-8",
    }
}

/// The demo city's files.
pub fn demo_files() -> Files {
    Files::Embedded(&DEMO)
}

/// The demo city's profile (`fixtures/demo/city.toml`).
pub fn demo_profile() -> Result<crate::profile::Profile, LoadError> {
    let text = DEMO
        .get_file("city.toml")
        .and_then(|f| f.contents_utf8())
        .unwrap_or_default();
    crate::profile::Profile::parse(&Source {
        name: "<embedded>/fixtures/demo/city.toml".into(),
        text,
    })
}
