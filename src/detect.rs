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
use crate::text::{clip, fold, Folded};
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
    /// A frame that shows an application form of another page or host.
    EmbeddedForm,
    /// A link to a known service portal that serves the service and state.
    PortalLink,
    /// A statement of a fully digital process (electronic notice, once-only).
    Transaction,
    /// A sentence that says the application can be made online, with no
    /// link or form of its own to show it: level 3, claimed.
    ProseClaim,
}

impl SignalKind {
    /// Links whose target is the application itself (not a form download).
    pub fn is_application_link(self) -> bool {
        matches!(
            self,
            SignalKind::ApplicationLink | SignalKind::PortalLink | SignalKind::EmbeddedForm
        )
    }
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
    /// The page holds an application form of its own (whatever service it
    /// serves): what a link or frame that leads here may rest on.
    #[serde(default)]
    pub application_form: bool,
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

/// What an online level (3 or 4) rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// Only the city's words say so: no application target was seen to answer.
    Claimed,
    /// An application target answered: a live form, portal page or upload.
    Verified,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Claimed => "claimed",
            Basis::Verified => "verified",
        }
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
    /// For levels 3 and 4: claimed or verified (absent in older databases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<Basis>,
}

/// A service's level in a run with its evidence, strongest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceVerdict {
    pub service: ServiceId,
    pub level: Level,
    pub evidence: Vec<Evidence>,
}

impl ServiceVerdict {
    /// Claimed or verified, for an online level: that of the strongest item.
    pub fn basis(&self) -> Option<Basis> {
        self.evidence.first().and_then(|e| e.basis)
    }
}

/// What a link is taken to prove, which decides what its target must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The target answers (portal links, form downloads).
    Reachable,
    /// The link leads to the online application (its wording says so).
    Application,
    /// The page shows the target in a frame: the frame must hold an
    /// application form.
    Embedded,
    /// The link leads to the service's form (a form assistant page).
    Form,
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
    /// Alive, a page of the city's own sites (its URL after redirects):
    /// a link that claims to lead to the application holds only when that
    /// page offers it for the same service (decided in [`verdicts`]).
    /// `offers_any`: the page has an application form of no named service.
    OwnPage {
        url: String,
        offers_any: bool,
    },
}

const MARK_OPEN: &str = "**";
const MARK_CLOSE: &str = "**";
const EXCERPT_MAX: usize = 400;

/// A sentence with three or more links whose texts make up this share of
/// its letters is a navigation bar.
const NAV_BAR_LINK_SHARE: f64 = 0.6;
/// A link whose text makes up this share of its sentence stands alone.
const LONE_LINK_SHARE: f64 = 0.8;
/// Longest stretch of text (bytes) taken as one sentence around a signal.
const MAX_CONTEXT: usize = 2000;

/// What the section around a piece of text is about.
enum Section {
    /// Its heading names these services.
    Named(Vec<ServiceId>),
    /// A part of the page's own service description, or no heading yet.
    Page,
    /// A heading that names no service: something else.
    Other,
}

/// Score thresholds for aboutness. Title and main heading are strong; the URL
/// and breadcrumb medium; mentions in the running text weak. Link texts
/// inside the main content do not count: a list of links is not a page about
/// each of them.
const ABOUT_THRESHOLD: u32 = 3;

