//! `survey`: every city of a survey file crawled by the same rules.

use crate::cli::*;
use crate::survey::{CityEvent, Survey};

/// The crawl settings of a survey: flags, else the survey file, else the
/// defaults below (a survey's page budget is smaller than a single crawl's).
fn survey_options(args: &SurveyArgs, survey: &Survey) -> Result<CrawlOptions, Failure> {
    let b = &survey.budgets;
    let flags = CrawlArgs {
        profile: PathBuf::new(),
        max_pages: args.max_pages.or(b.max_pages).unwrap_or(2000),
        max_depth: args.max_depth.or(b.max_depth).unwrap_or(10),
        rate: args.rate.or(b.rate).unwrap_or(2.0),
        concurrency: args.concurrency.or(b.concurrency).unwrap_or(8),
        resolve: args.resolve.clone(),
        resume: false,
        ignore_robots: false,
        no_sitemaps: false,
        no_conditional: false,
        label: Some(format!("{} ({})", survey.name, tr("Umfrage", "survey"))),
        max_duration: args.max_duration.clone().or(b.max_duration.clone()),
        min_rate: 1024,
        speed_time: 10,
        user_agent: None,
        max_body: 10 * 1024 * 1024,
        notify: None,
    };
    validate_crawl(&flags)
}

pub(crate) async fn survey_cmd(
    db: &Path,
    cat_dir: Option<&Path>,
    args: SurveyArgs,
) -> Result<u8, Failure> {
    let mut survey = Survey::load(&args.files)?;
    if let Some(spec) = &args.shard {
        let (i, n) = parse_shard(spec)?;
        survey.shard(i, n);
    }
    let opts = survey_options(&args, &survey)?;
    // The ranking needs the model: a wrong name is an error now, not after hours.
    crate::index::Model::load(catalogue_dir(cat_dir).as_deref(), &survey.model)?;
    let catalogue = load_catalogue(cat_dir)?;
    let store = open_store(db)?;
    let at_once = args
        .cities_at_once
        .or(survey.budgets.cities_at_once)
        .unwrap_or(4)
        .clamp(1, 64);
    let record = survey_record(&store, &survey, &args)?;
    if let Some(dir) = &args.bundles {
        std::fs::create_dir_all(dir).map_err(|e| Failure::runtime(cannot_write(dir, &e)))?;
    }
    let total = survey.cities.len();
    say!(
        "{}",
        tr(
            format!(
                "Umfrage {} ({}): {total} Städte, {at_once} gleichzeitig, je höchstens {} Seiten",
                record.id, survey.name, opts.max_pages
            ),
            format!(
                "survey {} ({}): {total} cities, {at_once} at a time, at most {} pages each",
                record.id, survey.name, opts.max_pages
            )
        )
    );
    let on_event = city_events(total, args.bundles.clone(), store.clone());
    let (rx, mut sig_rx, signals) = watch_signals();
    let record = crate::survey::crawl_all(
        &survey,
        record,
        catalogue,
        &store,
        (&opts, at_once),
        rx,
        on_event,
    )
    .await?;
    signals.abort();
    let finished = record.cities.iter().filter(|c| c.run.is_some()).count();
    say!(
        "{}",
        tr(
            format!(
                "Umfrage {}: {finished} von {total} Städten erledigt. Rangliste: `ozgcheck ranking --survey {}`",
                record.id, record.id
            ),
            format!(
                "survey {}: {finished} of {total} cities done. Ranking: `ozgcheck ranking --survey {}`",
                record.id, record.id
            )
        )
    );
    let signal = *sig_rx.borrow_and_update();
    Ok(match signal {
        Some(Stop::Interrupt) => 130,
        Some(Stop::Terminate) => 143,
        None => 0,
    })
}

fn de_status(s: crate::store::RunStatus) -> &'static str {
    match s {
        crate::store::RunStatus::Complete => "fertig",
        crate::store::RunStatus::Failed => "gescheitert",
        _ => "unterbrochen",
    }
}

