//! From fetched bytes to a [`Page`]: decoded text, title and headings, the
//! main content with boilerplate removed, and every link, button, frame and
//! form with its place in the main text.
//!
//! Pure: no I/O, no network. The HTML tree is walked iteratively (never
//! recursively), so hostile nesting depth cannot overflow the stack, and
//! `scraper::Html` never leaves this module (it is not `Send`).

use crate::catalogue::PageRules;
use crate::text::squash_ws;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node, Selector};
// Keys here are node ids and catalogue selector parts, never strings a page
// chooses to collide, so the fast non-keyed hasher is safe.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::ops::Range;
use url::Url;

/// What kind of element points somewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    Anchor,
    /// A button or element with `onclick` / `data-href` navigation.
    Button,
    Iframe,
    Frame,
}

#[derive(Debug, Clone)]
pub struct Link {
    pub url: Url,
    pub text: String,
    pub kind: LinkKind,
    /// Byte range of the link's text inside [`Page::main_text`]; None when the
    /// link is outside the main content (navigation, footer, …).
    pub span: Option<Range<usize>>,
}

#[derive(Debug, Clone)]
pub struct Form {
    pub action: Url,
    pub method: String,
    /// Visible text, labels, placeholders and button values of the form.
    pub visible: String,
    /// `visible` and the fields' names.
    pub text: String,
    /// The form element's own id, class and name ("kontaktformular"):
    /// what the site calls it.
    pub label: String,
    pub has_file_upload: bool,
    /// A login form (password field): the entrance of a portal.
    pub has_password: bool,
    /// Inputs a person fills in (not hidden, not buttons).
    pub fields: usize,
    pub span: Range<usize>,
}

/// A parsed page.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub title: String,
    pub h1: Vec<String>,
    /// h2–h4 headings inside the main content.
    pub headings: Vec<String>,
    /// Where each of `headings` stands in `main_text`: a heading opens a
    /// section, and a page about several services has one per service.
    pub heading_spans: Vec<Range<usize>>,
    pub breadcrumb: String,
    /// Main content as text; blocks are separated by `\n`.
    pub main_text: String,
    /// Byte ranges of link texts inside `main_text`.
    pub link_spans: Vec<Range<usize>>,
    pub links: Vec<Link>,
    pub forms: Vec<Form>,
    /// Whether the main content came from a main-content selector (rather
    /// than the whole body minus boilerplate).
    pub main_found: bool,
    /// A document (PDF form) rather than an HTML page.
    pub document: bool,
}

const BLOCK: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "td",
    "th",
    "tr",
    "table",
    "br",
    "section",
    "article",
    "dd",
    "dt",
    "dl",
    "form",
    "fieldset",
    "blockquote",
    "pre",
    "address",
    "figure",
    "figcaption",
    "hr",
    "main",
    "details",
    "summary",
    "option",
    "label",
];

/// Decode bytes to text: BOM, then the HTTP charset, then `<meta charset>`,
/// then UTF-8 if the bytes are valid UTF-8, else a detected encoding (usually
/// windows-1252 on old German CMSs that declare nothing).
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> String {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc
            .decode_without_bom_handling(&bytes[bom_len..])
            .0
            .into_owned();
    }
    let from_header = content_type
        .and_then(charset_param)
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()));
    let from_meta = || {
        let head = &bytes[..bytes.len().min(4096)];
        let head = String::from_utf8_lossy(head).to_ascii_lowercase();
        let at = head.find("charset=")?;
        let rest = head[at + 8..].trim_start_matches(['"', '\'']);
        let label: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        encoding_rs::Encoding::for_label(label.as_bytes())
    };
    // A header that claims UTF-8 for bytes that are not (an old CMS behind a
    // server configured for UTF-8) is wrong: the page's own declaration or
    // detection decide instead, or every umlaut would be lost.
    let from_header =
        from_header.filter(|e| *e != encoding_rs::UTF_8 || std::str::from_utf8(bytes).is_ok());
    let enc = from_header.or_else(from_meta);
    match enc {
        Some(e) => e.decode_without_bom_handling(bytes).0.into_owned(),
        None => match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) => {
                // Undeclared and not UTF-8: let chardetng guess, hinted
                // that the page is German (.de), which it resolves to
                // windows-1252 for Latin-1 umlauts.
                let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
                det.feed(bytes, true);
                det.guess(Some(b"de"), chardetng::Utf8Detection::Deny)
                    .decode_without_bom_handling(bytes)
                    .0
                    .into_owned()
            }
        },
    }
}

fn charset_param(ct: &str) -> Option<String> {
    ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("charset"))
            .then(|| v.trim().trim_matches(['"', '\'']).to_ascii_lowercase())
    })
}

/// Compiled selectors of the catalogue's page rules.
pub struct Extractor {
    main: SelList,
    boilerplate: SelList,
    breadcrumb: SelList,
    buttons: Selector,
    onclick_url: regex::Regex,
}

/// A catalogue selector. Most are one compound of a tag, ids, classes and
/// attribute tests (`nav`, `#inhalt`, `.menu`, `[class*=cookie]`,
/// `nav[aria-label*=Brotkrümel]`): those are matched directly, which is much
/// cheaper than the general matcher; anything else goes through it.
struct Sel {
    fast: Option<Vec<Simple>>,
    full: Selector,
}

