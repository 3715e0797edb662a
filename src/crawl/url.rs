//! URL normalisation for dedup: one canonical spelling per document.
//!
//! The `url` crate already lowercases scheme and host, removes default ports
//! and resolves dot segments; on top of that we drop the fragment and an
//! empty query. The original URL stays what the evidence shows.

use url::Url;

/// The dedup key of a URL, or None for URLs we never fetch.
pub fn normalize(u: &Url) -> Option<Url> {
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return None;
    }
    let mut n = u.clone();
    n.set_fragment(None);
    if n.query() == Some("") {
        n.set_query(None);
    }
    // A trailing dot on the host names the same host.
    if let Some(h) = n.host_str().map(str::to_string) {
        if let Some(stripped) = h.strip_suffix('.') {
            let _ = n.set_host(Some(stripped));
        }
    }
    Some(n)
}

/// File endings that are never HTML pages worth crawling.
pub fn is_binary_asset(u: &Url) -> bool {
    let p = u.path().to_ascii_lowercase();
    const EXT: &[&str] = &[
        ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".bmp", ".tif", ".tiff", ".mp3",
        ".mp4", ".avi", ".mov", ".webm", ".ogg", ".wav", ".zip", ".gz", ".tgz", ".rar", ".7z",
        ".exe", ".msi", ".dmg", ".iso", ".css", ".js", ".woff", ".woff2", ".ttf", ".eot", ".ics",
        ".vcf", ".xml", ".json", ".rss", ".atom",
    ];
    EXT.iter().any(|e| p.ends_with(e))
}

/// Documents (forms) that are fetched only as evidence, never crawled.
pub fn is_document(u: &Url) -> bool {
    let p = u.path().to_ascii_lowercase();
    [
        ".pdf", ".doc", ".docx", ".odt", ".rtf", ".xls", ".xlsx", ".ods",
    ]
    .iter()
    .any(|e| p.ends_with(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        let u = Url::parse(s).unwrap_or_else(|e| panic!("{e}"));
        normalize(&u).map(|u| u.to_string()).unwrap_or_default()
    }

    #[test]
    fn normalises_case_ports_fragments_and_dots() {
        assert_eq!(
            n("HTTP://WWW.Hagen.DE:80/a/./b/../c#top"),
            "http://www.hagen.de/a/c"
        );
        assert_eq!(n("https://www.hagen.de:443/?"), "https://www.hagen.de/");
        assert_eq!(n("https://www.hagen.de./x"), "https://www.hagen.de/x");
        assert_eq!(n("ftp://x.de/"), "");
    }
}
