//! `report`: one run's verdicts as table, JSON, CSV, Markdown or HTML.

use crate::cli::*;

pub(crate) fn report_cmd(
    db: &Path,
    cat_dir: Option<&Path>,
    args: ReportArgs,
) -> Result<u8, Failure> {
    let catalogue = load_catalogue(cat_dir)?;
    let store = open_existing(db)?;
    let run = find_run(&store, &args.run)?;
    let r = report::build(&catalogue, &store, &run)?;
    let delimiter = csv_delimiter(args.csv_delimiter)?;
    let lang = lang();
    let text = match args.format {
        ReportFormat::Table => report::to_table(&r),
        ReportFormat::Json => report::to_json(&r),
        ReportFormat::Md => report::to_markdown(&r, lang),
        ReportFormat::Csv => report::to_csv(&r, delimiter, !args.no_bom),
        ReportFormat::Html => report::to_html(&r, lang, None),
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(0)
}
