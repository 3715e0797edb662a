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

mod document;
mod select;
#[cfg(test)]
mod tests;
pub use document::*;
use select::*;

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
    boxes: SelList,
    breadcrumb: SelList,
    buttons: Selector,
    onclick_url: regex::Regex,
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
            boxes: compile(&rules.boxes),
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
        let mut box_hits = Vec::new();
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
            self.boxes.matching(&e, &mut hits);
            if !hits.is_empty() {
                box_hits.push(e.id());
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
        let boxes: HashSet<_> = box_hits
            .into_iter()
            .filter(|id| !h1_ancestors.contains(id) && !boiler.contains(id))
            .collect();
        // Every node inside boilerplate or a box, computed once (linear in
        // the page): the main content is never inside either.
        let inside_boiler = descendants_of(&doc, &boiler);
        let inside_box = descendants_of(&doc, &boxes);
        let in_boiler = |e: &ElementRef| -> bool { inside_boiler.contains(&e.id()) };
        let in_aside = |e: &ElementRef| -> bool { in_boiler(e) || inside_box.contains(&e.id()) };

        let h1 = h1s
            .iter()
            .filter(|e| !in_aside(e) || h1_ancestors.contains(&e.id()))
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
                .find(|e| !in_aside(e) && e.text().any(|t| !t.trim().is_empty()))
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
        // A box inside the main element is part of it; without one, boxes
        // are sidebars of the whole body.
        let skipped = if main_found {
            boiler
        } else {
            boiler.union(&boxes).copied().collect()
        };
        let mut main_ids = HashSet::default();
        if let Some(root) = root {
            self.walk_main(root, &skipped, &base, &mut page, &mut main_ids);
        }

        other_links(
            &mut page,
            &base,
            anchors.into_iter().chain(frames),
            main_ids,
        );
        meta_refresh(&mut page, &base, metas);
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

/// Every link of the document outside the main content, for crawling only
/// (no span: they carry no signal).
/// Every node inside one of `tops` (themselves included).
fn descendants_of(doc: &Html, tops: &HashSet<ego_tree::NodeId>) -> HashSet<ego_tree::NodeId> {
    let mut inside = HashSet::default();
    for id in tops {
        if inside.contains(id) {
            continue;
        }
        if let Some(node) = doc.tree.get(*id) {
            inside.extend(node.descendants().map(|d| d.id()));
        }
    }
    inside
}

fn other_links<'a>(
    page: &mut Page,
    base: &Url,
    elements: impl Iterator<Item = ElementRef<'a>>,
    main_ids: HashSet<ego_tree::NodeId>,
) {
    let mut seen_nodes: HashSet<_> = main_ids;
    for e in elements {
        if seen_nodes.insert(e.id()) {
            let attr = if matches!(e.value().name(), "iframe" | "frame") {
                "src"
            } else {
                "href"
            };
            if let Some(u) = e.attr(attr).and_then(|h| resolve(base, h)) {
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
}

/// `<meta http-equiv="refresh" content="0; url=…">`: old sites redirect so.
fn meta_refresh(page: &mut Page, base: &Url, metas: Vec<ElementRef<'_>>) {
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
            .and_then(|t| resolve(base, &t))
        {
            page.links.push(Link {
                url: target,
                text: String::new(),
                kind: LinkKind::Anchor,
                span: None,
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
