//! robots.txt per host (RFC 9309) with the status rules the RFC gives:
//! 2xx → parse (first 500 KiB), 4xx → allow all, 5xx or unreachable →
//! disallow all for this run. Parsing is done by `texting_robots`.

use texting_robots::Robot;

/// The largest robots.txt we read; the RFC asks crawlers to parse at least
/// 500 KiB.
pub const MAX_ROBOTS_BYTES: usize = 500 * 1024;

/// The product token matched against `User-agent:` lines.
pub const AGENT_TOKEN: &str = "ozgcheck";

/// The rules of one host.
pub enum Rules {
    AllowAll,
    DisallowAll(String),
    Parsed(Box<Robot>),
}

impl Rules {
    /// Build rules from a robots.txt response (status and body) or a failure.
    pub fn from_response(status: Option<u16>, body: &[u8]) -> Rules {
        match status {
            Some(s) if (200..300).contains(&s) => {
                let body = &body[..body.len().min(MAX_ROBOTS_BYTES)];
                match Robot::new(AGENT_TOKEN, body) {
                    Ok(r) => Rules::Parsed(Box::new(r)),
                    // Unparseable robots.txt: treat as no restrictions, like
                    // an empty file (RFC 9309 §2.2: parse what can be parsed).
                    Err(_) => Rules::AllowAll,
                }
            }
            Some(s) if (400..500).contains(&s) => Rules::AllowAll,
            Some(s) => Rules::DisallowAll(format!("robots.txt answered HTTP {s}")),
            None => Rules::DisallowAll("robots.txt unreachable".into()),
        }
    }

    pub fn allowed(&self, url: &str) -> bool {
        match self {
            Rules::AllowAll => true,
            Rules::DisallowAll(_) => false,
            Rules::Parsed(r) => r.allowed(url),
        }
    }

    /// Crawl-delay in seconds, if the file sets one for us.
    pub fn crawl_delay(&self) -> Option<f64> {
        match self {
            Rules::Parsed(r) => r.delay.map(f64::from).filter(|d| d.is_finite() && *d > 0.0),
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
            _ => "disallowed by robots.txt".into(),
        }
    }
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
}
