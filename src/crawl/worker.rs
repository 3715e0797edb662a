//! The work of one request, off the scheduler's loop: the fetch with its
//! retries, robots.txt and sitemaps, and a page's way from bytes to a
//! stored record and findings (through [`crate::analysis`]).

use super::*;

pub(super) fn spawn(tasks: &mut JoinSet<Outcome>, shared: &Arc<Shared>, job: Job) {
    let shared = Arc::clone(shared);
    tasks.spawn(async move {
        match job {
            Job::Robots { origin } => {
                let rules = match Url::parse(&format!("{origin}/robots.txt")) {
                    Ok(u) => fetch_robots(&shared.client, &u).await,
                    Err(_) => Rules::AllowAll,
                };
                Outcome::Robots { origin, rules }
            }
            Job::Fetch(item) => {
                let cap = match item.kind {
                    FetchKind::Page => shared.opts.max_body,
                    FetchKind::Sitemap => shared.opts.max_body.max(sitemap::MAX_BYTES),
                    // A liveness check needs the start of the page, not all of it.
                    FetchKind::Probe => shared.opts.max_body.min(2 * 1024 * 1024),
                };
                let earlier = if shared.opts.conditional {
                    shared.store.validator(item.url.as_str()).ok().flatten()
                } else {
                    None
                };
                let cond = earlier.as_ref().map(|v| Conditional {
                    etag: v.etag.clone(),
                    last_modified: v.last_modified.clone(),
                });
                let fetched_at = jiff::Timestamp::now();
                let result = fetch::get(
                    &shared.client,
                    &item.url,
                    cap,
                    cond.as_ref(),
                    shared.opts.min_rate,
                )
                .await;
                if let Some(retry) = retry_of(&shared.opts, &item, &result) {
                    return retry;
                }
                // A 304 reuses the stored analysis: a few store reads and
                // writes, cheaper than handing the page to another thread.
                if matches!(&result, Ok(r) if r.status == 304) && earlier.is_some() {
                    return Outcome::Fetched(Box::new(process(
                        &shared, item, fetched_at, result, earlier,
                    )));
                }
                let sh = Arc::clone(&shared);
                // The semaphore is never closed, so acquiring only fails if
                // it were; then the page is processed without a permit.
                let permit = shared.cpu.clone().acquire_owned().await.ok();
                let joined = tokio::task::spawn_blocking(move || {
                    let _permit = permit;
                    process(&sh, item, fetched_at, result, earlier)
                })
                .await;
                match joined {
                    Ok(f) => Outcome::Fetched(Box::new(f)),
                    Err(e) => std::panic::resume_unwind(e.into_panic()),
                }
            }
        }
    });
}

/// Whether a failed request deserves another try, and after how long:
/// connection errors, timeouts, 5xx and 429, with exponential backoff and
/// jitter, or the server's Retry-After when it gives one.
pub(super) fn retry_of(
    opts: &CrawlOptions,
    item: &Item,
    result: &Result<fetch::Response, FetchError>,
) -> Option<Outcome> {
    if item.attempt >= opts.max_retries {
        return None;
    }
    if matches!(result, Err(FetchError::Timeout(_))) && item.attempt >= opts.timeout_retries {
        return None;
    }
    let (class, retry_after) = match result {
        Err(FetchError::Timeout(_)) => (ErrorClass::Timeout, None),
        Err(FetchError::Connect(_)) => (ErrorClass::Connect, None),
        Ok(r) if r.status == 429 => (ErrorClass::Http429, r.retry_after),
        Ok(r) if matches!(r.status, 500 | 502 | 503 | 504) => (ErrorClass::Http5xx, r.retry_after),
        _ => return None,
    };
    let wait = match retry_after {
        Some(w) if w > opts.max_retry_after => return None,
        Some(w) => w,
        None => {
            let base = opts.backoff.as_secs_f64() * f64::from(1u32 << item.attempt.min(16));
            Duration::from_secs_f64(base * jitter(item.url.as_str(), item.attempt))
        }
    };
    Some(Outcome::Retry {
        item: item.clone(),
        wait,
        class,
    })
}

/// A factor in [0.5, 1.5) derived from the URL and attempt: spreads retries
/// of many URLs apart without a random number generator, and is repeatable.
pub(super) fn jitter(url: &str, attempt: u8) -> f64 {
    let h = blake3::hash(format!("{url}#{attempt}").as_bytes());
    let b = h.as_bytes();
    let v = u16::from_le_bytes([b[0], b[1]]);
    0.5 + f64::from(v) / 65536.0
}

pub(super) async fn fetch_robots(client: &reqwest::Client, url: &Url) -> Rules {
    let mut current = url.clone();
    // Up to five redirects, as RFC 9309 asks.
    for _ in 0..=5 {
        // A larger file is read up to the cap, never taken as "allow all".
        match fetch::get_prefix(client, &current, robots::MAX_ROBOTS_BYTES).await {
            Ok(r) if (300..400).contains(&r.status) => match r.location {
                Some(l) => current = l,
                None => return Rules::AllowAll,
            },
            Ok(r) => return Rules::from_response(Some(r.status), &r.body),
            Err(_) => return Rules::from_response(None, b""),
        }
    }
    Rules::AllowAll
}

