//! URL canonicalisation for dedup, and crawler-trap detection.
//!
//! One canonical spelling per document: the `url` crate already lowercases
//! scheme and host, removes default ports and resolves dot segments; on top
//! of that we drop the fragment, an empty query and session-id parameters
//! (`?PHPSESSID=…`, `;jsessionid=…`), decode percent-escapes of unreserved
//! characters and uppercase the remaining escapes. The original URL stays
//! what the evidence shows.

use crate::catalogue::CrawlRules;
use std::collections::HashMap;
use url::Url;

/// The dedup key of a URL, or None for URLs we never fetch.
pub fn canonical(u: &Url, rules: &CrawlRules) -> Option<Url> {
    // Re-serialising can change a URL once more (the url crate reinterprets
    // odd paths); iterate to the fixed point so the key is stable.
    // A URL that does not settle is not one a city links to: drop it.
    let mut cur = canonical_step(u, rules)?;
    for _ in 0..4 {
        let next = canonical_step(&cur, rules)?;
        if next == cur {
            return Some(cur);
        }
        cur = next;
    }
    None
}

fn canonical_step(u: &Url, rules: &CrawlRules) -> Option<Url> {
    let mut n = normalize(u)?;
    // ;jsessionid=… inside the path (Java servlet containers).
    let path = n.path().to_string();
    let cleaned: Vec<String> = path
        .split('/')
        .map(|seg| match seg.split_once(';') {
            Some((name, params)) => {
                let kept: Vec<&str> = params
                    .split(';')
                    .filter(|p| {
                        let key = p.split('=').next().unwrap_or_default().to_ascii_lowercase();
                        !rules.session_params.contains(&key)
                    })
                    .collect();
                if kept.is_empty() {
                    name.to_string()
                } else {
                    format!("{name};{}", kept.join(";"))
                }
            }
            None => seg.to_string(),
        })
        .collect();
    let cleaned = normalize_escapes(&cleaned.join("/"));
    n.set_path(&cleaned);
    if let Some(q) = n.query().map(str::to_string) {
        let kept: Vec<String> = q
            .split('&')
            .filter(|p| !p.is_empty())
            .filter(|p| {
                let key = p.split('=').next().unwrap_or_default().to_ascii_lowercase();
                !rules.session_params.contains(&key)
            })
            .map(normalize_escapes)
            .collect();
        if kept.is_empty() {
            n.set_query(None);
        } else {
            n.set_query(Some(&kept.join("&")));
        }
    }
    Some(n)
}

/// Scheme/host/port/fragment normalisation only (no catalogue needed).
pub fn normalize(u: &Url) -> Option<Url> {
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    // Only real host names (letters, digits, '-', '.') or IP addresses; the
    // url crate accepts more, no city site uses it.
    match u.host()? {
        url::Host::Domain(d) => {
            let ok = !d.is_empty()
                && d.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
            if !ok {
                return None;
            }
        }
        url::Host::Ipv4(_) | url::Host::Ipv6(_) => {}
    }
    let mut n = u.clone();
    n.set_fragment(None);
    if n.query() == Some("") {
        n.set_query(None);
    }
    // A trailing dot on a domain names the same host ("1." would turn
    // into an IPv4 address, so only domains that stay domains).
    if let Some(url::Host::Domain(h)) = n.host().map(|h| h.to_owned()) {
        if let Some(stripped) = h.strip_suffix('.') {
            let mut m = n.clone();
            if m.set_host(Some(stripped)).is_ok() && matches!(m.host(), Some(url::Host::Domain(_)))
            {
                n = m;
            }
        }
    }
    Some(n)
}

