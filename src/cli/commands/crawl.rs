//! `crawl`: flags validated into options, the run with signals and progress,
//! its summary, and the webhook that posts what changed.

use crate::cli::*;

pub(crate) fn validate_crawl(args: &CrawlArgs) -> Result<CrawlOptions, Failure> {
    if !args.rate.is_finite() || args.rate < 0.0 {
        return Err(Failure::input(tr(
            format!(
                "--rate {}: 0 (ohne Grenze) oder eine positive Zahl von Anfragen pro Sekunde",
                args.rate
            ),
            format!(
                "--rate {}: must be 0 (no limit) or a positive number of requests per second",
                args.rate
            ),
        )));
    }
    if args.concurrency == 0 || args.concurrency > 512 {
        return Err(Failure::input(tr(
            "--concurrency muss zwischen 1 und 512 liegen",
            "--concurrency must be between 1 and 512",
        )));
    }
    if args.max_pages == 0 {
        return Err(Failure::input(tr(
            "--max-pages muss mindestens 1 sein",
            "--max-pages must be at least 1",
        )));
    }
    if let Some(ua) = &args.user_agent {
        if ua.is_empty() || !ua.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return Err(Failure::input(tr(
                "--user-agent muss aus druckbaren ASCII-Zeichen bestehen und darf nicht leer sein (er wird als HTTP-Kopfzeile gesendet)",
                "--user-agent must be non-empty printable ASCII (it is sent as an HTTP header)",
            )));
        }
    }
    if args.max_body < 1024 {
        return Err(Failure::input(tr(
            "--max-body muss mindestens 1024 Bytes sein",
            "--max-body must be at least 1024 bytes",
        )));
    }
    let max_duration = args
        .max_duration
        .as_deref()
        .map(|d| {
            parse_duration(d).ok_or_else(|| {
                Failure::input(tr(
                    format!("--max-duration {d:?}: eine Dauer wie 2h, 90m, 1h30m oder 45s"),
                    format!("--max-duration {d:?}: a duration such as 2h, 90m, 1h30m or 45s"),
                ))
            })
        })
        .transpose()?;
    Ok(CrawlOptions {
        max_pages: args.max_pages,
        max_depth: args.max_depth,
        rate: args.rate,
        concurrency: args.concurrency,
        user_agent: args
            .user_agent
            .clone()
            .unwrap_or_else(crawl::default_user_agent),
        resolve: args.resolve.clone(),
        label: args.label.clone(),
        max_body: args.max_body,
        ignore_robots: args.ignore_robots,
        sitemaps: !args.no_sitemaps,
        conditional: !args.no_conditional,
        max_duration,
        min_rate: if args.min_rate == 0 {
            crawl::fetch::MinRate::NONE
        } else {
            crawl::fetch::MinRate {
                bytes_per_sec: args.min_rate,
                after: std::time::Duration::from_secs(args.speed_time.max(1)),
            }
        },
        ..CrawlOptions::default()
    })
}

/// `2h`, `90m`, `1h30m`, `45s`, `1d`: a sum of numbers with units.
fn parse_duration(s: &str) -> Option<std::time::Duration> {
    let mut total = 0u64;
    let mut num = String::new();
    let mut any = false;
    for c in s.trim().chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u64 = num.parse().ok()?;
        num.clear();
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => return None,
        };
        // A huge number is an input error, not an overflow.
        total = total.checked_add(n.checked_mul(unit)?)?;
        any = true;
    }
    (num.is_empty() && any && total > 0).then(|| std::time::Duration::from_secs(total))
}

