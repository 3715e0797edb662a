//! The index engine: the Smart City Index model as data
//! (`catalogues/index/*.toml`) and the arithmetic that turns raw values into
//! indicator points, sector scores and the overall score.
//!
//! Normalisations: percent rank across cities with Excel `PERCENTRANK.INC`
//! semantics (strictly below ÷ (strictly below + strictly above), linear
//! interpolation for values not in the list, truncated to 3 significant
//! digits), min–max, and points-of-best. A sector is the sum of its regular
//! indicators plus a capped projects bonus, divided by the sector's divisor;
//! the overall score is the mean of the sectors. Pure: no I/O besides loading.

use crate::catalogue::{LoadError, Problem, Source};
use crate::types::{Level, ServiceId};
use serde::Deserialize;
use std::path::Path;
use toml::Spanned;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Normalisation {
    PercentRank,
    MinMax,
    PointsOfBest,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    schema: Spanned<u32>,
    id: String,
    title: String,
    sector: Vec<RawSector>,
    ozg: RawOzg,
    #[serde(default)]
    provisional: bool,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSector {
    id: Spanned<String>,
    name: String,
    divisor: Spanned<f64>,
    #[serde(default)]
    bonus_cap: f64,
    #[serde(default)]
    indicator: Vec<RawIndicator>,
    #[serde(default)]
    assumed: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    id: Spanned<String>,
    name: String,
    normalisation: Normalisation,
    #[serde(default)]
    bonus: bool,
    #[serde(default)]
    assumed: bool,
    /// Points per parameter (catalogues/verwaltung.toml ids) for indicators
    /// the crawl can see; absent: the parameters weigh the same.
    #[serde(default)]
    parameters: std::collections::BTreeMap<String, Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOzg {
    sector: Spanned<String>,
    indicator: Spanned<String>,
    online_from: Spanned<u8>,
    services: Vec<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub normalisation: Normalisation,
    /// Not published: carried over or inferred (see the model's comments).
    pub assumed: bool,
    /// A projects bonus: added to the sector, capped, not one of the regular
    /// indicators.
    pub bonus: bool,
    /// Points per parameter, where the model sets them (see
    /// `verwaltung::score`).
    pub parameters: std::collections::BTreeMap<String, f64>,
}

#[derive(Debug, Clone)]
pub struct Sector {
    pub id: String,
    pub name: String,
    pub divisor: f64,
    pub bonus_cap: f64,
    pub indicators: Vec<Indicator>,
    /// Not published: carried over or inferred.
    pub assumed: bool,
}

/// The OZG indicator: which services, and from which level a service counts.
#[derive(Debug, Clone)]
pub struct OzgIndicator {
    pub sector: String,
    pub indicator: String,
    pub online_from: Level,
    pub services: Vec<ServiceId>,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub id: String,
    pub title: String,
    pub sectors: Vec<Sector>,
    pub ozg: OzgIndicator,
    /// Not fully known (a list or weights inferred); `note` says what.
    pub provisional: bool,
    /// What a city official should know about the model, shown by `score`.
    pub note: Option<String>,
}

impl Model {
    /// Load `DIR/index/NAME.toml`, or a model file of the city's own when
    /// `name` is a path (contains a `/` or ends in `.toml`).
    pub fn load(catalogue_dir: Option<&Path>, name: &str) -> Result<Model, LoadError> {
        if name.contains('/') || name.ends_with(".toml") {
            let text = std::fs::read_to_string(name).map_err(|source| LoadError::Io {
                path: name.to_string(),
                source,
            })?;
            return Self::parse(&Source {
                name: name.into(),
                text: &text,
            });
        }
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(LoadError::Invalid(vec![Problem {
                file: "--model".into(),
                line: 0,
                message: format!("model {name:?}: a built-in name (letters, digits, '-') or a path to a .toml file"),
                german: None,
            }]));
        }
        let (path, text) = match catalogue_dir {
            Some(d) => {
                let p = d.join("index").join(format!("{name}.toml"));
                let t = std::fs::read_to_string(&p).map_err(|source| LoadError::Io {
                    path: p.display().to_string(),
                    source,
                })?;
                (p.display().to_string(), t)
            }
            None => crate::catalogue::embedded_file(&format!("index/{name}.toml"))?,
        };
        Self::parse(&Source {
            name: path,
            text: &text,
        })
    }

    pub fn parse(src: &Source) -> Result<Model, LoadError> {
        let raw: RawModel = src.parse()?;
        let mut problems = Vec::new();
        if *raw.schema.get_ref() != 1 {
            problems.push(src.problem(raw.schema.span().start, "schema must be 1"));
        }
        let mut sectors = Vec::new();
        for s in raw.sector {
            if *s.divisor.get_ref() <= 0.0 {
                problems.push(src.problem(s.divisor.span().start, "divisor must be positive"));
            }
            let mut indicators = Vec::new();
            for i in s.indicator {
                if indicators
                    .iter()
                    .any(|x: &Indicator| &x.id == i.id.get_ref())
                {
                    problems.push(src.problem(
                        i.id.span().start,
                        format!("indicator {:?} appears twice", i.id.get_ref()),
                    ));
                }
                let mut parameters = std::collections::BTreeMap::new();
                for (k, v) in &i.parameters {
                    if !(v.get_ref().is_finite() && *v.get_ref() >= 0.0) {
                        problems.push(src.problem(
                            v.span().start,
                            format!("parameter {k}: points must be a number ≥ 0"),
                        ));
                    }
                    parameters.insert(k.clone(), *v.get_ref());
                }
                indicators.push(Indicator {
                    id: i.id.get_ref().clone(),
                    name: i.name,
                    normalisation: i.normalisation,
                    bonus: i.bonus,
                    assumed: i.assumed,
                    parameters,
                });
            }
            if sectors.iter().any(|x: &Sector| &x.id == s.id.get_ref()) {
                problems.push(src.problem(
                    s.id.span().start,
                    format!("sector {:?} appears twice", s.id.get_ref()),
                ));
            }
            sectors.push(Sector {
                id: s.id.get_ref().clone(),
                name: s.name,
                divisor: *s.divisor.get_ref(),
                bonus_cap: s.bonus_cap,
                indicators,
                assumed: s.assumed,
            });
        }
        let ozg_sector = sectors.iter().find(|s| &s.id == raw.ozg.sector.get_ref());
        match ozg_sector {
            None => problems.push(src.problem(
                raw.ozg.sector.span().start,
                format!(
                    "ozg.sector {:?} is not a sector of the model",
                    raw.ozg.sector.get_ref()
                ),
            )),
            Some(s)
                if !s
                    .indicators
                    .iter()
                    .any(|i| &i.id == raw.ozg.indicator.get_ref()) =>
            {
                problems.push(src.problem(
                    raw.ozg.indicator.span().start,
                    format!(
                        "ozg.indicator {:?} is not an indicator of sector {}",
                        raw.ozg.indicator.get_ref(),
                        s.id
                    ),
                ))
            }
            Some(_) => {}
        }
        let online_from = match Level::try_from(*raw.ozg.online_from.get_ref()) {
            Ok(l) => l,
            Err(e) => {
                problems.push(src.problem(raw.ozg.online_from.span().start, e));
                Level::Online
            }
        };
        let mut services: Vec<ServiceId> = Vec::new();
        for s in &raw.ozg.services {
            match ServiceId::parse(s.get_ref()) {
                Ok(id) if services.contains(&id) => problems
                    .push(src.problem(s.span().start, format!("service {id} is listed twice"))),
                Ok(id) => services.push(id),
                Err(e) => problems.push(src.problem(s.span().start, e)),
            }
        }
        if services.is_empty() {
            problems.push(src.problem(0, "ozg.services is empty"));
        }
        if !problems.is_empty() {
            return Err(LoadError::Invalid(problems));
        }
        Ok(Model {
            id: raw.id,
            title: raw.title,
            sectors,
            ozg: OzgIndicator {
                sector: raw.ozg.sector.get_ref().clone(),
                indicator: raw.ozg.indicator.get_ref().clone(),
                online_from,
                services,
            },
            provisional: raw.provisional,
            note: raw.note,
        })
    }

    /// The OZG indicator's own normalisation (percent rank since 2023).
    pub fn ozg_normalisation(&self) -> Normalisation {
        self.sector(&self.ozg.sector)
            .and_then(|s| s.indicators.iter().find(|i| i.id == self.ozg.indicator))
            .map_or(Normalisation::PercentRank, |i| i.normalisation)
    }

    pub fn sector(&self, id: &str) -> Option<&Sector> {
        self.sectors.iter().find(|s| s.id == id)
    }
}

/// Truncate (not round) to `digits` significant digits, as Excel's
/// PERCENTRANK.INC does by default.
pub fn truncate_significant(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let magnitude = v.abs().log10().floor() as i32;
    let factor = 10f64.powi(digits - 1 - magnitude);
    // A tiny epsilon keeps 0.3 from truncating to 0.299.
    (v * factor + 1e-9).trunc() / factor
}

/// Excel `PERCENTRANK.INC(values, x)` with 3 significant digits.
/// `None` when `values` is empty or `x` lies outside their range.
pub fn percent_rank_inc(values: &[f64], x: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|f| f.is_finite()).collect();
    if v.is_empty() || !x.is_finite() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let (min, max) = (v[0], v[v.len() - 1]);
    if x < min || x > max {
        return None;
    }
    let rank_of = |y: f64| -> f64 {
        let below = v.iter().filter(|&&a| a < y).count() as f64;
        let above = v.iter().filter(|&&a| a > y).count() as f64;
        if below + above == 0.0 {
            1.0
        } else {
            below / (below + above)
        }
    };
    let r = if v.contains(&x) {
        rank_of(x)
    } else {
        // Linear interpolation between the neighbours in the list.
        let lo = v
            .iter()
            .copied()
            .filter(|&a| a < x)
            .fold(f64::MIN, f64::max);
        let hi = v
            .iter()
            .copied()
            .filter(|&a| a > x)
            .fold(f64::MAX, f64::min);
        let (rl, rh) = (rank_of(lo), rank_of(hi));
        rl + (x - lo) / (hi - lo) * (rh - rl)
    };
    Some(truncate_significant(r, 3))
}

