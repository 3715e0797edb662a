//! Detection: which services a page is about, which signals of online
//! availability it carries, and — over all pages of a run — each service's
//! level with its evidence.
//!
//! Two pure steps, so the same snapshot and catalogue always give the same
//! evidence and nothing here needs the network:
//! 1. [`analyze`] turns one extracted [`Page`] into [`PageFindings`]: aboutness
//!    per service with reasons, and signals (web forms, application links,
//!    portal links, form downloads, full-transaction statements), each with
//!    the rule that fired, an excerpt with the matched span marked `**…**`,
//!    and, for links, the target that must prove alive.
//! 2. [`verdicts`] combines the findings of a run with the liveness of link
//!    targets into one [`ServiceVerdict`] per catalogue service.
//!
//! Signals are attributed by locality: a link or form whose own text or
//! sentence names a service belongs to that service; otherwise it belongs to
//! the services the page is about. Negations and appointment wording cancel
//! the signals of their own sentence or link, never the whole page; cancelled
//! signals are kept (and shown) but never raise a level.

use crate::catalogue::{Catalogue, Scope};
use crate::extract::{is_document, Link, LinkKind, Page};
use crate::text::{clip, fold, sentences, Folded, PhraseSet};
use crate::types::{Level, ServiceId, SnapshotId, State};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Range;
use url::Url;

/// What the detector needs to know about the city besides the page.
pub struct Context<'a> {
    pub state: State,
    /// Whether a host belongs to the city's crawl scope.
    pub in_scope: &'a dyn Fn(&str) -> bool,
}

/// The kind of a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignalKind {
    /// A downloadable application form (PDF, office document).
    FormDownload,
    /// A web form that is printed and sent on paper.
    FormAssistant,
    /// A web form that submits the application.
    WebForm,
    /// A link or button whose wording offers the online application.
    ApplicationLink,
    /// A link to a known service portal that serves the service and state.
    PortalLink,
    /// A statement of a fully digital process (electronic notice, once-only).
    Transaction,
}

/// One signal found on a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    pub service: ServiceId,
    pub kind: SignalKind,
    /// The level this signal supports when it holds.
    pub level: Level,
    /// Human-readable rule that fired, e.g. `application phrase "online beantrag"`.
    pub rule: String,
    /// The sentence(s) around the signal, the matched span marked `**…**`.
    pub excerpt: String,
    /// A link target whose liveness decides whether the signal holds.
    pub target: Option<String>,
    /// Why the signal does not count, when it does not (negation, appointment,
    /// retired portal, portal of another state).
    pub cancelled: Option<String>,
}

/// Why a page is about a service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct About {
    pub service: ServiceId,
    pub reasons: Vec<String>,
    pub excerpt: String,
}

/// Detection result for one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageFindings {
    pub url: String,
    pub fetched_at: jiff::Timestamp,
    pub snapshot: SnapshotId,
    pub about: Vec<About>,
    pub signals: Vec<Signal>,
    #[serde(default)]
    pub news: bool,
}

impl PageFindings {
    pub fn is_empty(&self) -> bool {
        self.about.is_empty() && self.signals.is_empty()
    }
    /// Link targets whose liveness matters (signals that would raise a level).
    pub fn targets(&self) -> impl Iterator<Item = &str> {
        self.signals
            .iter()
            .filter(|s| s.cancelled.is_none())
            .filter_map(|s| s.target.as_deref())
    }
}

/// One evidence item of a verdict (the contract's evidence object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub url: String,
    pub fetched_at: jiff::Timestamp,
    pub level: Level,
    pub signals: Vec<String>,
    pub excerpt: String,
    pub snapshot: SnapshotId,
}

/// A service's level in a run with its evidence, strongest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceVerdict {
    pub service: ServiceId,
    pub level: Level,
    pub evidence: Vec<Evidence>,
}

/// Liveness of a link target, as the crawl saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Liveness {
    Alive,
    Dead(String),
    /// Not checked (robots.txt forbade it, or limits cut it).
    Unknown(String),
    /// Alive, but not an application (e.g. a news item).
    NotAnApplication(String),
}

const MARK_OPEN: &str = "**";
const MARK_CLOSE: &str = "**";
const EXCERPT_MAX: usize = 400;

