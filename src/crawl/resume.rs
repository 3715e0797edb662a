//! Resuming a run that was killed: the stored frontier, pages and
//! findings put back into a scheduler that goes on where it stopped.

use super::*;

/// Continue the last interrupted (or killed) run of this city: what it
/// fetched stays, what it had queued is fetched now.
pub async fn resume(
    profile: &Profile,
    catalogue: Arc<Catalogue>,
    store: &Store,
    opts: &CrawlOptions,
    stop: watch::Receiver<bool>,
    progress: &(dyn Fn(&Progress) + Send + Sync),
) -> Result<RunRecord, CrawlError> {
    let last = store
        .runs()?
        .into_iter()
        .rev()
        .find(|r| r.city == profile.name && r.reanalysis.is_none())
        .filter(|r| r.status != RunStatus::Complete)
        .ok_or_else(|| CrawlError::NothingToResume(profile.name.clone()))?;
    let mut record = last;
    record.status = RunStatus::Running;
    record.finished_at = None;
    store.put_run(&record)?;
    let id = record.id.clone();
    let mut c = Crawler::new(profile, catalogue, store, opts, record)?;
    c.stats = c.record.stats.clone();
    c.record.failure = None;
    // Counted again from the records (older releases did not keep it).
    c.stats.pages_ok = 0;
    // What was fetched stays fetched; its findings and liveness count.
    for p in store.pages(&id)? {
        c.frontier.mark_seen(&p.url);
        c.seen.insert(&p);
        if p.kind == FetchKind::Page
            && p.is_success()
            && Url::parse(&p.url).is_ok_and(|u| c.in_scope(&u))
        {
            c.stats.pages_ok += 1;
        }
        if p.status.is_some() {
            match p.kind {
                FetchKind::Page => c.pages_dispatched += 1,
                FetchKind::Probe => c.probes_dispatched += 1,
                FetchKind::Sitemap => {}
            }
        }
    }
    for f in store.findings(&id)? {
        for t in f.targets() {
            if let Some(u) = Url::parse(t)
                .ok()
                .and_then(|u| url::canonical(&u, &c.shared.catalogue.crawl))
            {
                c.targets.insert(u.to_string());
            }
        }
        let f = PageFindings {
            verwaltung: Vec::new(),
            ..f
        };
        if !f.is_empty() {
            c.findings.push(f);
        }
    }
    // A run killed before it stored its frontier still has its seeds to
    // fetch (what was fetched is marked seen and not queued again).
    for seed in &profile.seeds {
        c.enqueue(seed.clone(), FetchKind::Page, 0, Rank::Fixed(3));
    }
    for q in store.queued(&id)? {
        if c.seen.contains(&q.url) {
            continue;
        }
        if let Some(item) = Item::from_stored(&q) {
            c.frontier.push(item);
        }
    }
    // A kill can fall between storing a page and queueing what it links
    // to: what every fetched page leads to is queued again from its stored
    // analysis (a no-op for what the frontier already knows).
    // Set aside while `discover` borrows the crawler (it does not read them).
    let findings = std::mem::take(&mut c.findings);
    let findings_by_url: HashMap<&str, &PageFindings> =
        findings.iter().map(|f| (f.url.as_str(), f)).collect();
    for p in store.pages(&id)? {
        let (Some(sid), Some(u)) = (p.snapshot.as_ref(), Url::parse(&p.url).ok()) else {
            continue;
        };
        if p.kind != FetchKind::Page {
            continue;
        }
        let doc = analysis::Document {
            kind: p.kind,
            url: &u,
            content_type: p.content_type.as_deref(),
            fetched_at: p.fetched_at,
            snapshot: sid,
            new_snapshot: false,
        };
        let sh = &c.shared;
        let Some(links) =
            analysis::lookup(&sh.store, &sh.catalogue, &sh.scope, &doc).map(|a| a.links)
        else {
            continue;
        };
        let item = Item::new(u, p.kind, p.depth);
        c.discover(
            &item,
            findings_by_url.get(p.url.as_str()).copied(),
            links,
            false,
        );
    }
    drop(findings_by_url);
    c.findings = findings;
    let span = run_span(&c.record);
    c.run_loop(stop, progress).instrument(span).await
}