/// Min–max normalisation to 0–100.
pub fn min_max(values: &[f64], x: f64) -> Option<f64> {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !min.is_finite() || !max.is_finite() {
        return None;
    }
    if max == min {
        return Some(100.0);
    }
    Some(((x - min) / (max - min) * 100.0).clamp(0.0, 100.0))
}

/// Points of the best: x ÷ best × 100.
pub fn points_of_best(values: &[f64], x: f64) -> Option<f64> {
    let best = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (best > 0.0 && best.is_finite()).then(|| (x / best * 100.0).clamp(0.0, 100.0))
}

/// Normalise `x` against all cities' raw values (which include `x`).
pub fn normalise(n: Normalisation, values: &[f64], x: f64) -> Option<f64> {
    match n {
        Normalisation::PercentRank => percent_rank_inc(values, x).map(|r| r * 100.0),
        Normalisation::MinMax => min_max(values, x),
        Normalisation::PointsOfBest => points_of_best(values, x),
    }
}

/// A sector score from indicator points (by indicator id). Missing regular
/// indicators count 0; the bonus is capped.
pub fn sector_score(sector: &Sector, points: &dyn Fn(&str) -> Option<f64>) -> f64 {
    let mut sum = 0.0;
    for i in &sector.indicators {
        let p = points(&i.id).unwrap_or(0.0);
        if i.bonus {
            sum += p.min(sector.bonus_cap);
        } else {
            sum += p;
        }
    }
    sum / sector.divisor * 100.0
}

