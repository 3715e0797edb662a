//! `ranking`: the cities of a survey ranked by their share of services online.

use crate::cli::*;

pub(crate) fn ranking_cmd(
    db: &Path,
    cat_dir: Option<&Path>,
    args: RankingArgs,
) -> Result<u8, Failure> {
    let store = open_existing(db)?;
    let Some(survey) = store.resolve_survey(&args.survey)? else {
        return Err(Failure::input(tr(
            format!(
                "keine Umfrage passt zu {:?}; `ozgcheck survey DATEI` beginnt eine",
                args.survey
            ),
            format!(
                "no survey matches {:?}; `ozgcheck survey FILE` starts one",
                args.survey
            ),
        )));
    };
    let delimiter = csv_delimiter(args.csv_delimiter)?;
    let model = crate::index::Model::load(catalogue_dir(cat_dir).as_deref(), &survey.model)?;
    let mut r = crate::survey::ranking(&store, &survey, &model)?;
    let catalogue = load_catalogue(cat_dir)?;
    crate::survey::add_verwaltung(&mut r, &catalogue, &store, &model)?;
    let german = lang() == report::Lang::De;
    let text = match args.format {
        RankingFormat::Json => serde_json::to_string_pretty(&r).unwrap_or_default() + "\n",
        RankingFormat::Csv => crate::survey::to_csv(&r, delimiter, german),
        RankingFormat::Table => crate::survey::to_table(&r, german),
        RankingFormat::Html => crate::survey::to_html(&r, german),
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(0)
}
