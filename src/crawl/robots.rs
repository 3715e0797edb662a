//! robots.txt per host (RFC 9309), checked against Google's reference test
//! suite (`tests/robots.rs`), with the status rules the RFC gives: 2xx →
//! parse the first 500 KiB, 4xx → allow all, 5xx or unreachable → disallow
//! all for this run.
//!
//! Our own small matcher: the `texting_robots` crate rejected a whole file
//! for one very long pattern (which then meant "allow all"), compared the
//! whole `User-agent` value where the reference reads its first word, and
//! kept percent-escapes as written. Here a file is read line by line (a bad
//! line is skipped, never the file), the group is chosen as the reference
//! does, the longest matching rule wins (allow on a tie), and a URL must be
//! allowed both as written and with escapes of unreserved characters
//! decoded on rule and URL alike (`/%7Euser/` is `/~user/`): the stricter
//! of two readings, since the crawler canonicalises URLs.

/// The largest robots.txt we read; the RFC asks crawlers to parse at least
/// 500 KiB. A larger file is read up to here, never taken as "allow all".
pub const MAX_ROBOTS_BYTES: usize = 500 * 1024;

/// The product token matched against `User-agent:` lines.
pub const AGENT_TOKEN: &str = "ozgcheck";

/// Longest line read; the rest of a longer one is ignored (as the
/// reference parser does: 2083 × 8 bytes with its terminator).
const MAX_LINE: usize = 2083 * 8 - 1;

/// The rules of one host.
pub enum Rules {
    AllowAll,
    DisallowAll(String),
    /// robots.txt got no answer at all (no such host, refused, timed out):
    /// nothing is fetched, and a link there does not answer a citizen either.
    Unreachable,
    Parsed(Box<Robots>),
}

impl Rules {
    /// Build rules from a robots.txt response (status and body) or a failure.
    pub fn from_response(status: Option<u16>, body: &[u8]) -> Rules {
        match status {
            Some(s) if (200..300).contains(&s) => {
                let body = &body[..body.len().min(MAX_ROBOTS_BYTES)];
                Rules::Parsed(Box::new(Robots::parse(body, AGENT_TOKEN)))
            }
            Some(s) if (400..500).contains(&s) => Rules::AllowAll,
            Some(s) => Rules::DisallowAll(format!("robots.txt answered HTTP {s}")),
            None => Rules::Unreachable,
        }
    }

    pub fn allowed(&self, url: &str) -> bool {
        match self {
            Rules::AllowAll => true,
            Rules::DisallowAll(_) | Rules::Unreachable => false,
            Rules::Parsed(r) => r.allowed(url),
        }
    }

    /// Crawl-delay in seconds, if the file sets one for us.
    pub fn crawl_delay(&self) -> Option<f64> {
        match self {
            Rules::Parsed(r) => r.crawl_delay,
            _ => None,
        }
    }

    /// `Sitemap:` lines of the file.
    pub fn sitemaps(&self) -> Vec<String> {
        match self {
            Rules::Parsed(r) => r.sitemaps.clone(),
            _ => Vec::new(),
        }
    }

    pub fn why_disallowed(&self) -> String {
        match self {
            Rules::DisallowAll(why) => why.clone(),
            Rules::Unreachable => "robots.txt unreachable".into(),
            _ => "disallowed by robots.txt".into(),
        }
    }
}

/// One allow or disallow line of a group that applies to us.
#[derive(Debug, Clone)]
struct Rule {
    allow: bool,
    /// The pattern with escapes upper-cased and non-ASCII bytes escaped.
    pattern: Vec<u8>,
    /// The same with escapes of unreserved characters decoded.
    decoded: Vec<u8>,
}

/// A robots.txt as it applies to one user agent.
#[derive(Debug, Clone, Default)]
pub struct Robots {
    /// Rules of the groups that name the agent.
    specific: Vec<Rule>,
    /// Rules of the `*` groups.
    global: Vec<Rule>,
    /// Some group names the agent (then the `*` groups do not apply, even
    /// when that group has no rules).
    named: bool,
    crawl_delay: Option<f64>,
    sitemaps: Vec<String>,
}