/// Overall score: the mean of the sector scores.
pub fn overall(sector_scores: &[f64]) -> f64 {
    if sector_scores.is_empty() {
        return 0.0;
    }
    sector_scores.iter().sum::<f64>() / sector_scores.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rank_matches_excel() {
        let v = [0.1, 0.2, 0.2, 0.3, 0.4];
        assert_eq!(percent_rank_inc(&v, 0.1), Some(0.0));
        assert_eq!(percent_rank_inc(&v, 0.4), Some(1.0));
        // Ties: 1 below, 2 above.
        assert_eq!(percent_rank_inc(&v, 0.2), Some(0.333));
        // Not in the list: interpolated between 0.3 (0.75) and 0.4 (1.0).
        assert_eq!(percent_rank_inc(&v, 0.35), Some(0.875));
        assert_eq!(percent_rank_inc(&v, 0.5), None);
        assert_eq!(truncate_significant(0.012345, 3), 0.0123);
        assert_eq!(truncate_significant(0.6666, 3), 0.666);
    }

    #[test]
    fn min_max_and_best() {
        assert_eq!(min_max(&[2.0, 4.0, 6.0], 4.0), Some(50.0));
        assert_eq!(points_of_best(&[2.0, 4.0, 8.0], 4.0), Some(50.0));
    }
}