/// Write a city's run as a bundle into `dir` (through a temporary file);
/// a failure is said, and the survey goes on.
fn write_bundle(store: &Store, run: &crate::store::RunRecord, dir: &Path) {
    let path = dir.join(format!("{}.ozgrun", run.id));
    let tmp = path.with_extension("partial");
    let written = std::fs::File::create(&tmp)
        .map_err(|e| e.to_string())
        .and_then(|f| {
            crate::bundle::export(store, run, std::io::BufWriter::new(f)).map_err(|e| e.to_string())
        })
        .and_then(|_| std::fs::rename(&tmp, &path).map_err(|e| e.to_string()));
    if let Err(e) = written {
        say!(
            "{}",
            tr(
                format!("{}: Bündel nicht geschrieben: {e}", path.display()),
                format!("{}: bundle not written: {e}", path.display())
            )
        );
    }
}

/// `--shard I/N`: 0 ≤ I < N.
fn parse_shard(spec: &str) -> Result<(usize, usize), Failure> {
    spec.split_once('/')
        .and_then(|(i, n)| {
            Some((
                i.trim().parse::<usize>().ok()?,
                n.trim().parse::<usize>().ok()?,
            ))
        })
        .filter(|(i, n)| *n > 0 && i < n)
        .ok_or_else(|| {
            Failure::input(tr(
                format!("--shard {spec:?}: I/N mit 0 ≤ I < N, z. B. 3/83"),
                format!("--shard {spec:?}: I/N with 0 ≤ I < N, e.g. 3/83"),
            ))
        })
}

/// The survey record to go on with: the one of `--id`, the last unfinished
/// one of this name with `--resume`, else a new one; with every city of
/// this (shard of the) survey in it.
fn survey_record(
    store: &Store,
    survey: &Survey,
    args: &SurveyArgs,
) -> Result<crate::store::SurveyRecord, Failure> {
    let earlier = match &args.id {
        Some(id) => store.resolve_survey(id)?.filter(|s| s.id.as_str() == id),
        None if args.resume => store
            .surveys()?
            .into_iter()
            .rfind(|s| s.name == survey.name && s.finished_at.is_none()),
        None => None,
    };
    let mut record = match earlier {
        Some(r) => {
            say!(
                "{}",
                tr(
                    format!("Umfrage {} wird fortgesetzt", r.id),
                    format!("resuming survey {}", r.id)
                )
            );
            r
        }
        None => crate::survey::new_record(survey, args.id.as_deref()),
    };
    // A survey continued by id may lack cities of this shard: add them.
    for c in crate::survey::new_record(survey, None).cities {
        if !record.cities.iter().any(|r| r.name == c.name) {
            record.cities.push(c);
        }
    }
    Ok(record)
}

/// Progress lines per city, and each finished run written as a bundle
/// when `--bundles` asks for it.
fn city_events(
    total: usize,
    bundles: Option<PathBuf>,
    bundle_store: Store,
) -> std::sync::Arc<dyn Fn(CityEvent) + Send + Sync> {
    let counter = std::sync::atomic::AtomicUsize::new(0);
    std::sync::Arc::new(move |e: CityEvent| match e {
        CityEvent::Started { city, resumed } => say!(
            "{}",
            match (resumed, lang()) {
                (true, report::Lang::De) => format!("{city}: wird fortgesetzt"),
                (false, report::Lang::De) => format!("{city}: beginnt"),
                (true, report::Lang::En) => format!("{city}: resuming"),
                (false, report::Lang::En) => format!("{city}: starting"),
            }
        ),
        CityEvent::Progress {
            city,
            pages,
            queued,
        } => say!(
            "{}",
            tr(
                format!("{city}: {pages} Seiten geladen, {queued} in der Warteschlange"),
                format!("{city}: {pages} pages fetched, {queued} queued")
            )
        ),
        CityEvent::Finished { city, run } => {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if let Some(dir) = &bundles {
                // Writing a run's bundle takes a while: the runtime's other
                // work (the cities still crawling) moves to other threads.
                tokio::task::block_in_place(|| write_bundle(&bundle_store, &run, dir));
            }
            say!(
                "{}",
                tr(
                    format!(
                        "{city}: {} ({} Seiten, Lauf {}) [{n}/{total}]",
                        de_status(run.status),
                        run.stats.pages_fetched,
                        run.id
                    ),
                    format!(
                        "{city}: {} ({} pages, run {}) [{n}/{total}]",
                        run.status.public(),
                        run.stats.pages_fetched,
                        run.id
                    )
                )
            )
        }
        CityEvent::Failed { city, error } => say!(
            "{}",
            tr(
                format!("{city}: Fehler: {error}"),
                format!("{city}: error: {error}")
            )
        ),
    })
}