pub(crate) async fn crawl_cmd(
    db: &Path,
    cat_dir: Option<&Path>,
    args: CrawlArgs,
) -> Result<u8, Failure> {
    let opts = validate_crawl(&args)?;
    let profile = Profile::load(&args.profile)?;
    let catalogue = load_catalogue(cat_dir)?;
    let store = open_store(db)?;
    let mut opts = opts;
    if let Some(ars) = profile.ags.as_deref().and_then(crate::audit::ars_from_ags) {
        if let Some(d) = store.latest_dashboard(&ars)? {
            opts.extra_probes = d
                .rows
                .iter()
                .filter_map(|r| url::Url::parse(r.url.trim()).ok())
                .collect();
            say!(
                "{}",
                tr(
                    format!(
                        "prüfe {} Leistungs-URLs des OZG-Dashboard-Exports {} ({})",
                        opts.extra_probes.len(),
                        d.ars,
                        d.date
                    ),
                    format!(
                        "checking {} service URLs of the OZG dashboard export {} ({})",
                        opts.extra_probes.len(),
                        d.ars,
                        d.date
                    )
                )
            );
        }
    }
    if opts.rate == 0.0 {
        say!(
            "{}",
            tr(
                "Warnung: --rate 0: keine Ratenbegrenzung; nur gegen eigene Server verwenden",
                "warning: --rate 0: no rate limit; use this only against your own servers"
            )
        );
    }
    if opts.ignore_robots {
        say!(
            "{}",
            tr(
                "WARNUNG: --ignore-robots: robots.txt wird in diesem Lauf NICHT beachtet. So nur eigene Server crawlen.",
                "WARNING: --ignore-robots: robots.txt is NOT obeyed in this run. Only crawl servers you operate this way."
            )
        );
    }
    let (record, signal) =
        crawl_with_signals(&profile, catalogue.clone(), &store, &opts, args.resume).await?;
    if record.status == crate::store::RunStatus::Failed {
        say_part!("{}", summary(&record));
        return Err(Failure {
            code: 3,
            message: tr(
                format!(
                    "Lauf {} von {} gescheitert: {}. Er bleibt als gescheitert gespeichert; `latest`, `diff` und `--notify` übergehen ihn.",
                    record.id,
                    record.city,
                    record.failure.as_deref().unwrap_or("keine Seite abrufbar")
                ),
                format!(
                    "run {} of {} failed: {}. It is kept as failed; `latest`, `diff` and `--notify` skip it.",
                    record.id,
                    record.city,
                    record.failure.as_deref().unwrap_or("nothing could be fetched")
                ),
            ),
        });
    }
    let report = report::build_services(&catalogue, &store, &record)?;
    say_part!("{}", summary(&record));
    let online = report.services.iter().filter(|s| s.online).count();
    say!(
        "{}",
        tr(
            format!(
                "{online} von {} Leistungen online. Details: `ozgcheck report --run {}`.",
                report.services.len(),
                record.id
            ),
            format!(
                "{online} of {} services online. See `ozgcheck report --run {}`.",
                report.services.len(),
                record.id
            )
        )
    );
    if let Some(hook) = args
        .notify
        .as_ref()
        .filter(|_| record.status == crate::store::RunStatus::Complete)
    {
        notify(&catalogue, &store, &record, hook, &opts).await;
    }
    if record.stats.time_budget_used {
        say!(
            "{}",
            tr(
                format!(
                    "Zeitbudget aufgebraucht: der Lauf bleibt als unterbrochen gespeichert; `ozgcheck crawl {} --resume` setzt ihn fort",
                    args.profile.display()
                ),
                format!(
                    "time budget used up: the run is kept as interrupted; `ozgcheck crawl {} --resume` continues it",
                    args.profile.display()
                )
            )
        );
    }
    // Stopped by a signal: everything fetched is stored and flushed; the
    // exit code says so the way shells expect (128 + signal number).
    Ok(match signal {
        Some(Stop::Interrupt) => 130,
        Some(Stop::Terminate) => 143,
        None => 0,
    })
}