// ---- score of a run ----

/// A peer city's raw OZG share (from `--peers FILE`).
#[derive(Debug, Clone, PartialEq)]
pub struct Peer {
    pub city: String,
    pub share: f64,
}

/// Read the peers CSV (`city,ozg_share`); errors name file and line.
pub fn read_peers(name: &str, text: &str) -> Result<Vec<Peer>, LoadError> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    match lines.next() {
        Some((_, h))
            if h.trim_start_matches('\u{feff}')
                .trim()
                .replace(';', ",")
                .eq_ignore_ascii_case("city,ozg_share") => {}
        Some((i, h)) => problems.push(Problem {
            file: name.into(),
            line: i + 1,
            message: format!("header must be 'city,ozg_share' (or 'city;ozg_share'), found {h:?}"),
            german: None,
        }),
        None => problems.push(Problem {
            file: name.into(),
            line: 1,
            message: "empty file; expected a header 'city,ozg_share'".into(),
            german: None,
        }),
    }
    for (i, l) in lines {
        // German Excel: `;` between fields and a decimal comma in the share.
        let split = if l.contains(';') {
            l.rsplit_once(';')
        } else {
            l.rsplit_once(',')
        };
        let Some((city, share)) = split else {
            problems.push(Problem {
                file: name.into(),
                line: i + 1,
                message: format!("expected city,ozg_share: {l:?}"),
                german: None,
            });
            continue;
        };
        let city = city.trim().trim_matches('"').to_string();
        match share.trim().replace(',', ".").parse::<f64>() {
            Ok(s) if (0.0..=1.0).contains(&s) && !city.is_empty() => {
                out.push(Peer { city, share: s })
            }
            _ => problems.push(Problem {
                file: name.into(),
                line: i + 1,
                message: format!(
                    "ozg_share {:?} must be a number from 0 to 1 (and city non-empty)",
                    share.trim()
                ),
                german: Some(format!(
                    "ozg_share {:?} muss eine Zahl von 0 bis 1 sein (und city nicht leer)",
                    share.trim()
                )),
            }),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(LoadError::Invalid(problems))
    }
}

