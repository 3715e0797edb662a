//! The Verwaltung sector's web-observable indicators (online appointments
//! per office, payment, service portal, web presence and channels):
//! their parameters as catalogue data (`catalogues/verwaltung.toml`), and
//! over all pages of a run, each parameter found or not, with evidence.
//!
//! The page stage lives with the other detection stages
//! (`detect::sector`); this module holds the catalogue and the verdicts,
//! which follow the services' rule: a target that answered verifies, the
//! city's words claim, a dead target contradicts.

pub mod audit;
mod catalogue;
pub mod diff;
pub mod report;
pub mod score;
mod verdict;

pub use catalogue::{
    parse, Counted, Group, HostPattern, Indicator, LinkIndex, Parameter, Signs, Verwaltung,
};
pub use verdict::{of_run, verdicts, IndicatorVerdict, Missing, ParameterVerdict};

use serde::{Deserialize, Serialize};

/// How a parameter signal was found on a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Found {
    /// A link whose words or host show the parameter; its target must answer.
    Link,
    /// A sentence of the main text: the city's words.
    Sentence,
}

/// One sign of an indicator's parameter on one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectorSignal {
    pub indicator: String,
    pub parameter: String,
    pub found: Found,
    /// The rule in words, e.g. `booking link "Termin buchen" (office named in the link)`.
    pub rule: String,
    /// The sentence or link, the matched span marked `**…**`.
    pub excerpt: String,
    /// The link's target, whose answer verifies (or contradicts) the signal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Why the signal does not count (a negation, a hedge, someone else's
    /// channel), in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled: Option<String>,
    /// The page says the parameter is not (or no longer) offered: a link
    /// to this page proves nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refutes: bool,
}
