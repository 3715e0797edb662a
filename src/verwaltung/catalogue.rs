//! `catalogues/verwaltung.toml`: indicators, their parameters and the
//! signals that show them, validated on load (every problem `file:line`).

use crate::catalogue::{LoadError, Problem, Source};
use crate::text::PhraseSet;
use serde::Deserialize;
use std::collections::HashSet;
use toml::Spanned;

/// Whether the index is known to count a parameter, or only assumed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Counted {
    Known,
    Assumed,
}

/// A host pattern: `host`, `*.domain` (and the domain) or `label.*`
/// (any host whose first label is `label`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPattern {
    Exact(String),
    Domain(String),
    FirstLabel(String),
}

impl HostPattern {
    fn parse(s: &str) -> Result<Self, String> {
        let s = s.to_ascii_lowercase();
        let ok = |b: &str| {
            !b.is_empty()
                && b.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
        };
        if let Some(label) = s.strip_suffix(".*") {
            if ok(label) && !label.contains('.') {
                return Ok(HostPattern::FirstLabel(label.into()));
            }
        } else if let Some(domain) = s.strip_prefix("*.") {
            if ok(domain) {
                return Ok(HostPattern::Domain(domain.into()));
            }
        } else if ok(&s) && s.contains('.') {
            return Ok(HostPattern::Exact(s));
        }
        Err(format!(
            "host {s:?} must be a host name, *.domain or label.* (e.g. termine.*)"
        ))
    }

    pub fn matches(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.');
        match self {
            HostPattern::Exact(h) => host.eq_ignore_ascii_case(h),
            HostPattern::Domain(d) => {
                host.len() >= d.len()
                    && host
                        .get(host.len() - d.len()..)
                        .is_some_and(|tail| tail.eq_ignore_ascii_case(d))
                    && (host.len() == d.len()
                        || host.as_bytes().get(host.len() - d.len() - 1) == Some(&b'.'))
            }
            HostPattern::FirstLabel(l) => host
                .split_once('.')
                .is_some_and(|(first, rest)| first.eq_ignore_ascii_case(l) && rest.contains('.')),
        }
    }

    pub fn source(&self) -> String {
        match self {
            HostPattern::Exact(h) => h.clone(),
            HostPattern::Domain(d) => format!("*.{d}"),
            HostPattern::FirstLabel(l) => format!("{l}.*"),
        }
    }
}

/// What shows a parameter (or, for offices, a booking).
#[derive(Debug, Clone, Default)]
pub struct Signs {
    /// Phrases in a link's own words.
    pub links: PhraseSet,
    /// Phrases in a sentence of the main text.
    pub phrases: PhraseSet,
    pub hosts: Vec<HostPattern>,
    /// Host patterns count only for hosts of the city's scope.
    pub hosts_in_scope: bool,
    /// Link paths that are no sign although the host fits (share buttons).
    pub skip_paths: Vec<String>,
    /// Phrases that take a match in the same link or sentence away.
    pub unless: PhraseSet,
    /// Sentences that say it is not (or no longer) offered: a link that
    /// leads to a page saying so proves nothing.
    pub refuted: PhraseSet,
}

impl Signs {
    fn is_empty(&self) -> bool {
        self.links.0.is_empty() && self.phrases.0.is_empty() && self.hosts.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct Parameter {
    pub id: String,
    pub name: String,
    pub counted: Counted,
    /// An office's words (indicators with `per_office`).
    pub terms: PhraseSet,
    pub signs: Signs,
}

#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    /// The parameters are offices: the indicator's signs find a booking,
    /// the nearest office words say for which office.
    pub per_office: bool,
    /// Links in the main text count only with the city's name in them.
    pub own_channel: bool,
    /// Titles and headings of a page about the city's channels.
    pub channel_pages: PhraseSet,
    pub signs: Signs,
    pub parameters: Vec<Parameter>,
}

/// A set of signs and whom it finds: an office indicator's booking signs
/// (`parameter` None: the office is read from the nearest words) or one
/// parameter's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    pub indicator: usize,
    pub parameter: Option<usize>,
}

/// Every link sign of the file in one place, so a page's hundreds of menu
/// links are each read once: all link phrases as one set (with the group
/// each belongs to) and all host patterns.
#[derive(Debug, Clone, Default)]
pub struct LinkIndex {
    pub groups: Vec<Group>,
    pub phrases: crate::text::PhraseIndex,
    /// The group of each of `phrases`.
    pub phrase_group: Vec<usize>,
    pub hosts: Vec<(HostPattern, usize)>,
    /// Every sentence phrase (`phrases`, then `refuted`) as one index, so a
    /// page's main text is scanned once for all of them.
    pub sentences: crate::text::PhraseIndex,
    /// The group of each of `sentences`, and whether it refutes.
    pub sentence_group: Vec<(usize, bool)>,
}

/// The validated file.
#[derive(Debug, Clone, Default)]
pub struct Verwaltung {
    pub indicators: Vec<Indicator>,
    /// Negations that take a sentence's claim away.
    pub negation: PhraseSet,
    /// Words of city names that name no city ("Stadt", "am", "Main"):
    /// a channel handle need not carry them.
    pub city_name_ignore: Vec<String>,
    pub links: LinkIndex,
}

