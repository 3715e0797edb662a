//! Sitemaps (sitemaps.org): `<urlset>` lists pages, `<sitemapindex>` lists
//! further sitemaps; either may come gzip-compressed. A small pull parser on
//! quick-xml; decompression is capped so a gzip bomb cannot fill memory.

use quick_xml::events::Event;
use std::io::Read;

/// Most `<loc>` entries read from one file (the protocol's own limit).
pub const MAX_LOCS: usize = 50_000;
/// Largest uncompressed sitemap (the protocol allows 50 MB).
pub const MAX_BYTES: usize = 50 * 1024 * 1024;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Sitemap {
    /// True for a sitemap index (its locs are sitemaps, not pages).
    pub is_index: bool,
    pub locs: Vec<String>,
}

/// Gunzip when the bytes are gzip (magic 1f 8b), reading at most `MAX_BYTES`.
pub fn maybe_gunzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .take(MAX_BYTES as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| format!("gzip: {e}"))?;
        if out.len() > MAX_BYTES {
            return Err(format!(
                "sitemap larger than {MAX_BYTES} bytes uncompressed"
            ));
        }
        Ok(out)
    } else {
        Ok(bytes.to_vec())
    }
}

/// Parse a sitemap or sitemap index. Unknown elements are ignored; broken XML
/// ends the parse with what was read so far.
pub fn parse(bytes: &[u8]) -> Sitemap {
    let text = String::from_utf8_lossy(bytes);
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut out = Sitemap::default();
    let mut in_loc = false;
    let mut current = String::new();
    let mut seen_root = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.local_name();
                let name = name.as_ref();
                if !seen_root {
                    seen_root = true;
                    out.is_index = name.eq_ignore_ascii_case(b"sitemapindex");
                }
                if name.eq_ignore_ascii_case(b"loc") {
                    in_loc = true;
                    current.clear();
                }
            }
            Ok(Event::End(e)) if in_loc && e.local_name().as_ref().eq_ignore_ascii_case(b"loc") => {
                in_loc = false;
                let loc = current.trim();
                if !loc.is_empty() {
                    out.locs.push(loc.to_string());
                    if out.locs.len() >= MAX_LOCS {
                        break;
                    }
                }
            }
            Ok(Event::Text(t)) if in_loc => {
                if let Ok(s) = t.decode() {
                    current.push_str(&s);
                }
            }
            Ok(Event::CData(t)) if in_loc => {
                if let Ok(s) = t.decode() {
                    current.push_str(&s);
                }
            }
            Ok(Event::GeneralRef(r)) if in_loc => {
                if let Ok(name) = r.decode() {
                    current.push_str(&entity(&name));
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

fn entity(name: &str) -> String {
    match name {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        n => n
            .strip_prefix("#x")
            .or_else(|| n.strip_prefix("#X"))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .or_else(|| n.strip_prefix('#').and_then(|d| d.parse().ok()))
            .and_then(char::from_u32)
            .map(String::from)
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn urlset_and_index() {
        let s = parse(
            br#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <url><loc> https://x.de/a?x=1&amp;y=2 </loc></url><url><loc><![CDATA[https://x.de/b]]></loc></url></urlset>"#,
        );
        assert!(!s.is_index);
        assert_eq!(s.locs, vec!["https://x.de/a?x=1&y=2", "https://x.de/b"]);
        let i = parse(
            b"<sitemapindex><sitemap><loc>https://x.de/s1.xml.gz</loc></sitemap></sitemapindex>",
        );
        assert!(i.is_index);
        assert_eq!(i.locs.len(), 1);
    }

    #[test]
    fn gzip_and_garbage() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = gz.write_all(b"<urlset><url><loc>https://x.de/z</loc></url></urlset>");
        let bytes = gz.finish().unwrap_or_default();
        let plain = maybe_gunzip(&bytes).unwrap_or_default();
        assert_eq!(parse(&plain).locs, vec!["https://x.de/z"]);
        assert_eq!(parse(b"<urlset><url><loc>unterminated").locs.len(), 0);
        assert!(maybe_gunzip(&[0x1f, 0x8b, 0, 1, 2]).is_err());
    }
}
