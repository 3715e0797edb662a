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

/// What one parameter has gathered so far, bounded whatever the run's size.
#[derive(Default)]
struct Tally {
    verified: Vec<Evidence>,
    claimed: Vec<Evidence>,
    dead: Option<Missing>,
    cancelled: Option<Missing>,
}

impl Tally {
    /// `claim`: what a link must lead to (a booking link to the booking
    /// itself, not to a news item about it; a channel or page only answer).
    fn add(
        &mut self,
        f: &PageFindings,
        s: &SectorSignal,
        claim: Claim,
        liveness: &dyn Fn(&str, Claim) -> Liveness,
        refuted: &dyn Fn(&SectorSignal) -> bool,
    ) {
        if refuted(s) {
            self.cancelled.get_or_insert_with(|| Missing::Cancelled {
                why: format!(
                    "{}: the page it leads to says it is not offered",
                    s.target.as_deref().unwrap_or_default()
                ),
            });
            return;
        }
        if let Some(why) = &s.cancelled {
            self.cancelled
                .get_or_insert_with(|| Missing::Cancelled { why: why.clone() });
            return;
        }
        let basis = match (s.found, s.target.as_deref()) {
            (Found::Link, Some(t)) => match liveness(t, claim) {
                Liveness::Alive | Liveness::OwnPage { .. } => Basis::Verified,
                Liveness::NotAnApplication(why) => {
                    self.cancelled.get_or_insert_with(|| Missing::Cancelled {
                        why: format!("{t}: {why}"),
                    });
                    return;
                }
                Liveness::Dead(why) => {
                    self.dead.get_or_insert_with(|| Missing::DeadLink {
                        url: t.to_string(),
                        why,
                    });
                    return;
                }
                Liveness::Unknown(_) => Basis::Claimed,
            },
            _ => Basis::Claimed,
        };
        let list = if basis == Basis::Verified {
            &mut self.verified
        } else {
            &mut self.claimed
        };
        // One item per page and wording: a footer link repeats on every page.
        if list.len() < EVIDENCE_MAX
            && !list
                .iter()
                .any(|e| e.url == f.url || e.excerpt == s.excerpt)
        {
            list.push(Evidence {
                url: f.url.clone(),
                fetched_at: f.fetched_at,
                level: Level::Online,
                signals: vec![s.rule.clone()],
                excerpt: s.excerpt.clone(),
                snapshot: f.snapshot.clone(),
                basis: Some(basis),
            });
        }
    }

