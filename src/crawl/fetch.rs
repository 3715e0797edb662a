//! One HTTP request, nothing more: the client with its timeouts, User-Agent
//! and `--resolve` overrides, and a body reader that stops at the size cap.
//!
//! Redirects are *not* followed here: a redirect is recorded and its target
//! goes back into the frontier, so every hop passes the scope check, robots
//! and the per-host rate limit like any other request.

use futures_util::StreamExt;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use url::Url;

/// A `--resolve HOST:PORT:ADDR` override (as in curl).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolve {
    pub host: String,
    pub port: u16,
    pub addr: IpAddr,
}

impl std::str::FromStr for Resolve {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad =
            || format!("--resolve {s:?}: expected HOST:PORT:ADDR, e.g. www.hagen.de:443:127.0.0.1");
        let (host, rest) = s.split_once(':').ok_or_else(bad)?;
        let (port, addr) = rest.split_once(':').ok_or_else(bad)?;
        let port: u16 = port.parse().map_err(|_| bad())?;
        let addr = addr.trim_start_matches('[').trim_end_matches(']');
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        if host.is_empty() {
            return Err(bad());
        }
        Ok(Resolve {
            host: host.to_ascii_lowercase(),
            port,
            addr,
        })
    }
}

impl std::fmt::Display for Resolve {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.host, self.port, self.addr)
    }
}

/// Client settings.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub user_agent: String,
    pub resolve: Vec<Resolve>,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub total_timeout: Duration,
}

pub fn client(cfg: &ClientConfig) -> Result<reqwest::Client, reqwest::Error> {
    let mut b = reqwest::Client::builder()
        .user_agent(cfg.user_agent.clone())
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(cfg.connect_timeout)
        .read_timeout(cfg.read_timeout)
        .timeout(cfg.total_timeout)
        .pool_max_idle_per_host(8);
    for r in &cfg.resolve {
        // The socket's port is the one connected to when the URL has no
        // explicit port, which is curl's HOST:PORT:ADDR meaning.
        b = b.resolve(&r.host, SocketAddr::new(r.addr, r.port));
    }
    b.build()
}

/// What one request gave.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    pub location: Option<Url>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// `Retry-After` of a 429/503, as a wait.
    pub retry_after: Option<Duration>,
    pub body: Vec<u8>,
}

/// Validators of an earlier fetch, sent as a conditional request.
#[derive(Debug, Clone, Default)]
pub struct Conditional {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// `Retry-After`: delta-seconds or an HTTP date.
pub fn parse_retry_after(v: &str, now: jiff::Timestamp) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let d = when.as_millisecond() - now.as_millisecond();
    Some(Duration::from_millis(d.max(0) as u64))
}

/// Classes of fetch failure, recorded with every failed URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    Timeout(String),
    Connect(String),
    TooLarge(usize),
    Other(String),
}

impl FetchError {
    pub fn class(&self) -> ErrorClass {
        match self {
            FetchError::Timeout(_) => ErrorClass::Timeout,
            FetchError::Connect(_) => ErrorClass::Connect,
            FetchError::TooLarge(_) => ErrorClass::TooLarge,
            FetchError::Other(_) => ErrorClass::Other,
        }
    }
}

/// Why a URL of a run failed, as counted in the run's statistics
/// (`errors_by_class`) and shown in its summary: `as_str` is the name in
/// the stored statistics and the output, so names never change.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// No answer within the timeout, or a body slower than `--min-rate`.
    Timeout,
    /// The connection failed (DNS, refused, reset, TLS).
    Connect,
    /// The body exceeded the size limit.
    TooLarge,
    /// Any other transport failure.
    Other,
    /// The server answered 429 (slow down).
    Http429,
    /// The server answered 4xx.
    Http4xx,
    /// The server answered 5xx.
    Http5xx,
    /// A redirect led back to where it came from.
    RedirectLoop,
    /// The host failed too often in a row; its other URLs were not fetched.
    CircuitOpen,
    /// A sitemap could not be read.
    Sitemap,
    /// The database refused to store the page.
    Store,
}

impl ErrorClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Timeout => "timeout",
            ErrorClass::Connect => "connect",
            ErrorClass::TooLarge => "too-large",
            ErrorClass::Other => "other",
            ErrorClass::Http429 => "http-429",
            ErrorClass::Http4xx => "http-4xx",
            ErrorClass::Http5xx => "http-5xx",
            ErrorClass::RedirectLoop => "redirect-loop",
            ErrorClass::CircuitOpen => "circuit-open",
            ErrorClass::Sitemap => "sitemap",
            ErrorClass::Store => "store",
        }
    }
}

impl std::fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Timeout(m) => write!(f, "timeout: {m}"),
            FetchError::Connect(m) => write!(f, "connect: {m}"),
            FetchError::TooLarge(n) => write!(f, "too-large: body exceeds {n} bytes"),
            FetchError::Other(m) => write!(f, "other: {m}"),
        }
    }
}

fn classify(e: &reqwest::Error) -> FetchError {
    // The innermost cause says most ("connection refused", "dns error").
    let mut msg = e.to_string();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = src {
        msg = s.to_string();
        src = s.source();
    }
    if e.is_timeout() {
        FetchError::Timeout(msg)
    } else if e.is_connect() {
        FetchError::Connect(msg)
    } else {
        FetchError::Other(msg)
    }
}