/// Words of prose a service's section needs on a page divided by service
/// to count as that service's information (more than a teaser box).
const SECTION_MIN_WORDS: usize = 15;

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
    let news = is_news(&sig.news, &percent_decode(url.path()))
        || is_news(&sig.news, &page.breadcrumb)
        || is_news(&sig.news, &page.title);

    // ---- aboutness ----
    let title = fold(&page.title);
    let h1 = fold(&page.h1.join(" | "));
    let crumb = fold(&page.breadcrumb);
    let heads: Vec<String> = page.headings.iter().map(|h| fold(h)).collect();
    let named_title = named_in_place(cat, &title);
    let named_h1 = named_in_place(cat, &h1);
    let named_path = named_in_place(cat, &path_folded);
    let named_crumb = named_in_place(cat, &crumb);
    let named_heads: Vec<Vec<Named>> = heads.iter().map(|h| named_in_place(cat, h)).collect();
    let main_words = crate::text::Words::new(&main.text);
    // Link spans in text order, for finding those around a mention or
    // inside a sentence.
    let mut link_spans = page.link_spans.clone();
    link_spans.sort_by_key(|l| l.start);
    let named_main = named_in_words(cat, &main_words);
    // A page whose title names no service but whose headings do is divided
    // by service (an office's page: "Standesamt" with "Eheschließung",
    // "Urkunden", "Sterbefall"); elsewhere headings are aspects of the one
    // service ("Pflichtumtausch" on the Führerschein page).
    let sectioned =
        named_title.is_empty() && named_h1.is_empty() && named_heads.iter().any(|h| !h.is_empty());
    let about = if news {
        // A news item announces; it is not the service's information page.
        Vec::new()
    } else {
        aboutness(
            cat,
            &NamedOnPage {
                title: &named_title,
                h1: &named_h1,
                path: &named_path,
                crumb: &named_crumb,
                heads: &named_heads,
                main: &named_main,
                sectioned,
            },
            &main,
            &link_spans,
            url,
            page,
        )
    };
    let about_ids: Vec<ServiceId> = about.iter().map(|a| a.service.clone()).collect();

    // ---- signals ----
    let sents = main.sentences();
    // The sentence around a span (sentences are sorted and disjoint). A
    // "sentence" longer than any real one (a page without punctuation) is
    // cut to a window around the span, so the work per link stays bounded.
    let sentence_of = |r: &Range<usize>| -> Range<usize> {
        let s = sents
            .partition_point(|s| s.start <= r.start)
            .checked_sub(1)
            .and_then(|k| sents.get(k))
            .filter(|s| r.start < s.end)
            .cloned()
            .unwrap_or_else(|| r.clone());
        if s.len() <= MAX_CONTEXT {
            return s;
        }
        let text = &page.main_text;
        let mut lo = r.start.saturating_sub(MAX_CONTEXT / 2).max(s.start);
        let mut hi = (r.end + MAX_CONTEXT / 2).min(s.end).max(lo);
        while !text.is_char_boundary(lo) {
            lo -= 1;
        }
        while !text.is_char_boundary(hi) {
            hi += 1;
        }
        lo..hi
    };
    // Link spans in text order, for finding those inside a sentence.

    let mut signals = Vec::new();
    // The services folded text names. Where it stands in a context (the
    // services of its section or page), a weak term ("Ummeldung" on the
    // Gewerbe page) names nothing, so the context speaks.
    let named_within = |folded: &str, context: &[ServiceId]| -> Vec<ServiceId> {
        let mut ids: Vec<usize> = named(cat, folded)
            .iter()
            .filter(|m| context.is_empty() || !is_weak(cat, m))
            .map(|m| m.service)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.iter().map(|&i| cat.services[i].id.clone()).collect()
    };
    let named_in = |folded: &str| named_within(folded, &[]);
    // The section a piece of text stands in (see [`Section`]).
    let section_of = |at: usize| -> Section {
        let Some(i) = page.heading_spans.iter().rposition(|h| h.start <= at) else {
            return Section::Page;
        };
        let named = named_in(&heads[i]);
        if !named.is_empty() {
            Section::Named(named)
        } else if !sectioned || sig.service_section.is_match(&heads[i]) {
            Section::Page
        } else {
            Section::Other
        }
    };
    // Forms and level-4 statements describe the service of their section,
    // else of their page; a section about something else claims them.
    // `None`: a page about nothing, where their own words must say.
    let describes = |at: usize| -> Option<Vec<ServiceId>> {
        match section_of(at) {
            Section::Named(named) => Some(named),
            Section::Other => Some(Vec::new()),
            Section::Page if !about_ids.is_empty() => Some(about_ids.clone()),
            Section::Page => None,
        }
    };
    // Which services a local piece of text belongs to: those its own
    // words name, else its sentence, else its section, else the page. Of
    // several services named, those the section or page is about win
    // ("Gewerbeanzeige, Auswahl Ummeldung/Abmeldung" on the Gewerbe page).
    let attribute = |local: &str, sentence: &str, at: usize| -> Vec<ServiceId> {
        let section = section_of(at);
        let context: &[ServiceId] = match &section {
            Section::Named(named) => named,
            Section::Other => &[],
            Section::Page => &about_ids,
        };
        let narrow = |named: Vec<ServiceId>| -> Vec<ServiceId> {
            let both: Vec<ServiceId> = named
                .iter()
                .filter(|s| context.contains(s))
                .cloned()
                .collect();
            if named.len() > 1 && !both.is_empty() {
                both
            } else {
                named
            }
        };
        let own = named_within(local, context);
        if !own.is_empty() {
            return narrow(own);
        }
        let sent = named_within(sentence, context);
        if !sent.is_empty() {
            return narrow(sent);
        }
        context.to_vec()
    };
    // How much of a sentence is link text: a run of links with little else
    // is a navigation bar inside the content ("Startseite | Formulare |
    // Online-Dienste"); a link that is its whole sentence is a button whose
    // meaning the sentence before it gives ("Sie können den Antrag online
    // stellen:" [Zum Antrag]).
    let link_share = |s_range: &Range<usize>| -> (usize, f64) {
        let alnum = |r: Range<usize>| {
            page.main_text
                .get(r)
                .map_or(0, |t| t.chars().filter(|c| c.is_alphanumeric()).count())
        };
        let total = alnum(s_range.clone()).max(1);
        let from = link_spans.partition_point(|l| l.start < s_range.start);
        let inside: Vec<&Range<usize>> = link_spans[from..]
            .iter()
            .take_while(|l| l.start < s_range.end)
            .filter(|l| l.end <= s_range.end)
            .collect();
        let covered: usize = inside.iter().map(|l| alnum((*l).clone())).sum();
        (inside.len(), covered as f64 / total as f64)
    };
    // What introduces a piece of text: the sentences before it in its own
    // block, or else the block (paragraph) before it.
    let intro_of = |at: usize| -> &str {
        let before = page.main_text.get(..at).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let same = before[line_start..].trim();
        if !same.is_empty() {
            return same;
        }
        let prev = before[..line_start].trim_end();
        prev[prev.rfind('\n').map_or(0, |i| i + 1)..].trim()
    };

    // Sentences whose link gave a signal: the link speaks for them.
    let mut linked_sentences: Vec<usize> = Vec::new();
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
        let (links_in, share) = link_share(&s_range);
        let nav_bar = links_in >= 3 && share >= NAV_BAR_LINK_SHARE;
        let lone = links_in == 1 && share >= LONE_LINK_SHARE;
        // A link in a navigation bar speaks only through its own words; a
        // lone link also through the sentence before it, when its own
        // words and sentence say nothing.
        let own_f = if nav_bar {
            String::new()
        } else {
            fold(sentence)
        };
        let anchor_f = fold(&link.text);
        let target_f = fold(&percent_decode(link.url.path()));
        let local = format!("{anchor_f} {target_f}");
        let mut sent_f = own_f;
        let mut classified = classify_link(cat, ctx, link, &anchor_f, &sent_f, &target_f);
        if lone
            && classified
                .as_ref()
                .is_none_or(|c| c.0 == SignalKind::FormDownload)
        {
            let with_intro = fold(&format!("{}\n{sentence}", intro_of(s_range.start)));
            if let Some(c) = classify_link(cat, ctx, link, &anchor_f, &with_intro, &target_f)
                .filter(|c| classified.as_ref().is_none_or(|k| c.1 > k.1))
            {
                classified = Some(c);
                sent_f = with_intro;
            }
        }
        let services = if nav_bar {
            named_in(&local)
        } else {
            attribute(&local, &sent_f, span.start)
        };
        if services.is_empty() {
            continue;
        }
        let excerpt = || excerpt_marked(&page.main_text, &s_range, &span);
        if classified.is_some() {
            linked_sentences.push(s_range.start);
        }
        if let Some(c) = classified {
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
                // The sentence that gave the link its meaning is the one
                // whose negation counts; a downloadable form is what is
                // left when the online way is negated.
                if cancelled.is_none() && kind != SignalKind::FormDownload {
                    if let Some(p) = negated(cat, &sent_f) {
                        cancelled = Some(format!("negated: \"{p}\""));
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

    let (form_signals, application_form) = form_signals(
        cat, url, page, forms, sents, &intro_of, &describes, &named_in,
    );
    signals.extend(form_signals);

    if page.document {
        signals.extend(document_signals(sig, page, &title, &main.text, &about));
    }

    if !news {
        let candidates = claim_sentences(cat, &main, &main_words, &sentence_of);
        let claims = prose_claims(&ProseInput {
            cat,
            state: ctx.state,
            text: &page.main_text,
            sentences: &candidates,
            skip: &linked_sentences,
            link_share: &link_share,
            describes: &describes,
            named_within: &named_within,
        });
        signals.extend(claims);
    }

    signals.extend(transaction_signals(
        cat,
        &page.main_text,
        &main,
        &main_words,
        &sentence_of,
        &describes,
        &named_in,
    ));

    PageFindings {
        url: url.to_string(),
        fetched_at,
        snapshot,
        about,
        signals,
        news,
        application_form,
    }
}

/// Whether a URL path, breadcrumb or title marks a news item: one of its
/// parts (path segments, crumbs, title parts) *begins* with a news word
/// ("/aktuelles/2026/…", "Presse › Pressemitteilungen"). A compound that
/// only contains one ("Service-Aktuelles", a menu branch) is not news.
fn is_news(news: &crate::text::PhraseSet, text: &str) -> bool {
    text.split(['/', '›', '»', '>', '|', '–', ':', '\n'])
        .any(|part| news.find(&fold(part)).is_some_and(|(_, r)| r.start == 0))
}

/// Forms in the main content: an application form that submits (level 3),
/// one to print (level 2), appointment and contact forms shown but not
/// counted, search forms ignored. Also whether the page holds an
/// application form itself.
#[allow(clippy::too_many_arguments)]
fn form_signals<'p>(
    cat: &Catalogue,
    url: &Url,
    page: &'p Page,
    forms: &[crate::extract::Form],
    sents: &[Range<usize>],
    intro_of: &dyn Fn(usize) -> &'p str,
    describes: &dyn Fn(usize) -> Option<Vec<ServiceId>>,
    named_in: &dyn Fn(&str) -> Vec<ServiceId>,
) -> (Vec<Signal>, bool) {
    let sig = &cat.signals;
    let mut out = Vec::new();
    let mut application_form = false;
    for form in forms {
        let text_f = fold(&form.text);
        let action_f = fold(&percent_decode(link_path(&form.action)));
        let both = format!("{text_f} {action_f}");
        if sig.search.is_match(&both) && form.fields <= 2 {
            continue;
        }
        let intro = intro_of(form.span.start);
        let intro_f = fold(intro);
        // What the form is *for* shows in where it lives and where it sends
        // (host, page path and title, action path), in its own name and in
        // what a person reads on it ("Wunschtermin", "Ihre Nachricht"); not
        // in its fields' names, which are the programmer's ("kontakt" for an
        // applicant's phone number). A form that takes documents is an
        // application whatever its wording.
        let purpose = fold(&format!(
            "{} {} {} {} {} {}",
            url.host_str().unwrap_or_default(),
            percent_decode(url.path()),
            page.title,
            percent_decode(link_path(&form.action)),
            form.label,
            form.visible,
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
            } else if let Some((p, _)) = sig
                .print
                .find(&both)
                .or_else(|| sig.paper.find(&both))
                .or_else(|| sig.print.find(&intro_f))
                .filter(|_| !applies)
            {
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
                // "Über dieses Formular können Sie keinen Antrag stellen."
                let negated = negated(cat, &intro_f).map(|p| format!("negated: \"{p}\""));
                (SignalKind::WebForm, Level::Online, why, negated)
            } else {
                continue;
            };
        if kind == SignalKind::WebForm && cancelled.is_none() {
            application_form = true;
        }
        // A form belongs to what its section or page is about; its field
        // labels and options ("Anmeldung / Ummeldung / Abmeldung") describe
        // data, and a sentence before it may name services in passing. Only
        // on a page about nothing do its own words name the service.
        let services = describes(form.span.start).unwrap_or_else(|| named_in(&text_f));
        let excerpt = form_excerpt(&page.main_text, sents, &form.span);
        for svc in services {
            out.push(Signal {
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
    (out, application_form)
}

/// Where the catalogue's service terms stand on a page.
struct NamedOnPage<'a, 'c> {
    title: &'a [Named<'c>],
    h1: &'a [Named<'c>],
    path: &'a [Named<'c>],
    crumb: &'a [Named<'c>],
    heads: &'a [Vec<Named<'c>>],
    main: &'a [Named<'c>],
    /// The page is divided by service (see `sectioned` in [`analyze`]).
    sectioned: bool,
}