/// What a line says.
enum Line<'a> {
    UserAgent(&'a [u8]),
    Allow(&'a [u8]),
    Disallow(&'a [u8]),
    Sitemap(&'a [u8]),
    CrawlDelay(&'a [u8]),
    Other,
}

impl Robots {
    /// Read a robots.txt for `agent` (its product token, e.g. `ozgcheck`).
    pub fn parse(body: &[u8], agent: &str) -> Robots {
        let mut r = Robots::default();
        // Per group: does it name us / is it `*`; a rule line ends the
        // group's user-agent lines (sitemaps and unknown lines do not).
        let (mut specific, mut global, mut rules_seen) = (false, false, false);
        let (mut delay_specific, mut delay_global) = (None, None);
        for raw in lines(skip_bom(body)) {
            match classify(raw) {
                Line::UserAgent(v) => {
                    if rules_seen {
                        (specific, global, rules_seen) = (false, false, false);
                    }
                    if v.first() == Some(&b'*') && v.get(1).is_none_or(u8::is_ascii_whitespace) {
                        global = true;
                    } else if agent_name(v).eq_ignore_ascii_case(agent.as_bytes()) {
                        specific = true;
                        r.named = true;
                    }
                }
                Line::Allow(v) | Line::Disallow(v) if specific || global => {
                    rules_seen = true;
                    let allow = matches!(classify(raw), Line::Allow(_));
                    for rule in rules_of(allow, v) {
                        if specific {
                            r.specific.push(rule.clone());
                        }
                        if global {
                            r.global.push(rule);
                        }
                    }
                }
                Line::CrawlDelay(v) if specific || global => {
                    let d = std::str::from_utf8(v)
                        .ok()
                        .and_then(|s| s.trim().parse::<f64>().ok())
                        .filter(|d| d.is_finite() && *d > 0.0);
                    if specific {
                        delay_specific = delay_specific.or(d);
                    } else {
                        delay_global = delay_global.or(d);
                    }
                }
                Line::Sitemap(v) if !v.is_empty() => {
                    r.sitemaps.push(String::from_utf8_lossy(v).into_owned());
                }
                _ => {}
            }
        }
        r.crawl_delay = if r.named {
            delay_specific
        } else {
            delay_global
        };
        r
    }

    /// Whether the agent may fetch `url` (a full URL or a path).
    pub fn allowed(&self, url: &str) -> bool {
        let path = path_params_query(url);
        let rules = if self.named {
            &self.specific
        } else {
            &self.global
        };
        // The URL as given (escapes upper-cased), and the same with
        // unreserved characters decoded.
        let raw = upper_escapes(path.as_bytes());
        let decoded = decode_unreserved(&raw);
        verdict(rules, &raw, |r| &r.pattern) && verdict(rules, &decoded, |r| &r.decoded)
    }
}

/// The longest matching rule decides; allow wins a tie; no match allows.
fn verdict(rules: &[Rule], path: &[u8], pattern: impl Fn(&Rule) -> &Vec<u8>) -> bool {
    let (mut allow, mut disallow) = (None::<usize>, None::<usize>);
    for r in rules {
        let p = pattern(r);
        if matches(p, path) {
            let best = if r.allow { &mut allow } else { &mut disallow };
            *best = Some(best.map_or(p.len(), |b| b.max(p.len())));
        }
    }
    match (allow, disallow) {
        (_, None) => true,
        (None, Some(d)) => d == 0,
        (Some(a), Some(d)) => d <= a,
    }
}

/// The rules one line gives: an empty value gives none; an `Allow:` of a
/// directory's `index.html` also allows the directory itself (the
/// reference's reading).
fn rules_of(allow: bool, value: &[u8]) -> Vec<Rule> {
    if value.is_empty() {
        return Vec::new();
    }
    let rule = |p: &[u8]| {
        let pattern = escape_pattern(p);
        Rule {
            allow,
            decoded: decode_unreserved(&pattern),
            pattern,
        }
    };
    let mut out = vec![rule(value)];
    if allow {
        if let Some(slash) = value.iter().rposition(|&b| b == b'/') {
            if value[slash..].starts_with(b"/index.htm") {
                let mut dir = value[..=slash].to_vec();
                dir.push(b'$');
                out.push(rule(&dir));
            }
        }
    }
    out
}

/// The agent name of a `User-agent:` value: its leading letters, `-` and `_`
/// (`ozgcheck/0.1` and `ozgcheck bar` both name `ozgcheck`).
fn agent_name(v: &[u8]) -> &[u8] {
    let end = v
        .iter()
        .position(|b| !(b.is_ascii_alphabetic() || *b == b'-' || *b == b'_'))
        .unwrap_or(v.len());
    &v[..end]
}

/// A UTF-8 byte order mark, or the start of one, is skipped.
fn skip_bom(body: &[u8]) -> &[u8] {
    let bom = [0xEF, 0xBB, 0xBF];
    let n = body.iter().zip(bom).take_while(|(a, b)| *a == b).count();
    &body[n..]
}

/// Lines ended by LF, CR or CRLF, each cut at [`MAX_LINE`] bytes.
fn lines(body: &[u8]) -> impl Iterator<Item = &[u8]> {
    body.split(|b| *b == b'\n' || *b == b'\r')
        .map(|l| &l[..l.len().min(MAX_LINE)])
}

/// Key and value of a line: comments removed, whitespace trimmed; a line
/// with no colon whose two words are separated by whitespace is read as if
/// it had one (a common slip the reference accepts).
fn classify(line: &[u8]) -> Line<'_> {
    let line = match line.iter().position(|b| *b == b'#') {
        Some(i) => &line[..i],
        None => line,
    };
    let line = line.trim_ascii();
    let (key, value) = match line.iter().position(|b| *b == b':') {
        Some(i) => (&line[..i], &line[i + 1..]),
        None => {
            let Some(i) = line.iter().position(|b| *b == b' ' || *b == b'\t') else {
                return Line::Other;
            };
            let value = line[i..].trim_ascii();
            if value.iter().any(|b| *b == b' ' || *b == b'\t') {
                return Line::Other;
            }
            (&line[..i], value)
        }
    };
    let (key, value) = (key.trim_ascii(), value.trim_ascii());
    if key.is_empty() {
        return Line::Other;
    }
    let starts =
        |p: &str| key.len() >= p.len() && key[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    if starts("user-agent") || starts("useragent") || starts("user agent") {
        Line::UserAgent(value)
    } else if starts("allow") {
        Line::Allow(value)
    } else if [
        "disallow",
        "dissallow",
        "dissalow",
        "disalow",
        "diasllow",
        "disallaw",
    ]
    .iter()
    .any(|k| starts(k))
    {
        Line::Disallow(value)
    } else if starts("sitemap") || starts("site-map") {
        Line::Sitemap(value)
    } else if starts("crawl-delay") || starts("crawldelay") {
        Line::CrawlDelay(value)
    } else {
        Line::Other
    }
}

/// Path, parameters and query of a URL (what rules are matched against),
/// always starting with `/`; the fragment is dropped.
pub fn path_params_query(url: &str) -> String {
    let b = url.as_bytes();
    let search_start = if url.starts_with("//") { 2 } else { 0 };
    let find_from = |from: usize, set: &[u8]| {
        b.get(from..)
            .and_then(|t| t.iter().position(|c| set.contains(c)))
            .map(|i| i + from)
    };
    let early_path = find_from(search_start, b"/?;");
    let protocol_end = url
        .get(search_start..)
        .and_then(|t| t.find("://"))
        .map(|i| i + search_start)
        .filter(|p| early_path.is_none_or(|e| e >= *p))
        .map_or(search_start, |p| p + 3);
    let Some(path_start) = find_from(protocol_end, b"/?;") else {
        return "/".into();
    };
    let hash = find_from(search_start, b"#");
    if hash.is_some_and(|h| h < path_start) {
        return "/".into();
    }
    let path = &url[path_start..hash.unwrap_or(url.len())];
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

/// Escapes upper-cased (`%aa` → `%AA`) and bytes outside ASCII escaped.
pub fn escape_pattern(p: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(p.len());
    let mut i = 0;
    while i < p.len() {
        let c = p[i];
        if c == b'%' && i + 2 < p.len() && is_hex(p[i + 1]) && is_hex(p[i + 2]) {
            out.extend_from_slice(&[
                b'%',
                p[i + 1].to_ascii_uppercase(),
                p[i + 2].to_ascii_uppercase(),
            ]);
            i += 3;
            continue;
        }
        if c >= 0x80 {
            out.extend_from_slice(&[b'%', HEX[usize::from(c >> 4)], HEX[usize::from(c & 15)]]);
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// Escapes upper-cased (`%7e` → `%7E`), nothing else changed.
fn upper_escapes(p: &[u8]) -> Vec<u8> {
    let mut out = p.to_vec();
    let mut i = 0;
    while i + 2 < out.len() {
        if out[i] == b'%' && is_hex(out[i + 1]) && is_hex(out[i + 2]) {
            out[i + 1] = out[i + 1].to_ascii_uppercase();
            out[i + 2] = out[i + 2].to_ascii_uppercase();
            i += 3;
        } else {
            i += 1;
        }
    }
    out
}

/// Escapes of unreserved characters (letters, digits, `-._~`) decoded.
fn decode_unreserved(p: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(p.len());
    let mut i = 0;
    while i < p.len() {
        if p[i] == b'%' && i + 2 < p.len() && is_hex(p[i + 1]) && is_hex(p[i + 2]) {
            let v = hex_val(p[i + 1]) * 16 + hex_val(p[i + 2]);
            if v.is_ascii_alphanumeric() || b"-._~".contains(&v) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(p[i]);
        i += 1;
    }
    out
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b.to_ascii_uppercase().wrapping_sub(b'A') + 10,
    }
}

/// Whether `pattern` matches the start of `path`: `*` stands for any run of
/// bytes, a final `$` for the end of the path. The path positions the
/// pattern can have reached are kept sorted: without `*` there is one, and
/// any pattern costs at most pattern × path steps.
fn matches(pattern: &[u8], path: &[u8]) -> bool {
    let (pattern, anchored) = match pattern.split_last() {
        Some((b'$', rest)) => (rest, true),
        _ => (pattern, false),
    };
    let mut pos: Vec<usize> = vec![0];
    for &c in pattern {
        if c == b'*' {
            // From the first reachable position on, every position is.
            let first = pos[0];
            pos.clear();
            pos.extend(first..=path.len());
            continue;
        }
        pos.retain_mut(|p| {
            let hit = path.get(*p) == Some(&c);
            *p += 1;
            hit
        });
        if pos.is_empty() {
            return false;
        }
    }
    !anchored || pos.last() == Some(&path.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_rules() {
        assert!(Rules::from_response(Some(404), b"").allowed("http://x.de/a"));
        assert!(!Rules::from_response(Some(503), b"").allowed("http://x.de/a"));
        assert!(!Rules::from_response(None, b"").allowed("http://x.de/a"));
        let r = Rules::from_response(
            Some(200),
            b"User-agent: *\nDisallow: /intern/\nCrawl-delay: 3\n",
        );
        assert!(!r.allowed("http://x.de/intern/a"));
        assert!(r.allowed("http://x.de/public"));
        assert_eq!(r.crawl_delay(), Some(3.0));
    }

    #[test]
    fn our_group_is_found_by_the_first_word_of_its_agent_line() {
        for line in ["ozgcheck/0.1", "ozgcheck bar", "OZGCHECK", "ozgcheck"] {
            let body =
                format!("User-agent: *\nAllow: /\n\nUser-agent: {line}\nDisallow: /intern/\n");
            let r = Rules::from_response(Some(200), body.as_bytes());
            assert!(!r.allowed("http://x.de/intern/a"), "{line}");
            assert!(r.allowed("http://x.de/oeffentlich"), "{line}");
        }
    }

    #[test]
    fn escapes_are_read_alike_on_rules_and_urls() {
        let r = Rules::from_response(
            Some(200),
            b"User-agent: *\nDisallow: /%7Euser/\nDisallow: /a%2fb\n",
        );
        assert!(!r.allowed("http://x.de/~user/seite"));
        assert!(!r.allowed("http://x.de/%7euser/seite"));
        assert!(!r.allowed("http://x.de/a%2Fb"));
        assert!(r.allowed("http://x.de/a/b"));
    }

    #[test]
    fn a_long_pattern_or_a_bad_line_never_discards_the_file() {
        let mut body = b"User-agent: *\nDisallow: /privat/\nDisallow: /".to_vec();
        body.extend(std::iter::repeat_n(b'x', 100_000));
        body.extend_from_slice(b"\n\xff\xfe garbage line\nDisallow: /intern/\n");
        let r = Rules::from_response(Some(200), &body);
        assert!(!r.allowed("http://x.de/privat/a"));
        assert!(!r.allowed("http://x.de/intern/a"));
        assert!(r.allowed("http://x.de/offen"));
    }

    #[test]
    fn rules_without_a_group_apply_to_nobody() {
        let r = Rules::from_response(Some(200), b"Disallow: /\n");
        assert!(r.allowed("http://x.de/a"));
    }

    /// Arbitrary bytes as robots.txt and arbitrary strings as URLs: never a
    /// panic (the fuzz target does the same at length).
    #[test]
    fn arbitrary_input_never_panics() {
        let mut x: u64 = 99;
        let mut next = |n: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % n
        };
        let alphabet: &[u8] =
            b"*$%#:/?;\n\r\t aZ\xef\xbb\xbf\xff\xc3\xa4uUserAgentDisallow-_0123456789";
        for _ in 0..2000 {
            let body: Vec<u8> = (0..next(200))
                .map(|_| alphabet[next(alphabet.len() as u64) as usize])
                .collect();
            let url: String = (0..next(60))
                .map(|_| {
                    ['/', '?', '#', ':', '%', 'a', '7', 'e', '*', '$', 'ä', ';'][next(12) as usize]
                })
                .collect();
            let r = Robots::parse(&body, AGENT_TOKEN);
            let _ = r.allowed(&url);
            let _ = r.allowed(&format!("http://x.de{url}"));
            let _ = path_params_query(&url);
            let _ = escape_pattern(url.as_bytes());
        }
    }

    #[test]
    fn many_stars_cost_pattern_times_path() {
        let pattern = "*a".repeat(2000);
        let body = format!("User-agent: *\nDisallow: /{pattern}$\n");
        let r = Rules::from_response(Some(200), body.as_bytes());
        let url = format!("http://x.de/{}", "a".repeat(5000));
        assert!(r.allowed(&format!("{url}b")));
    }
}
