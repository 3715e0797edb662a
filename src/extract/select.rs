//! The page rules' CSS selectors (main content, boilerplate, breadcrumb),
//! matched by a small engine of our own over the element stack.

use super::*;

/// A catalogue selector. Most are one compound of a tag, ids, classes and
/// attribute tests (`nav`, `#inhalt`, `.menu`, `[class*=cookie]`,
/// `nav[aria-label*=Brotkrümel]`): those are matched directly, which is much
/// cheaper than the general matcher; anything else goes through it.
pub(super) struct Sel {
    pub(super) fast: Option<Vec<Simple>>,
    pub(super) full: Selector,
}

/// A list of selectors indexed by what an element must have for each to
/// match (its tag, id or a class), so an element is tested only against
/// the few that can match it, as browsers do with their rule hashes.
pub(super) struct SelList {
    pub(super) sels: Vec<Sel>,
    by_tag: HashMap<String, Vec<usize>>,
    by_id: HashMap<String, Vec<usize>>,
    by_class: HashMap<String, Vec<usize>>,
    /// Attribute tests (`[role=main]`, `[class*=cookie]`) by attribute name.
    by_attr: HashMap<String, Vec<usize>>,
    /// General selectors, tried on every element.
    rest: Vec<usize>,
}

impl SelList {
    pub(super) fn new(sources: &[String]) -> Self {
        let mut l = SelList {
            sels: Vec::new(),
            by_tag: HashMap::default(),
            by_id: HashMap::default(),
            by_class: HashMap::default(),
            by_attr: HashMap::default(),
            rest: Vec::new(),
        };
        for sel in sources.iter().filter_map(|s| Sel::new(s)) {
            let i = l.sels.len();
            // Key on the rarest part: an id, else a class, else the tag,
            // else an attribute name (the first of each kind).
            let key = sel
                .fast
                .iter()
                .flatten()
                .map(|p| match p {
                    Simple::Id(v) => (0, v),
                    Simple::Class(v) => (1, v),
                    Simple::Tag(v) => (2, v),
                    Simple::Has(a) | Simple::Equals(a, _) | Simple::Contains(a, _) => (3, a),
                })
                .min_by_key(|(rank, _)| *rank);
            let map = key.map(|(rank, v)| {
                let m = match rank {
                    0 => &mut l.by_id,
                    1 => &mut l.by_class,
                    2 => &mut l.by_tag,
                    _ => &mut l.by_attr,
                };
                (m, v.clone())
            });
            match map {
                Some((m, key)) => m.entry(key).or_default().push(i),
                None => l.rest.push(i),
            }
            l.sels.push(sel);
        }
        l
    }

    pub(super) fn len(&self) -> usize {
        self.sels.len()
    }

    /// Indices of the selectors that match `e`, in no particular order.
    pub(super) fn matching(&self, e: &ElementRef, out: &mut Vec<usize>) {
        out.clear();
        let el = e.value();
        let mut consider = |ids: Option<&Vec<usize>>| {
            for &i in ids.into_iter().flatten() {
                if self.sels[i].matches(e) {
                    out.push(i);
                }
            }
        };
        consider(self.by_tag.get(el.name()));
        if let Some(id) = el.id() {
            consider(self.by_id.get(id));
        }
        if !self.by_class.is_empty() {
            for c in el.classes() {
                consider(self.by_class.get(c));
            }
        }
        if !self.by_attr.is_empty() {
            for (name, _) in el.attrs() {
                consider(self.by_attr.get(name));
            }
        }
        consider(Some(&self.rest));
        out.sort_unstable();
        out.dedup();
    }
}

/// One part of a simple compound selector.
pub(super) enum Simple {
    Tag(String),
    Id(String),
    Class(String),
    Has(String),
    Equals(String, String),
    Contains(String, String),
}

impl Sel {
    pub(super) fn new(s: &str) -> Option<Sel> {
        let full = Selector::parse(s).ok()?;
        Some(Sel {
            fast: simple_compound(s.trim()),
            full,
        })
    }

    pub(super) fn matches(&self, e: &ElementRef) -> bool {
        let Some(parts) = &self.fast else {
            return self.full.matches(e);
        };
        let el = e.value();
        parts.iter().all(|p| match p {
            Simple::Tag(t) => el.name() == t,
            Simple::Id(v) => el.id() == Some(v.as_str()),
            Simple::Class(v) => el.classes().any(|c| c == v),
            Simple::Has(a) => el.attr(a).is_some(),
            Simple::Equals(a, v) => el.attr(a) == Some(v.as_str()),
            Simple::Contains(a, v) => el
                .attr(a)
                .is_some_and(|x| !v.is_empty() && x.contains(v.as_str())),
        })
    }
}

/// Parse `tag#id.class[attr][attr=v][attr*=v]`, or `None` for anything
/// else (combinators, pseudo-classes, other operators, attributes whose
/// values HTML compares case-insensitively).
pub(super) fn simple_compound(s: &str) -> Option<Vec<Simple>> {
    const CASE_FREE_ATTRS: [&str; 6] = ["type", "lang", "dir", "align", "http-equiv", "charset"];
    let ident_end = |t: &str| {
        t.find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(t.len())
    };
    let mut parts = Vec::new();
    let mut rest = s;
    let tag_len = ident_end(rest);
    if tag_len > 0 {
        parts.push(Simple::Tag(rest[..tag_len].to_ascii_lowercase()));
        rest = &rest[tag_len..];
    }
    while let Some(c) = rest.chars().next() {
        match c {
            '#' | '.' => {
                let n = ident_end(&rest[1..]);
                if n == 0 {
                    return None;
                }
                let v = rest[1..1 + n].to_string();
                parts.push(if c == '#' {
                    Simple::Id(v)
                } else {
                    Simple::Class(v)
                });
                rest = &rest[1 + n..];
            }
            '[' => {
                let close = rest.find(']')?;
                let inner = &rest[1..close];
                rest = &rest[close + 1..];
                let (name, op, value) = match inner.find(['=', '*', '^', '$', '~', '|']) {
                    None => (inner, "", ""),
                    Some(i) if inner[i..].starts_with("*=") => (&inner[..i], "*=", &inner[i + 2..]),
                    Some(i) if inner[i..].starts_with('=') => (&inner[..i], "=", &inner[i + 1..]),
                    Some(_) => return None,
                };
                let name = name.trim().to_ascii_lowercase();
                if name.is_empty()
                    || ident_end(&name) != name.len()
                    || CASE_FREE_ATTRS.contains(&name.as_str())
                    || value.contains([' ', '\\'])
                {
                    return None;
                }
                let value = value.trim().trim_matches(['"', '\'']).to_string();
                parts.push(match op {
                    "" => Simple::Has(name),
                    "=" => Simple::Equals(name, value),
                    _ => Simple::Contains(name, value),
                });
            }
            _ => return None,
        }
    }
    (!parts.is_empty()).then_some(parts)
}