/// The services a page is about, each with its reasons in words: title and
/// main heading weigh most, URL and breadcrumb less, mentions in the main
/// text (outside link texts) least.
fn aboutness(
    cat: &Catalogue,
    n: &NamedOnPage<'_, '_>,
    main: &Folded,
    link_spans: &[Range<usize>],
    url: &Url,
    page: &Page,
) -> Vec<About> {
    let mut about = Vec::new();
    for (si, svc) in cat.services.iter().enumerate() {
        let mut score = 0;
        let mut reasons = Vec::new();
        let term_in = |n: &[Named<'_>]| -> Option<String> {
            n.iter()
                .find(|m| m.service == si)
                .map(|m| m.term.to_string())
        };
        if let Some(t) = term_in(n.title) {
            score += 3;
            reasons.push(format!("title names \"{t}\""));
        }
        if let Some(t) = term_in(n.h1) {
            score += 3;
            reasons.push(format!("heading names \"{t}\""));
        }
        if let Some(t) = term_in(n.path) {
            score += 2;
            reasons.push(format!("URL names \"{t}\""));
        }
        if let Some(k) = svc.leika.iter().find(|k| url.as_str().contains(k.as_str())) {
            score += 3;
            reasons.push(format!("URL has LeiKa key {k}"));
        }
        if let Some(t) = term_in(n.crumb) {
            score += 2;
            reasons.push(format!("breadcrumb names \"{t}\""));
        }
        let sub = n.heads.iter().filter(|h| term_in(h).is_some()).count() as u32;
        let own_section = n.sectioned
            && n.heads
                .iter()
                .zip(&page.heading_spans)
                .enumerate()
                .any(|(i, (h, span))| {
                    term_in(h).is_some() && section_words(page, i, span) >= SECTION_MIN_WORDS
                });
        if own_section {
            // An office's page with a section per service informs about
            // each of them as a page of its own would.
            score += 3;
            reasons.push(format!(
                "it has its own section ({sub} subheading(s) name it)"
            ));
        } else if sub > 0 {
            score += sub.min(2);
            reasons.push(format!("{sub} subheading(s) name it"));
        }
        let mentions = count_mentions(si, n.main, main, link_spans);
        // Where the title or main heading names another service, mentions
        // alone are that service's context ("Bürgergeld" on the page about
        // Bildung und Teilhabe), not a second topic.
        if score == 0 && !(n.title.is_empty() && n.h1.is_empty()) {
            continue;
        }
        if mentions > 0 {
            score += mentions.min(3);
            reasons.push(format!("{mentions} mention(s) in the main text"));
        }
        if score >= ABOUT_THRESHOLD {
            let excerpt = n
                .main
                .iter()
                .find(|m| m.service == si)
                .map(|m| excerpt_around(&page.main_text, main, &m.range))
                .unwrap_or_else(|| clip(&page.title, EXCERPT_MAX));
            about.push(About {
                service: svc.id.clone(),
                reasons,
                excerpt,
            });
        }
    }
    about
}

/// Words of prose under heading `i` (up to the next heading), link texts
/// not counted: a teaser box ("Meldebescheinigung – Weiter") has few.
fn section_words(page: &Page, i: usize, span: &Range<usize>) -> usize {
    let end = page
        .heading_spans
        .get(i + 1)
        .map_or(page.main_text.len(), |h| h.start);
    let body = span.end..end.max(span.end);
    let words = |r: Range<usize>| {
        page.main_text
            .get(r)
            .map_or(0, |t| t.split_whitespace().count())
    };
    let linked: usize = page
        .link_spans
        .iter()
        .filter(|l| l.start >= body.start && l.end <= body.end)
        .map(|l| words(l.clone()))
        .sum();
    words(body).saturating_sub(linked)
}

/// A document (PDF) about a service that reads like an application form is
/// itself the downloadable form: level 2 for the services it is about.
fn document_signals(
    sig: &crate::catalogue::Signals,
    page: &Page,
    title_f: &str,
    text_f: &str,
    about: &[About],
) -> Vec<Signal> {
    let Some((p, _)) = sig
        .form_words
        .find(title_f)
        .or_else(|| sig.form_words.find(text_f))
    else {
        return Vec::new();
    };
    let excerpt = format!("{MARK_OPEN}{}{MARK_CLOSE}", clip(&page.title, EXCERPT_MAX));
    about
        .iter()
        .map(|a| Signal {
            service: a.service.clone(),
            kind: SignalKind::FormDownload,
            level: Level::FormAssistant,
            rule: format!("form document (PDF) names \"{}\"", p.source()),
            excerpt: excerpt.clone(),
            target: None,
            cancelled: None,
        })
        .collect()
}

/// The sentences a prose claim may stand in: those with a claim phrase, and
/// those that name a known portal (with the portal's index). Phrases are
/// found in the folded main text at once (they never cross a sentence end);
/// one candidate per sentence, one that names a portal first.
fn claim_sentences(
    cat: &Catalogue,
    main: &Folded,
    words: &crate::text::Words,
    sentence_of: &dyn Fn(&Range<usize>) -> Range<usize>,
) -> Vec<(Range<usize>, Option<usize>)> {
    // (sentence, portal, length of the portal's name as matched)
    let mut candidates: Vec<(Range<usize>, Option<usize>, usize)> = cat
        .signals
        .claim
        .find_all_terms(words)
        .into_iter()
        .map(|(_, r)| (sentence_of(&main.original_range(&r)), None, 0))
        .collect();
    for (i, portal) in cat.portals.iter().enumerate() {
        for (_, r) in portal.names.find_all_terms(words) {
            candidates.push((sentence_of(&main.original_range(&r)), Some(i), r.len()));
        }
    }
    // Of the portals a sentence names, the longest name wins: "Serviceportal
    // des Landes Sachsen-Anhalt" also begins with the name of Sachsen's.
    candidates.sort_by(|a, b| {
        a.0.start
            .cmp(&b.0.start)
            .then(b.1.is_some().cmp(&a.1.is_some()))
            .then(b.2.cmp(&a.2))
    });
    candidates.dedup_by(|b, a| a.0 == b.0);
    candidates.into_iter().map(|(s, p, _)| (s, p)).collect()
}

/// Level 4 statements (electronic notice, once-only, end to end digital)
/// for the services the sentence's section or page is about; whether they
/// count is decided over the whole run (see `verdicts`). One per sentence.
fn transaction_signals(
    cat: &Catalogue,
    text: &str,
    main: &Folded,
    words: &crate::text::Words,
    sentence_of: &dyn Fn(&Range<usize>) -> Range<usize>,
    describes: &dyn Fn(usize) -> Option<Vec<ServiceId>>,
    named_in: &dyn Fn(&str) -> Vec<ServiceId>,
) -> Vec<Signal> {
    let sig = &cat.signals;
    let mut out = Vec::new();
    let mut last_sentence: Option<Range<usize>> = None;
    for (p, r) in sig.transaction.find_all_terms(words) {
        let o = main.original_range(&r);
        let s_range = sentence_of(&o);
        if last_sentence.as_ref() == Some(&s_range) {
            continue;
        }
        last_sentence = Some(s_range.clone());
        let sentence_f = fold(text.get(s_range.clone()).unwrap_or_default());
        let cancelled = negated(cat, &sentence_f).map(|n| format!("negated: \"{n}\""));
        // Like a form, the statement describes what its page is about;
        // services it names are documents no longer needed ("Sie müssen
        // keine Meldebescheinigung vorlegen").
        let services = match describes(s_range.start) {
            Some(v) if !v.is_empty() => v,
            _ => named_in(&sentence_f),
        };
        for svc in services {
            out.push(Signal {
                service: svc,
                kind: SignalKind::Transaction,
                level: Level::Transaction,
                rule: format!("full transaction: \"{p}\""),
                excerpt: excerpt_marked(text, &s_range, &o),
                target: None,
                cancelled: cancelled.clone(),
            });
        }
    }
    out
}

/// What finding prose claims needs from the page's analysis.
struct ProseInput<'a> {
    cat: &'a Catalogue,
    state: State,
    text: &'a str,
    /// Candidate sentences, with the portal (index into the catalogue's
    /// portals) a sentence names, if any.
    sentences: &'a [(Range<usize>, Option<usize>)],
    /// Starts of sentences whose link already gave a signal.
    skip: &'a [usize],
    link_share: &'a dyn Fn(&Range<usize>) -> (usize, f64),
    describes: &'a dyn Fn(usize) -> Option<Vec<ServiceId>>,
    named_within: &'a dyn Fn(&str, &[ServiceId]) -> Vec<ServiceId>,
}

