//! `diff`: two runs of a city compared.

use crate::cli::*;

pub(crate) fn diff_cmd(db: &Path, cat_dir: Option<&Path>, args: DiffArgs) -> Result<u8, Failure> {
    use std::io::IsTerminal;
    let catalogue = load_catalogue(cat_dir)?;
    let store = open_existing(db)?;
    let a = find_run(&store, &args.from)?;
    let b = find_run(&store, &args.to)?;
    for r in [&a, &b] {
        if r.status == crate::store::RunStatus::Failed {
            let why = r.failure.as_deref().unwrap_or("nothing fetched");
            return Err(Failure::input(tr(
                format!(
                    "Lauf {} ist gescheitert ({why}): er hat kein Ergebnis zum Vergleichen; `ozgcheck runs` listet die anderen",
                    r.id
                ),
                format!(
                    "run {} failed ({why}): it holds no result to compare; `ozgcheck runs` lists the others",
                    r.id
                ),
            )));
        }
    }
    let d = crate::diff::diff(&catalogue, &store, &a, &b).map_err(|e| match e {
        crate::diff::DiffError::Store(s) => Failure::from(s),
        crate::diff::DiffError::DifferentCities(a, b) => Failure::input(tr(
            format!("Läufe verschiedener Städte lassen sich nicht vergleichen: {a} und {b}"),
            format!("runs of different cities cannot be compared: {a} and {b}"),
        )),
    })?;
    let text = match args.format {
        ScoreFormat::Json => serde_json::to_string_pretty(&d).unwrap_or_default() + "\n",
        ScoreFormat::Md => crate::diff::render(&d, true, false),
        ScoreFormat::Table => crate::diff::render(
            &d,
            false,
            args.output.is_none()
                && crate::owner::asked().is_none()
                && std::io::stdout().is_terminal(),
        ),
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(if d.changed() { 1 } else { 0 })
}
