//! The Verwaltung sector's parameters between two runs: found or lost,
//! claimed or verified, and evidence pages that appeared or vanished.

use super::IndicatorVerdict;
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Serialize)]
pub struct ParameterDiff {
    pub indicator: String,
    pub parameter: String,
    pub name: String,
    pub from_found: bool,
    pub to_found: bool,
    pub from_basis: Option<&'static str>,
    pub to_basis: Option<&'static str>,
    pub evidence_added: Vec<String>,
    pub evidence_removed: Vec<String>,
}

/// Parameters whose finding, basis or evidence changed; the rest left out.
pub fn changes(from: &[IndicatorVerdict], to: &[IndicatorVerdict]) -> Vec<ParameterDiff> {
    let mut out = Vec::new();
    for iv in to {
        for p in &iv.parameters {
            let before = from
                .iter()
                .find(|i| i.id == iv.id)
                .and_then(|i| i.parameter(&p.id));
            let urls = |ev: Option<&Vec<crate::detect::Evidence>>| -> BTreeSet<String> {
                ev.map(|e| e.iter().map(|e| e.url.clone()).collect())
                    .unwrap_or_default()
            };
            let (ua, ub) = (urls(before.map(|b| &b.evidence)), urls(Some(&p.evidence)));
            let d = ParameterDiff {
                indicator: iv.id.clone(),
                parameter: p.id.clone(),
                name: format!("{}: {}", iv.name, p.name),
                from_found: before.is_some_and(|b| b.found),
                to_found: p.found,
                from_basis: before.and_then(|b| b.basis).map(|b| b.as_str()),
                to_basis: p.basis.map(|b| b.as_str()),
                evidence_added: ub.difference(&ua).cloned().collect(),
                evidence_removed: ua.difference(&ub).cloned().collect(),
            };
            if d.from_found != d.to_found
                || d.from_basis != d.to_basis
                || !d.evidence_added.is_empty()
                || !d.evidence_removed.is_empty()
            {
                out.push(d);
            }
        }
    }
    out
}
