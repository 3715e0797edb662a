//! What the city plans to report for the Verwaltung sector's parameters
//! (claims sheet rows `indicator/parameter,ja|nein`) against what its pages
//! show: the same finding kinds as for services.

use super::{IndicatorVerdict, Verwaltung};
use crate::audit::{Finding, Kind};
use crate::detect::Basis;
use crate::report::EvidenceOut;

/// One claims sheet row about a parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterClaim {
    pub indicator: String,
    pub parameter: String,
    pub claimed: bool,
    pub note: String,
}

/// A sheet row `indicator/parameter` (ids or names, any case) checked
/// against the catalogue; the error says what is wrong in words.
pub fn claim_of(
    v: &Verwaltung,
    key: &str,
    claimed: Option<bool>,
    note: &str,
    earlier: &[ParameterClaim],
) -> Result<ParameterClaim, String> {
    let (ik, pk) = key.split_once('/').unwrap_or((key, ""));
    let same = |id: &str, name: &str, k: &str| {
        id.eq_ignore_ascii_case(k.trim()) || name.eq_ignore_ascii_case(k.trim())
    };
    let ind = v
        .indicators
        .iter()
        .find(|i| same(&i.id, &i.name, ik))
        .ok_or_else(|| {
            let known: Vec<&str> = v.indicators.iter().map(|i| i.id.as_str()).collect();
            format!(
                "unknown indicator {ik:?} in {key:?} (known: {})",
                known.join(", ")
            )
        })?;
    let p = ind
        .parameters
        .iter()
        .find(|p| same(&p.id, &p.name, pk))
        .ok_or_else(|| {
            let known: Vec<&str> = ind.parameters.iter().map(|p| p.id.as_str()).collect();
            format!(
                "unknown parameter {pk:?} of {} (known: {})",
                ind.id,
                known.join(", ")
            )
        })?;
    let claimed = claimed.ok_or("claimed: use ja/nein/yes/no/true/false/1/0")?;
    if earlier
        .iter()
        .any(|c| c.indicator == ind.id && c.parameter == p.id)
    {
        return Err(format!("{}/{} is claimed twice", ind.id, p.id));
    }
    Ok(ParameterClaim {
        indicator: ind.id.clone(),
        parameter: p.id.clone(),
        claimed,
        note: note.to_string(),
    })
}

/// Findings where a claim and the pages disagree, in both directions.
pub fn findings(claims: &[ParameterClaim], verdicts: &[IndicatorVerdict]) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in claims {
        let Some(iv) = verdicts.iter().find(|i| i.id == c.indicator) else {
            continue;
        };
        let Some(p) = iv.parameter(&c.parameter) else {
            continue;
        };
        let (kind, detail) = match (c.claimed, p.found, p.basis) {
            (false, true, _) => (
                Kind::OnlineNotClaimed,
                "auf den Seiten der Stadt belegt".to_string(),
            ),
            (true, true, Some(Basis::Claimed)) => (
                Kind::ClaimedNotVerified,
                "nur im Text der Seiten belegt: kein Link, der antwortet".to_string(),
            ),
            (true, false, _) => (
                Kind::ClaimedNotFound,
                p.missing.as_ref().map_or("nicht gefunden".into(), |m| {
                    m.words(crate::report::Lang::De)
                }),
            ),
            _ => continue,
        };
        out.push(Finding {
            service: format!("{}/{}", c.indicator, c.parameter),
            name: format!("{}: {}", iv.name, p.name),
            kind,
            claimed: Some(c.claimed),
            level: if p.found { 3 } else { 0 },
            note: c.note.clone(),
            detail,
            evidence: p.evidence.iter().map(EvidenceOut::of).collect(),
        });
    }
    out
}
