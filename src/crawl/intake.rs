//! What a finished request brings into the run: the page record, the
//! links it discovered, a redirect to follow; and the run's end (the
//! verdicts, the summary, the evidence-complete point).

use super::*;

impl Crawler {
    pub(super) fn fetched(&mut self, f: Fetched) -> Result<(), CrawlError> {
        let Fetched {
            item,
            record,
            links,
            sitemap_index,
            findings,
            new_snapshot,
            error_class,
            host_failure,
        } = f;
        let origin = origin_of(&item.url);
        tracing::debug!(
            url = %item.url,
            kind = ?item.kind,
            status = ?record.status,
            error = record.error.as_deref().unwrap_or(""),
            bytes = record.bytes,
            "fetched"
        );
        self.finished_request(&origin);
        if host_failure {
            self.host_failed(&origin, error_class.unwrap_or(ErrorClass::Other))?;
        } else if record.status.is_some() {
            self.failures.remove(&origin);
            self.timeouts.remove(&origin);
        }
        if record.status.is_some() {
            if item.kind != FetchKind::Sitemap {
                self.stats.pages_fetched += 1;
            }
            self.stats.bytes_received += record.bytes;
        }
        if record.status == Some(304) {
            self.stats.not_modified += 1;
        }
        if item.kind == FetchKind::Page && record.is_success() && self.in_scope(&item.url) {
            self.stats.pages_ok += 1;
        }
        if new_snapshot {
            self.stats.snapshots_new += 1;
        }
        if item.kind == FetchKind::Probe {
            self.stats.liveness_checks += 1;
        }
        if let Some(class) = error_class {
            self.stats.errors += 1;
            *self
                .stats
                .errors_by_class
                .entry(class.as_str().to_string())
                .or_default() += 1;
        }
        self.seen.insert(&record);

        // A redirect: its target is fetched like any other URL.
        if let Some(loc) = record.location.as_deref().and_then(|l| Url::parse(l).ok()) {
            self.follow_redirect(&item, &record, loc);
        }
        if let Some(f) = &findings {
            self.order.insert(f.url.clone(), self.stats.pages_fetched);
        }
        self.discover(&item, findings.as_ref(), links, sitemap_index);
        if let Some(mut f) = findings {
            // The sector's signs are judged from the stored findings
            // (`verwaltung::of_run`); the header and footer links they
            // repeat on every page need not stay in memory.
            f.verwaltung = Vec::new();
            if !f.is_empty() {
                self.findings.push(f);
            }
        }
        self.save_frontier(Some(record.url))
    }

    /// Queue what a fetched document leads to: its link targets that need a
    /// liveness check, and its links (or a sitemap's entries).
    pub(super) fn discover(
        &mut self,
        item: &Item,
        findings: Option<&PageFindings>,
        links: Vec<(Url, String)>,
        sitemap_index: bool,
    ) {
        if let Some(f) = findings {
            for t in f.targets().map(str::to_string).collect::<Vec<_>>() {
                // The same header and footer targets stand on every page:
                // once queued, the frontier would only drop them again.
                if self.targets.contains(&t) {
                    continue;
                }
                let Some(u) = Url::parse(&t)
                    .ok()
                    .and_then(|u| url::canonical(&u, &self.shared.catalogue.crawl))
                else {
                    continue;
                };
                self.targets.insert(u.to_string());
                let as_page = self.in_scope(&u)
                    && !url::is_document(&u)
                    && item.depth < self.opts().max_depth
                    && !self.budget_spent;
                let kind = if as_page {
                    FetchKind::Page
                } else {
                    FetchKind::Probe
                };
                self.enqueue(u, kind, item.depth + 1, Rank::Fixed(3));
            }
        }
        match item.kind {
            FetchKind::Sitemap => {
                for (u, _) in links {
                    if !self.in_scope(&u) {
                        continue;
                    }
                    if sitemap_index {
                        let n = self
                            .sitemaps_per_origin
                            .entry(origin_of(&item.url))
                            .or_default();
                        if *n < MAX_SITEMAPS_PER_ORIGIN {
                            *n += 1;
                            self.enqueue(u, FetchKind::Sitemap, 0, Rank::Fixed(4));
                        }
                    } else if !self.budget_spent
                        && !url::is_binary_asset(&u)
                        && !url::is_document(&u)
                    {
                        self.enqueue(u, FetchKind::Page, 1, Rank::Words(""));
                    }
                }
            }
            _ => {
                for (u, text) in links {
                    if url::is_binary_asset(&u) {
                        continue;
                    }
                    if !self.in_scope(&u) {
                        if let Some(n) = url::normalize(&u) {
                            self.outlinks.insert(n.to_string());
                        }
                        continue;
                    }
                    if url::is_document(&u)
                        || item.depth >= self.opts().max_depth
                        || self.budget_spent
                    {
                        continue;
                    }
                    self.enqueue(u, FetchKind::Page, item.depth + 1, Rank::Words(&text));
                }
            }
        }
    }

    /// Mirror the frontier's changes in the store: the URLs queued since the
    /// last save and the one just fetched. A crash between storing a page
    /// and this loses nothing: `resume` re-queues what fetched pages found.
    pub(super) fn save_frontier(&mut self, fetched: Option<String>) -> Result<(), CrawlError> {
        let add = std::mem::take(&mut self.queued_unsaved);
        let remove: Vec<String> = fetched.into_iter().collect();
        self.shared
            .store
            .update_queued(&self.record.id, &add, &remove)?;
        Ok(())
    }