/// Read `score --city FILE`: every indicator and sector must exist in the
/// model and every value lie in 0–100; a typo (`paymnet = 81.8`) is an error
/// with file and line, never silently ignored.
pub fn read_city_values(src: &Source, model: &Model) -> Result<CityValues, LoadError> {
    let v: CityValues = src.parse()?;
    let mut problems = Vec::new();
    let line_of = |key: &str| {
        src.text
            .lines()
            .position(|l| {
                let l = l.trim_start();
                l.starts_with(key) && l[key.len()..].trim_start().starts_with(['=', ']', '.'])
            })
            .map_or(0, |i| i + 1)
    };
    let mut problem = |key: &str, message: String| {
        problems.push(Problem {
            file: src.name.clone(),
            line: line_of(key),
            message,
            german: None,
        })
    };
    for (sector, points) in &v.indicators {
        let Some(sec) = model.sector(sector) else {
            problem(
                sector,
                format!("sector {sector:?} is not in model {}", model.id),
            );
            continue;
        };
        for (ind, p) in points {
            if !sec.indicators.iter().any(|i| &i.id == ind) {
                let known: Vec<&str> = sec.indicators.iter().map(|i| i.id.as_str()).collect();
                problem(
                    ind,
                    format!(
                        "indicator {ind:?} is not in sector {sector} of model {} (known: {})",
                        model.id,
                        known.join(", ")
                    ),
                );
            } else if !(0.0..=100.0).contains(p) {
                problem(
                    ind,
                    format!("{ind} = {p}: indicator points lie between 0 and 100"),
                );
            }
        }
    }
    for (sector, score) in &v.sectors {
        if model.sector(sector).is_none() {
            problem(
                sector,
                format!("sector {sector:?} is not in model {}", model.id),
            );
        } else if !(0.0..=100.0).contains(score) {
            problem(
                sector,
                format!("{sector} = {score}: a sector score lies between 0 and 100"),
            );
        }
    }
    if problems.is_empty() {
        Ok(v)
    } else {
        Err(LoadError::Invalid(problems))
    }
}

