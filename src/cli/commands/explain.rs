//! `explain`: what the detector saw on one stored page.

use crate::cli::*;

pub(crate) fn explain_cmd(
    db: &Path,
    cat_dir: Option<&Path>,
    args: ExplainArgs,
) -> Result<u8, Failure> {
    let catalogue = load_catalogue(cat_dir)?;
    let store = open_existing(db)?;
    let run = find_run(&store, &args.run)?;
    let text = crate::explain::explain(&catalogue, &store, &run, &args.url, args.full).map_err(
        |e| match e {
            crate::explain::ExplainError::Store(s) => Failure::from(s),
            other => Failure::input(tr(other.de(), other.to_string())),
        },
    )?;
    write_output(None, &text)?;
    Ok(0)
}
