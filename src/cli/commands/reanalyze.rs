//! `reanalyze`: judge a stored run again with the current catalogue, offline.

use crate::cli::*;

pub(crate) fn reanalyze_cmd(
    db: &Path,
    cat_dir: Option<&Path>,
    args: ReanalyzeArgs,
) -> Result<u8, Failure> {
    let catalogue = load_catalogue(cat_dir)?;
    let store = open_existing(db)?;
    let source = find_run(&store, &args.run)?;
    let progress = |done: usize, total: usize| {
        if done < total {
            tracing::info!("reanalyze: {done} of {total} stored pages");
        }
    };
    let (mut run, summary) = crate::reanalyze::reanalyze(&catalogue, &store, &source, &progress)
        .map_err(|e| match e {
            crate::reanalyze::ReanalyzeError::Store(s) => Failure::from(s),
            crate::reanalyze::ReanalyzeError::Running(id) => Failure::input(tr(
                format!("Lauf {id} läuft noch; warten, bis er endet, oder ihn zuerst fortsetzen"),
                format!("run {id} is still running; wait for it to end or resume it first"),
            )),
        })?;
    if args.label.is_some() {
        run.label = args.label;
        store.put_run(&run)?;
    }
    let online = store
        .verdicts(&run.id)?
        .iter()
        .filter(|v| v.level >= report::ONLINE_FROM)
        .count();
    let (pages, found) = (summary.pages, summary.pages_with_findings);
    say!(
        "{}",
        tr(
            format!(
                "Lauf {} ({}, {}) neu beurteilt mit Katalog {} ({} Leistungen): {pages} gespeicherte Seiten, \
                 {found} mit Befunden, {online} Leistungen online; keine Anfrage gesendet",
                source.id,
                source.city,
                report::local_de(source.started_at),
                catalogue.edition,
                catalogue.services.len(),
            ),
            format!(
                "reanalyzed run {} ({}, {}) with catalogue {} ({} services): {pages} stored pages judged again, \
                 {found} with findings, {online} services online; no request was sent",
                source.id,
                source.city,
                report::rfc3339(source.started_at),
                catalogue.edition,
                catalogue.services.len(),
            )
        )
    );
    if summary.snapshots_missing > 0 {
        say!(
            "{}",
            tr(
                format!(
                    "Warnung: {} gespeicherte Seiten hatten keinen lesbaren Snapshot und blieben unbeurteilt",
                    summary.snapshots_missing
                ),
                format!(
                    "warning: {} stored pages had no readable snapshot and were left unjudged",
                    summary.snapshots_missing
                )
            )
        );
    }
    write_output(None, &format!("{}\n", run.id))?;
    Ok(0)
}