/// Score thresholds for aboutness. Title and main heading are strong; the URL
/// and breadcrumb medium; mentions in the running text weak. Link texts
/// inside the main content do not count: a list of links is not a page about
/// each of them.
const ABOUT_THRESHOLD: u32 = 3;

/// Analyse one page.
pub fn analyze(
    cat: &Catalogue,
    ctx: &Context,
    page: &Page,
    url: &Url,
    fetched_at: jiff::Timestamp,
    snapshot: SnapshotId,
) -> PageFindings {
    let sig = &cat.signals;
    let main = Folded::new(&page.main_text);
    let path_folded = fold(&percent_decode(url.path()));
    let news = sig.news.is_match(&path_folded)
        || sig.news.is_match(&fold(&page.breadcrumb))
        || sig.news.is_match(&fold(&page.title));

    // ---- aboutness ----
    let title = fold(&page.title);
    let h1 = fold(&page.h1.join(" | "));
    let crumb = fold(&page.breadcrumb);
    let heads: Vec<String> = page.headings.iter().map(|h| fold(h)).collect();
    let mut about = Vec::new();
    for svc in &cat.services {
        let mut score = 0;
        let mut reasons = Vec::new();
        if let Some((p, _)) = svc.terms.find(&title) {
            score += 3;
            reasons.push(format!("title names \"{}\"", p.source()));
        }
        if let Some((p, _)) = svc.terms.find(&h1) {
            score += 3;
            reasons.push(format!("heading names \"{}\"", p.source()));
        }
        if let Some((p, _)) = svc.terms.find(&path_folded) {
            score += 2;
            reasons.push(format!("URL names \"{}\"", p.source()));
        }
        if let Some(k) = svc.leika.iter().find(|k| url.as_str().contains(k.as_str())) {
            score += 3;
            reasons.push(format!("URL has LeiKa key {k}"));
        }
        if let Some((p, _)) = svc.terms.find(&crumb) {
            score += 2;
            reasons.push(format!("breadcrumb names \"{}\"", p.source()));
        }
        let sub = heads.iter().filter(|h| svc.terms.is_match(h)).count() as u32;
        if sub > 0 {
            score += sub.min(2);
            reasons.push(format!("{sub} subheading(s) name it"));
        }
        let mentions = count_mentions(&svc.terms, &main, &page.link_spans);
        if mentions > 0 {
            score += mentions.min(3);
            reasons.push(format!("{mentions} mention(s) in the main text"));
        }
        // A news item announces; it is not the service's information page.
        if score >= ABOUT_THRESHOLD && !news {
            let excerpt = svc
                .terms
                .find(&main.text)
                .map(|(_, r)| excerpt_around(&page.main_text, &main, &r))
                .unwrap_or_else(|| clip(&page.title, EXCERPT_MAX));
            about.push(About {
                service: svc.id.clone(),
                reasons,
                excerpt,
            });
        }
    }
    let about_ids: Vec<ServiceId> = about.iter().map(|a| a.service.clone()).collect();

    // ---- signals ----
    let sents = sentences(&page.main_text);
    let sentence_of = |r: &Range<usize>| -> Range<usize> {
        sents
            .iter()
            .find(|s| s.start <= r.start && r.start < s.end.max(s.start + 1))
            .cloned()
            .unwrap_or_else(|| r.clone())
    };
    let mut signals = Vec::new();
    let named_in = |folded: &str| -> Vec<ServiceId> {
        cat.services
            .iter()
            .filter(|s| s.terms.is_match(folded))
            .map(|s| s.id.clone())
            .collect()
    };
    // Which services a local piece of text belongs to.
    let attribute = |local: &str, sentence: &str| -> Vec<ServiceId> {
        let own = named_in(local);
        if !own.is_empty() {
            return own;
        }
        let sent = named_in(sentence);
        if !sent.is_empty() {
            return sent;
        }
        about_ids.clone()
    };

    // A news item announces; its links and forms are not the application.
    let offered = if news { &[][..] } else { &page.links[..] };
    let forms = if news { &[][..] } else { &page.forms[..] };
    for link in offered.iter().filter(|l| l.span.is_some()) {
        let Some(span) = link.span.clone() else {
            continue;
        };
        if link.url.as_str().trim_end_matches('/') == url.as_str().trim_end_matches('/') {
            continue;
        }
        let s_range = sentence_of(&span);
        let sentence = page.main_text.get(s_range.clone()).unwrap_or_default();
        let sent_f = fold(sentence);
        let anchor_f = fold(&link.text);
        let target_f = fold(&percent_decode(link.url.path()));
        let services = attribute(&format!("{anchor_f} {target_f}"), &sent_f);
        if services.is_empty() {
            continue;
        }
        let excerpt = || excerpt_marked(&page.main_text, &s_range, &span);
        if let Some(c) = classify_link(cat, ctx, link, &anchor_f, &sent_f, &target_f) {
            for svc in &services {
                let (kind, level, rule, mut cancelled) = c.clone();
                if kind == SignalKind::PortalLink {
                    if let Some(p) = cat.portal_for_host(link.url.host_str().unwrap_or_default()) {
                        if let Scope::Only(list) = &p.services {
                            if !list.contains(svc) {
                                continue;
                            }
                        }
                    }
                }
                if cancelled.is_none() {
                    if let Some((p, _)) = sig.negation.find(&sent_f) {
                        cancelled = Some(format!("negated: \"{}\"", p.source()));
                    }
                }
                signals.push(Signal {
                    service: svc.clone(),
                    kind,
                    level,
                    rule,
                    excerpt: excerpt(),
                    target: Some(link.url.to_string()),
                    cancelled,
                });
            }
        }
    }

    for form in forms {
        let text_f = fold(&form.text);
        let action_f = fold(&percent_decode(link_path(&form.action)));
        let both = format!("{text_f} {action_f}");
        if sig.search.is_match(&both) && form.fields <= 2 {
            continue;
        }
        let s_range = sentence_of(&form.span);
        let services = attribute(
            &text_f,
            &fold(page.main_text.get(s_range).unwrap_or_default()),
        );
        if services.is_empty() {
            continue;
        }
        let excerpt = form_excerpt(&page.main_text, &sents, &form.span);
        // What the form is *for* shows in where it lives and where it sends
        // (host, page path and title, action path) and in its submit label;
        // field labels ("Wunschtermin", "Ihre Nachricht") describe data, not
        // purpose. A form that takes documents is an application whatever
        // its wording.
        let submit = form
            .text
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or_default();
        let purpose = fold(&format!(
            "{} {} {} {} {submit}",
            url.host_str().unwrap_or_default(),
            percent_decode(url.path()),
            page.title,
            percent_decode(link_path(&form.action))
        ));
        let applies = form.has_file_upload;
        let (kind, level, rule, cancelled) =
            if let Some((p, _)) = sig.appointment.find(&purpose).filter(|_| !applies) {
                (
                    SignalKind::WebForm,
                    Level::Online,
                    "web form".to_string(),
                    Some(format!("appointment booking: \"{}\"", p.source())),
                )
            } else if let Some((p, _)) = sig.contact.find(&purpose).filter(|_| !applies) {
                (
                    SignalKind::WebForm,
                    Level::Online,
                    "web form".to_string(),
                    Some(format!("contact form: \"{}\"", p.source())),
                )
            } else if form.fields < 2 && !form.has_file_upload {
                continue;
            } else if let Some((p, _)) = sig.print.find(&both) {
                (
                    SignalKind::FormAssistant,
                    Level::FormAssistant,
                    format!("web form to print: \"{}\"", p.source()),
                    None,
                )
            } else if form.method == "post" || form.has_file_upload {
                let why = if form.has_file_upload {
                    "web form with document upload".to_string()
                } else {
                    format!("web form ({} fields, POST)", form.fields)
                };
                (SignalKind::WebForm, Level::Online, why, None)
            } else {
                continue;
            };
        for svc in services {
            signals.push(Signal {
                service: svc,
                kind,
                level,
                rule: rule.clone(),
                excerpt: excerpt.clone(),
                target: None,
                cancelled: cancelled.clone(),
            });
        }
    }

    // A document (PDF) about a service that reads like an application form
    // is itself the downloadable form: level 2.
    if page.document {
        let text_f = &main.text;
        if let Some((p, _)) = sig
            .form_words
            .find(&title)
            .or_else(|| sig.form_words.find(text_f))
        {
            let excerpt = format!("{MARK_OPEN}{}{MARK_CLOSE}", clip(&page.title, EXCERPT_MAX));
            for a in &about {
                signals.push(Signal {
                    service: a.service.clone(),
                    kind: SignalKind::FormDownload,
                    level: Level::FormAssistant,
                    rule: format!("form document (PDF) names \"{}\"", p.source()),
                    excerpt: excerpt.clone(),
                    target: None,
                    cancelled: None,
                });
            }
        }
    }

    // Level 4 statements (electronic notice, once-only, end to end digital)
    // for the services the sentence or the page is about; whether they count
    // is decided over the whole run (see `verdicts`).
    for s_range in &sents {
        let sentence = &page.main_text[s_range.clone()];
        let f = Folded::new(sentence);
        let Some((p, r)) = sig.transaction.find(&f.text) else {
            continue;
        };
        let cancelled = sig
            .negation
            .find(&f.text)
            .map(|(n, _)| format!("negated: \"{}\"", n.source()));
        let o = f.original_range(&r);
        let span = s_range.start + o.start..s_range.start + o.end;
        for svc in attribute("", &f.text) {
            signals.push(Signal {
                service: svc,
                kind: SignalKind::Transaction,
                level: Level::Transaction,
                rule: format!("full transaction: \"{}\"", p.source()),
                excerpt: excerpt_marked(&page.main_text, s_range, &span),
                target: None,
                cancelled: cancelled.clone(),
            });
        }
    }

    PageFindings {
        url: url.to_string(),
        fetched_at,
        snapshot,
        about,
        signals,
        news,
    }
}