fn header(resp: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The slowest body we keep reading (like curl's `--speed-limit` and
/// `--speed-time`): a body that arrives slower than `bytes_per_sec` on
/// average once `after` has passed is a timeout. A dripping server costs
/// seconds, not the whole request timeout.
#[derive(Debug, Clone, Copy)]
pub struct MinRate {
    pub bytes_per_sec: u64,
    pub after: Duration,
}

impl MinRate {
    pub const NONE: MinRate = MinRate {
        bytes_per_sec: 0,
        after: Duration::MAX,
    };

    fn too_slow(&self, bytes: usize, elapsed: Duration) -> bool {
        elapsed >= self.after && (bytes as f64) < self.bytes_per_sec as f64 * elapsed.as_secs_f64()
    }
}

/// GET `url`; read at most `max_body` bytes of the (decompressed) body; a
/// longer body is an error ([`FetchError::TooLarge`]), a slower one than
/// `min_rate` a timeout.
pub async fn get(
    client: &reqwest::Client,
    url: &Url,
    max_body: usize,
    conditional: Option<&Conditional>,
    min_rate: MinRate,
) -> Result<Response, FetchError> {
    request(client, url, max_body, conditional, false, min_rate).await
}

/// GET `url` and keep the first `max_body` bytes of a longer body (robots.txt:
/// the RFC asks to parse at least the first 500 KiB of any file).
pub async fn get_prefix(
    client: &reqwest::Client,
    url: &Url,
    max_body: usize,
) -> Result<Response, FetchError> {
    request(client, url, max_body, None, true, MinRate::NONE).await
}

async fn request(
    client: &reqwest::Client,
    url: &Url,
    max_body: usize,
    conditional: Option<&Conditional>,
    keep_prefix: bool,
    min_rate: MinRate,
) -> Result<Response, FetchError> {
    let started = std::time::Instant::now();
    let mut req = client
        .get(url.clone())
        .header(
            reqwest::header::ACCEPT,
            "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.5",
        )
        .header(reqwest::header::ACCEPT_LANGUAGE, "de-DE,de;q=0.9,en;q=0.5");
    if let Some(c) = conditional {
        if let Some(e) = &c.etag {
            req = req.header(reqwest::header::IF_NONE_MATCH, e);
        }
        if let Some(l) = &c.last_modified {
            req = req.header(reqwest::header::IF_MODIFIED_SINCE, l);
        }
    }
    let resp = req.send().await.map_err(|e| classify(&e))?;
    let status = resp.status().as_u16();
    let location = header(&resp, reqwest::header::LOCATION).and_then(|l| url.join(l.trim()).ok());
    let content_type = header(&resp, reqwest::header::CONTENT_TYPE);
    let etag = header(&resp, reqwest::header::ETAG);
    let last_modified = header(&resp, reqwest::header::LAST_MODIFIED);
    let retry_after = header(&resp, reqwest::header::RETRY_AFTER)
        .and_then(|v| parse_retry_after(&v, jiff::Timestamp::now()));
    if let Some(len) = resp.content_length() {
        if len as usize > max_body && !keep_prefix {
            return Err(FetchError::TooLarge(max_body));
        }
    }
    let mut body = Vec::new();
    let mut stream = resp.bytes_stream();
    loop {
        // Wait for the next chunk no longer than the slowest rate allows.
        let deadline = min_rate.after.saturating_sub(started.elapsed());
        let next = if deadline.is_zero() || min_rate.bytes_per_sec == 0 {
            stream.next().await
        } else {
            match tokio::time::timeout(deadline, stream.next()).await {
                Ok(n) => n,
                Err(_) if min_rate.too_slow(body.len(), started.elapsed()) => {
                    return Err(too_slow(body.len(), started.elapsed()));
                }
                Err(_) => stream.next().await,
            }
        };
        let Some(chunk) = next else { break };
        let chunk = chunk.map_err(|e| classify(&e))?;
        if min_rate.too_slow(body.len() + chunk.len(), started.elapsed()) {
            return Err(too_slow(body.len() + chunk.len(), started.elapsed()));
        }
        if body.len() + chunk.len() > max_body {
            if keep_prefix {
                body.extend_from_slice(&chunk[..max_body - body.len()]);
                break;
            }
            return Err(FetchError::TooLarge(max_body));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Response {
        status,
        content_type,
        location,
        etag,
        last_modified,
        retry_after,
        body,
    })
}

fn too_slow(bytes: usize, elapsed: Duration) -> FetchError {
    FetchError::Timeout(format!(
        "transfer too slow: {bytes} bytes in {:.0} s",
        elapsed.as_secs_f64()
    ))
}

/// POST a JSON body (webhook notifications), with a few retries and
/// backoff. Returns the last error when every attempt failed.
pub async fn post_json(
    client: &reqwest::Client,
    url: &Url,
    body: &serde_json::Value,
    attempts: u32,
) -> Result<u16, String> {
    let mut last = String::new();
    for attempt in 0..attempts.max(1) {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(500 * (1 << attempt.min(6)))).await;
        }
        match client
            .post(url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => return Ok(r.status().as_u16()),
            Ok(r) => last = format!("HTTP {}", r.status().as_u16()),
            Err(e) => last = classify(&e).to_string(),
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_parses_like_curl() {
        let r: Result<Resolve, _> = "www.hagen.de:443:127.0.0.1".parse();
        assert_eq!(
            r,
            Ok(Resolve {
                host: "www.hagen.de".into(),
                port: 443,
                addr: IpAddr::from([127, 0, 0, 1])
            })
        );
        assert!("www.hagen.de:[::1]".parse::<Resolve>().is_err());
        assert!("h:80:[::1]".parse::<Resolve>().is_ok());
        assert!("h:x:127.0.0.1".parse::<Resolve>().is_err());
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now: jiff::Timestamp = "2024-11-06T08:49:00Z".parse().unwrap_or_default();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 06 Nov 2024 08:49:37 GMT", now),
            Some(Duration::from_secs(37))
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
