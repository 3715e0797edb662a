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
use crate::text::{clip, fold, Folded, Words};
use crate::types::{Level, ServiceId, SnapshotId, State};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Range;
use url::Url;

/// What the detector needs to know about the city besides the page.
pub struct Context<'a> {
    pub state: State,
    /// The city's name (whose channels are its own).
    pub city: &'a str,
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
    /// retired portal, portal of another state); stored as its text.
    pub cancelled: Option<Cancel>,
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
    /// Signs of the Verwaltung sector's indicators (bookings, payment,
    /// portal, channels).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verwaltung: Vec<crate::verwaltung::SectorSignal>,
}

impl PageFindings {
    pub fn is_empty(&self) -> bool {
        self.about.is_empty() && self.signals.is_empty() && self.verwaltung.is_empty()
    }
    /// Link targets whose liveness matters (signals that would raise a level).
    pub fn targets(&self) -> impl Iterator<Item = &str> {
        let sector = self
            .verwaltung
            .iter()
            .filter(|s| s.cancelled.is_none())
            .filter_map(|s| s.target.as_deref());
        self.signals
            .iter()
            .filter(|s| s.cancelled.is_none())
            .filter_map(|s| s.target.as_deref())
            .chain(sector)
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
    /// Why the service is not online (absent when it is, and in verdicts
    /// stored before the field existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_online: Option<NotOnline>,
}

impl ServiceVerdict {
    /// Claimed or verified, for an online level: that of the strongest item.
    pub fn basis(&self) -> Option<Basis> {
        self.evidence.first().and_then(|e| e.basis)
    }
}

/// What a link is taken to prove, which decides what its target must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

mod about;
mod cancel;
mod excerpt;
mod forms;
mod links;
mod names;
mod prose;
mod reading;
mod sector;
#[cfg(test)]
mod tests;
mod verdict;

use about::*;
pub use cancel::{Cancel, NotOnline, TargetFailure};
use excerpt::*;
use forms::*;
use links::*;
use names::*;
use prose::*;
use reading::*;
use sector::*;
pub use verdict::verdicts;

/// Analyse one page, in named stages: what the page is about, then the
/// signals of its links, forms, documents, prose claims and level-4
/// statements, each attributed to the services of its own place.
pub fn analyze(
    cat: &Catalogue,
    ctx: &Context,
    page: &Page,
    url: &Url,
    fetched_at: jiff::Timestamp,
    snapshot: SnapshotId,
) -> PageFindings {
    let main = Folded::new(&page.main_text);
    let words = Words::new(&main.text);
    let mut reading = Reading::new(cat, page, &main, &words);
    let named = NamedOnPage::new(&reading, url);
    reading.sectioned = named.sectioned;
    // A news item announces; it is not the service's information page, and
    // its links, forms and claims are not the application.
    let news = is_news_page(&cat.signals, page, url);
    let about = if news {
        Vec::new()
    } else {
        aboutness(&reading, &named, url)
    };
    reading.about = about.iter().map(|a| a.service.clone()).collect();

    let mut signals = Vec::new();
    let mut linked_sentences = Vec::new();
    let mut application_form = false;
    if !news {
        let links;
        (links, linked_sentences) = link_signals(&reading, ctx, url);
        signals.extend(links);
        let forms;
        (forms, application_form) = form_signals(&reading, url);
        signals.extend(forms);
    }
    if page.document {
        signals.extend(document_signals(&reading, &about));
    }
    if !news {
        let candidates = claim_sentences(&reading);
        signals.extend(prose_claims(
            &reading,
            ctx.state,
            &candidates,
            &linked_sentences,
        ));
    }
    signals.extend(transaction_signals(&reading));
    let verwaltung = sector_signals(&reading, ctx, url, news);

    PageFindings {
        url: url.to_string(),
        fetched_at,
        snapshot,
        about,
        signals,
        news,
        application_form,
        verwaltung,
    }
}
