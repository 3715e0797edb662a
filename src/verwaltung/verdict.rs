//! Over all pages of a run: each parameter found or not, with evidence.
//! A link's target that answered verifies; the city's words (a sentence, a
//! link not checked) claim; a dead target contradicts, so a parameter whose
//! only links are dead is not found, and the report says why.

use super::{Found, SectorSignal, Verwaltung};
use crate::analysis::LivenessIndex;
use crate::catalogue::Catalogue;
use crate::detect::{Basis, Claim, Evidence, Liveness, PageFindings};
use crate::store::{RunRecord, Store, StoreError};
use crate::types::Level;
use serde::{Deserialize, Serialize};

/// Evidence items kept per parameter (the same footer link stands on every
/// page: one item per page would say nothing more).
const EVIDENCE_MAX: usize = 5;

/// Why a parameter is not found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Missing {
    /// No sign of it on any page.
    NothingFound,
    /// Its only links are dead.
    DeadLink { url: String, why: String },
    /// Its signs were taken back (negated, announced, someone else's channel).
    Cancelled { why: String },
}

impl Missing {
    /// In words for a city official.
    pub fn words(&self, lang: crate::report::Lang) -> String {
        use crate::report::Lang;
        match (self, lang) {
            (Missing::NothingFound, Lang::De) => "Auf den Seiten der Stadt nicht gefunden".into(),
            (Missing::NothingFound, Lang::En) => "Not found on the city's pages".into(),
            (Missing::DeadLink { url, why }, Lang::De) => {
                format!("Der Link {url} antwortet nicht ({why}): kein Beleg")
            }
            (Missing::DeadLink { url, why }, Lang::En) => {
                format!("The link {url} does not answer ({why}): no evidence")
            }
            (Missing::Cancelled { why }, Lang::De) => format!("Erwähnt, zählt aber nicht: {why}"),
            (Missing::Cancelled { why }, Lang::En) => {
                format!("Mentioned, but does not count: {why}")
            }
        }
    }
}

/// One parameter of one indicator in a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterVerdict {
    pub id: String,
    pub name: String,
    pub found: bool,
    pub basis: Option<Basis>,
    /// Strongest first: verified before claimed.
    pub evidence: Vec<Evidence>,
    pub missing: Option<Missing>,
}

/// One indicator in a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorVerdict {
    pub id: String,
    pub name: String,
    pub parameters: Vec<ParameterVerdict>,
}

impl IndicatorVerdict {
    pub fn parameter(&self, id: &str) -> Option<&ParameterVerdict> {
        self.parameters.iter().find(|p| p.id == id)
    }
}

/// Every indicator and parameter of the catalogue, judged over a run's
/// findings with the liveness of their link targets.
pub fn verdicts(
    v: &Verwaltung,
    findings: &[PageFindings],
    liveness: &dyn Fn(&str, Claim) -> Liveness,
) -> Vec<IndicatorVerdict> {
    v.indicators
        .iter()
        .map(|ind| IndicatorVerdict {
            id: ind.id.clone(),
            name: ind.name.clone(),
            parameters: ind
                .parameters
                .iter()
                .map(|p| {
                    let signs = findings.iter().flat_map(|f| {
                        f.verwaltung
                            .iter()
                            .filter(|s| s.indicator == ind.id && s.parameter == p.id)
                            .map(move |s| (f, s))
                    });
                    judge(&p.id, &p.name, signs, liveness)
                })
                .collect(),
        })
        .collect()
}

fn judge<'a>(
    id: &str,
    name: &str,
    signs: impl Iterator<Item = (&'a PageFindings, &'a SectorSignal)>,
    liveness: &dyn Fn(&str, Claim) -> Liveness,
) -> ParameterVerdict {
    let mut verified = Vec::new();
    let mut claimed = Vec::new();
    let mut dead: Option<Missing> = None;
    let mut cancelled: Option<Missing> = None;
    for (f, s) in signs {
        if let Some(why) = &s.cancelled {
            cancelled.get_or_insert_with(|| Missing::Cancelled { why: why.clone() });
            continue;
        }
        let basis = match (s.found, s.target.as_deref()) {
            (Found::Link, Some(t)) => match liveness(t, Claim::Reachable) {
                Liveness::Alive | Liveness::OwnPage { .. } => Basis::Verified,
                Liveness::Dead(why) => {
                    dead.get_or_insert_with(|| Missing::DeadLink {
                        url: t.to_string(),
                        why,
                    });
                    continue;
                }
                Liveness::Unknown(_) | Liveness::NotAnApplication(_) => Basis::Claimed,
            },
            _ => Basis::Claimed,
        };
        let item = Evidence {
            url: f.url.clone(),
            fetched_at: f.fetched_at,
            level: Level::Online,
            signals: vec![s.rule.clone()],
            excerpt: s.excerpt.clone(),
            snapshot: f.snapshot.clone(),
            basis: Some(basis),
        };
        let list = if basis == Basis::Verified {
            &mut verified
        } else {
            &mut claimed
        };
        // One item per page and target: a footer link repeats on every page.
        if list.len() < EVIDENCE_MAX
            && !list
                .iter()
                .any(|e: &Evidence| e.url == item.url || e.excerpt == item.excerpt)
        {
            list.push(item);
        }
    }
    // A dead link contradicts the city's words; a live one stands.
    let (basis, evidence, missing) = if !verified.is_empty() {
        (Some(Basis::Verified), verified, None)
    } else if let Some(d) = dead {
        (None, Vec::new(), Some(d))
    } else if !claimed.is_empty() {
        (Some(Basis::Claimed), claimed, None)
    } else {
        (
            None,
            Vec::new(),
            Some(cancelled.unwrap_or(Missing::NothingFound)),
        )
    };
    ParameterVerdict {
        id: id.to_string(),
        name: name.to_string(),
        found: basis.is_some(),
        basis,
        evidence,
        missing,
    }
}

/// A run's Verwaltung verdicts, from its stored findings and the answers
/// its requests got (no network; the same for a finished, interrupted or
/// imported run).
pub fn of_run(
    cat: &Catalogue,
    store: &Store,
    run: &RunRecord,
) -> Result<Vec<IndicatorVerdict>, StoreError> {
    let findings = store.findings(&run.id)?;
    let seen = LivenessIndex::from_records(&store.pages(&run.id)?);
    let liveness = |target: &str, claim: Claim| seen.answer(&cat.crawl, target, claim);
    Ok(verdicts(&cat.verwaltung, &findings, &liveness))
}
