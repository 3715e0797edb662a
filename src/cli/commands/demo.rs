//! `demo`: the bundled demo city crawled into a temporary database.

use crate::cli::*;

pub(crate) async fn demo_cmd(cat_dir: Option<&Path>, args: DemoArgs) -> Result<u8, Failure> {
    let catalogue = load_catalogue(cat_dir)?;
    let profile = demo::demo_profile()?;
    let site = LocalSite::start(demo::demo_files())
        .await
        .map_err(Failure::runtime)?;
    let tmp = tempfile::tempdir().map_err(|e| {
        Failure::runtime(tr(
            format!("temporäres Verzeichnis: {e}"),
            format!("temporary directory: {e}"),
        ))
    })?;
    let store = Store::open(&tmp.path().join("db"))?;
    say!(
        "{}",
        tr(
            format!(
                "demo: {} läuft auf {} ({}), Crawl in eine temporäre Datenbank",
                profile.name,
                site.addr,
                site.hosts().join(", ")
            ),
            format!(
                "demo: serving {} on {} ({}), crawling into a temporary database",
                profile.name,
                site.addr,
                site.hosts().join(", ")
            )
        )
    );
    let opts = CrawlOptions {
        resolve: site.resolves(),
        // The server is ours and on loopback: no need to be slow.
        rate: 0.0,
        label: Some("demo".into()),
        ..CrawlOptions::default()
    };
    let (record, _) = crawl_with_signals(&profile, catalogue.clone(), &store, &opts, false).await?;
    say_part!("{}", summary(&record));
    let r = report::build(&catalogue, &store, &record)?;
    let text = match args.format {
        ReportFormat::Json => report::to_json(&r),
        ReportFormat::Md => report::to_markdown(&r, report::Lang::De),
        ReportFormat::Csv => report::to_csv(&r, b';', true),
        ReportFormat::Html => report::to_html(&r, report::Lang::De, None),
        ReportFormat::Table => report::to_table(&r),
    };
    write_output(None, &text)?;
    Ok(0)
}