/// Store, extract and analyse one fetch result (runs on a blocking thread).
pub(super) fn process(
    shared: &Shared,
    item: Item,
    fetched_at: jiff::Timestamp,
    result: Result<fetch::Response, FetchError>,
    earlier: Option<Validator>,
) -> Fetched {
    let mut record = PageRecord::blank(&item.url, item.kind, item.depth, fetched_at);
    let mut out = Fetched {
        item,
        record: record.clone(),
        links: Vec::new(),
        sitemap_index: false,
        findings: None,
        new_snapshot: false,
        error_class: None,
        host_failure: false,
    };
    match result {
        Err(e) => {
            out.error_class = Some(e.class());
            out.host_failure = matches!(e, FetchError::Timeout(_) | FetchError::Connect(_));
            record.error = Some(e.to_string());
        }
        Ok(resp) => {
            record.status = Some(resp.status);
            record.content_type = resp.content_type.clone();
            record.location = resp.location.as_ref().map(|u| u.to_string());
            record.etag = resp.etag.clone();
            record.last_modified = resp.last_modified.clone();
            record.bytes = resp.body.len() as u64;
            // A missing sitemap.xml is normal, not an error of the site.
            let quiet_404 = out.item.kind == FetchKind::Sitemap && resp.status == 404;
            if resp.status >= 400 && !quiet_404 {
                out.error_class = Some(if resp.status >= 500 {
                    ErrorClass::Http5xx
                } else {
                    ErrorClass::Http4xx
                });
                // A 429 is the server asking to slow down (Retry-After is
                // obeyed): an answer, not a failing host.
                out.host_failure = resp.status >= 500;
            }
            // 304: the earlier snapshot is still the page; reuse it (its
            // bytes are read only if its analysis is not stored).
            let (ok, body, content_type) = match (resp.status, &earlier) {
                (304, Some(v)) => {
                    record.snapshot = Some(v.snapshot.clone());
                    record.content_type = v.content_type.clone();
                    (true, Vec::new(), v.content_type.clone())
                }
                (s, _) => (
                    (200..300).contains(&s),
                    resp.body,
                    resp.content_type.clone(),
                ),
            };
            // A failed fetch never stores a snapshot: error pages are not evidence.
            if ok && !body.is_empty() && record.snapshot.is_none() {
                match shared.store.put_snapshot(&body) {
                    Ok((sid, new)) => {
                        record.snapshot = Some(sid.clone());
                        out.new_snapshot = new;
                        if record.etag.is_some() || record.last_modified.is_some() {
                            let v = Validator {
                                etag: record.etag.clone(),
                                last_modified: record.last_modified.clone(),
                                snapshot: sid,
                                content_type: record.content_type.clone(),
                            };
                            let _ = shared.store.put_validator(&record.url, &v);
                        }
                    }
                    Err(e) => {
                        record.error = Some(format!("store: {e}"));
                        out.error_class = Some(ErrorClass::Store);
                    }
                }
            }
            if ok {
                analyse(shared, &mut out, &mut record, body, content_type.as_deref());
            }
        }
    }
    if let Err(e) = shared.store.put_page(&shared.run, &record) {
        tracing::error!("cannot store page record for {}: {e}", record.url);
        out.error_class = Some(ErrorClass::Store);
    }
    out.record = record;
    out
}

/// Sitemaps are read here; every other document goes through the analysis
/// stage (from its cache when the same bytes were judged before).
pub(super) fn analyse(
    shared: &Shared,
    out: &mut Fetched,
    record: &mut PageRecord,
    body: Vec<u8>,
    content_type: Option<&str>,
) {
    let Some(sid) = record.snapshot.clone() else {
        return;
    };
    if out.item.kind == FetchKind::Sitemap {
        let body = if body.is_empty() {
            shared
                .store
                .snapshot(&sid)
                .ok()
                .flatten()
                .unwrap_or_default()
        } else {
            body
        };
        read_sitemap(out, record, &body);
        return;
    }
    let doc = analysis::Document {
        kind: out.item.kind,
        url: &out.item.url,
        content_type,
        fetched_at: record.fetched_at,
        snapshot: &sid,
        new_snapshot: out.new_snapshot,
    };
    let mut body = Some(body);
    let mut bytes = || match body.take() {
        Some(b) if !b.is_empty() => b,
        _ => shared
            .store
            .snapshot(&sid)
            .ok()
            .flatten()
            .unwrap_or_default(),
    };
    let a = analysis::cached(
        &shared.store,
        &shared.catalogue,
        &shared.extractor,
        &shared.scope,
        &doc,
        &mut bytes,
    );
    record.news = a.news;
    record.own_page = a.own_page;
    record.offers_application = a.offers_application;
    out.links = a.links;
    if let Some(f) = a.findings {
        if let Err(e) = shared.store.put_findings(&shared.run, &f) {
            record.error = Some(format!("store: {e}"));
            out.error_class = Some(ErrorClass::Store);
        }
        out.findings = Some(f);
    }
}

pub(super) fn read_sitemap(out: &mut Fetched, record: &mut PageRecord, body: &[u8]) {
    match sitemap::maybe_gunzip(body) {
        Ok(xml) => {
            let sm = sitemap::parse(&xml);
            out.sitemap_index = sm.is_index;
            out.links = sm
                .locs
                .iter()
                .filter_map(|l| out.item.url.join(l).ok())
                .map(|u| (u, String::new()))
                .collect();
        }
        Err(e) => {
            record.error = Some(format!("sitemap: {e}"));
            out.error_class = Some(ErrorClass::Sitemap);
        }
    }
}