/// Decode escapes of unreserved characters (`%41` → `A`, `%7e` → `~`) and
/// uppercase the hex digits of the others (`%c3%a4` → `%C3%A4`), per RFC 3986 §6.2.2.
fn normalize_escapes(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = s.get(i + 1..i + 3).unwrap_or("zz");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                if v.is_ascii_alphanumeric() || matches!(v, b'-' | b'.' | b'_' | b'~') {
                    out.push(v as char);
                } else {
                    out.push('%');
                    out.push_str(&hex.to_ascii_uppercase());
                }
                i += 3;
                continue;
            }
            // A '%' that starts no escape is itself escaped, so canonicalising
            // twice gives the same URL (found by fuzzing: "66%%666").
            out.push_str("%25");
            i += 1;
            continue;
        }
        if b[i] == b'%' {
            out.push_str("%25");
            i += 1;
            continue;
        }
        // Multi-byte characters are copied whole.
        let ch_len = s[i..].chars().next().map(char::len_utf8).unwrap_or(1);
        out.push_str(&s[i..i + ch_len]);
        i += ch_len;
    }
    out
}

/// File endings that are never HTML pages worth crawling: images, media,
/// archives, programs, styles, scripts and fonts. Text formats (`.xml`,
/// `.json`, feeds, calendars) are requested: some CMSs serve their pages
/// under such endings, and what the server says it sent decides.
pub fn is_binary_asset(u: &Url) -> bool {
    crate::extract::with_extension(u, |e| {
        matches!(
            e,
            b"jpg"
                | b"jpeg"
                | b"png"
                | b"gif"
                | b"webp"
                | b"svg"
                | b"ico"
                | b"bmp"
                | b"tif"
                | b"tiff"
                | b"mp3"
                | b"mp4"
                | b"avi"
                | b"mov"
                | b"webm"
                | b"ogg"
                | b"wav"
                | b"zip"
                | b"gz"
                | b"tgz"
                | b"rar"
                | b"7z"
                | b"exe"
                | b"msi"
                | b"dmg"
                | b"iso"
                | b"css"
                | b"js"
                | b"woff"
                | b"woff2"
                | b"ttf"
                | b"eot"
        )
    })
}

pub use crate::extract::is_document;

/// Why a URL looks like a crawler trap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trap {
    TooLong,
    TooDeep,
    RepeatingSegments,
    /// The pattern's cap is reached.
    Pattern(String),
}

impl Trap {
    /// A short name for the run summary.
    pub fn label(&self) -> String {
        match self {
            Trap::TooLong => "url-too-long".into(),
            Trap::TooDeep => "path-too-deep".into(),
            Trap::RepeatingSegments => "repeating-path-segments".into(),
            Trap::Pattern(p) => format!("pattern-cap {p}"),
        }
    }
}

/// Counts URLs per pattern and spots trap-shaped URLs.
#[derive(Default)]
pub struct TrapGuard {
    per_pattern: HashMap<String, usize>,
}

impl TrapGuard {
    /// Check a canonical URL before it enters the frontier; counts it when it
    /// passes.
    pub fn check(&mut self, u: &Url, rules: &CrawlRules) -> Result<(), Trap> {
        if u.as_str().len() > rules.max_url_length {
            return Err(Trap::TooLong);
        }
        let segs: Vec<&str> = u.path().split('/').filter(|s| !s.is_empty()).collect();
        if segs.len() > rules.max_path_segments {
            return Err(Trap::TooDeep);
        }
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for s in &segs {
            let c = counts.entry(s).or_default();
            *c += 1;
            if *c > rules.max_segment_repeats {
                return Err(Trap::RepeatingSegments);
            }
        }
        let pattern = pattern_of(u);
        let n = self.per_pattern.entry(pattern.clone()).or_default();
        if *n >= rules.max_urls_per_pattern {
            return Err(Trap::Pattern(pattern));
        }
        *n += 1;
        Ok(())
    }
}