/// Post the diff against the previous completed run of the city, if any
/// changed. Errors are reported on stderr, never returned.
async fn notify(
    catalogue: &Catalogue,
    store: &Store,
    record: &RunRecord,
    hook: &url::Url,
    opts: &CrawlOptions,
) {
    let previous = store.runs().ok().and_then(|runs| {
        runs.into_iter().rfind(|r| {
            r.city == record.city
                && r.id != record.id
                && r.status == crate::store::RunStatus::Complete
        })
    });
    let Some(prev) = previous else {
        say!(
            "{}",
            tr(
                format!(
                    "notify: erster Lauf von {}, nichts zu vergleichen",
                    record.city
                ),
                format!("notify: first run of {}, nothing to compare", record.city)
            )
        );
        return;
    };
    let d = match crate::diff::diff(catalogue, store, &prev, record) {
        Ok(d) => d,
        Err(e) => {
            say!("notify: {e}");
            return;
        }
    };
    if !d.changed() {
        say!(
            "{}",
            tr(
                format!("notify: nichts geändert seit Lauf {}", prev.id),
                format!("notify: nothing changed since run {}", prev.id)
            )
        );
        return;
    }
    let summary: Vec<String> = d
        .services
        .iter()
        .map(|s| format!("{}: {} → {}", s.name, s.from_level, s.to_level))
        .chain(d.dead_links.iter().map(|u| format!("Link tot: {u}")))
        .collect();
    // `text` for Slack/Matrix-style receivers; the whole diff for scripts.
    let body = serde_json::json!({
        "text": format!("ozgcheck {}: {}", record.city, summary.join("; ")),
        "diff": d,
    });
    let client = match crate::crawl::fetch::client(&crate::crawl::fetch::ClientConfig {
        user_agent: opts.user_agent.clone(),
        resolve: opts.resolve.clone(),
        connect_timeout: std::time::Duration::from_secs(10),
        read_timeout: std::time::Duration::from_secs(20),
        total_timeout: std::time::Duration::from_secs(30),
    }) {
        Ok(c) => c,
        Err(e) => {
            say!("notify: {e}");
            return;
        }
    };
    match crate::crawl::fetch::post_json(&client, hook, &body, 3).await {
        Ok(status) => say!(
            "{}",
            tr(
                format!("notify: an {hook} gesendet (HTTP {status})"),
                format!("notify: posted to {hook} (HTTP {status})")
            )
        ),
        Err(e) => say!(
            "{}",
            tr(
                format!("notify: {hook} nach 3 Versuchen gescheitert ({e}); der Crawl selbst war erfolgreich"),
                format!("notify: {hook} failed after 3 attempts ({e}); the crawl itself succeeded")
            )
        ),
    }
}

/// What stopped a crawl from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM (`systemctl stop`, `kill`).
    Terminate,
}

/// Resolves when SIGINT or SIGTERM arrives, with which one.
async fn stop_signal() -> Stop {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            return tokio::select! {
                _ = tokio::signal::ctrl_c() => Stop::Interrupt,
                _ = term.recv() => Stop::Terminate,
            };
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    Stop::Interrupt
}

/// Crawl until done, or until SIGINT/SIGTERM asks to stop gracefully (the
/// run is stored as interrupted with its summary); a second signal ends
/// the process at once (what was flushed stays).
pub(crate) async fn crawl_with_signals(
    profile: &Profile,
    catalogue: Arc<Catalogue>,
    store: &Store,
    opts: &CrawlOptions,
    resume: bool,
) -> Result<(RunRecord, Option<Stop>), Failure> {
    let (rx, mut sig_rx, signals) = watch_signals();
    let bar = ProgressView::new(opts.max_pages);
    let progress = |p: &Progress| bar.update(p);
    let res = if resume {
        crawl::resume(profile, catalogue, store, opts, rx, &progress).await
    } else {
        crawl::run(profile, catalogue, store, opts, rx, &progress).await
    };
    bar.finish();
    signals.abort();
    let signal = *sig_rx.borrow_and_update();
    res.map(|r| (r, signal)).map_err(|e| match e {
        crawl::CrawlError::NothingToResume(_) => Failure::input(tr(e.de(), e.to_string())),
        e => Failure::runtime(tr(e.de(), e.to_string())),
    })
}

/// The stop signal for long work: the first SIGINT/SIGTERM (or, for a
/// command run inside `serve`, the asking process going away) sets the
/// first receiver and names the signal in the second; a second signal
/// ends the process at once. Abort the handle when the work is done.
pub(crate) fn watch_signals() -> (
    tokio::sync::watch::Receiver<bool>,
    tokio::sync::watch::Receiver<Option<Stop>>,
    tokio::task::JoinHandle<()>,
) {
    let (tx, rx) = tokio::sync::watch::channel(false);
    let (sig_tx, sig_rx) = tokio::sync::watch::channel(None);
    let signals = match crate::owner::asked() {
        // Run for an asking process: its going away (Ctrl-C, a timer's
        // stop) is the signal; the owner itself keeps running.
        Some(asked) => tokio::spawn(async move {
            asked.tx.closed().await;
            let _ = sig_tx.send(Some(Stop::Interrupt));
            let _ = tx.send(true);
        }),
        None => tokio::spawn(async move {
            let first = stop_signal().await;
            let _ = sig_tx.send(Some(first));
            let _ = tx.send(true);
            let again = stop_signal().await;
            std::process::exit(match again {
                Stop::Interrupt => 130,
                Stop::Terminate => 143,
            });
        }),
    };
    (rx, sig_rx, signals)
}

/// Progress on stderr: a bar on a terminal, a plain line every few seconds
/// otherwise (cron logs, CI).
struct ProgressView {
    bar: Option<indicatif::ProgressBar>,
    last_line: std::sync::Mutex<std::time::Instant>,
}