type Classified = (SignalKind, Level, String, Option<String>);

/// Decide what a link in the main content signals, if anything.
fn classify_link(
    cat: &Catalogue,
    ctx: &Context,
    link: &Link,
    anchor_f: &str,
    sent_f: &str,
    target_f: &str,
) -> Option<Classified> {
    let sig = &cat.signals;
    let host = link.url.host_str().unwrap_or_default();
    let local = format!("{anchor_f} {target_f}");
    // The link's own words decide first; its sentence only when they are silent.
    let appointment = sig
        .appointment
        .find(anchor_f)
        .or_else(|| sig.appointment.find(target_f))
        .map(|(p, _)| format!("appointment booking: \"{}\"", p.source()));
    let application = sig
        .application
        .find(anchor_f)
        .or_else(|| sig.application_link.find(anchor_f))
        .map(|(p, _)| {
            format!(
                "link text offers the online application: \"{}\"",
                p.source()
            )
        })
        .or_else(|| {
            sig.application
                .find(sent_f)
                .filter(|_| !sig.appointment.is_match(sent_f))
                .map(|(p, _)| format!("sentence offers the online application: \"{}\"", p.source()))
        });
    if is_document(&link.url) {
        let form_word = sig.form_words.is_match(&local) || sig.form_download.is_match(anchor_f);
        if form_word && appointment.is_none() {
            let rule = format!(
                "downloadable form ({})",
                link.url.path().rsplit('.').next().unwrap_or("document")
            );
            return Some((SignalKind::FormDownload, Level::FormAssistant, rule, None));
        }
        return None;
    }
    if let Some(portal) = cat.portal_for_host(host) {
        let cancelled = if let Some(r) = &portal.retired {
            Some(format!("retired portal {}: {r}", portal.name))
        } else if !portal.states.contains(&ctx.state) {
            Some(format!(
                "portal of another state: {} does not serve {}",
                portal.name, ctx.state
            ))
        } else {
            appointment.clone()
        };
        // A general portal or form platform hosts many services: a link to
        // it needs wording that names an application or a form.
        let general = matches!(portal.services, Scope::All);
        let names_form = sig.form_words.is_match(anchor_f) || sig.form_words.is_match(sent_f);
        if !general || application.is_some() || names_form || cancelled.is_some() {
            let rule = format!("link to service portal {} ({host})", portal.name);
            return Some((SignalKind::PortalLink, Level::Online, rule, cancelled));
        }
    }
    if let Some(a) = appointment {
        if application.is_some() {
            return Some((
                SignalKind::ApplicationLink,
                Level::Online,
                "link".to_string(),
                Some(a),
            ));
        }
        return None;
    }
    if sig.contact.is_match(anchor_f) {
        return None;
    }
    if let Some(rule) = application {
        // A frame that embeds a form is an application too.
        let rule = if matches!(link.kind, LinkKind::Iframe | LinkKind::Frame) {
            format!("embedded frame: {rule}")
        } else {
            rule
        };
        return Some((SignalKind::ApplicationLink, Level::Online, rule, None));
    }
    // A link to an in-scope subdomain or unknown host whose text is only the
    // form-download wording stays level 2.
    if let Some((p, _)) = sig.form_download.find(anchor_f) {
        if (ctx.in_scope)(host) {
            return Some((
                SignalKind::FormDownload,
                Level::FormAssistant,
                format!("link to a form: \"{}\"", p.source()),
                None,
            ));
        }
    }
    None
}