/// Sentences that say the application can be made online ("Der Antrag kann
/// online gestellt werden"), for the services they are about: those of
/// their section or page that they name, else (naming none) their
/// section's or page's; on a page about nothing, those they name. Negated, hedged (future,
/// conditional), appointment and print sentences stay visible as cancelled
/// claims; questions and navigation bars are no claims at all.
fn prose_claims(p: &ProseInput<'_>) -> Vec<Signal> {
    let sig = &p.cat.signals;
    let mut out = Vec::new();
    for (s_range, portal) in p.sentences {
        let portal = portal.and_then(|i| p.cat.portals.get(i));
        let Some(sentence) = p.text.get(s_range.clone()) else {
            continue;
        };
        let trimmed = sentence.trim();
        if trimmed.ends_with('?')
            || trimmed.split_whitespace().count() < 5
            || p.skip.contains(&s_range.start)
        {
            continue;
        }
        let folded = fold(sentence);
        // A claim phrase, and/or a portal named with a verb of applying.
        let claim_rule = sig.claim.find(&folded).map(|(phrase, _)| {
            format!(
                "the text says the application can be made online (\"{}\"); no link shows it",
                phrase.source()
            )
        });
        let portal_rule = portal.and_then(|pt| {
            let (verb, _) = sig.apply_verbs.find(&folded).or(sig.claim.find(&folded))?;
            Some(format!(
                "the text names the portal {} for the application (\"{}\"); no link shows it",
                pt.name,
                verb.source()
            ))
        });
        if claim_rule.is_none() && portal_rule.is_none() {
            continue;
        }
        // A navigation bar, or a link that is its whole sentence: the
        // link speaks for it, not the prose.
        let (links_in, share) = (p.link_share)(s_range);
        if (links_in >= 3 && share >= NAV_BAR_LINK_SHARE)
            || (links_in >= 1 && share >= LONE_LINK_SHARE)
        {
            continue;
        }
        let cancelled = negated(p.cat, &folded)
            .map(|n| format!("negated: \"{n}\""))
            .or_else(|| {
                [
                    (&sig.hedge, "not a statement about this service now"),
                    (&sig.appointment, "appointment booking"),
                    (&sig.print, "the form is printed"),
                ]
                .iter()
                .find_map(|(list, why)| {
                    list.find(&folded)
                        .map(|(n, _)| format!("{why}: \"{}\"", n.source()))
                })
            });
        let portal_cancelled = portal.and_then(|pt| match &pt.retired {
            Some(r) => Some(format!("retired portal {}: {r}", pt.name)),
            None if !pt.states.contains(&p.state) => Some(format!(
                "portal of another state: {} does not serve {}",
                pt.name, p.state
            )),
            None => None,
        });
        // The services of the sentence's section or page; of those, the ones
        // it names. A sentence that names only other services speaks of
        // something else, and a page about nothing has no service to claim.
        let services = match (p.describes)(s_range.start) {
            // A page about nothing: the services the sentence names.
            None => (p.named_within)(&folded, &[]),
            Some(context) => {
                let named = (p.named_within)(&folded, &context);
                let both: Vec<ServiceId> = named
                    .iter()
                    .filter(|s| context.contains(s))
                    .cloned()
                    .collect();
                match (named.is_empty(), both.is_empty()) {
                    (true, _) => context,
                    (false, false) => both,
                    (false, true) => Vec::new(),
                }
            }
        };
        // A named portal speaks only for the services it carries; for the
        // others the sentence's own claim wording, if any, decides.
        let carries = |svc: &ServiceId| match portal.map(|pt| &pt.services) {
            Some(Scope::Only(list)) => list.contains(svc),
            Some(Scope::All) => true,
            None => false,
        };
        for svc in services {
            let (rule, why) = match (&portal_rule, &claim_rule) {
                (Some(r), _) if carries(&svc) => {
                    (r.clone(), cancelled.clone().or(portal_cancelled.clone()))
                }
                (_, Some(r)) => (r.clone(), cancelled.clone()),
                _ => continue,
            };
            out.push(Signal {
                service: svc,
                kind: SignalKind::ProseClaim,
                level: Level::Online,
                rule,
                excerpt: clip_marked(sentence),
                target: None,
                cancelled: why,
            });
        }
    }
    out
}

/// A whole sentence as an excerpt, marked.
fn clip_marked(sentence: &str) -> String {
    format!(
        "{MARK_OPEN}{}{MARK_CLOSE}",
        clip(sentence.trim(), EXCERPT_MAX)
    )
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
        // A document named as a form, or one its sentence says to print
        // ("drucken Sie die Karte hier aus: [Sperrmüllkarte (PDF)]").
        let form_word = sig.form_words.is_match(&local)
            || sig.form_download.is_match(anchor_f)
            || sig.print.is_match(sent_f);
        if form_word && appointment.is_none() {
            let rule = format!(
                "downloadable form ({})",
                link.url.path().rsplit('.').next().unwrap_or("document")
            );
            return Some((SignalKind::FormDownload, Level::FormAssistant, rule, None));
        }
        return None;
    }
    // A host of the city's own scope is the city's site even where it is a
    // state's portal too (berlin.de, hamburg.de): its links are same-site
    // links, judged by the page they lead to.
    let portal = cat.portal_for_host(host).filter(|_| !(ctx.in_scope)(host));
    if let Some(portal) = portal {
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
        let rule = if matches!(link.kind, LinkKind::Iframe | LinkKind::Frame) {
            format!("embedded frame: {rule}")
        } else {
            rule
        };
        return Some((SignalKind::ApplicationLink, Level::Online, rule, None));
    }
    // An inline frame in the content shows another page as part of this
    // one: what it holds decides, whatever the words around it.
    if link.kind == LinkKind::Iframe {
        return Some((
            SignalKind::EmbeddedForm,
            Level::Online,
            "inline frame (counts when it holds an application form)".to_string(),
            None,
        ));
    }
    // A link whose text is only the form-download wording (a form assistant
    // on the city's site or a vendor's) stays level 2.
    if let Some((p, _)) = sig.form_download.find(anchor_f) {
        return Some((
            SignalKind::FormDownload,
            Level::FormAssistant,
            format!("link to a form: \"{}\"", p.source()),
            None,
        ));
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

/// One service-term match in folded text.
#[derive(Debug, Clone)]
struct Named<'c> {
    /// Index into the catalogue's services.
    service: usize,
    /// The catalogue term that matched (for the reasons shown).
    term: &'c str,
    range: Range<usize>,
}

/// Every service-term match in folded text. A match that lies inside a
/// longer match of another service's term gives way: "Gewerbe ummelden"
/// names the business registration, not the change of address, and
/// "Fahrzeug abmelden" the vehicle, not the residence.
fn named<'c>(cat: &'c Catalogue, folded: &str) -> Vec<Named<'c>> {
    named_in_words(cat, &crate::text::Words::new(folded))
}

/// The negation phrase in folded text, if any, that is not part of a
/// service's own name: "außer Betrieb setzen" is what the Kfz-Abmeldung is
/// called, not a service out of order.
fn negated<'c>(cat: &'c Catalogue, folded: &str) -> Option<&'c str> {
    cat.signals.negation.find(folded)?;
    let words = crate::text::Words::new(folded);
    let names = named_in_words(cat, &words);
    cat.signals
        .negation
        .find_all_terms(&words)
        .into_iter()
        .find(|(_, r)| {
            !names
                .iter()
                .any(|m| m.range.start <= r.start && r.end <= m.range.end)
        })
        .map(|(p, _)| p)
}

/// Whether a match is by one of its service's weak terms.
fn is_weak(cat: &Catalogue, m: &Named<'_>) -> bool {
    cat.services[m.service].weak.iter().any(|w| w == m.term)
}

/// The services a title, heading, URL or breadcrumb names. There a weak
/// term gives way to another service's strong one: "Außerbetriebsetzung -
/// i-Kfz" is about the deregistration, not every i-Kfz service.
fn named_in_place<'c>(cat: &'c Catalogue, folded: &str) -> Vec<Named<'c>> {
    let all = named(cat, folded);
    let strong: Vec<usize> = all
        .iter()
        .filter(|m| !is_weak(cat, m))
        .map(|m| m.service)
        .collect();
    if strong.is_empty() {
        return all;
    }
    all.into_iter()
        .filter(|m| strong.contains(&m.service))
        .collect()
}

fn named_in_words<'c>(cat: &'c Catalogue, words: &crate::text::Words) -> Vec<Named<'c>> {
    let mut all: Vec<Named<'c>> = Vec::new();
    for (i, svc) in cat.services.iter().enumerate() {
        for (term, range) in svc.terms.find_all_terms(words) {
            all.push(Named {
                service: i,
                term,
                range,
            });
        }
    }
    without_dominated(all)
}

