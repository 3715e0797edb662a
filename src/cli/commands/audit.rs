//! `audit`: the city's claims against the dashboard and the verdicts.

use crate::cli::*;

pub(crate) fn audit_cmd(db: &Path, cat_dir: Option<&Path>, args: AuditArgs) -> Result<u8, Failure> {
    let catalogue = load_catalogue(cat_dir)?;
    let claims = match &args.claims {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).map_err(|e| Failure::input(cannot_read(p, &e)))?;
            crate::audit::read_claim_sheet(&p.display().to_string(), &text, &catalogue)?
        }
        None => crate::audit::ClaimSheet::default(),
    };
    let ars = args.ars.as_deref().map(valid_ars).transpose()?;
    let store = open_existing(db)?;
    let run = find_run(&store, &args.run)?;
    let ars = ars.or_else(|| run.ags.as_deref().and_then(crate::audit::ars_from_ags));
    let dashboard = match &ars {
        Some(a) => store.latest_dashboard(a)?,
        None => None,
    };
    if args.claims.is_none() && dashboard.is_none() {
        return Err(Failure::input(tr(
            "nichts zu vergleichen: --claims DATEI angeben und/oder einen Dashboard-Export importieren (ozgcheck dashboard import)",
            "nothing to compare: pass --claims FILE and/or import a dashboard export (ozgcheck dashboard import)",
        )));
    }
    let model = crate::index::Model::load(catalogue_dir(cat_dir).as_deref(), "sci2023")?;
    let a = crate::audit::audit(
        &catalogue,
        &store,
        &run,
        &claims.services,
        dashboard.as_ref(),
        model.ozg.online_from,
    )?;
    let mut a = a;
    if !claims.parameters.is_empty() {
        let sector = crate::verwaltung::of_run(&catalogue, &store, &run)?;
        a.findings.extend(crate::verwaltung::audit::findings(
            &claims.parameters,
            &sector,
        ));
    }
    if let Some(dir) = &args.pack {
        let n = crate::audit::write_pack(dir, &a, &store, &run).map_err(Failure::runtime)?;
        say!(
            "{}",
            tr(
                format!("Nachweispaket: {n} Dateien in {}", dir.display()),
                format!("proof pack: {n} files in {}", dir.display())
            )
        );
    }
    let text = match args.format {
        ListFormat::Json => serde_json::to_string_pretty(&a).unwrap_or_default() + "\n",
        ListFormat::Table => crate::audit::to_table(&a),
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(if a.findings.is_empty() { 0 } else { 1 })
}