    /// A live link verifies; a dead one contradicts the city's words.
    fn verdict(self, id: &str, name: &str) -> ParameterVerdict {
        let (basis, evidence, missing) = if !self.verified.is_empty() {
            (Some(Basis::Verified), self.verified, None)
        } else if let Some(d) = self.dead {
            (None, Vec::new(), Some(d))
        } else if !self.claimed.is_empty() {
            (Some(Basis::Claimed), self.claimed, None)
        } else {
            (
                None,
                Vec::new(),
                Some(self.cancelled.unwrap_or(Missing::NothingFound)),
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
}

/// Every indicator and parameter of the catalogue, judged over a run's
/// findings (read one page at a time) with the liveness of link targets;
/// `refuted` says whether a link leads to a page that says the parameter is
/// not offered (see [`refuting_pages`]).
pub fn verdicts<F: std::borrow::Borrow<PageFindings>>(
    v: &Verwaltung,
    findings: impl IntoIterator<Item = F>,
    liveness: &dyn Fn(&str, Claim) -> Liveness,
    refuted: &dyn Fn(&SectorSignal) -> bool,
) -> Vec<IndicatorVerdict> {
    // Each parameter's place in catalogue order.
    let index: std::collections::HashMap<(&str, &str), usize> = v
        .indicators
        .iter()
        .flat_map(|i| {
            i.parameters
                .iter()
                .map(move |p| (i.id.as_str(), p.id.as_str()))
        })
        .zip(0..)
        .collect();
    let mut tallies: Vec<Tally> = (0..index.len()).map(|_| Tally::default()).collect();
    // A booking link must lead to a booking, not to a news item about one.
    let claims: Vec<Claim> = v
        .indicators
        .iter()
        .flat_map(|i| {
            let c = if i.per_office {
                Claim::Application
            } else {
                Claim::Reachable
            };
            i.parameters.iter().map(move |_| c)
        })
        .collect();
    for f in findings {
        let f = f.borrow();
        for s in &f.verwaltung {
            let key = (s.indicator.as_str(), s.parameter.as_str());
            if let Some(&k) = index.get(&key) {
                let claim = claims.get(k).copied().unwrap_or(Claim::Reachable);
                if let Some(t) = tallies.get_mut(k) {
                    t.add(f, s, claim, liveness, refuted);
                }
            }
        }
    }
    let mut tallies = tallies.into_iter();
    v.indicators
        .iter()
        .map(|ind| IndicatorVerdict {
            id: ind.id.clone(),
            name: ind.name.clone(),
            parameters: ind
                .parameters
                .iter()
                .map(|p| tallies.next().unwrap_or_default().verdict(&p.id, &p.name))
                .collect(),
        })
        .collect()
}

/// The pages that say a parameter is not (or no longer) offered:
/// (indicator, parameter, page URL).
pub fn refuting_pages<F: std::borrow::Borrow<PageFindings>>(
    findings: impl IntoIterator<Item = F>,
) -> std::collections::HashSet<(String, String, String)> {
    let mut out = std::collections::HashSet::new();
    for f in findings {
        let f = f.borrow();
        for s in f.verwaltung.iter().filter(|s| s.refutes) {
            out.insert((s.indicator.clone(), s.parameter.clone(), f.url.clone()));
        }
    }
    out
}

/// A run's Verwaltung verdicts, from its stored findings and the answers
/// its requests got (no network; the same for a finished, interrupted or
/// imported run).
pub fn of_run(
    cat: &Catalogue,
    store: &Store,
    run: &RunRecord,
) -> Result<Vec<IndicatorVerdict>, StoreError> {
    let seen = LivenessIndex::from_records(&store.pages(&run.id)?);
    // A booking page or channel whose host did not answer at all is out of
    // a citizen's reach: dead, not "not checked" (a service's portal link
    // stays not checked: an outage is not a result).
    // The same header and footer links stand on every page: each target
    // is looked up once.
    let memo: std::cell::RefCell<std::collections::HashMap<(String, Claim), Liveness>> =
        Default::default();
    let liveness = |target: &str, claim: Claim| {
        let key = (target.to_string(), claim);
        if let Some(l) = memo.borrow().get(&key) {
            return l.clone();
        }
        let l = if seen.unreachable(&cat.crawl, target) {
            Liveness::Dead("the host did not answer".into())
        } else {
            seen.answer(&cat.crawl, target, claim)
        };
        memo.borrow_mut().insert(key, l.clone());
        l
    };
    // One page's findings at a time: a big run is never held whole. A first
    // pass finds the pages that refute, the second judges.
    let mut failed = None;
    let refuting = refuting_pages(store.findings_iter(&run.id).map_while(|r| match r {
        Ok(f) => Some(f),
        Err(e) => {
            failed = Some(e);
            None
        }
    }));
    if let Some(e) = failed {
        return Err(e);
    }
    let refuted = |s: &SectorSignal| {
        !refuting.is_empty()
            && s.target
                .as_deref()
                .and_then(|t| url::Url::parse(t).ok())
                .and_then(|u| crate::crawl::url::canonical(&u, &cat.crawl))
                .is_some_and(|u| {
                    refuting.contains(&(s.indicator.clone(), s.parameter.clone(), u.to_string()))
                })
    };
    let pages = store.findings_iter(&run.id).map_while(|r| match r {
        Ok(f) => Some(f),
        Err(e) => {
            failed = Some(e);
            None
        }
    });
    let out = verdicts(&cat.verwaltung, pages, &liveness, &refuted);
    match failed {
        Some(e) => Err(e),
        None => Ok(out),
    }
}