fn link_path(u: &Url) -> &str {
    u.path()
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Mentions of a service's terms in main text, outside link texts.
fn count_mentions(terms: &PhraseSet, main: &Folded, link_spans: &[Range<usize>]) -> u32 {
    terms
        .find_all(&main.text)
        .iter()
        .map(|r| main.original_range(r))
        .filter(|o| {
            !link_spans
                .iter()
                .any(|l| l.start <= o.start && o.start < l.end)
        })
        .take(10)
        .count() as u32
}

fn excerpt_around(original: &str, folded: &Folded, r: &Range<usize>) -> String {
    let o = folded.original_range(r);
    let sents = sentences(original);
    let s = sents
        .iter()
        .find(|s| s.start <= o.start && o.start < s.end)
        .cloned()
        .unwrap_or(o.clone());
    excerpt_marked(original, &s, &o)
}

/// The sentence range with `mark` highlighted, clipped around the mark.
fn excerpt_marked(text: &str, sentence: &Range<usize>, mark: &Range<usize>) -> String {
    let s = sentence.start.min(mark.start);
    let e = sentence.end.max(mark.end).min(text.len());
    let (Some(before), Some(marked), Some(after)) = (
        text.get(s..mark.start),
        text.get(mark.start..mark.end.min(e)),
        text.get(mark.end.min(e)..e),
    ) else {
        return clip(
            &crate::text::squash_ws(text.get(s..e).unwrap_or_default()),
            EXCERPT_MAX,
        );
    };
    let marked = crate::text::squash_ws(marked);
    let before = crate::text::squash_ws(before);
    let after = crate::text::squash_ws(after);
    let budget = EXCERPT_MAX.saturating_sub(marked.chars().count()) / 2;
    let before = tail_chars(&before, budget);
    let after = clip(&after, budget.max(1));
    // Keep the page's own spacing around the mark ("Kita-Portal" stays one word).
    let space_before = text
        .get(..mark.start)
        .is_some_and(|t| t.ends_with(char::is_whitespace));
    let space_after = text
        .get(mark.end.min(e)..)
        .is_some_and(|t| t.starts_with(char::is_whitespace));
    let mut out = String::new();
    out.push_str(&before);
    if !before.is_empty() && space_before {
        out.push(' ');
    }
    out.push_str(MARK_OPEN);
    out.push_str(&marked);
    out.push_str(MARK_CLOSE);
    if !after.is_empty() {
        if space_after {
            out.push(' ');
        }
        out.push_str(&after);
    }
    out
}

/// A form's excerpt: the sentence before it, then its last line (usually the
/// submit button) marked, instead of every field label.
fn form_excerpt(text: &str, sents: &[Range<usize>], form: &Range<usize>) -> String {
    let body = text.get(form.clone()).unwrap_or_default();
    let last = body
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let before = sents
        .iter()
        .rev()
        .find(|s| s.end <= form.start)
        .and_then(|s| text.get(s.clone()))
        .map(crate::text::squash_ws)
        .unwrap_or_default();
    let mut out = clip(&before, EXCERPT_MAX / 2);
    if !out.is_empty() {
        out.push_str(" … ");
    }
    out.push_str(MARK_OPEN);
    out.push_str(&clip(&crate::text::squash_ws(last), 120));
    out.push_str(MARK_CLOSE);
    out
}

fn tail_chars(s: &str, n: usize) -> String {
    let count = s.chars().count();
    if count <= n {
        return s.to_string();
    }
    let mut out = String::from("…");
    out.extend(s.chars().skip(count - n.saturating_sub(1)));
    out
}

/// Combine the findings of a run into one verdict per catalogue service.
/// `liveness(target, application)` answers for link targets (`application`:
/// the link claims to lead to the online application itself); a signal
/// whose target does not hold does not raise the level (it stays visible as
/// a cancelled signal).
pub fn verdicts(
    cat: &Catalogue,
    findings: &[PageFindings],
    liveness: &dyn Fn(&str, bool) -> Liveness,
) -> Vec<ServiceVerdict> {
    // Per service: evidence items, and for each item the full-transaction
    // statement it carries (if any). Level 4 needs both an online
    // application somewhere in the run and such a statement on a page about
    // the service; they are often on different pages (portal start page vs.
    // form), so they are combined per service, not per page.
    let mut per: BTreeMap<ServiceId, Vec<(Evidence, Option<String>)>> = BTreeMap::new();
    for f in findings {
        let mut services: Vec<&ServiceId> = f.about.iter().map(|a| &a.service).collect();
        for s in &f.signals {
            if !services.contains(&&s.service) {
                services.push(&s.service);
            }
        }
        for svc in services {
            let about = f.about.iter().find(|a| &a.service == svc);
            let mut level = if about.is_some() {
                Level::Information
            } else {
                Level::Offline
            };
            let mut best: Option<&Signal> = None;
            let mut described = Vec::new();
            if let Some(a) = about {
                described.push(format!("about: {}", a.reasons.join(", ")));
            }
            let mut transaction: Option<&Signal> = None;
            for s in f.signals.iter().filter(|s| &s.service == svc) {
                let mut cancelled = s.cancelled.clone();
                if cancelled.is_none() {
                    if let Some(t) = &s.target {
                        match liveness(t, s.kind == SignalKind::ApplicationLink) {
                            Liveness::Alive => {}
                            Liveness::Dead(why) => cancelled = Some(format!("dead link: {why}")),
                            Liveness::Unknown(why) => {
                                cancelled = Some(format!("link not verified: {why}"))
                            }
                            Liveness::NotAnApplication(why) => cancelled = Some(why),
                        }
                    }
                }
                match &cancelled {
                    Some(why) => described.push(format!("{} (not counted: {why})", s.rule)),
                    None if s.kind == SignalKind::Transaction => {
                        transaction = transaction.or(Some(s));
                    }
                    None => {
                        described.push(s.rule.clone());
                        if best.is_none_or(|b| s.level > b.level) {
                            best = Some(s);
                        }
                    }
                }
            }
            if let Some(b) = best {
                level = level.max(b.level);
            }
            // Only a page about the service (or a signal naming it) may carry
            // its full-transaction statement.
            if level == Level::Offline {
                continue;
            }
            let excerpt = match (best, about) {
                (Some(s), _) => s.excerpt.clone(),
                (None, Some(a)) => a.excerpt.clone(),
                (None, None) => String::new(),
            };
            let tx = transaction.map(|t| format!("{}\u{0}{}", t.rule, t.excerpt));
            per.entry(svc.clone()).or_default().push((
                Evidence {
                    url: f.url.clone(),
                    fetched_at: f.fetched_at,
                    level,
                    signals: described,
                    excerpt,
                    snapshot: f.snapshot.clone(),
                },
                tx,
            ));
        }
    }
    cat.services
        .iter()
        .map(|svc| {
            let items = per.remove(&svc.id).unwrap_or_default();
            let online = items.iter().any(|(e, _)| e.level >= Level::Online);
            let mut evidence: Vec<Evidence> = items
                .into_iter()
                .map(|(mut e, tx)| {
                    if let Some(tx) = tx {
                        let (rule, excerpt) = tx.split_once('\u{0}').unwrap_or((&tx, ""));
                        if online {
                            e.signals.push(rule.to_string());
                            e.level = Level::Transaction;
                            e.excerpt = excerpt.to_string();
                        } else {
                            e.signals.push(format!(
                                "{rule} (not counted: no online application for the service)"
                            ));
                        }
                    }
                    e
                })
                .collect();
            evidence.sort_by(|a, b| {
                b.level
                    .cmp(&a.level)
                    .then(b.signals.len().cmp(&a.signals.len()))
                    .then(a.url.cmp(&b.url))
            });
            ServiceVerdict {
                service: svc.id.clone(),
                level: evidence.first().map(|e| e.level).unwrap_or(Level::Offline),
                evidence,
            }
        })
        .collect()
}