/// A list of selectors indexed by what an element must have for each to
/// match (its tag, id or a class), so an element is tested only against
/// the few that can match it, as browsers do with their rule hashes.
struct SelList {
    sels: Vec<Sel>,
    by_tag: HashMap<String, Vec<usize>>,
    by_id: HashMap<String, Vec<usize>>,
    by_class: HashMap<String, Vec<usize>>,
    /// Attribute tests (`[role=main]`, `[class*=cookie]`) by attribute name.
    by_attr: HashMap<String, Vec<usize>>,
    /// General selectors, tried on every element.
    rest: Vec<usize>,
}

impl SelList {
    fn new(sources: &[String]) -> Self {
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

    fn len(&self) -> usize {
        self.sels.len()
    }

    /// Indices of the selectors that match `e`, in no particular order.
    fn matching(&self, e: &ElementRef, out: &mut Vec<usize>) {
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
enum Simple {
    Tag(String),
    Id(String),
    Class(String),
    Has(String),
    Equals(String, String),
    Contains(String, String),
}

impl Sel {
    fn new(s: &str) -> Option<Sel> {
        let full = Selector::parse(s).ok()?;
        Some(Sel {
            fast: simple_compound(s.trim()),
            full,
        })
    }

    fn matches(&self, e: &ElementRef) -> bool {
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
fn simple_compound(s: &str) -> Option<Vec<Simple>> {
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

impl Extractor {
    pub fn new(rules: &PageRules) -> Self {
        // Catalogue selectors were validated on load; fixed ones are literals.
        let compile = |v: &[String]| SelList::new(v);
        // Literal selectors and regexes: not input-dependent, so a failure is
        // a programming error caught by the unit tests.
        let fixed = |s: &str| Selector::parse(s).expect("literal selector parses");
        Extractor {
            main: compile(&rules.main),
            boilerplate: compile(&rules.boilerplate),
            breadcrumb: compile(&rules.breadcrumb),
            buttons: fixed("[onclick], [data-href], [data-url], [data-link]"),
            onclick_url: regex::Regex::new(r#"['"]((?:https?://|/|\./|\.\./)[^'"\s]+|[\w\-./]+\.(?:html?|php|aspx?|jsp)(?:\?[^'"\s]*)?)['"]"#)
                .expect("literal regex compiles"),
        }
    }

    /// Parse an HTML document fetched from `url`.
    pub fn page(&self, html: &str, url: &Url) -> Page {
        let doc = Html::parse_document(cut_at_depth(html, MAX_DEPTH));
        // One pass over the elements collects what every rule needs; the
        // catalogue's selectors are tested per element (most are a tag, id,
        // class or attribute and take the fast path).
        let mut base_href = None;
        let mut title_el = None;
        let mut h1s = Vec::new();
        let mut boiler_hits = Vec::new();
        let mut crumb_first: Vec<Option<ElementRef>> = vec![None; self.breadcrumb.len()];
        let mut main_hits: Vec<Vec<ElementRef>> = vec![Vec::new(); self.main.len()];
        let mut anchors = Vec::new();
        let mut frames = Vec::new();
        let mut metas = Vec::new();
        let mut hits = Vec::new();
        for node in doc.root_element().descendants() {
            let Some(e) = ElementRef::wrap(node) else {
                continue;
            };
            let el = e.value();
            match el.name() {
                "base" if base_href.is_none() => base_href = el.attr("href"),
                "title" if title_el.is_none() => title_el = Some(e),
                "h1" => h1s.push(e),
                "a" | "area" if el.attr("href").is_some() => anchors.push(e),
                "iframe" | "frame" if el.attr("src").is_some() => frames.push(e),
                "meta" if el.attr("http-equiv").is_some() => metas.push(e),
                _ => {}
            }
            self.boilerplate.matching(&e, &mut hits);
            if !hits.is_empty() {
                boiler_hits.push(e.id());
            }
            self.breadcrumb.matching(&e, &mut hits);
            for &i in &hits {
                if crumb_first[i].is_none() {
                    crumb_first[i] = Some(e);
                }
            }
            self.main.matching(&e, &mut hits);
            for &i in &hits {
                main_hits[i].push(e);
            }
        }
        let base = base_href
            .and_then(|h| url.join(h.trim()).ok())
            .unwrap_or_else(|| url.clone());

        let title = title_el
            .map(|t| squash_ws(&t.text().collect::<String>()))
            .unwrap_or_default();

        // Boilerplate nodes, except those that hold the page's h1 (many
        // sites put the h1 inside a <header> of the article).
        let mut h1_ancestors = HashSet::default();
        for h in h1s.iter().take(8) {
            for a in h.ancestors() {
                h1_ancestors.insert(a.id());
            }
        }
        let boiler: HashSet<_> = boiler_hits
            .into_iter()
            .filter(|id| !h1_ancestors.contains(id))
            .collect();
        // Every node inside boilerplate, computed once (linear in the page).
        let mut inside_boiler = HashSet::default();
        for id in &boiler {
            if inside_boiler.contains(id) {
                continue;
            }
            if let Some(node) = doc.tree.get(*id) {
                inside_boiler.extend(node.descendants().map(|d| d.id()));
            }
        }
        let in_boiler = |e: &ElementRef| -> bool { inside_boiler.contains(&e.id()) };

        let h1 = h1s
            .iter()
            .filter(|e| !in_boiler(e) || h1_ancestors.contains(&e.id()))
            .map(|e| squash_ws(&e.text().collect::<String>()))
            .filter(|t| !t.is_empty())
            .collect();

        let breadcrumb = crumb_first
            .iter()
            .find_map(|e| *e)
            .map(|e| squash_ws(&e.text().collect::<String>()))
            .unwrap_or_default();

        // Main content: the first main selector whose element has text.
        let main = main_hits.iter().find_map(|hits| {
            hits.iter()
                .find(|e| !in_boiler(e) && e.text().any(|t| !t.trim().is_empty()))
                .copied()
        });
        let main_found = main.is_some();
        let root = main.or_else(|| {
            doc.root_element()
                .child_elements()
                .find(|e| e.value().name() == "body")
        });

        let mut page = Page {
            title,
            h1,
            breadcrumb,
            main_found,
            ..Page::default()
        };
        let mut main_ids = HashSet::default();
        if let Some(root) = root {
            self.walk_main(root, &boiler, &base, &mut page, &mut main_ids);
        }

        // Every other link of the document, for crawling only.
        let mut seen_nodes: HashSet<_> = main_ids;
        for e in anchors.into_iter().chain(frames) {
            if seen_nodes.insert(e.id()) {
                let attr = if matches!(e.value().name(), "iframe" | "frame") {
                    "src"
                } else {
                    "href"
                };
                if let Some(u) = e.attr(attr).and_then(|h| resolve(&base, h)) {
                    let kind = match e.value().name() {
                        "iframe" => LinkKind::Iframe,
                        "frame" => LinkKind::Frame,
                        _ => LinkKind::Anchor,
                    };
                    page.links.push(Link {
                        url: u,
                        text: squash_ws(&e.text().collect::<String>()),
                        kind,
                        span: None,
                    });
                }
            }
        }
        // <meta http-equiv="refresh" content="0; url=…">: old sites redirect so.
        for m in metas {
            let is_refresh = m
                .attr("http-equiv")
                .is_some_and(|v| v.eq_ignore_ascii_case("refresh"));
            if let Some(target) = m
                .attr("content")
                .filter(|_| is_refresh)
                .and_then(|c| {
                    let lc = c.to_ascii_lowercase();
                    lc.find("url=")
                        .map(|i| c[i + 4..].trim().trim_matches(['"', '\'']).to_string())
                })
                .and_then(|t| resolve(&base, &t))
            {
                page.links.push(Link {
                    url: target,
                    text: String::new(),
                    kind: LinkKind::Anchor,
                    span: None,
                });
            }
        }
        page
    }

    fn walk_main(
        &self,
        root: ElementRef,
        boiler: &HashSet<ego_tree::NodeId>,
        base: &Url,
        page: &mut Page,
        main_ids: &mut HashSet<ego_tree::NodeId>,
    ) {
        let button_ids: HashSet<_> = root.select(&self.buttons).map(|e| e.id()).collect();
        let mut skip: Option<ego_tree::NodeId> = None;
        // Open links/forms: (node id, start offset in main_text).
        let mut open_links: Vec<(ego_tree::NodeId, usize)> = Vec::new();
        let mut open_forms: Vec<(ego_tree::NodeId, usize, FormAcc)> = Vec::new();
        let mut open_heads: Vec<(ego_tree::NodeId, usize)> = Vec::new();
        let mut text = String::new();

        for edge in root.traverse() {
            match edge {
                Edge::Open(node) => {
                    if skip.is_some() {
                        continue;
                    }
                    match node.value() {
                        Node::Text(t) => {
                            let s: &str = t;
                            if !s.trim().is_empty() {
                                if needs_space(&text, s) {
                                    text.push(' ');
                                }
                                text.push_str(&squash_ws(s));
                                if s.ends_with(char::is_whitespace) {
                                    text.push(' ');
                                }
                            }
                        }
                        Node::Element(el) => {
                            if boiler.contains(&node.id()) && node.id() != root.id() {
                                skip = Some(node.id());
                                continue;
                            }
                            let name = el.name();
                            if BLOCK.contains(&name) {
                                newline(&mut text);
                            }
                            if matches!(name, "script" | "style" | "noscript" | "template") {
                                skip = Some(node.id());
                                continue;
                            }
                            let Some(er) = ElementRef::wrap(node) else {
                                continue;
                            };
                            if name == "a" || name == "area" || button_ids.contains(&node.id()) {
                                open_links.push((node.id(), text.len()));
                            }
                            if matches!(name, "iframe" | "frame") {
                                if let Some(u) = er.attr("src").and_then(|h| resolve(base, h)) {
                                    main_ids.insert(node.id());
                                    let label = er
                                        .attr("title")
                                        .or_else(|| er.attr("name"))
                                        .unwrap_or_default()
                                        .to_string();
                                    let start = text.len();
                                    if !label.is_empty() {
                                        text.push_str(&label);
                                        text.push(' ');
                                    }
                                    page.links.push(Link {
                                        url: u,
                                        text: label,
                                        kind: if name == "iframe" {
                                            LinkKind::Iframe
                                        } else {
                                            LinkKind::Frame
                                        },
                                        span: Some(start..text.len()),
                                    });
                                }
                            }
                            if name == "form" {
                                open_forms.push((node.id(), text.len(), FormAcc::default()));
                            }
                            if matches!(name, "h2" | "h3" | "h4") {
                                open_heads.push((node.id(), text.len()));
                            }
                            if let Some((_, _, acc)) = open_forms.last_mut() {
                                acc.see(&er, &mut text);
                            }
                        }
                        _ => {}
                    }
                }
                Edge::Close(node) => {
                    if let Some(s) = skip {
                        if s == node.id() {
                            skip = None;
                        }
                        continue;
                    }
                    let Some(er) = ElementRef::wrap(node) else {
                        continue;
                    };
                    let name = er.value().name();
                    if open_links.last().map(|(id, _)| *id) == Some(node.id()) {
                        if let Some((_, start)) = open_links.pop() {
                            self.close_link(er, start, base, &mut text, page, main_ids);
                        }
                    }
                    if name == "form" && open_forms.last().map(|(id, _, _)| *id) == Some(node.id())
                    {
                        if let Some((_, start, acc)) = open_forms.pop() {
                            page.forms.push(acc.finish(er, base, &text, start));
                        }
                    }
                    if BLOCK.contains(&name) {
                        newline(&mut text);
                    }
                    if open_heads.last().map(|(id, _)| *id) == Some(node.id()) {
                        if let Some((_, start)) = open_heads.pop() {
                            let h = squash_ws(text.get(start..).unwrap_or_default());
                            if !h.is_empty() {
                                page.headings.push(h);
                                page.heading_spans.push(start..text.len());
                            }
                        }
                    }
                }
            }
        }
        page.main_text = text;
    }

    fn close_link(
        &self,
        er: ElementRef,
        start: usize,
        base: &Url,
        text: &mut String,
        page: &mut Page,
        main_ids: &mut HashSet<ego_tree::NodeId>,
    ) {
        let name = er.value().name();
        let mut target = if name == "a" || name == "area" {
            er.attr("href").and_then(|h| resolve(base, h))
        } else {
            None
        };
        let mut kind = LinkKind::Anchor;
        if target.is_none() {
            target = ["data-href", "data-url", "data-link"]
                .iter()
                .find_map(|a| er.attr(a))
                .and_then(|h| resolve(base, h))
                .or_else(|| {
                    er.attr("onclick")
                        .and_then(|js| self.onclick_url.captures(js))
                        .and_then(|c| c.get(1))
                        .and_then(|m| resolve(base, m.as_str()))
                });
            kind = LinkKind::Button;
        }
        let end = text.len();
        let mut label = squash_ws(text.get(start..end).unwrap_or_default());
        if label.is_empty() {
            // Image links and icon buttons: their alt/title/aria-label speaks.
            label = er
                .attr("aria-label")
                .or_else(|| er.attr("title"))
                .or_else(|| er.attr("value"))
                .map(squash_ws)
                .unwrap_or_default();
            if !label.is_empty() {
                text.push_str(&label);
                text.push(' ');
            }
        }
        let span = start..text.len();
        if let Some(url) = target {
            main_ids.insert(er.id());
            page.link_spans.push(span.clone());
            page.links.push(Link {
                url,
                text: label,
                kind,
                span: Some(span),
            });
        }
    }
}

#[derive(Default)]
struct FormAcc {
    file: bool,
    password: bool,
    fields: usize,
    /// Placeholders and aria labels: visible words outside the text.
    extra: String,
    /// Field names: the programmer's words ("kontakt" for an applicant's
    /// contact details), kept apart from what a person reads.
    names: String,
}

impl FormAcc {
    /// The form whose element `er` just closed; its text began at `start`.
    fn finish(self, er: ElementRef, base: &Url, text: &str, start: usize) -> Form {
        let action = er
            .attr("action")
            .filter(|a| !a.trim().is_empty())
            .and_then(|a| resolve(base, a))
            .unwrap_or_else(|| base.clone());
        let inner = text.get(start..).unwrap_or_default();
        Form {
            action,
            method: er.attr("method").unwrap_or("get").to_ascii_lowercase(),
            visible: squash_ws(&format!("{inner} {}", self.extra)),
            text: squash_ws(&format!("{inner} {} {}", self.extra, self.names)),
            label: ["id", "class", "name"]
                .iter()
                .filter_map(|a| er.attr(a))
                .collect::<Vec<_>>()
                .join(" "),
            has_file_upload: self.file,
            has_password: self.password,
            fields: self.fields,
            span: start..text.len(),
        }
    }

    fn see(&mut self, er: &ElementRef, text: &mut String) {
        let el = er.value();
        match el.name() {
            "input" => {
                let ty = el.attr("type").unwrap_or("text").to_ascii_lowercase();
                match ty.as_str() {
                    "file" => {
                        self.file = true;
                        self.fields += 1;
                    }
                    "hidden" => {}
                    "password" => {
                        self.password = true;
                        self.fields += 1;
                    }
                    "submit" | "button" | "image" | "reset" => {
                        if let Some(v) = el.attr("value").or_else(|| el.attr("alt")) {
                            // Submit labels are visible text: keep them in the
                            // main text so sentences and spans see them.
                            text.push(' ');
                            text.push_str(&squash_ws(v));
                            text.push(' ');
                        }
                    }
                    _ => {
                        self.fields += 1;
                        for a in ["placeholder", "aria-label"] {
                            if let Some(v) = el.attr(a) {
                                self.extra.push(' ');
                                self.extra.push_str(v);
                            }
                        }
                        if let Some(v) = el.attr("name") {
                            self.names.push(' ');
                            self.names.push_str(v);
                        }
                    }
                }
            }
            "textarea" | "select" => {
                self.fields += 1;
                if let Some(v) = el.attr("name") {
                    self.names.push(' ');
                    self.names.push_str(v);
                }
            }
            _ => {}
        }
    }
}

/// Deepest element nesting we parse. html5ever's tree builder checks the
/// stack of open elements for many tags, which is quadratic in the nesting
/// depth; real pages stay far below this.
const MAX_DEPTH: usize = 512;

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Cut the document where its tag nesting first exceeds `max` (a cheap,
/// approximate scan of start and end tags; comments and script bodies are
/// skipped). Returns the whole document when it stays shallower.
fn cut_at_depth(html: &str, max: usize) -> &str {
    let b = html.as_bytes();
    let mut depth: usize = 0;
    let mut i = 0;
    while let Some(off) = b.get(i..).and_then(|r| r.iter().position(|&c| c == b'<')) {
        let at = i + off;
        let rest = &b[at + 1..];
        if rest.starts_with(b"!--") {
            i = match html[at..].find("-->") {
                Some(e) => at + e + 3,
                None => return html,
            };
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = if closing { 1 } else { 0 };
        // The tag name, compared in place (this runs for every tag).
        let after = rest.get(name_start..).unwrap_or_default();
        let name = &after[..after
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count()];
        let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        let tag_end = rest.iter().position(|&c| c == b'>').map(|p| at + 1 + p);
        if name.is_empty() {
            i = at + 1;
            continue;
        }
        let self_closing = tag_end.is_some_and(|e| e > 0 && b[e - 1] == b'/');
        if closing {
            depth = depth.saturating_sub(1);
        } else if !VOID.iter().any(|v| is(v)) && !self_closing {
            depth += 1;
            if depth > max {
                return &html[..at];
            }
            let close: Option<&[u8]> = if is("script") {
                Some(b"</script")
            } else if is("style") {
                Some(b"</style")
            } else {
                None
            };
            if let Some(close) = close {
                match find_ascii_ci(&b[at..], close) {
                    Some(e) => {
                        i = at + e;
                        continue;
                    }
                    // Unclosed: the parser reads the rest as the script's
                    // text, so no tag nests deeper (and searching again at
                    // every later tag would be quadratic).
                    None => return html,
                }
            }
        }
        i = tag_end.map(|e| e + 1).unwrap_or(b.len());
    }
    html
}

fn find_ascii_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn newline(text: &mut String) {
    while text.ends_with(' ') {
        text.pop();
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
}

fn needs_space(text: &str, next: &str) -> bool {
    !text.is_empty()
        && !text.ends_with(char::is_whitespace)
        && next.starts_with(char::is_whitespace)
}

/// Turn stored bytes into a [`Page`]: HTML is parsed, PDFs (only when
/// `read_pdf`) have their text extracted; anything else is not a page.
/// Used alike by the crawler and by `explain`, so both see the same page.
pub fn read_page(
    ex: &Extractor,
    url: &Url,
    bytes: &[u8],
    content_type: Option<&str>,
    read_pdf: bool,
) -> Result<Option<Page>, String> {
    let is_pdf = bytes.starts_with(b"%PDF")
        || content_type.is_some_and(|c| c.to_ascii_lowercase().contains("pdf"));
    if is_pdf {
        if !read_pdf {
            return Ok(None);
        }
        return pdf_text(bytes, std::time::Duration::from_secs(10))
            .map(|t| Some(document_page(&t)));
    }
    let html = match content_type.map(|c| c.to_ascii_lowercase()) {
        Some(ct) => ct.contains("html"),
        None => {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
            head.contains("<html") || head.contains("<!doctype html")
        }
    };
    if !html {
        return Ok(None);
    }
    Ok(Some(ex.page(&decode(bytes, content_type), url)))
}

/// Largest PDF whose text we extract.
pub const MAX_PDF_BYTES: usize = 8 * 1024 * 1024;
/// Longest text kept from a PDF.
const MAX_PDF_TEXT: usize = 200 * 1024;

/// PDF threads that overran their time limit and still run.
static PDF_OVERRUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Text of a PDF, extracted in isolation: `pdf-extract` can panic or take
/// minutes on odd files, so it runs on its own thread under `catch_unwind`
/// with a time limit. A thread that overruns is abandoned (it cannot be
/// killed); while two such threads still run, further PDFs are skipped.
/// PDFs read at the same time within their limit never count as overrun:
/// whether a PDF is read must not depend on what else the crawl is doing.
pub fn pdf_text(bytes: &[u8], limit: std::time::Duration) -> Result<String, String> {
    use std::sync::atomic::Ordering;
    use std::sync::{Arc, Mutex};
    if bytes.len() > MAX_PDF_BYTES {
        return Err(format!("PDF larger than {MAX_PDF_BYTES} bytes"));
    }
    if !bytes.starts_with(b"%PDF") {
        return Err("not a PDF".into());
    }
    if PDF_OVERRUN.load(Ordering::SeqCst) >= 2 {
        return Err("PDF extraction busy with earlier files that overran".into());
    }
    let data = bytes.to_vec();
    let (tx, rx) = std::sync::mpsc::channel();
    // Whether the caller gave up waiting; the thread's end and the caller's
    // giving up are decided under one lock, so the count stays exact.
    let abandoned = Arc::new(Mutex::new(Some(false)));
    let thread_state = abandoned.clone();
    let spawned = std::thread::Builder::new()
        .name("pdf-text".into())
        .spawn(move || {
            let r = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(&data));
            let mut state = thread_state.lock().unwrap_or_else(|p| p.into_inner());
            if *state == Some(true) {
                PDF_OVERRUN.fetch_sub(1, Ordering::SeqCst);
            }
            *state = None;
            let _ = tx.send(r);
        });
    if let Err(e) = spawned {
        return Err(format!("cannot start PDF thread: {e}"));
    }
    let got = rx.recv_timeout(limit).or_else(|_| {
        let mut state = abandoned.lock().unwrap_or_else(|p| p.into_inner());
        match *state {
            // Finished just now: its result is in the channel.
            None => rx.try_recv().map_err(|_| ()),
            _ => {
                *state = Some(true);
                PDF_OVERRUN.fetch_add(1, Ordering::SeqCst);
                Err(())
            }
        }
    });
    match got {
        Ok(Ok(Ok(mut text))) => {
            if text.len() > MAX_PDF_TEXT {
                let mut cut = MAX_PDF_TEXT;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
            }
            Ok(text)
        }
        Ok(Ok(Err(e))) => Err(format!("PDF: {e}")),
        Ok(Err(_)) => Err("PDF extraction panicked".into()),
        Err(()) => Err(format!("PDF extraction took longer than {limit:?}")),
    }
}

/// A PDF's text as a [`Page`]: the first line stands for its title.
pub fn document_page(text: &str) -> Page {
    let title = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(squash_ws)
        .unwrap_or_default();
    let main_text: String = text
        .lines()
        .map(squash_ws)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    Page {
        h1: text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .take(3)
            .map(squash_ws)
            .collect(),
        title,
        main_text,
        main_found: true,
        document: true,
        ..Page::default()
    }
}

/// Documents (application forms) that are fetched as evidence, never crawled.
pub fn is_document(u: &Url) -> bool {
    with_extension(u, |e| {
        matches!(
            e,
            b"pdf" | b"doc" | b"docx" | b"odt" | b"rtf" | b"xls" | b"xlsx" | b"ods"
        )
    })
}

/// Asks `is` about the lowercased file ending of the URL path's last
/// segment (endings over five bytes are none we know). Called for every
/// link of every page, so it neither allocates nor scans a list.
pub fn with_extension(u: &Url, is: impl Fn(&[u8]) -> bool) -> bool {
    let path = u.path().as_bytes();
    // The last '.' or '/' from the end: a '.' starts the ending.
    let ext = match path.iter().rposition(|&b| b == b'.' || b == b'/') {
        Some(i) if path.get(i) == Some(&b'.') => path.get(i + 1..).unwrap_or_default(),
        _ => return false,
    };
    let mut buf = [0u8; 5];
    match buf.get_mut(..ext.len()) {
        Some(b) => {
            b.copy_from_slice(ext);
            b.make_ascii_lowercase();
            is(b)
        }
        None => false,
    }
}

/// Resolve an href against the base; only http(s) targets, without fragment.
pub fn resolve(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let lower = href.get(..11).unwrap_or(href).to_ascii_lowercase();
    if lower.starts_with("javascript:")
        || lower.starts_with("mailto:")
        || lower.starts_with("tel:")
        || lower.starts_with("data:")
    {
        return None;
    }
    // Every page repeats its menu's links, so joins are memoised where the
    // result depends on little of the base: a root-relative link on the
    // base's origin, an absolute one on nothing. Per thread and bounded;
    // std's keyed hasher, since hrefs are the page's choice.
    let context = if href.starts_with('/') && !href.starts_with("//") {
        Some(&base[..url::Position::BeforePath])
    } else if lower.starts_with("http:") || lower.starts_with("https:") {
        Some("")
    } else {
        None
    };
    let Some(context) = context else {
        return join(base, href);
    };
    // Context and href together spell the absolute URL that is joined.
    let mut key = String::with_capacity(context.len() + href.len());
    key.push_str(context);
    key.push_str(href);
    JOINED.with(|memo| {
        let mut memo = memo.borrow_mut();
        if let Some(hit) = memo.get(&key) {
            return hit.clone();
        }
        let u = join(base, href);
        if memo.len() >= JOIN_MEMO {
            memo.clear();
        }
        memo.insert(key, u.clone());
        u
    })
}

const JOIN_MEMO: usize = 2048;

thread_local! {
    static JOINED: std::cell::RefCell<std::collections::HashMap<String, Option<Url>>> =
        std::cell::RefCell::default();
}

fn join(base: &Url, href: &str) -> Option<Url> {
    let mut u = base.join(href).ok()?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return None;
    }
    u.set_fragment(None);
    Some(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extractor() -> Extractor {
        match crate::catalogue::Catalogue::embedded() {
            Ok(c) => Extractor::new(&c.page),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn fast_selectors_agree_with_the_general_matcher() {
        let cat = crate::catalogue::Catalogue::embedded().unwrap_or_else(|e| panic!("{e}"));
        let mut sources: Vec<String> = cat.page.main.clone();
        sources.extend(cat.page.boilerplate.iter().cloned());
        sources.extend(cat.page.breadcrumb.iter().cloned());
        sources.extend(
            [
                "div.a.b",
                "NAV",
                "[data-x]",
                "[role=main]",
                "p[class*=\"co\"]",
                "div > p",
                "a:hover",
                "[lang=de]",
                "[class~=x]",
                "li:first-child",
                "#Main",
            ]
            .map(String::from),
        );
        let html = r#"<html><body><header class="Header header">h</header>
            <nav aria-label="Brotkrümelnavigation" class="nav menu">n</nav>
            <div id="main" class="a b" role="main" data-x="1"><p class="cookie-note co">c</p>
            <p lang="DE" class="x y">t</p><ul><li>1</li><li>2</li></ul></div>
            <div id="Main" hidden aria-hidden="true" class="teaser content">x</div>
            <aside id="sidebar" itemtype="https://schema.org/BreadcrumbList">s</aside>
            <footer id="footer" class="footer">f</footer></body></html>"#;
        let doc = Html::parse_document(html);
        let mut fast_used = 0;
        for src in &sources {
            let Some(sel) = Sel::new(src) else { continue };
            fast_used += usize::from(sel.fast.is_some());
            for node in doc.root_element().descendants() {
                let Some(e) = ElementRef::wrap(node) else {
                    continue;
                };
                assert_eq!(
                    sel.matches(&e),
                    sel.full.matches(&e),
                    "{src} on <{}>",
                    e.value().name()
                );
            }
        }
        // The catalogue's selectors are simple enough to take the fast path.
        assert!(fast_used >= cat.page.boilerplate.len(), "{fast_used}");
        // The index finds exactly the selectors that match.
        let list = SelList::new(&sources);
        let mut hits = Vec::new();
        for node in doc.root_element().descendants() {
            let Some(e) = ElementRef::wrap(node) else {
                continue;
            };
            list.matching(&e, &mut hits);
            let want: Vec<usize> = (0..list.len())
                .filter(|&i| list.sels[i].full.matches(&e))
                .collect();
            assert_eq!(hits, want, "<{}>", e.value().name());
        }
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn main_content_excludes_navigation_and_footer() {
        let html = r#"<html><head><title>Elterngeld</title></head><body>
            <nav><a href="/kita">Kita</a></nav>
            <main><h1>Elterngeld</h1><p>Hier <a href="https://www.elterngeld-digital.de/">online beantragen</a>.</p>
            <div class="cookie-banner">Kita-Anmeldung</div></main>
            <footer>Bürgergeld</footer></body></html>"#;
        let p = extractor().page(html, &url("https://www.x.de/eg.html"));
        assert!(p.main_found);
        assert!(p.main_text.contains("online beantragen"));
        assert!(!p.main_text.contains("Kita"));
        assert!(!p.main_text.contains("Bürgergeld"));
        let main_links: Vec<_> = p.links.iter().filter(|l| l.span.is_some()).collect();
        assert_eq!(main_links.len(), 1);
        assert_eq!(main_links[0].text, "online beantragen");
        assert_eq!(p.links.len(), 2, "the nav link is kept for crawling");
    }

    #[test]
    fn buttons_forms_and_frames() {
        let html = r#"<body><div id="inhalt">
            <button onclick="window.location.href='https://portal.x.de/antrag'">Antrag starten</button>
            <form action="/senden" method="POST"><input name="vorname"><input type="file" name="nachweis"><input type="submit" value="Antrag absenden"></form>
            <iframe src="https://forms.vendor.de/f/123" title="Online-Formular"></iframe>
            </div></body>"#;
        let p = extractor().page(html, &url("https://www.x.de/a/b.html"));
        let b = p.links.iter().find(|l| l.kind == LinkKind::Button);
        assert_eq!(
            b.map(|l| l.url.as_str()),
            Some("https://portal.x.de/antrag")
        );
        assert_eq!(p.forms.len(), 1);
        assert!(p.forms[0].has_file_upload);
        assert_eq!(p.forms[0].action.as_str(), "https://www.x.de/senden");
        assert!(p.forms[0].text.contains("Antrag absenden"));
        assert!(p
            .links
            .iter()
            .any(|l| l.kind == LinkKind::Iframe && l.span.is_some()));
    }

    /// PDFs read at the same time are all read: only threads that overran
    /// their limit make later PDFs wait (a crawl reading three PDFs at once
    /// once lost the third one's evidence).
    #[test]
    fn pdfs_read_at_the_same_time_are_all_read() {
        let bytes = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/demo/www.musterstadt.de/formulare/fuehrerschein-umtausch.pdf"),
        )
        .unwrap_or_default();
        let start = std::sync::Barrier::new(6);
        let results: Vec<Result<String, String>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..6)
                .map(|_| {
                    s.spawn(|| {
                        start.wait();
                        pdf_text(&bytes, std::time::Duration::from_secs(30))
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err("panicked".into())))
                .collect()
        });
        for r in results {
            assert!(r.is_ok_and(|t| t.contains("Antrag auf Umtausch")));
        }
    }

    #[test]
    fn pdf_text_is_extracted_and_garbage_is_refused() {
        let bytes = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/demo/www.musterstadt.de/formulare/fuehrerschein-umtausch.pdf"),
        )
        .unwrap_or_default();
        let text = pdf_text(&bytes, std::time::Duration::from_secs(20)).unwrap_or_default();
        assert!(text.contains("Antrag auf Umtausch"), "{text}");
        let page = document_page(&text);
        assert!(page.document && page.title.contains("Musterstadt"));
        assert!(pdf_text(b"%PDF-1.4 garbage", std::time::Duration::from_secs(5)).is_err());
        assert!(pdf_text(b"<html>", std::time::Duration::from_secs(5)).is_err());
    }

    #[test]
    fn a_wrong_utf8_header_yields_to_the_page() {
        let mut body =
            b"<html><head><meta charset=\"iso-8859-1\"></head><body><p>Die Anmeldung l".to_vec();
        body.push(0xE4); // ä in Latin-1
        body.extend_from_slice(b"uft digital.</p></body></html>");
        let text = decode(&body, Some("text/html; charset=utf-8"));
        assert!(text.contains("läuft"), "{text}");
        // A correct UTF-8 header stays in charge.
        let utf8 = "<p>läuft</p>".as_bytes();
        assert!(decode(utf8, Some("text/html; charset=utf-8")).contains("läuft"));
    }

    #[test]
    fn windows_1252_without_declaration() {
        let bytes = b"<p>Eheschlie\xdfung f\xfcr B\xfcrger</p>";
        assert!(decode(bytes, None).contains("Eheschließung für Bürger"));
        let latin = b"<meta charset=iso-8859-1><p>Gr\xfc\xdfe</p>";
        assert!(decode(latin, Some("text/html")).contains("Grüße"));
    }

    #[test]
    fn memoised_joins_depend_on_what_they_should() {
        let base = |s: &str| Url::parse(s).unwrap_or_else(|e| panic!("{e}"));
        let r = |b: &str, h: &str| resolve(&base(b), h).map(|u| u.to_string());
        let a = "https://a.de/x/seite.html";
        let b = "https://b.de:8443/y/z.html";
        for _ in 0..2 {
            assert_eq!(r(a, "/kita/").as_deref(), Some("https://a.de/kita/"));
            assert_eq!(r(b, "/kita/").as_deref(), Some("https://b.de:8443/kita/"));
            assert_eq!(r(a, "neu.html").as_deref(), Some("https://a.de/x/neu.html"));
            assert_eq!(
                r(b, "neu.html").as_deref(),
                Some("https://b.de:8443/y/neu.html")
            );
            assert_eq!(r(a, "HTTPS://C.de/p#f").as_deref(), Some("https://c.de/p"));
            assert_eq!(r(a, "//d.de/q").as_deref(), Some("https://d.de/q"));
            assert_eq!(r(a, "mailto:x@a.de"), None);
        }
    }

    #[test]
    fn hostile_pages_are_read_in_bounded_time() {
        // Unclosed scripts, a million-letter sentence full of links, and
        // one service term repeated: each was once quadratic.
        let scripts = "<div><script>".repeat(10_000);
        assert_eq!(cut_at_depth(&scripts, MAX_DEPTH), scripts.as_str());
        let body = format!(
            "<main><p>{}</p><p>{}</p></main>",
            "Elterngeld <a href=\"/a\">x</a> ".repeat(10_000),
            "Elterngeld online beantragen ".repeat(10_000)
        );
        let cat = match crate::catalogue::Catalogue::embedded() {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        let url = Url::parse("https://www.a.de/elterngeld").unwrap_or_else(|e| panic!("{e}"));
        let page = extractor().page(&body, &url);
        assert!(page.links.len() >= 10_000);
        let in_scope = |h: &str| h.ends_with("a.de");
        let ctx = crate::detect::Context {
            state: crate::types::State::NW,
            in_scope: &in_scope,
        };
        let f = crate::detect::analyze(
            &cat,
            &ctx,
            &page,
            &url,
            jiff::Timestamp::UNIX_EPOCH,
            crate::types::SnapshotId::of(body.as_bytes()),
        );
        assert!(f.about.iter().any(|a| a.service.as_str() == "elterngeld"));
    }

    #[test]
    fn depth_cut_keeps_shallow_pages_whole() {
        let page = "<html><body><div><p>a<br>b</p><script>if (a<b) {}</script></div></body></html>";
        assert_eq!(cut_at_depth(page, 4), page);
        let deep = "<div>".repeat(10) + "x";
        assert_eq!(cut_at_depth(&deep, 4), "<div>".repeat(4));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = "<div>".repeat(100_000) + "Elterngeld" + &"</div>".repeat(100_000);
        let p = extractor().page(&html, &url("https://www.x.de/"));
        assert!(p.main_text.contains("Elterngeld") || p.main_text.is_empty());
    }
}