impl Verwaltung {
    /// The signs of a group.
    pub fn signs(&self, g: Group) -> Option<&Signs> {
        let ind = self.indicators.get(g.indicator)?;
        match g.parameter {
            None => Some(&ind.signs),
            Some(p) => ind.parameters.get(p).map(|p| &p.signs),
        }
    }

    fn index_links(&mut self) {
        let mut ix = LinkIndex::default();
        let mut phrases = PhraseSet::default();
        let mut sentences = PhraseSet::default();
        for (ii, ind) in self.indicators.iter().enumerate() {
            let groups: Vec<(Group, &Signs)> = if ind.per_office {
                vec![(
                    Group {
                        indicator: ii,
                        parameter: None,
                    },
                    &ind.signs,
                )]
            } else {
                ind.parameters
                    .iter()
                    .enumerate()
                    .map(|(pi, p)| {
                        (
                            Group {
                                indicator: ii,
                                parameter: Some(pi),
                            },
                            &p.signs,
                        )
                    })
                    .collect()
            };
            for (g, signs) in groups {
                let gi = ix.groups.len();
                ix.groups.push(g);
                for p in &signs.links.0 {
                    phrases.0.push(p.clone());
                    ix.phrase_group.push(gi);
                }
                ix.hosts.extend(signs.hosts.iter().map(|h| (h.clone(), gi)));
                for (list, refutes) in [(&signs.phrases, false), (&signs.refuted, true)] {
                    for p in &list.0 {
                        sentences.0.push(p.clone());
                        ix.sentence_group.push((gi, refutes));
                    }
                }
            }
        }
        ix.phrases = crate::text::PhraseIndex::new(phrases);
        ix.sentences = crate::text::PhraseIndex::new(sentences);
        self.links = ix;
    }
}

impl Verwaltung {
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    schema: Spanned<u32>,
    #[serde(default)]
    negation: RawList,
    #[serde(default)]
    city_name_ignore: Vec<String>,
    #[serde(default)]
    indicator: Vec<RawIndicator>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawList {
    #[serde(default)]
    phrases: Vec<Spanned<String>>,
}

/// The sign fields an indicator and a parameter share.
struct RawSigns<'a> {
    links: &'a [Spanned<String>],
    phrases: &'a [Spanned<String>],
    hosts: &'a [Spanned<String>],
    hosts_in_scope: bool,
    skip_paths: &'a [String],
    unless: &'a [Spanned<String>],
    refuted: &'a [Spanned<String>],
}

