//! `score`: a run's OZG share, points, rank and what-if under an index model.

use crate::cli::*;

pub(crate) fn score_cmd(db: &Path, cat_dir: Option<&Path>, args: ScoreArgs) -> Result<u8, Failure> {
    use crate::index::{self, Model};
    let model = Model::load(catalogue_dir(cat_dir).as_deref(), &args.model)?;
    let catalogue = load_catalogue(cat_dir)?;
    let unknown: Vec<String> = model
        .ozg
        .services
        .iter()
        .filter(|s| catalogue.service(s).is_none())
        .map(|s| s.to_string())
        .collect();
    if !unknown.is_empty() {
        let (model, n, unknown) = (&args.model, catalogue.services.len(), unknown.join(", "));
        return Err(Failure::input(tr(
            format!(
                "Modell {model}: ozg.services nennt {unknown}, die der Katalog ({n} Leistungen) nicht kennt; \
                 `ozgcheck catalogue list` zeigt die Kennungen der Leistungen"
            ),
            format!(
                "model {model}: ozg.services names {unknown} which the catalogue ({n} services) does not define; \
                 `ozgcheck catalogue list` shows the service ids"
            ),
        )));
    }
    let peers = match &args.peers {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).map_err(|e| Failure::input(cannot_read(p, &e)))?;
            Some(index::read_peers(&p.display().to_string(), &text)?)
        }
        None => None,
    };
    let values = match &args.city {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).map_err(|e| Failure::input(cannot_read(p, &e)))?;
            let src = crate::catalogue::Source {
                name: p.display().to_string(),
                text: &text,
            };
            Some(index::read_city_values(&src, &model)?)
        }
        None => None,
    };
    let store = open_existing(db)?;
    let peers = match &args.peers_from_survey {
        Some(spec) => Some(survey_peers(&store, spec, &model)?),
        None => peers,
    };
    let run = find_run(&store, &args.run)?;
    let (verdicts, _) = crate::analysis::verdicts_of(&catalogue, &store, &run)?;
    // A run judged under an older catalogue has no verdict for services
    // added since: say so instead of silently counting them offline.
    let unjudged: Vec<String> = model
        .ozg
        .services
        .iter()
        .filter(|s| !verdicts.iter().any(|v| &v.service == *s))
        .map(|s| s.to_string())
        .collect();
    if !unjudged.is_empty() {
        say!(
            "{}",
            tr(
                format!(
                    "Warnung: Lauf {} wurde ohne {} beurteilt (sein Katalog kannte sie nicht); sie zählen als offline. \
                     `ozgcheck reanalyze --run {}` beurteilt seine gespeicherten Seiten mit dem aktuellen Katalog",
                    run.id,
                    unjudged.join(", "),
                    run.id
                ),
                format!(
                    "warning: run {} was judged without {} (its catalogue did not know them); they count as offline. \
                     `ozgcheck reanalyze --run {}` judges its stored pages with the current catalogue",
                    run.id,
                    unjudged.join(", "),
                    run.id
                )
            )
        );
    }
    let level = |s: &crate::types::ServiceId| {
        verdicts
            .iter()
            .find(|v| &v.service == s)
            .map(|v| v.level)
            .unwrap_or(crate::types::Level::Offline)
    };
    let (ozg, what_if) = index::ozg_score(&model, &level, peers.as_deref(), &run.city);
    let sector = crate::verwaltung::of_run(&catalogue, &store, &run)?;
    let web = crate::verwaltung::score::indicator_scores(&model, &catalogue.verwaltung, &sector)
        .map_err(Failure::input)?;
    let web_points = crate::verwaltung::score::points_by_id(&web);
    // The sector is projected when anything besides the crawl's own
    // indicators is known: the OZG points (with peers) or the city's values.
    let projection = (values.is_some() || ozg.points.is_some()).then(|| {
        index::project(
            &model,
            &values.clone().unwrap_or_default(),
            ozg.points,
            &web_points,
        )
    });
    let json = serde_json::json!({
        "schema": "ozgcheck/score/v1",
        "model": model.id,
        "model_provisional": model.provisional,
        "model_note": model.note,
        "services_not_judged": unjudged,
        "run": report::RunHeader::of(&run),
        "ozg": ozg,
        "what_if": what_if,
        "verwaltung": web,
        "projection": projection,
    });
    let text = match args.format {
        ScoreFormat::Json => serde_json::to_string_pretty(&json).unwrap_or_default() + "\n",
        ScoreFormat::Table | ScoreFormat::Md => {
            index::render(
                &model,
                &format!("{} ({}), Lauf {}", run.city, run.state, run.id),
                &ozg,
                &what_if,
                projection.as_ref(),
                matches!(args.format, ScoreFormat::Md),
            ) + &index::render_web(
                &web,
                projection.as_ref(),
                matches!(args.format, ScoreFormat::Md),
            )
        }
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(0)
}

/// The shares of a survey's cities (those that did not fail) as peers.
fn survey_peers(
    store: &Store,
    spec: &str,
    model: &crate::index::Model,
) -> Result<Vec<crate::index::Peer>, Failure> {
    let survey = store.resolve_survey(spec)?.ok_or_else(|| {
        Failure::input(tr(
            format!("keine Umfrage passt zu {spec:?}"),
            format!("no survey matches {spec:?}"),
        ))
    })?;
    let r = crate::survey::ranking(store, &survey, model)?;
    Ok(r.cities
        .into_iter()
        .filter_map(|c| {
            c.share.map(|share| crate::index::Peer {
                city: c.city,
                share,
            })
        })
        .collect())
}
