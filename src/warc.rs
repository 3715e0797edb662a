//! WARC 1.1 export of a run, so evidence outlives the tool: a `warcinfo`
//! record, then per fetched document a `request` and a `response` record,
//! each its own gzip member, with WARC-Date the fetch time and SHA-1 block
//! and payload digests (base32), as archive tools (pywb, warcio) expect.
//! A page that answered 304 (its stored snapshot re-validated) is written
//! as a 200 response with that snapshot's payload and an
//! `ozgcheck-Revalidated` header: every run's archive replays on its own.
//!
//! The stored body is the decoded (decompressed) payload, so the response
//! headers are rewritten accordingly: no Content-Encoding or
//! Transfer-Encoding, a Content-Length that matches the bytes.

use crate::store::{PageRecord, RunRecord, Store, StoreError};
use sha1::Digest;
use std::io::Write;

fn sha1_b32(bytes: &[u8]) -> String {
    format!(
        "sha1:{}",
        data_encoding::BASE32.encode(&sha1::Sha1::digest(bytes))
    )
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

fn uuid_of(parts: &[&str]) -> String {
    // A stable urn:uuid from the record's identity (run, URL, type): the
    // same run always exports the same WARC.
    let h = blake3::hash(parts.join("\0").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h.as_bytes()[..16]);
    b[6] = (b[6] & 0x0f) | 0x40; // version 4 layout
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let x: String = b.iter().map(|v| format!("{v:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..]
    )
}

struct Record<'a> {
    kind: &'a str,
    uri: Option<&'a str>,
    date: String,
    id: String,
    content_type: &'a str,
    block: Vec<u8>,
    extra: Vec<(String, String)>,
}

fn write_record(out: &mut impl Write, r: &Record) -> std::io::Result<()> {
    let mut head = String::from("WARC/1.1\r\n");
    head.push_str(&format!("WARC-Type: {}\r\n", r.kind));
    head.push_str(&format!("WARC-Record-ID: <{}>\r\n", r.id));
    head.push_str(&format!("WARC-Date: {}\r\n", r.date));
    if let Some(u) = r.uri {
        head.push_str(&format!("WARC-Target-URI: {u}\r\n"));
    }
    for (k, v) in &r.extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("WARC-Block-Digest: {}\r\n", sha1_b32(&r.block)));
    head.push_str(&format!("Content-Type: {}\r\n", r.content_type));
    head.push_str(&format!("Content-Length: {}\r\n\r\n", r.block.len()));
    // Each record is its own gzip member, so readers can seek to any record.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(head.as_bytes())?;
    gz.write_all(&r.block)?;
    gz.write_all(b"\r\n\r\n")?;
    out.write_all(&gz.finish()?)
}

#[derive(Debug, thiserror::Error)]
pub enum WarcError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
}

/// Write the run as WARC to `out`; returns the number of records.
pub fn export(
    store: &Store,
    run: &RunRecord,
    out: &mut impl Write,
    dest: &str,
) -> Result<usize, WarcError> {
    let io = |e: std::io::Error| WarcError::Io(dest.to_string(), e);
    let date = |t: jiff::Timestamp| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut count = 0;
    let info = format!(
        "software: ozgcheck/{}\r\nformat: WARC File Format 1.1\r\nconformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\nisPartOf: {} ({})\r\ndescription: ozgcheck run {} of {}\r\nhttp-header-user-agent: {}\r\n",
        env!("CARGO_PKG_VERSION"),
        run.city,
        run.state,
        run.id,
        run.city,
        run.settings.user_agent
    );
    let info_id = uuid_of(&[run.id.as_str(), "warcinfo"]);
    write_record(
        out,
        &Record {
            kind: "warcinfo",
            uri: None,
            date: date(run.started_at),
            id: info_id.clone(),
            content_type: "application/warc-fields",
            block: info.into_bytes(),
            extra: vec![(
                "WARC-Filename".into(),
                dest.rsplit('/').next().unwrap_or(dest).to_string(),
            )],
        },
    )
    .map_err(io)?;
    count += 1;
    let mut pages: Vec<PageRecord> = store.pages(&run.id)?;
    pages.sort_by(|a, b| a.fetched_at.cmp(&b.fetched_at).then(a.url.cmp(&b.url)));
    for p in pages.iter().filter(|p| p.status.is_some()) {
        let Ok(url) = url::Url::parse(&p.url) else {
            continue;
        };
        let status = p.status.unwrap_or(0);
        let when = date(p.fetched_at);
        let host = url.host_str().unwrap_or_default();
        let host_port = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {host_port}\r\nUser-Agent: {}\r\nAccept: text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.5\r\n\r\n",
            run.settings.user_agent
        );
        let req_id = uuid_of(&[run.id.as_str(), &p.url, "request"]);
        let resp_id = uuid_of(&[run.id.as_str(), &p.url, "response"]);
        let body = match &p.snapshot {
            Some(sid) => store.snapshot(sid)?.unwrap_or_default(),
            None => Vec::new(),
        };
        // A 304 re-validated the stored snapshot: the archive holds that
        // payload as a 200 response, so every run's archive replays on its
        // own (the header below says it was re-validated).
        let revalidated = status == 304 && p.snapshot.is_some();
        let shown = if revalidated { 200 } else { status };
        let mut headers = format!("HTTP/1.1 {shown} {}\r\n", reason(shown));
        if let Some(ct) = &p.content_type {
            headers.push_str(&format!("Content-Type: {ct}\r\n"));
        }
        if let Some(e) = &p.etag {
            headers.push_str(&format!("ETag: {e}\r\n"));
        }
        if let Some(l) = &p.last_modified {
            headers.push_str(&format!("Last-Modified: {l}\r\n"));
        }
        if let Some(l) = &p.location {
            headers.push_str(&format!("Location: {l}\r\n"));
        }
        headers.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        let mut block = headers.into_bytes();
        block.extend_from_slice(&body);
        let mut extra = vec![
            ("WARC-Concurrent-To".to_string(), format!("<{req_id}>")),
            ("WARC-Warcinfo-ID".to_string(), format!("<{info_id}>")),
        ];
        extra.push(("WARC-Payload-Digest".into(), sha1_b32(&body)));
        if revalidated {
            extra.push((
                "ozgcheck-Revalidated".into(),
                "304 Not Modified; payload from the stored snapshot".into(),
            ));
        }
        let kind = "response";
        write_record(
            out,
            &Record {
                kind,
                uri: Some(&p.url),
                date: when.clone(),
                id: resp_id.clone(),
                content_type: "application/http; msgtype=response",
                block,
                extra,
            },
        )
        .map_err(io)?;
        write_record(
            out,
            &Record {
                kind: "request",
                uri: Some(&p.url),
                date: when,
                id: req_id,
                content_type: "application/http; msgtype=request",
                block: request.into_bytes(),
                extra: vec![
                    ("WARC-Concurrent-To".into(), format!("<{resp_id}>")),
                    ("WARC-Warcinfo-ID".into(), format!("<{info_id}>")),
                ],
            },
        )
        .map_err(io)?;
        count += 2;
    }
    Ok(count)
}
