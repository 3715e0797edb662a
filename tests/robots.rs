//! robots.txt against Google's reference test suite (`robots_test.cc` of
//! google/robotstxt, ported as data to `tests/data/robots_google*.json`;
//! see `tests/data/README-robots.md`). Every case required by RFC 9309
//! passes; of Google's own behaviour, the cases in `DIFFERENT` are where we
//! deliberately differ, each with the reason.

use ozgcheck::crawl::robots::{escape_pattern, path_params_query, Robots};
use serde::Deserialize;

#[derive(Deserialize)]
struct Part {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    hex: Option<String>,
    #[serde(default = "one")]
    repeat: usize,
}

fn one() -> usize {
    1
}

#[derive(Deserialize)]
struct Case {
    test: String,
    rfc: bool,
    #[serde(default)]
    robotstxt: Option<String>,
    #[serde(default)]
    robotstxt_parts: Vec<Part>,
    agent: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    url_parts: Vec<Part>,
    allowed: bool,
    #[serde(default)]
    note: String,
}

fn bytes_of(whole: Option<&str>, parts: &[Part]) -> Vec<u8> {
    if let Some(w) = whole {
        return w.as_bytes().to_vec();
    }
    let mut out = Vec::new();
    for p in parts {
        let one: Vec<u8> = match (&p.text, &p.hex) {
            (Some(t), _) => t.as_bytes().to_vec(),
            (None, Some(h)) => (0..h.len() / 2)
                .filter_map(|i| u8::from_str_radix(h.get(2 * i..2 * i + 2)?, 16).ok())
                .collect(),
            (None, None) => Vec::new(),
        };
        for _ in 0..p.repeat {
            out.extend_from_slice(&one);
        }
    }
    out
}

fn load<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Google-only cases where ozgcheck deliberately differs: (test, note, why).
const DIFFERENT: &[(&str, &str, &str)] = &[];

#[test]
fn google_reference_suite() {
    let cases: Vec<Case> = load("robots_google.json");
    assert!(cases.len() >= 140, "{} cases", cases.len());
    let mut rfc_failures = Vec::new();
    let mut google_failures = Vec::new();
    for c in &cases {
        let body = bytes_of(c.robotstxt.as_deref(), &c.robotstxt_parts);
        let url = String::from_utf8(bytes_of(c.url.as_deref(), &c.url_parts)).unwrap_or_default();
        let got = Robots::parse(&body, &c.agent).allowed(&url);
        if got != c.allowed {
            let line = format!(
                "{}: agent {:?}, url {:?}: want {}, got {} ({})",
                c.test,
                c.agent,
                if url.len() > 80 { &url[..80] } else { &url },
                c.allowed,
                got,
                c.note
            );
            if c.rfc {
                rfc_failures.push(line);
            } else if !DIFFERENT
                .iter()
                .any(|(t, n, _)| *t == c.test && *n == c.note)
            {
                google_failures.push(line);
            }
        }
    }
    let rfc = cases.iter().filter(|c| c.rfc).count();
    println!(
        "{} cases ({rfc} RFC, {} Google-only); {} deliberately different",
        cases.len(),
        cases.len() - rfc,
        DIFFERENT.len()
    );
    assert!(
        rfc_failures.is_empty(),
        "RFC cases failing:\n{}",
        rfc_failures.join("\n")
    );
    assert!(
        google_failures.is_empty(),
        "Google-only cases failing (fix, or list in DIFFERENT with a reason):\n{}",
        google_failures.join("\n")
    );
}

#[derive(Deserialize)]
struct Other {
    kind: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    pattern: String,
    #[serde(default)]
    escaped: String,
    #[serde(default)]
    robotstxt: String,
    #[serde(default)]
    sitemaps: Vec<String>,
}

#[test]
fn google_reference_helpers_url_path_patterns_and_sitemaps() {
    let others: Vec<Other> = load("robots_google_other.json");
    let mut checked = 0;
    for o in &others {
        match o.kind.as_str() {
            "path_params_query" => {
                assert_eq!(path_params_query(&o.url), o.path, "{:?}", o.url);
                checked += 1;
            }
            "escape_pattern" => {
                let got =
                    String::from_utf8(escape_pattern(o.pattern.as_bytes())).unwrap_or_default();
                assert_eq!(got, o.escaped, "{:?}", o.pattern);
                checked += 1;
            }
            "sitemaps" => {
                let r = ozgcheck::crawl::robots::Rules::from_response(
                    Some(200),
                    o.robotstxt.as_bytes(),
                );
                assert_eq!(r.sitemaps(), o.sitemaps);
                checked += 1;
            }
            _ => {}
        }
    }
    assert!(checked >= 20, "{checked} helper cases");
}
