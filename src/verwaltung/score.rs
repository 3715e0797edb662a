//! The points of the indicators the crawl can see: per indicator, the
//! share of its parameters' points that were found (the model's points per
//! parameter, or equal weights), scaled to 0–100 as a city with every
//! parameter would score (points of the best, assuming the best city has
//! them all; the index does not publish its grid).

use super::{IndicatorVerdict, Verwaltung};
use crate::index::Model;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct ParameterScore {
    pub id: String,
    pub found: bool,
    pub basis: Option<&'static str>,
    /// Its weight under the model (1 each where the model sets none).
    pub points: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorScore {
    pub id: String,
    pub name: String,
    /// 0–100.
    pub points: f64,
    pub parameters_found: usize,
    pub parameters_total: usize,
    /// `model` when the model sets points per parameter, else `equal`.
    pub weights: &'static str,
    pub parameters: Vec<ParameterScore>,
}

/// Scores of the catalogue's indicators that the model's sectors hold.
/// Errors: the model names a parameter the catalogue does not know.
pub fn indicator_scores(
    model: &Model,
    v: &Verwaltung,
    verdicts: &[IndicatorVerdict],
) -> Result<Vec<IndicatorScore>, String> {
    let mut out = Vec::new();
    for iv in verdicts {
        let Some(mi) = model
            .sectors
            .iter()
            .flat_map(|s| &s.indicators)
            .find(|i| i.id == iv.id)
        else {
            continue;
        };
        let known: Vec<&str> = v
            .indicator(&iv.id)
            .map(|i| i.parameters.iter().map(|p| p.id.as_str()).collect())
            .unwrap_or_default();
        if let Some(bad) = mi.parameters.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(format!(
                "model {}: indicator {} gives points to parameter {bad:?}, which catalogues/verwaltung.toml does not define (known: {})",
                model.id,
                iv.id,
                known.join(", ")
            ));
        }
        let weight = |id: &str| -> f64 {
            if mi.parameters.is_empty() {
                1.0
            } else {
                mi.parameters.get(id).copied().unwrap_or(0.0)
            }
        };
        let parameters: Vec<ParameterScore> = iv
            .parameters
            .iter()
            .map(|p| ParameterScore {
                id: p.id.clone(),
                found: p.found,
                basis: p.basis.map(|b| b.as_str()),
                points: weight(&p.id),
            })
            .collect();
        let total: f64 = parameters.iter().map(|p| p.points).sum();
        let got: f64 = parameters
            .iter()
            .filter(|p| p.found)
            .map(|p| p.points)
            .sum();
        out.push(IndicatorScore {
            id: iv.id.clone(),
            name: mi.name.clone(),
            points: if total > 0.0 {
                got / total * 100.0
            } else {
                0.0
            },
            parameters_found: parameters.iter().filter(|p| p.found).count(),
            parameters_total: parameters.len(),
            weights: if mi.parameters.is_empty() {
                "equal"
            } else {
                "model"
            },
            parameters,
        });
    }
    Ok(out)
}

/// The points by indicator id, for the projection.
pub fn points_by_id(scores: &[IndicatorScore]) -> BTreeMap<String, f64> {
    scores.iter().map(|s| (s.id.clone(), s.points)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verwaltung::ParameterVerdict;

    fn verdict(found: &[(&str, bool)]) -> Vec<IndicatorVerdict> {
        vec![IndicatorVerdict {
            id: "online-terminvergabe".into(),
            name: "Online-Terminvergabe".into(),
            parameters: found
                .iter()
                .map(|(id, f)| ParameterVerdict {
                    id: id.to_string(),
                    name: id.to_string(),
                    found: *f,
                    basis: None,
                    evidence: Vec::new(),
                    missing: None,
                })
                .collect(),
        }]
    }

    fn model(extra: &str) -> Model {
        let text = format!(
            "schema = 1\nid = \"m\"\ntitle = \"M\"\n[[sector]]\nid = \"verwaltung\"\nname = \"V\"\ndivisor = 735\n\
             [[sector.indicator]]\nid = \"ozg\"\nname = \"OZG\"\nnormalisation = \"percent-rank\"\n\
             [[sector.indicator]]\nid = \"online-terminvergabe\"\nname = \"T\"\nnormalisation = \"points-of-best\"\n{extra}\n\
             [ozg]\nsector = \"verwaltung\"\nindicator = \"ozg\"\nonline_from = 3\nservices = [\"elterngeld\"]\n"
        );
        Model::parse(&crate::catalogue::Source {
            name: "m.toml".into(),
            text: &text,
        })
        .unwrap()
    }

    #[test]
    fn equal_weights_and_the_models_own_points() {
        let cat = crate::catalogue::Catalogue::embedded().unwrap();
        let v = verdict(&[
            ("buergeramt", true),
            ("kfz-zulassungsstelle", true),
            ("standesamt", false),
            ("auslaenderbehoerde", false),
            ("gewerbeamt", false),
        ]);
        let s = indicator_scores(&model(""), &cat.verwaltung, &v).unwrap();
        assert!((s[0].points - 40.0).abs() < 1e-9, "{s:?}");
        assert_eq!(s[0].weights, "equal");
        let own =
            model("parameters = { buergeramt = 30, kfz-zulassungsstelle = 30, standesamt = 40 }");
        let s = indicator_scores(&own, &cat.verwaltung, &v).unwrap();
        assert!((s[0].points - 60.0).abs() < 1e-9, "{s:?}");
        let bad = model("parameters = { buergerbuero = 30 }");
        let e = indicator_scores(&bad, &cat.verwaltung, &v).unwrap_err();
        assert!(e.contains("buergerbuero"), "{e}");
    }
}
