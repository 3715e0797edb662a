//! City profiles: one TOML file per city with its seeds and crawl scope
//! (see the contract). Validated here, at the edge; the rest of the program
//! gets a [`Profile`] whose seeds are absolute http(s) URLs and whose scope is
//! never empty.

use crate::catalogue::{host_matches, LoadError, Source};
use crate::types::State;
use serde::Deserialize;
use std::path::Path;
use toml::Spanned;
use url::Url;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    name: Spanned<String>,
    state: Spanned<String>,
    #[serde(default)]
    ags: Option<Spanned<String>>,
    seeds: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    scope: Option<Vec<Spanned<String>>>,
}

/// A validated city profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub state: State,
    pub ags: Option<String>,
    pub seeds: Vec<Url>,
    /// Host patterns (`host` or `*.domain`) that may be crawled.
    pub scope: Vec<String>,
}

impl Profile {
    pub fn load(path: &Path) -> Result<Self, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&Source {
            name: path.display().to_string(),
            text: &text,
        })
    }

    pub fn parse(src: &Source) -> Result<Self, LoadError> {
        let raw: RawProfile = src.parse()?;
        let mut problems = Vec::new();
        let name = raw.name.get_ref().trim().to_string();
        if name.is_empty() {
            problems.push(src.problem_de(raw.name.span().start, "name ist leer", "name is empty"));
        }
        let state = match State::parse(raw.state.get_ref()) {
            Ok(s) => Some(s),
            Err(e) => {
                let codes: Vec<&str> = State::ALL.iter().map(|s| s.code()).collect();
                problems.push(src.problem_de(
                    raw.state.span().start,
                    format!(
                        "unbekanntes Bundesland {:?}; möglich sind {}",
                        raw.state.get_ref(),
                        codes.join(" ")
                    ),
                    e,
                ));
                None
            }
        };
        let ags = raw.ags.as_ref().map(|a| a.get_ref().clone());
        if let Some(a) = &raw.ags {
            let v = a.get_ref();
            if v.len() != 8 || !v.bytes().all(|b| b.is_ascii_digit()) {
                problems.push(src.problem_de(
                    a.span().start,
                    format!("ags {v:?}: der Amtliche Gemeindeschlüssel hat 8 Ziffern"),
                    format!("ags {v:?} must be the 8-digit Amtlicher Gemeindeschlüssel"),
                ));
            }
        }
        let mut seeds = Vec::new();
        if raw.seeds.get_ref().is_empty() {
            problems.push(src.problem_de(
                raw.seeds.span().start,
                "seeds braucht mindestens eine URL",
                "seeds needs at least one URL",
            ));
        }
        for s in raw.seeds.get_ref() {
            match Url::parse(s.get_ref()) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
                    seeds.push(u)
                }
                Ok(_) => problems.push(src.problem_de(
                    s.span().start,
                    format!("seed {:?} muss eine http(s)-URL mit Host sein", s.get_ref()),
                    format!("seed {:?} must be an http(s) URL with a host", s.get_ref()),
                )),
                Err(e) => problems.push(src.problem_de(
                    s.span().start,
                    format!("seed {:?} ist keine URL: {e}", s.get_ref()),
                    format!("seed {:?} is not a URL: {e}", s.get_ref()),
                )),
            }
        }
        let scope = match &raw.scope {
            Some(list) => {
                let mut out = Vec::new();
                if list.is_empty() {
                    problems.push(src.problem_de(
                        0,
                        "scope ist leer; weglassen, um die Hosts der Seeds zu crawlen",
                        "scope is empty; leave it out to crawl the seeds' hosts",
                    ));
                }
                for p in list {
                    let v = p.get_ref().trim().to_ascii_lowercase();
                    let bare = v.strip_prefix("*.").unwrap_or(&v);
                    let ok = !bare.is_empty()
                        && !bare.contains('*')
                        && bare
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
                    if ok {
                        out.push(v);
                    } else {
                        problems.push(src.problem_de(
                            p.span().start,
                            format!(
                                "scope-Eintrag {:?} muss ein Host oder *.domain sein",
                                p.get_ref()
                            ),
                            format!("scope entry {:?} must be a host or *.domain", p.get_ref()),
                        ));
                    }
                }
                out
            }
            None => seeds
                .iter()
                .filter_map(|u| u.host_str().map(str::to_ascii_lowercase))
                .collect(),
        };
        for (s, raw_seed) in seeds.iter().zip(raw.seeds.get_ref()) {
            let host = s.host_str().unwrap_or_default();
            if !scope.iter().any(|p| host_matches(p, host)) {
                problems.push(src.problem_de(
                    raw_seed.span().start,
                    format!("Host {host:?} des Seeds liegt außerhalb von scope"),
                    format!("seed host {host:?} is outside the scope"),
                ));
            }
        }
        match (problems.is_empty(), state) {
            (true, Some(state)) => Ok(Profile {
                name,
                state,
                ags,
                seeds,
                scope,
            }),
            _ => Err(LoadError::Invalid(problems)),
        }
    }

    /// Whether a host may be crawled.
    pub fn in_scope(&self, host: &str) -> bool {
        self.scope.iter().any(|p| host_matches(p, host))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Profile, String> {
        Profile::parse(&Source {
            name: "city.toml".into(),
            text,
        })
        .map_err(|e| e.to_string())
    }

    #[test]
    fn default_scope_is_the_seed_hosts() {
        let p = parse("name = \"X\"\nstate = \"NW\"\nseeds = [\"https://www.x.de/\"]\n");
        let Ok(p) = p else { panic!("{p:?}") };
        assert_eq!(p.scope, vec!["www.x.de".to_string()]);
        assert!(p.in_scope("WWW.X.DE"));
        assert!(!p.in_scope("x.de"));
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = parse("name = \"X\"\nstate = \"XY\"\nseeds = [\"ftp://x\"]\n");
        let Err(e) = e else { panic!("accepted") };
        assert!(e.contains("city.toml:2: unknown state \"XY\""), "{e}");
        assert!(e.contains("city.toml:3: seed \"ftp://x\""), "{e}");
    }

    #[test]
    fn syntax_errors_have_lines() {
        let e = parse("name = \"X\"\nstate = \"NW\"\nseeds = [\n\"https://a.de/\",\n\"oops\n]");
        let Err(e) = e else { panic!("accepted") };
        assert!(e.starts_with("city.toml:5:"), "{e}");
    }
}