    pub(super) fn follow_redirect(&mut self, item: &Item, record: &PageRecord, loc: Url) {
        let Some(target) = url::canonical(&loc, &self.shared.catalogue.crawl) else {
            return;
        };
        let is_target = self.targets.contains(record.url.as_str());
        if is_target {
            // Liveness follows the chain: the next hop is a target too.
            self.targets.insert(target.to_string());
        }
        if self.frontier.seen(&target) {
            // Already queued or fetched: a loop (or a shared destination);
            // liveness resolves it through the records.
            if target.as_str() == record.url {
                *self
                    .stats
                    .errors_by_class
                    .entry(ErrorClass::RedirectLoop.as_str().into())
                    .or_default() += 1;
                self.stats.errors += 1;
            }
            return;
        }
        let kind = match item.kind {
            FetchKind::Page if self.in_scope(&target) && !url::is_document(&target) => {
                FetchKind::Page
            }
            FetchKind::Sitemap if self.in_scope(&target) => FetchKind::Sitemap,
            FetchKind::Probe => FetchKind::Probe,
            _ if is_target => FetchKind::Probe,
            _ => {
                self.outlinks.insert(target.to_string());
                return;
            }
        };
        if item.attempt >= 10 {
            return;
        }
        let pushed = self.enqueue(target, kind, item.depth, Rank::Fixed(item.priority));
        if !pushed {
            *self
                .stats
                .errors_by_class
                .entry(ErrorClass::RedirectLoop.as_str().into())
                .or_default() += 1;
        }
    }

    pub(super) fn finish(mut self, stopped: bool) -> Result<RunRecord, CrawlError> {
        self.save_frontier(None)?;
        let mut lost: Vec<String> = self
            .robots
            .iter()
            .filter(|(_, r)| {
                matches!(
                    r,
                    RobotsState::Ready(Rules::DisallowAll(_) | Rules::Unreachable)
                )
            })
            .map(|(o, _)| o.clone())
            .chain(self.stats.circuit_open.iter().cloned())
            // Only the city's own hosts: a dead portal is evidence, not a gap.
            .filter(|o| Url::parse(o).is_ok_and(|u| self.in_scope(&u)))
            .collect();
        lost.sort();
        lost.dedup();
        if !lost.is_empty() {
            tracing::warn!("not crawled in this run: {}", lost.join(", "));
        }
        self.stats.hosts_lost = lost;
        self.stats.out_of_scope_links = self.outlinks.len() as u64;
        let seen = &self.seen;
        let rules = &self.shared.catalogue.crawl;
        let liveness = |target: &str, claim: detect::Claim| seen.answer(rules, target, claim);
        let verdicts = detect::verdicts(&self.shared.catalogue, &self.findings, &liveness);
        self.stats.evidence_complete_at = evidence_complete_at(&verdicts, &self.order);
        self.shared.store.put_verdicts(&self.record.id, &verdicts)?;
        // `stats.seconds` holds the time of earlier parts of a resumed run;
        // `record.stats` may already include this part's time (checkpoints).
        self.stats.seconds += self.started.elapsed().as_secs_f64();
        self.record.stats = self.stats;
        self.record.finished_at = Some(jiff::Timestamp::now());
        self.record.status = if stopped {
            RunStatus::Interrupted
        } else if self.record.stats.pages_ok == 0 {
            // An outage is not a result: nothing of the city answered.
            self.record.failure = Some(failure_reason(&self.record.stats));
            RunStatus::Failed
        } else {
            self.shared.store.clear_queued(&self.record.id)?;
            RunStatus::Complete
        };
        self.shared.store.put_run(&self.record)?;
        self.shared.store.flush()?;
        tracing::info!(
            status = self.record.status.public(),
            pages = self.record.stats.pages_fetched,
            errors = self.record.stats.errors,
            "crawl ended"
        );
        Ok(self.record)
    }
}

/// Why a run that fetched nothing failed, in words, from its error counts.
pub(super) fn failure_reason(stats: &RunStats) -> String {
    let causes: Vec<String> = stats
        .errors_by_class
        .iter()
        .map(|(class, n)| format!("{class}: {n}"))
        .collect();
    let mut why = String::from("no page of the city could be fetched");
    if stats.robots_excluded > 0 {
        why.push_str(&format!(
            "; {} URLs held back by robots.txt (unreachable or forbidding)",
            stats.robots_excluded
        ));
    }
    if !causes.is_empty() {
        why.push_str(&format!(" ({})", causes.join(", ")));
    }
    if !stats.circuit_open.is_empty() {
        why.push_str(&format!(
            "; hosts given up: {}",
            stats.circuit_open.join(", ")
        ));
    }
    why
}

/// After how many fetched pages every service had the evidence of its final
/// level: the latest, over services, of the earliest page carrying it.
pub(super) fn evidence_complete_at(
    verdicts: &[detect::ServiceVerdict],
    order: &HashMap<String, u64>,
) -> Option<u64> {
    let mut point = None;
    for v in verdicts
        .iter()
        .filter(|v| v.level > crate::types::Level::Offline)
    {
        let first = v
            .evidence
            .iter()
            .filter(|e| e.level == v.level)
            .filter_map(|e| order.get(&e.url).copied())
            .min()?;
        point = Some(point.map_or(first, |p: u64| p.max(first)));
    }
    point
}