/// The city's other indicator points and sector scores (`--city FILE`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CityValues {
    /// Indicator points by indicator id, per sector id.
    #[serde(default)]
    pub indicators: std::collections::BTreeMap<String, std::collections::BTreeMap<String, f64>>,
    /// Sector scores given directly, by sector id.
    #[serde(default)]
    pub sectors: std::collections::BTreeMap<String, f64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct OzgScore {
    pub services_online: usize,
    pub services_total: usize,
    pub share: f64,
    pub points: Option<f64>,
    pub rank: Option<usize>,
    pub peers: Option<usize>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct WhatIf {
    pub service: String,
    pub share: f64,
    pub ozg_points: Option<f64>,
    pub gain: Option<f64>,
    pub sector_gain: Option<f64>,
    pub overall_gain: Option<f64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Projection {
    pub sector: String,
    pub sector_score: f64,
    pub overall: Option<f64>,
    /// The sector's indicators whose points come from the crawl.
    pub from_crawl: Vec<String>,
    /// Regular indicators of the sector with no value (counted 0: the
    /// sector score is then a lower bound).
    pub missing: Vec<String>,
}

/// Compute the OZG indicator for a run: `online` lists the services with
/// their levels (from the run's verdicts).
pub fn ozg_score(
    model: &Model,
    levels: &dyn Fn(&ServiceId) -> Level,
    peers: Option<&[Peer]>,
    city: &str,
) -> (OzgScore, Vec<WhatIf>) {
    let total = model.ozg.services.len();
    let online: Vec<&ServiceId> = model
        .ozg
        .services
        .iter()
        .filter(|s| levels(s) >= model.ozg.online_from)
        .collect();
    let share = online.len() as f64 / total.max(1) as f64;
    // Peers without the city itself: its own entry (same name) is replaced.
    let others: Option<Vec<f64>> = peers.map(|p| {
        p.iter()
            .filter(|p| p.city != city)
            .map(|p| p.share)
            .collect()
    });
    let how = model.ozg_normalisation();
    let points_for = |s: f64| -> Option<f64> {
        let mut all = others.clone()?;
        all.push(s);
        normalise(how, &all, s)
    };
    let points = points_for(share);
    let rank = others
        .as_ref()
        .map(|o| 1 + o.iter().filter(|&&x| x > share).count());
    let score = OzgScore {
        services_online: online.len(),
        services_total: total,
        share,
        points,
        rank,
        peers: others.as_ref().map(Vec::len),
    };
    let divisor = model
        .sector(&model.ozg.sector)
        .map(|s| s.divisor)
        .unwrap_or(100.0);
    let n_sectors = model.sectors.len().max(1) as f64;
    let what_if = model
        .ozg
        .services
        .iter()
        .filter(|s| levels(s) < model.ozg.online_from)
        .map(|s| {
            let new_share = (online.len() + 1) as f64 / total.max(1) as f64;
            let new_points = points_for(new_share);
            let gain = match (new_points, points) {
                (Some(n), Some(o)) => Some(n - o),
                _ => None,
            };
            let sector_gain = gain.map(|g| g / divisor * 100.0);
            WhatIf {
                service: s.to_string(),
                share: new_share,
                ozg_points: new_points,
                gain,
                sector_gain,
                overall_gain: sector_gain.map(|g| g / n_sectors),
            }
        })
        .collect();
    (score, what_if)
}

/// Project the OZG sector and the overall score: the OZG indicator from the
/// crawl and the peers, the indicators the crawl sees (`from_crawl`, by
/// indicator id), and the city's own values for the rest.
pub fn project(
    model: &Model,
    values: &CityValues,
    ozg_points: Option<f64>,
    from_crawl: &std::collections::BTreeMap<String, f64>,
) -> Projection {
    let mut scores = Vec::new();
    let mut ozg_sector_score = 0.0;
    let mut complete = true;
    let mut used = Vec::new();
    let mut missing = Vec::new();
    for s in &model.sectors {
        let score = if s.id == model.ozg.sector {
            let given = values.indicators.get(&s.id);
            let pts = |id: &str| {
                if id == model.ozg.indicator && ozg_points.is_some() {
                    ozg_points
                } else if let Some(p) = from_crawl.get(id) {
                    Some(*p)
                } else {
                    given.and_then(|g| g.get(id).copied())
                }
            };
            for i in &s.indicators {
                if from_crawl.contains_key(&i.id)
                    && !(i.id == model.ozg.indicator && ozg_points.is_some())
                {
                    used.push(i.id.clone());
                }
                if !i.bonus && pts(&i.id).is_none() {
                    missing.push(i.id.clone());
                }
            }
            let v = sector_score(s, &pts);
            ozg_sector_score = v;
            Some(v)
        } else if let Some(v) = values.sectors.get(&s.id) {
            Some(*v)
        } else {
            values
                .indicators
                .get(&s.id)
                .map(|g| sector_score(s, &|id: &str| g.get(id).copied()))
        };
        match score {
            Some(v) => scores.push(v),
            None => complete = false,
        }
    }
    Projection {
        sector: model.ozg.sector.clone(),
        sector_score: ozg_sector_score,
        overall: complete.then(|| overall(&scores)),
        from_crawl: used,
        missing,
    }
}

/// The indicators the crawl sees, as text or Markdown (German): points,
/// parameters found, and which indicators the projection still lacks.
pub fn render_web(
    web: &[crate::verwaltung::score::IndicatorScore],
    projection: Option<&Projection>,
    md: bool,
) -> String {
    let mut t = String::new();
    if web.is_empty() {
        return t;
    }
    t.push_str(if md {
        "\n## Verwaltung: Indikatoren aus dem Crawl\n\n| Indikator | Punkte | Merkmale gefunden | Gewichte |\n|---|---|---|---|\n"
    } else {
        "\nVerwaltung: Indikatoren aus dem Crawl\n"
    });
    for w in web {
        let weights = if w.weights == "model" {
            "aus dem Modell"
        } else {
            "gleich"
        };
        if md {
            t.push_str(&format!(
                "| {} | {} | {} von {} | {weights} |\n",
                w.name,
                dez(w.points),
                w.parameters_found,
                w.parameters_total
            ));
        } else {
            t.push_str(&format!(
                "{:<28} {:>6} Punkte  ({} von {} Merkmalen, Gewichte {weights})\n",
                w.name,
                dez(w.points),
                w.parameters_found,
                w.parameters_total
            ));
        }
    }
    if let Some(p) = projection.filter(|p| !p.missing.is_empty()) {
        t.push_str(&format!(
            "\nOhne Wert (mit 0 gezählt, der Sektor ist eine Untergrenze): {}. Eigene Werte mit --city DATEI.\n",
            p.missing.join(", ")
        ));
    }
    t
}

/// The score as a table or Markdown (German): the OZG share, points and
/// rank, the projection, and what bringing each service online would gain.
/// `head` names the city and run.
/// One decimal with a decimal comma, as German text writes numbers.
pub fn dez(x: f64) -> String {
    format!("{x:.1}").replace('.', ",")
}

pub fn render(
    model: &Model,
    head: &str,
    ozg: &OzgScore,
    what_if: &[WhatIf],
    projection: Option<&Projection>,
    md: bool,
) -> String {
    // German text: decimal commas ("81,8").
    let f1 = |v: Option<f64>| v.map(dez).unwrap_or_else(|| "–".into());
    let mut t = String::new();
    t.push_str(&format!(
        "{}{} – {head}\n\n",
        if md { "# " } else { "" },
        model.title,
    ));
    if model.provisional {
        t.push_str(&format!(
            "Hinweis: vorläufiges Modell. {}\n\n",
            model.note.as_deref().unwrap_or("")
        ));
    }
    t.push_str(&format!(
        "OZG-Leistungen online: {} von {} ({} %)\n",
        ozg.services_online,
        ozg.services_total,
        dez(ozg.share * 100.0)
    ));
    match (ozg.points, ozg.rank, ozg.peers) {
        (Some(p), Some(r), Some(n)) => t.push_str(&format!(
            "Indikatorpunkte (Perzentrang unter {n} Vergleichsstädten): {} · Rang {r} von {}\n",
            dez(p),
            n + 1
        )),
        _ => t.push_str("Indikatorpunkte: ohne --peers nicht berechenbar\n"),
    }
    if let Some(pr) = projection {
        t.push_str(&format!(
            "Projektion: Sektor {} {}, Gesamt {}\n",
            pr.sector,
            dez(pr.sector_score),
            f1(pr.overall)
        ));
    }
    t.push('\n');
    if md {
        t.push_str("| Leistung online bringen | Anteil | OZG-Punkte | Gewinn Indikator | Gewinn Sektor | Gewinn Gesamt |\n|---|---|---|---|---|---|\n");
    } else {
        t.push_str(&format!(
            "{:<24} {:>7} {:>10} {:>8} {:>8} {:>8}\n",
            "Was wäre wenn online", "Anteil", "OZG-Pkt", "+Ind", "+Sektor", "+Gesamt"
        ));
    }
    for w in what_if {
        if md {
            t.push_str(&format!(
                "| {} | {} % | {} | {} | {} | {} |\n",
                w.service,
                dez(w.share * 100.0),
                f1(w.ozg_points),
                f1(w.gain),
                f1(w.sector_gain),
                f1(w.overall_gain)
            ));
        } else {
            t.push_str(&format!(
                "{:<24} {:>6}% {:>10} {:>8} {:>8} {:>8}\n",
                w.service,
                dez(w.share * 100.0),
                f1(w.ozg_points),
                f1(w.gain),
                f1(w.sector_gain),
                f1(w.overall_gain)
            ));
        }
    }
    t
}