macro_rules! raw_signs {
    ($r:expr) => {
        RawSigns {
            links: &$r.links,
            phrases: &$r.phrases,
            hosts: &$r.hosts,
            hosts_in_scope: $r.hosts_in_scope,
            skip_paths: &$r.skip_paths,
            unless: &$r.unless,
            refuted: &$r.refuted,
        }
    };
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    id: Spanned<String>,
    name: String,
    #[serde(default)]
    per_office: bool,
    #[serde(default)]
    own_channel: bool,
    #[serde(default)]
    channel_pages: Vec<Spanned<String>>,
    #[serde(default)]
    links: Vec<Spanned<String>>,
    #[serde(default)]
    phrases: Vec<Spanned<String>>,
    #[serde(default)]
    hosts: Vec<Spanned<String>>,
    #[serde(default)]
    hosts_in_scope: bool,
    #[serde(default)]
    skip_paths: Vec<String>,
    #[serde(default)]
    unless: Vec<Spanned<String>>,
    #[serde(default)]
    refuted: Vec<Spanned<String>>,
    #[serde(default)]
    parameter: Vec<RawParameter>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameter {
    id: Spanned<String>,
    name: String,
    counted: Counted,
    #[serde(default)]
    terms: Vec<Spanned<String>>,
    #[serde(default)]
    links: Vec<Spanned<String>>,
    #[serde(default)]
    phrases: Vec<Spanned<String>>,
    #[serde(default)]
    hosts: Vec<Spanned<String>>,
    #[serde(default)]
    hosts_in_scope: bool,
    #[serde(default)]
    skip_paths: Vec<String>,
    #[serde(default)]
    unless: Vec<Spanned<String>>,
    #[serde(default)]
    refuted: Vec<Spanned<String>>,
}

fn signs(src: &Source, raw: RawSigns, problems: &mut Vec<Problem>) -> Signs {
    let mut hosts = Vec::new();
    for h in raw.hosts {
        match HostPattern::parse(h.get_ref()) {
            Ok(p) => hosts.push(p),
            Err(e) => problems.push(src.problem(h.span().start, e)),
        }
    }
    Signs {
        links: crate::catalogue::phrases(src, raw.links, problems),
        phrases: crate::catalogue::phrases(src, raw.phrases, problems),
        hosts,
        hosts_in_scope: raw.hosts_in_scope,
        skip_paths: raw.skip_paths.to_vec(),
        unless: crate::catalogue::phrases(src, raw.unless, problems),
        refuted: crate::catalogue::phrases(src, raw.refuted, problems),
    }
}

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Parse and validate `verwaltung.toml`: ids are lowercase and unique,
/// every parameter can be found (an office by its terms, any other by its
/// own signs), phrases and hosts are well formed.
pub fn parse(src: &Source) -> Result<Verwaltung, LoadError> {
    let raw: RawFile = src.parse()?;
    let mut problems = Vec::new();
    crate::catalogue::check_schema(src, &raw.schema, &mut problems);
    let negation = crate::catalogue::phrases(src, &raw.negation.phrases, &mut problems);
    let mut ids = HashSet::new();
    let mut indicators = Vec::new();
    for ri in &raw.indicator {
        let id = ri.id.get_ref().clone();
        let at = ri.id.span().start;
        if !valid_id(&id) || !ids.insert(id.clone()) {
            problems.push(src.problem(
                at,
                format!("indicator id {id:?}: lowercase letters, digits, '-', and unique"),
            ));
        }
        let isigns = signs(src, raw_signs!(ri), &mut problems);
        if ri.per_office && isigns.is_empty() {
            problems.push(src.problem(
                at,
                format!(
                    "indicator {id}: per_office needs links, phrases or hosts that find a booking"
                ),
            ));
        }
        if ri.parameter.is_empty() {
            problems.push(src.problem(at, format!("indicator {id}: no [[indicator.parameter]]")));
        }
        let mut pids = HashSet::new();
        let mut parameters = Vec::new();
        for rp in &ri.parameter {
            let pid = rp.id.get_ref().clone();
            let pat = rp.id.span().start;
            if !valid_id(&pid) || !pids.insert(pid.clone()) {
                problems.push(src.problem(
                    pat,
                    format!(
                        "parameter id {pid:?} of {id}: lowercase letters, digits, '-', and unique"
                    ),
                ));
            }
            let terms = crate::catalogue::phrases(src, &rp.terms, &mut problems);
            let psigns = signs(src, raw_signs!(rp), &mut problems);
            if ri.per_office && terms.0.is_empty() {
                problems
                    .push(src.problem(pat, format!("office {id}/{pid}: needs terms that name it")));
            }
            if !ri.per_office && psigns.is_empty() {
                problems.push(src.problem(
                    pat,
                    format!("parameter {id}/{pid}: needs links, phrases or hosts that show it"),
                ));
            }
            parameters.push(Parameter {
                id: pid,
                name: rp.name.clone(),
                counted: rp.counted,
                terms,
                signs: psigns,
            });
        }
        indicators.push(Indicator {
            id,
            name: ri.name.clone(),
            per_office: ri.per_office,
            own_channel: ri.own_channel,
            channel_pages: crate::catalogue::phrases(src, &ri.channel_pages, &mut problems),
            signs: isigns,
            parameters,
        });
    }
    if problems.is_empty() {
        let mut v = Verwaltung {
            indicators,
            negation,
            city_name_ignore: raw
                .city_name_ignore
                .iter()
                .map(|w| crate::text::fold(w))
                .collect(),
            links: LinkIndex::default(),
        };
        v.index_links();
        Ok(v)
    } else {
        Err(LoadError::Invalid(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Verwaltung, LoadError> {
        parse(&Source {
            name: "v.toml".into(),
            text,
        })
    }

    #[test]
    fn host_patterns() {
        let first = HostPattern::parse("termine.*").unwrap();
        assert!(first.matches("termine.hagen.de"));
        assert!(!first.matches("www.termine.de.example") || first.matches("termine.x.de"));
        assert!(!first.matches("termine"));
        assert!(!first.matches("www.hagen.de"));
        let dom = HostPattern::parse("*.instagram.com").unwrap();
        assert!(dom.matches("instagram.com") && dom.matches("www.instagram.com"));
        assert!(!dom.matches("notinstagram.com"));
        assert!(HostPattern::parse("*").is_err());
        assert!(HostPattern::parse("a b.de").is_err());
    }

    #[test]
    fn the_shipped_file_loads_and_bad_files_say_where() {
        let v = load(include_str!("../../catalogues/verwaltung.toml")).unwrap();
        let ids: Vec<&str> = v.indicators.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "online-terminvergabe",
                "payment",
                "serviceportal",
                "webseite-social-media"
            ]
        );
        let bad = "schema = 1\n[[indicator]]\nid = \"x\"\nname = \"X\"\nper_office = true\nlinks = [\"termin\"]\n\
                   [[indicator.parameter]]\nid = \"amt\"\nname = \"Amt\"\ncounted = \"known\"\n";
        let Err(LoadError::Invalid(p)) = load(bad) else {
            panic!("an office without terms must be refused")
        };
        assert_eq!(p[0].line, 8, "{p:?}");
        assert!(p[0].message.contains("needs terms"), "{p:?}");
        let bad_host = "schema = 1\n[[indicator]]\nid = \"x\"\nname = \"X\"\n\
                        [[indicator.parameter]]\nid = \"a\"\nname = \"A\"\ncounted = \"assumed\"\nhosts = [\"*\"]\n";
        assert!(matches!(load(bad_host), Err(LoadError::Invalid(p)) if p[0].line == 9));
    }
}