impl ProgressView {
    fn new(max_pages: usize) -> Self {
        use std::io::IsTerminal;
        let quiet = QUIET.load(std::sync::atomic::Ordering::Relaxed);
        let local = crate::owner::asked().is_none();
        let bar = (local && std::io::stderr().is_terminal() && !quiet).then(|| {
            let b = indicatif::ProgressBar::new(max_pages as u64);
            let style = indicatif::ProgressStyle::with_template(
                "{spinner} {elapsed_precise} [{bar:30}] {pos} pages · {msg}",
            )
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            b.set_style(style);
            b
        });
        ProgressView {
            bar,
            last_line: std::sync::Mutex::new(std::time::Instant::now()),
        }
    }

    fn update(&self, p: &Progress) {
        match &self.bar {
            Some(b) => {
                b.set_position(p.pages_fetched);
                b.set_message(format!(
                    "{} queued, {} in flight, {} errors, {:.1} MB",
                    p.queued,
                    p.in_flight,
                    p.errors,
                    p.bytes as f64 / 1e6
                ));
            }
            None => {
                let Ok(mut last) = self.last_line.lock() else {
                    return;
                };
                if last.elapsed() >= std::time::Duration::from_secs(5) {
                    *last = std::time::Instant::now();
                    say!(
                        "{}",
                        tr(
                            format!(
                                "crawl: {} Seiten geholt, {} in der Warteschlange, {} unterwegs, {} Fehler",
                                p.pages_fetched, p.queued, p.in_flight, p.errors
                            ),
                            format!(
                                "crawl: {} pages fetched, {} queued, {} in flight, {} errors",
                                p.pages_fetched, p.queued, p.in_flight, p.errors
                            )
                        )
                    );
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

pub(crate) fn summary(r: &RunRecord) -> String {
    let s = &r.stats;
    let secs = s.seconds.max(0.001);
    let list = |m: &std::collections::BTreeMap<String, u64>| {
        if m.is_empty() {
            tr("keine", "none").to_string()
        } else {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    // One layout, the words in the output language.
    let mut out = format!(
        "{} {} {}: {} {} ({} {}, {} {}, {} {}) in {} s = {} {}/s\n",
        tr("Lauf", "run"),
        r.id,
        r.status.public(),
        s.pages_fetched,
        tr("Seiten", "pages"),
        s.bytes_received,
        tr("Bytes", "bytes"),
        s.not_modified,
        tr("mit 304 beantwortet", "answered 304"),
        s.snapshots_new,
        tr("neue Snapshots", "new snapshots"),
        num1(secs),
        num1(s.pages_fetched as f64 / secs),
        tr("Seiten", "pages"),
    );
    out.push_str(&format!(
        "  {}: {}; {} {}; {} {}; {}: {}; {} {}; {} {}; {} {}\n",
        tr("Fehler", "errors"),
        list(&s.errors_by_class),
        tr("Wiederholungen", "retries"),
        s.retries,
        tr("robots-Ausschlüsse", "robots exclusions"),
        s.robots_excluded,
        tr("Fallen gekappt", "trap cuts"),
        list(&s.trap_cuts),
        tr("wegen Grenzen ausgelassen", "skipped by limits"),
        s.skipped_by_limits,
        tr("Erreichbarkeitsprüfungen", "liveness checks"),
        s.liveness_checks,
        tr("Sitemaps", "sitemaps"),
        s.sitemaps,
    ));
    if !s.hosts_lost.is_empty() {
        out.push_str(&format!(
            "  {}: {}; {}\n",
            tr(
                "nicht gecrawlt (nicht erreichbar oder aufgegeben)",
                "not crawled (unreachable or given up)"
            ),
            s.hosts_lost.join(", "),
            tr(
                "Leistungen, deren Belege dort lagen, gelten als nicht geprüft",
                "services whose evidence lived there are reported as not checked"
            )
        ));
    }
    if !s.circuit_open.is_empty() {
        out.push_str(&format!(
            "  {}: {}\n",
            tr(
                "nach wiederholten Fehlern aufgegebene Hosts",
                "hosts given up after repeated failures"
            ),
            s.circuit_open.join(", ")
        ));
    }
    if let Some(p) = s.evidence_complete_at {
        out.push_str(&format!(
            "  {} {p} {}\n",
            tr("Belege vollständig nach", "evidence complete after"),
            tr("Seiten", "pages")
        ));
    }
    out
}