/// origin + path + sorted query parameter names (values dropped). Without a
/// query the pattern is the URL itself, which is never capped in practice.
fn pattern_of(u: &Url) -> String {
    let mut names: Vec<&str> = u
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split('=').next().unwrap_or_default())
        .collect();
    names.sort_unstable();
    names.dedup();
    format!(
        "{}{}?{}",
        u.origin().ascii_serialization(),
        u.path(),
        names.join("&")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_assets_are_known_by_the_last_segment_ending() {
        let is = |u: &str| Url::parse(u).map(|u| is_binary_asset(&u)).unwrap_or(false);
        assert!(is("https://a.de/img/Logo.PNG"));
        assert!(is("https://a.de/dl/archiv.tar.gz"));
        // A page served under a text ending is asked for; its content type decides.
        assert!(!is("https://a.de/buergerservice/leistung.xml"));
        assert!(!is("https://a.de/feed.rss?x=1"));
        assert!(!is("https://a.de/buergerservice/"));
        assert!(!is("https://a.de/leistung.html"));
        assert!(!is("https://a.de/v1.2/seite"));
        assert!(!is("https://a.de/js/"));
        assert!(!is("https://a.de/formular.pdf"));
        assert!(!is("https://a.de/seite.woff22"));
        assert!(!is("https://a.de/s\u{f6}.d\u{e9}"));
        assert!(crate::extract::is_document(
            &Url::parse("https://a.de/Antrag.PDF").unwrap_or_else(|e| panic!("{e}"))
        ));
    }

    fn rules() -> CrawlRules {
        match crate::catalogue::Catalogue::embedded() {
            Ok(c) => c.crawl,
            Err(e) => panic!("{e}"),
        }
    }

    fn c(s: &str) -> String {
        let u = Url::parse(s).unwrap_or_else(|e| panic!("{e}"));
        canonical(&u, &rules())
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn normalises_case_ports_fragments_and_dots() {
        assert_eq!(
            c("HTTP://WWW.Hagen.DE:80/a/./b/../c#top"),
            "http://www.hagen.de/a/c"
        );
        assert_eq!(c("https://www.hagen.de:443/?"), "https://www.hagen.de/");
        assert_eq!(c("https://www.hagen.de./x"), "https://www.hagen.de/x");
        assert_eq!(c("ftp://x.de/"), "");
        assert_eq!(c("https://\"//x"), "", "not a host name");
    }

    #[test]
    fn drops_session_ids_and_normalises_escapes() {
        assert_eq!(
            c("https://x.de/a;jsessionid=ABC123?x=1"),
            "https://x.de/a?x=1"
        );
        assert_eq!(c("https://x.de/a?PHPSESSID=zz&id=5"), "https://x.de/a?id=5");
        assert_eq!(c("https://x.de/a?sid=1"), "https://x.de/a");
        assert_eq!(
            c("https://x.de/%7Euser/%c3%a4"),
            "https://x.de/~user/%C3%A4"
        );
        assert_eq!(c("https://x.de/s?q=%41%2f"), "https://x.de/s?q=A%2F");
    }

    #[test]
    fn canonical_form_is_stable() {
        for raw in [
            "https://x.de/66%%666",
            "https://x.de/%",
            "https://x.de/a%2",
            "https://x.de/%7e%41?q=%zz",
        ] {
            let once = c(raw);
            assert_eq!(c(&once), once, "{raw}");
        }
    }

    #[test]
    fn traps_are_capped() {
        let r = CrawlRules {
            max_urls_per_pattern: 3,
            ..rules()
        };
        let mut g = TrapGuard::default();
        for m in 1..=3 {
            let u = Url::parse(&format!("https://x.de/kalender?monat={m}&jahr=2024"))
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(g.check(&u, &r).is_ok());
        }
        let u =
            Url::parse("https://x.de/kalender?jahr=2025&monat=1").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(g.check(&u, &r), Err(Trap::Pattern(_))));
        let loopy = Url::parse("https://x.de/a/b/a/b/a/b/a/b/").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(g.check(&loopy, &r), Err(Trap::RepeatingSegments));
        let other = Url::parse("https://x.de/seite").unwrap_or_else(|e| panic!("{e}"));
        assert!(g.check(&other, &r).is_ok());
    }
}