/// Drops each match that lies inside a strictly longer match of another
/// service, in one pass over the matches in text order (a hostile page
/// may hold a million of them); the rest stay in text order. The words a
/// gap (`...`) skips are not the gap term's own: inside "Gewerbe an-, um-
/// oder abmelden" the Gewerbeabmeldung's "Gewerbe ... abmelden" does not
/// swallow the Gewerbeanmeldung's "Gewerbe ... an(melden)"; only a match
/// that ends on a gap term's last word gives way to it.
fn without_dominated(mut all: Vec<Named<'_>>) -> Vec<Named<'_>> {
    all.sort_by_key(|m| m.range.start);
    let by_gap = dominated_by_gap_terms(&all);
    // The farthest end of earlier-starting matches without a gap, and the
    // farthest end among services other than that one's: (end, service).
    let mut reach: [Option<(usize, usize)>; 2] = [None, None];
    let mut out = Vec::with_capacity(all.len());
    let mut i = 0;
    while i < all.len() {
        let start = all[i].range.start;
        let n = all[i..]
            .iter()
            .take_while(|m| m.range.start == start)
            .count();
        let group = &all[i..i + n];
        for (k, m) in group.iter().enumerate() {
            let by_earlier = reach
                .iter()
                .flatten()
                .find(|(_, s)| *s != m.service)
                .is_some_and(|(end, _)| *end >= m.range.end);
            let by_same_start = group
                .iter()
                .any(|o| o.service != m.service && o.range.end > m.range.end && !has_gap(o.term));
            if !by_earlier && !by_same_start && !by_gap[i + k] {
                out.push(m.clone());
            }
        }
        for m in group.iter().filter(|m| !has_gap(m.term)) {
            let (end, service) = (m.range.end, m.service);
            reach = match reach {
                [None, _] => [Some((end, service)), None],
                [Some((e0, s0)), r1] if s0 == service => [Some((e0.max(end), s0)), r1],
                [Some(first), _] if end > first.0 => [Some((end, service)), Some(first)],
                [first, Some((e1, s1))] if s1 == service => [first, Some((e1.max(end), s1))],
                [first, Some(second)] if second.0 >= end => [first, Some(second)],
                [first, _] => [first, Some((end, service))],
            };
        }
        i += n;
    }
    out
}

fn has_gap(term: &str) -> bool {
    term.contains("...")
}

/// For each match (sorted by start): whether a longer gap-term match of
/// another service ends where it ends. Per end, the two earliest starts of
/// distinct services suffice.
fn dominated_by_gap_terms(all: &[Named<'_>]) -> Vec<bool> {
    let mut earliest: rustc_hash::FxHashMap<usize, [Option<(usize, usize)>; 2]> =
        Default::default();
    for m in all.iter().filter(|m| has_gap(m.term)) {
        let e = earliest.entry(m.range.end).or_default();
        let (start, svc) = (m.range.start, m.service);
        // Matches come in start order: the first seen per service is its
        // earliest.
        *e = match *e {
            [None, _] => [Some((start, svc)), None],
            [Some(first), None] if first.1 != svc => [Some(first), Some((start, svc))],
            kept => kept,
        };
    }
    all.iter()
        .map(|m| {
            earliest.get(&m.range.end).is_some_and(|e| {
                e.iter()
                    .flatten()
                    .find(|(_, v)| *v != m.service)
                    .is_some_and(|(start, _)| *start < m.range.start)
            })
        })
        .collect()
}

/// Mentions of a service in main text, outside link texts; words completed
/// from one elision count once.
fn count_mentions(
    service: usize,
    named_main: &[Named],
    main: &Folded,
    link_spans: &[Range<usize>],
) -> u32 {
    let mut starts: Vec<usize> = named_main
        .iter()
        .filter(|m| m.service == service)
        .map(|m| main.original_range(&m.range))
        // `link_spans` is sorted, and links do not nest: only the last
        // link starting before the mention can hold it.
        .filter(|o| {
            let k = link_spans.partition_point(|l| l.start <= o.start);
            k.checked_sub(1)
                .and_then(|k| link_spans.get(k))
                .is_none_or(|l| o.start >= l.end)
        })
        .map(|o| o.start)
        .collect();
    starts.dedup();
    starts.len().min(10) as u32
}

/// `folded` is `original` folded.
fn excerpt_around(original: &str, folded: &Folded, r: &Range<usize>) -> String {
    let o = folded.original_range(r);
    let s = folded
        .sentences()
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

/// How many same-site application links are followed to the page that
/// really offers the application (start page → service page → form).
const SAME_SITE_HOPS: u8 = 3;

/// Decides whether a signal's link target holds.
struct Resolver<'a> {
    by_url: std::collections::HashMap<&'a str, &'a PageFindings>,
    liveness: &'a dyn Fn(&str, Claim) -> Liveness,
    /// What [`Resolver::offers`] found, per (page, service, hops, need,
    /// offers_any): pages that link to each other many times would
    /// otherwise be walked once per path, exponentially in the hops.
    memo: std::cell::RefCell<OffersMemo<'a>>,
}

type OffersMemo<'a> = std::collections::HashMap<(&'a str, ServiceId, u8, Level, bool), bool>;

impl<'a> Resolver<'a> {
    /// Why the signal's link target does not hold, if it does not.
    fn target_fails(&self, s: &Signal, hops: u8) -> Option<String> {
        let t = s.target.as_deref()?;
        let claim = match s.kind {
            SignalKind::ApplicationLink => Claim::Application,
            SignalKind::EmbeddedForm => Claim::Embedded,
            SignalKind::FormDownload if Url::parse(t).is_ok_and(|u| !is_document(&u)) => {
                Claim::Form
            }
            _ => Claim::Reachable,
        };
        match (self.liveness)(t, claim) {
            Liveness::Alive => None,
            Liveness::Dead(why) => Some(format!("dead link: {why}")),
            Liveness::Unknown(why) => Some(format!("link not verified: {why}")),
            Liveness::NotAnApplication(why) => Some(why),
            Liveness::OwnPage { url, offers_any } => {
                // A form link needs the service's form there; an application
                // link its application (or, on a page about no service, an
                // application form of its own).
                let (need, offers_any) = match claim {
                    Claim::Form => (Level::FormAssistant, false),
                    _ => (Level::Online, offers_any),
                };
                let holds = hops > 0
                    && match self.by_url.get(url.as_str()).copied() {
                        Some(f) => self.offers(f, &s.service, hops - 1, need, offers_any),
                        None => offers_any,
                    };
                (!holds).then(|| match claim {
                    Claim::Form => {
                        "the linked page of the city has no form for the service".to_string()
                    }
                    _ => "the linked page of the city offers no online application for the service"
                        .to_string(),
                })
            }
        }
    }

    /// Whether a page offers the online application for `svc`: a signal of
    /// its own that holds, or (a page about no service) an application form.
    fn offers(
        &self,
        f: &'a PageFindings,
        svc: &ServiceId,
        hops: u8,
        need: Level,
        offers_any: bool,
    ) -> bool {
        let key = (f.url.as_str(), svc.clone(), hops, need, offers_any);
        if let Some(&known) = self.memo.borrow().get(&key) {
            return known;
        }
        let own = f.signals.iter().any(|s| {
            &s.service == svc
                && s.cancelled.is_none()
                && s.level >= need
                && s.kind != SignalKind::Transaction
                // A link verifies only on a page that offers the application
                // itself, not on one that only says so.
                && s.kind != SignalKind::ProseClaim
                && self.target_fails(s, hops).is_none()
        });
        let offers = own || (offers_any && f.about.is_empty());
        self.memo.borrow_mut().insert(key, offers);
        offers
    }
}

/// Combine the findings of a run into one verdict per catalogue service.
/// `liveness(target, claim)` answers for link targets, given what the link
/// claims ([`Claim`]); a signal whose target does not hold does not raise
/// the level (it stays visible as a cancelled signal).
pub fn verdicts(
    cat: &Catalogue,
    findings: &[PageFindings],
    liveness: &dyn Fn(&str, Claim) -> Liveness,
) -> Vec<ServiceVerdict> {
    // Per service: evidence items, and for each item the full-transaction
    // statement it carries (if any). Level 4 needs both an online
    // application somewhere in the run and such a statement on a page about
    // the service; they are often on different pages (portal start page vs.
    // form), so they are combined per service, not per page.
    let mut per: BTreeMap<ServiceId, Vec<(Evidence, Option<String>)>> = BTreeMap::new();
    let resolver = Resolver {
        by_url: findings.iter().map(|f| (f.url.as_str(), f)).collect(),
        liveness,
        memo: Default::default(),
    };
    let failed_links = failed_application_links(findings, &resolver);
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
                let cancelled = s.cancelled.clone().or_else(|| match s.kind {
                    SignalKind::ProseClaim => failed_links.get(svc).map(|why| {
                        format!("contradicted by the site's own link to the application: {why}")
                    }),
                    _ => resolver.target_fails(s, SAME_SITE_HOPS),
                });
                match &cancelled {
                    Some(why) => described.push(format!("{} (not counted: {why})", s.rule)),
                    None if s.kind == SignalKind::Transaction => {
                        transaction = transaction.or(Some(s));
                    }
                    None => {
                        described.push(s.rule.clone());
                        // At the same level, what a target proved beats
                        // what the text says.
                        let stronger = |b: &Signal| {
                            s.level > b.level
                                || (s.level == b.level
                                    && b.kind == SignalKind::ProseClaim
                                    && s.kind != SignalKind::ProseClaim)
                        };
                        if best.is_none_or(stronger) {
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
                    basis: (level >= Level::Online).then(|| match best {
                        Some(b) if b.kind == SignalKind::ProseClaim => Basis::Claimed,
                        _ => Basis::Verified,
                    }),
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
            let online_basis = items
                .iter()
                .filter_map(|(e, _)| e.basis)
                .max()
                .unwrap_or(Basis::Claimed);
            let mut evidence: Vec<Evidence> = items
                .into_iter()
                .map(|(mut e, tx)| {
                    if let Some(tx) = tx {
                        let (rule, excerpt) = tx.split_once('\u{0}').unwrap_or((&tx, ""));
                        if online {
                            e.signals.push(rule.to_string());
                            // The statement stands on a page about the service;
                            // the online application it completes may be elsewhere.
                            e.basis = e.basis.or(Some(online_basis));
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
                    .then(b.basis.cmp(&a.basis))
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

/// Per service, why a link of the city's pages to its online application
/// does not hold (dead or unreachable, a news item, retired, another
/// state's portal): a claim in prose for that service is contradicted by
/// it. Links that were not checked, that lead to another page of the city,
/// and appointment or contact links contradict nothing.
fn failed_application_links(
    findings: &[PageFindings],
    resolver: &Resolver<'_>,
) -> BTreeMap<ServiceId, String> {
    let mut out = BTreeMap::new();
    for s in findings.iter().flat_map(|f| &f.signals) {
        if !s.kind.is_application_link() || out.contains_key(&s.service) {
            continue;
        }
        let why = match &s.cancelled {
            Some(c)
                if c.starts_with("retired portal") || c.starts_with("portal of another state") =>
            {
                Some(c.clone())
            }
            Some(_) => None,
            // A dead target; a link to another page of the city that offers
            // no application proves nothing either way.
            None => resolver.target_fails(s, SAME_SITE_HOPS).filter(|w| {
                w.starts_with("dead link")
                    || w.contains("unreachable")
                    || w.starts_with("the target is a news item")
                    || w.starts_with("the framed page")
            }),
        };
        if let Some(why) = why {
            out.insert(s.service.clone(), why);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    //! The detection mechanisms one at a time, on small pages and the
    //! built-in catalogue (the corpus tests measure them together).
    use super::*;
    use crate::extract::{read_page, Extractor};

    /// The one-pass filter drops exactly what the pairwise definition does.
    #[test]
    fn dominated_matches_are_those_inside_a_longer_one_of_another_service() {
        let naive = |all: &[Named]| -> Vec<(usize, Range<usize>)> {
            let mut v: Vec<(usize, Range<usize>)> = all
                .iter()
                .filter(|m| {
                    !all.iter().any(|o| {
                        o.service != m.service
                            && o.range.start <= m.range.start
                            && m.range.end <= o.range.end
                            && o.range.len() > m.range.len()
                            && (!has_gap(o.term) || o.range.end == m.range.end)
                    })
                })
                .map(|m| (m.service, m.range.clone()))
                .collect();
            v.sort_by_key(|(_, r)| r.start);
            v
        };
        // A small deterministic generator of overlapping matches.
        let mut x: u64 = 7;
        let mut next = |n: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((x >> 33) % n) as usize
        };
        for _ in 0..300 {
            let all: Vec<Named> = (0..next(12))
                .map(|_| {
                    let start = next(20);
                    Named {
                        service: next(3),
                        term: if next(3) == 0 { "a ... b" } else { "" },
                        range: start..start + 1 + next(8),
                    }
                })
                .collect();
            let mut want = naive(&all);
            let mut got: Vec<(usize, Range<usize>)> = without_dominated(all)
                .into_iter()
                .map(|m| (m.service, m.range))
                .collect();
            want.sort_by_key(|(s, r)| (r.start, r.end, *s));
            got.sort_by_key(|(s, r)| (r.start, r.end, *s));
            assert_eq!(got, want);
        }
    }

    fn cat() -> Catalogue {
        Catalogue::embedded().unwrap_or_else(|e| panic!("{e}"))
    }

    fn findings(cat: &Catalogue, url: &str, body: &str) -> PageFindings {
        let u = Url::parse(url).unwrap_or_else(|e| panic!("{e}"));
        let ex = Extractor::new(&cat.page);
        let page = read_page(&ex, &u, body.as_bytes(), Some("text/html"), true)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no page"));
        let in_scope = |h: &str| h.ends_with("stadt.de");
        let ctx = Context {
            state: State::NW,
            in_scope: &in_scope,
        };
        analyze(
            cat,
            &ctx,
            &page,
            &u,
            jiff::Timestamp::UNIX_EPOCH,
            SnapshotId::of(body.as_bytes()),
        )
    }

    fn page(title: &str, main: &str) -> String {
        format!(
            "<html><head><title>{title}</title></head><body><nav><a href='/a'>Elterngeld</a> \
             <a href='/b'>Kita</a></nav><main><h1>{title}</h1>{main}</main></body></html>"
        )
    }

    fn level_of(
        cat: &Catalogue,
        pages: &[PageFindings],
        svc: &str,
        live: &dyn Fn(&str, Claim) -> Liveness,
    ) -> Level {
        verdicts(cat, pages, live)
            .into_iter()
            .find(|v| v.service.as_str() == svc)
            .map_or(Level::Offline, |v| v.level)
    }

    fn alive(_: &str, _: Claim) -> Liveness {
        Liveness::Alive
    }

    fn dead(_: &str, _: Claim) -> Liveness {
        Liveness::Dead("HTTP 404".into())
    }

    /// Data-driven: the level and basis a one-page site gives a service.
    fn check(
        title: &str,
        main: &str,
        svc: &str,
        live: &dyn Fn(&str, Claim) -> Liveness,
    ) -> (Level, Option<Basis>) {
        let c = cat();
        let f = findings(&c, "http://www.stadt.de/leistung.html", &page(title, main));
        verdicts(&c, &[f], live)
            .into_iter()
            .find(|v| v.service.as_str() == svc)
            .map_or((Level::Offline, None), |v| (v.level, v.basis()))
    }

    #[test]
    fn news_is_a_part_that_begins_with_a_news_word() {
        let c = cat();
        let news = |t: &str| is_news(&c.signals.news, t);
        assert!(news("/aktuelles/2026/wohngeld-jetzt-online/"));
        assert!(news("Startseite › Presse › Pressemitteilungen"));
        assert!(news("Pressemitteilung: Wohngeld jetzt online"));
        assert!(!news("/buergerservice/service-aktuelles/wohngeld/"));
        assert!(!news("Service-Aktuelles – Wohngeld beantragen"));
    }

    #[test]
    fn a_city_host_that_is_also_a_state_portal_is_the_city_s_site() {
        let c = cat();
        let body = page(
            "Wohngeld",
            "<p>Informationen zum Wohngeld.</p>\
             <p><a href='http://www.berlin.de/sen/wohnen/'>Antrag online stellen</a></p>",
        );
        let u =
            Url::parse("http://www.berlin.de/ba-mitte/wohngeld/").unwrap_or_else(|e| panic!("{e}"));
        let ex = Extractor::new(&c.page);
        let pg = read_page(&ex, &u, body.as_bytes(), Some("text/html"), true)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no page"));
        let berlin = |h: &str| h.ends_with("berlin.de");
        let f = analyze(
            &c,
            &Context {
                state: State::BE,
                in_scope: &berlin,
            },
            &pg,
            &u,
            jiff::Timestamp::UNIX_EPOCH,
            SnapshotId::of(body.as_bytes()),
        );
        assert!(
            !f.signals.iter().any(|s| s.kind == SignalKind::PortalLink),
            "{:?}",
            f.signals
        );
    }

    #[test]
    fn a_sentence_that_says_online_is_a_claim_not_a_verification() {
        let cases: &[(&str, &str, Level, Option<Basis>)] = &[
            // Prose alone: level 3, claimed.
            ("<p>Den Antrag auf Wohngeld können Sie auch online stellen.</p>", "wohngeld", Level::Online, Some(Basis::Claimed)),
            ("<p>Anträge nehmen wir nur noch online entgegen, bitte nutzen Sie dafür das Serviceportal.</p>", "wohngeld", Level::Online, Some(Basis::Claimed)),
            // Negated, future, conditional, a question: no claim.
            ("<p>Eine Online-Beantragung ist derzeit leider nicht möglich.</p>", "wohngeld", Level::Information, None),
            ("<p>Die Möglichkeit, Wohngeld online zu beantragen, ist für 2027 geplant.</p>", "wohngeld", Level::Information, None),
            ("<p>Je nach Wohngeldbehörde können Sie den Antrag auch online stellen.</p>", "wohngeld", Level::Information, None),
            ("<p>Kann ich den Antrag auch online stellen und gleich bezahlen?</p>", "wohngeld", Level::Information, None),
            // Appointment booking is no application.
            ("<p>Sie können sich online für einen Termin in der Wohngeldstelle anmelden.</p>", "wohngeld", Level::Information, None),
            // A sentence about another service is not this one's claim.
            ("<p>Ihren Personalausweis können Sie dagegen nur noch online beantragen lassen.</p>", "wohngeld", Level::Information, None),
        ];
        for (main, svc, level, basis) in cases {
            assert_eq!(
                check("Wohngeld", main, svc, &alive),
                (*level, *basis),
                "{main}"
            );
        }
    }

    #[test]
    fn a_portal_named_in_prose_with_a_verb_of_applying_is_a_claim() {
        // ElterngeldDigital carries Elterngeld in every state: claimed.
        let main = "<p>Den Antrag auf Elterngeld stellen Sie bequem über ElterngeldDigital.</p>";
        assert_eq!(
            check("Elterngeld", main, "elterngeld", &alive),
            (Level::Online, Some(Basis::Claimed))
        );
        // Named without a verb of applying: information only.
        let main =
            "<p>Auf ElterngeldDigital finden Sie viele Informationen rund um die Familie.</p>";
        assert_eq!(
            check("Elterngeld", main, "elterngeld", &alive).0,
            Level::Information
        );
        // Another state's portal (Amt24 is Saxony's; the test city is in NRW).
        let main = "<p>Den Antrag auf Wohngeld reichen Sie über Amt24 ein, samt Nachweisen.</p>";
        assert_eq!(
            check("Wohngeld", main, "wohngeld", &alive).0,
            Level::Information
        );
    }

    #[test]
    fn a_weak_term_gives_way_to_the_page_it_stands_on() {
        // "Ummeldung" alone names the change of address, but on the Gewerbe
        // page the sentence is about the trade's; the state portal is named
        // the way pages name it, not by its brand.
        let main = "<p>Ob Anmeldung, Ummeldung oder Abmeldung: das erledigen Sie mit wenigen \
                    Klicks im Serviceportal des Landes Nordrhein-Westfalen.</p>";
        assert_eq!(
            check("Gewerbeangelegenheiten", main, "gewerbeabmeldung", &alive),
            (Level::Online, Some(Basis::Claimed))
        );
        assert!(check("Gewerbeangelegenheiten", main, "ummeldung", &alive).0 < Level::Online);
        // On a page about nothing the weak term still names its service.
        let main =
            "<p>Die Ummeldung erledigen Sie im Serviceportal des Landes Nordrhein-Westfalen.</p>";
        assert_eq!(
            check("Bürgerservice", main, "ummeldung", &alive),
            (Level::Online, Some(Basis::Claimed))
        );
    }

    #[test]
    fn of_two_portal_names_in_a_sentence_the_longer_one_is_meant() {
        // "Serviceportal des Landes Sachsen-Anhalt" begins with Saxony's name.
        let c = cat();
        let main = "<p>Den Antrag auf Wohngeld stellen Sie im Serviceportal des Landes Sachsen-Anhalt.</p>";
        let f = findings(
            &c,
            "http://www.stadt.de/wohngeld.html",
            &page("Wohngeld", main),
        );
        let claim = f
            .signals
            .iter()
            .find(|s| s.kind == SignalKind::ProseClaim)
            .unwrap_or_else(|| panic!("no prose claim: {:?}", f.signals));
        let why = claim.cancelled.clone().unwrap_or_default();
        assert!(why.contains("Sachsen-Anhalt"), "{why}");
    }

    #[test]
    fn an_office_page_informs_about_each_service_with_a_section_of_its_own() {
        let section = |body: &str| {
            format!(
                "<p>Die Ausländerbehörde berät Sie gern.</p><h2>Beschäftigungserlaubnis</h2><p>{body}</p>\
                 <h2>Öffnungszeiten</h2><p>Montag bis Freitag.</p>"
            )
        };
        let prose = "Personen mit Duldung, die eine Arbeit aufnehmen möchten, bringen den \
                     Arbeitsvertrag und die Stellenbeschreibung des Arbeitgebers zu einem Termin mit.";
        assert_eq!(
            check(
                "Zuwanderung und Aufenthalt",
                &section(prose),
                "beschaeftigungserlaubnis",
                &alive
            )
            .0,
            Level::Information
        );
        // A teaser box is no section about the service.
        assert_eq!(
            check(
                "Zuwanderung und Aufenthalt",
                &section("Alles Wichtige. Weiter"),
                "beschaeftigungserlaubnis",
                &alive
            )
            .0,
            Level::Offline
        );
    }

    #[test]
    fn a_form_s_purpose_is_what_a_person_reads_not_its_field_names() {
        let form = |label: &str, name: &str| {
            format!(
                "<p>Melden Sie uns Ihren Verlust.</p><form method='post' action='/cgi-bin/verlust'>\
                 Gegenstand <input name='gegenstand'> {label} <input name='{name}'>\
                 <input type='submit' value='Absenden'></form>"
            )
        };
        // A field named "kontakt" holds the applicant's phone number.
        assert_eq!(
            check(
                "Fundbüro",
                &form("Telefon", "kontakt"),
                "fundsachen",
                &alive
            )
            .0,
            Level::Online
        );
        // A field a person reads as "Ihre Nachricht" makes a contact form.
        assert!(
            check(
                "Fundbüro",
                &form("Ihre Nachricht", "text"),
                "fundsachen",
                &alive
            )
            .0 < Level::Online
        );
    }

    #[test]
    fn a_form_that_takes_documents_is_online_whatever_else_it_mentions() {
        // "per Post" is about the tag sent back, not the way of applying.
        let main = "<form method='post' enctype='multipart/form-data' action='/abmeldung'>\
                    Kassenzeichen <input name='kz'> Nachweis <input type='file' name='nachweis'>\
                    <input type='checkbox' name='marke'> Die Steuermarke wird per Post zurückgesandt\
                    <button>Abmeldung absenden</button></form>";
        assert_eq!(
            check("Hundesteuer", main, "hundesteuer", &alive).0,
            Level::Online
        );
    }

    #[test]
    fn a_document_its_sentence_says_to_print_is_a_form() {
        let main = "<p>Zur Anmeldung dient die Sperrmüllkarte. Haben Sie keine zur Hand, drucken Sie \
                    die Karte hier aus:</p><p><a href='/media/karte.pdf'>Sperrmüllkarte (PDF)</a></p>";
        assert_eq!(
            check("Sperrmüll", main, "sperrmuell", &alive).0,
            Level::FormAssistant
        );
        // Without the print sentence the same link is just a document.
        let main =
            "<p>Weitere Hinweise:</p><p><a href='/media/karte.pdf'>Sperrmüllkarte (PDF)</a></p>";
        assert_eq!(
            check("Sperrmüll", main, "sperrmuell", &alive).0,
            Level::Information
        );
    }

    #[test]
    fn mentions_alone_are_context_where_the_title_names_another_service() {
        let main = "<p>Wer Bürgergeld bezieht, stellt den Antrag beim Jobcenter. Auch Familien mit \
                    Bürgergeld erhalten die Leistungen. Bürgergeld-Haushalte wenden sich an das Jobcenter.</p>";
        assert_eq!(
            check("Bildung und Teilhabe", main, "buergergeld", &alive).0,
            Level::Offline
        );
        // On a page whose title names no service the same mentions count.
        assert_eq!(
            check("Soziale Hilfen", main, "buergergeld", &alive).0,
            Level::Information
        );
    }

    #[test]
    fn a_trade_notice_is_all_three_and_elided_verbs_reach_across_a_portal_name() {
        // "an-, ab- oder ummelden" stands many words after "Gewerbe".
        let main = "<p>Sie können Ihr Gewerbe online im Wirtschafts-Service-Portal.NRW an-, ab- \
                    oder ummelden.</p>";
        for svc in ["unternehmensanmeldung", "gewerbeabmeldung"] {
            assert_eq!(
                check("Bürgerservice", main, svc, &alive),
                (Level::Online, Some(Basis::Claimed)),
                "{svc}"
            );
        }
        // "Gewerbemeldungen" covers start, change and end of a trade.
        let main = "<p>Für die Anzeigen gibt es amtliche Vordrucke; inzwischen können Sie \
                    Gewerbemeldungen aber auch online erledigen.</p>";
        assert_eq!(
            check("Gewerbeangelegenheiten", main, "gewerbeabmeldung", &alive),
            (Level::Online, Some(Basis::Claimed))
        );
    }

    #[test]
    fn a_service_named_like_a_negation_is_no_negation() {
        // "außer Betrieb setzen" names the Kfz-Abmeldung; "außer Betrieb"
        // alone says a service is out of order.
        let main =
            "<p>Sie können Ihr Fahrzeug online außer Betrieb setzen, mit dem Online-Ausweis.</p>";
        assert_eq!(
            check("Kfz-Abmeldung", main, "kfz-abmeldung", &alive),
            (Level::Online, Some(Basis::Claimed))
        );
        let main = "<p>Der Online-Antrag für die Kfz-Abmeldung ist zurzeit außer Betrieb.</p>";
        assert!(check("Kfz-Abmeldung", main, "kfz-abmeldung", &alive).0 < Level::Online);
    }

    #[test]
    fn a_live_target_verifies_and_a_dead_one_contradicts_the_claim() {
        let main = "<p>Den Antrag auf Wohngeld können Sie online stellen.</p>\
                    <p>Weiter: <a href='http://www.elterngeld-digital.de/antrag'>ElterngeldDigital öffnen</a></p>";
        let text = "<p>Den Antrag können Sie online stellen.</p>\
                    <p><a href='http://formulare.stadt.de/wohngeld/antrag'>Zum Online-Antrag</a></p>";
        assert_eq!(
            check("Wohngeld", text, "wohngeld", &alive),
            (Level::Online, Some(Basis::Verified))
        );
        let (level, _) = check("Wohngeld", text, "wohngeld", &dead);
        assert!(
            level < Level::Online,
            "a dead application link contradicts the prose"
        );
        // A link to a portal of another service neither verifies nor contradicts.
        assert_eq!(
            check("Wohngeld", main, "wohngeld", &dead),
            (Level::Online, Some(Basis::Claimed))
        );
    }

    #[test]
    fn a_longer_term_of_another_service_wins() {
        let c = cat();
        let f = findings(
            &c,
            "http://www.stadt.de/gewerbe.html",
            &page(
                "Gewerbe an-, um- oder abmelden",
                "<p>Hier zeigen Sie Ihr Gewerbe an.</p>",
            ),
        );
        let about: Vec<&str> = f.about.iter().map(|a| a.service.as_str()).collect();
        assert!(about.contains(&"unternehmensanmeldung"), "{about:?}");
        assert!(!about.contains(&"ummeldung"), "{about:?}");
    }

    #[test]
    fn links_in_a_navigation_bar_inside_the_content_prove_nothing() {
        let c = cat();
        let f = findings(
            &c,
            "http://www.stadt.de/elterngeld.html",
            &page(
                "Elterngeld",
                "<p>Sie sind hier: <a href='/'>Start</a> | <a href='/formulare.html'>Formulare</a> | \
                 <a href='/online-dienste.html'>Online-Dienste</a></p>\
                 <p>Elterngeld beantragen Sie bei der Elterngeldstelle.</p>",
            ),
        );
        assert!(f.signals.is_empty(), "{:?}", f.signals);
        assert_eq!(level_of(&c, &[f], "elterngeld", &alive), Level::Information);
    }

    #[test]
    fn a_lone_button_takes_its_meaning_from_the_sentence_before() {
        let c = cat();
        let f = findings(
            &c,
            "http://www.stadt.de/elterngeld.html",
            &page(
                "Elterngeld",
                "<p>Den Antrag auf Elterngeld können Sie online stellen.</p>\
                 <p><a href='https://antrag.vendor.example/eg'>Weiter</a></p>",
            ),
        );
        assert_eq!(level_of(&c, &[f], "elterngeld", &alive), Level::Online);
    }

    #[test]
    fn a_negated_online_way_leaves_the_pdf_form_standing() {
        let c = cat();
        let f = findings(
            &c,
            "http://www.stadt.de/elterngeld.html",
            &page(
                "Elterngeld",
                "<p>Eine Online-Beantragung ist derzeit nicht möglich.</p>\
                 <p><a href='/dok/antrag-elterngeld.pdf'>Antrag auf Elterngeld (PDF)</a></p>",
            ),
        );
        assert_eq!(
            level_of(&c, &[f], "elterngeld", &alive),
            Level::FormAssistant
        );
    }

    #[test]
    fn pages_that_all_link_to_each_other_are_judged_once_each() {
        // 40 pages, each with an application link to every other: walked
        // path by path, three hops would be 40^3 visits per link.
        let c = cat();
        let n = 40;
        let url = |i: usize| format!("http://www.stadt.de/elterngeld-{i}.html");
        let all: Vec<PageFindings> = (0..n)
            .map(|i| {
                let links: String = (0..n)
                    .filter(|&j| j != i)
                    .map(|j| {
                        format!(
                            "<p>Elterngeld <a href='{}'>online beantragen</a>.</p>",
                            url(j)
                        )
                    })
                    .collect();
                findings(&c, &url(i), &page("Elterngeld", &links))
            })
            .collect();
        let own = |t: &str, claim: Claim| match claim {
            Claim::Reachable => Liveness::Alive,
            _ => Liveness::OwnPage {
                url: t.to_string(),
                offers_any: false,
            },
        };
        // No page holds a form: the links lead only to each other.
        assert_eq!(level_of(&c, &all, "elterngeld", &own), Level::Information);
    }

    #[test]
    fn a_same_site_link_holds_only_where_the_target_offers_the_service() {
        let c = cat();
        let start = findings(
            &c,
            "http://www.stadt.de/elterngeld.html",
            &page(
                "Elterngeld",
                "<p>Elterngeld können Sie <a href='http://www.stadt.de/online/'>online beantragen</a>.</p>",
            ),
        );
        let own = |t: &str, claim: Claim| match claim {
            Claim::Reachable => Liveness::Alive,
            _ => Liveness::OwnPage {
                url: t.to_string(),
                offers_any: true,
            },
        };
        // The target is about another service and offers only that one.
        let other = findings(
            &c,
            "http://www.stadt.de/online/",
            &page(
                "Gewerbeanmeldung online",
                "<form method='post' action='/senden'><input name='a'><input name='b'>\
                 <input type='file' name='c'><button>Absenden</button></form>",
            ),
        );
        assert_eq!(
            level_of(&c, &[start.clone(), other], "elterngeld", &own),
            Level::Information
        );
        let form = findings(
            &c,
            "http://www.stadt.de/online/",
            &page(
                "Elterngeld online beantragen",
                "<form method='post' action='/senden'><input name='a'><input name='b'>\
                 <input type='file' name='c'><button>Absenden</button></form>",
            ),
        );
        assert_eq!(
            level_of(&c, &[start, form], "elterngeld", &own),
            Level::Online
        );
    }

    #[test]
    fn an_inline_frame_counts_when_it_holds_an_application_form() {
        let c = cat();
        let f = findings(
            &c,
            "http://www.stadt.de/kita.html",
            &page(
                "Kita-Platz",
                "<p>Hier finden Sie unsere Kitas.</p>\
                 <iframe src='https://kita.vendor.example/stadt/'></iframe>",
            ),
        );
        let holds = |_: &str, _: Claim| Liveness::Alive;
        let empty = |_: &str, claim: Claim| match claim {
            Claim::Embedded => Liveness::NotAnApplication("no form".into()),
            _ => Liveness::Alive,
        };
        assert_eq!(
            level_of(&c, std::slice::from_ref(&f), "kindertagesbetreuung", &holds),
            Level::Online
        );
        assert_eq!(
            level_of(&c, &[f], "kindertagesbetreuung", &empty),
            Level::Information
        );
    }

    #[test]
    fn level_four_needs_the_procedure_not_only_the_submission_to_be_digital() {
        let c = cat();
        let submit = findings(
            &c,
            "http://www.stadt.de/gewerbe.html",
            &page(
                "Gewerbeanmeldung",
                "<p>Die Gewerbeanmeldung können Sie vollständig online abgeben: \
                 <a href='https://www.gewerbe-service.nrw/a'>Gewerbe online anmelden</a>.</p>",
            ),
        );
        assert_eq!(
            level_of(&c, &[submit], "unternehmensanmeldung", &alive),
            Level::Online
        );
        let notice = findings(
            &c,
            "http://www.stadt.de/gewerbe.html",
            &page(
                "Gewerbeanmeldung",
                "<p><a href='https://www.gewerbe-service.nrw/a'>Gewerbe online anmelden</a>.</p>\
                 <p>Den Gebührenbescheid erhalten Sie elektronisch in Ihr Unternehmenskonto.</p>",
            ),
        );
        assert_eq!(
            level_of(&c, &[notice], "unternehmensanmeldung", &alive),
            Level::Transaction
        );
    }
}
