//! The scheduler: the one place that decides when a request is sent. It
//! keeps the frontier, robots rules, per-origin limits and the circuit
//! breaker, and hands requests to workers.

use super::*;

pub(super) struct Crawler {
    pub(super) shared: Arc<Shared>,
    pub(super) record: RunRecord,
    pub(super) frontier: Frontier,
    pub(super) politeness: Politeness,
    pub(super) robots: HashMap<String, RobotsState>,
    pub(super) failures: HashMap<String, u32>,
    /// URLs of an origin that timed out in a row (after their retry).
    pub(super) timeouts: HashMap<String, u32>,
    pub(super) in_flight_per: HashMap<String, usize>,
    pub(super) traps: url::TrapGuard,
    pub(super) seen: LivenessIndex,
    pub(super) findings: Vec<PageFindings>,
    /// Fetch order of pages with findings (for the evidence-complete point).
    pub(super) order: HashMap<String, u64>,
    pub(super) targets: HashSet<String>,
    /// Links as written that were already offered to the frontier.
    pub(super) raw_seen: HashSet<String>,
    /// Frontier entries not yet written to the store.
    pub(super) queued_unsaved: Vec<crate::store::QueuedUrl>,
    pub(super) outlinks: HashSet<String>,
    pub(super) sitemaps_per_origin: HashMap<String, usize>,
    pub(super) stats: RunStats,
    pub(super) pages_dispatched: usize,
    pub(super) probes_dispatched: usize,
    pub(super) budget_spent: bool,
    pub(super) started: Instant,
}

pub(super) const MAX_SITEMAPS_PER_ORIGIN: usize = 100;

impl Crawler {
    pub(super) fn new(
        profile: &Profile,
        catalogue: Arc<Catalogue>,
        store: &Store,
        opts: &CrawlOptions,
        record: RunRecord,
    ) -> Result<Self, CrawlError> {
        let client = fetch::client(&ClientConfig {
            user_agent: opts.user_agent.clone(),
            resolve: opts.resolve.clone(),
            connect_timeout: opts.connect_timeout,
            read_timeout: opts.read_timeout,
            total_timeout: opts.total_timeout,
        })
        .map_err(|e| CrawlError::Client(e.to_string()))?;
        Ok(Crawler {
            shared: Arc::new(Shared {
                client,
                store: store.clone(),
                extractor: Extractor::new(&catalogue.page),
                catalogue,
                scope: analysis::CityScope::of_profile(profile),
                profile: profile.clone(),
                run: record.id.clone(),
                opts: opts.clone(),
                cpu: Arc::new(tokio::sync::Semaphore::new(
                    std::thread::available_parallelism().map_or(2, |n| n.get()) + 2,
                )),
            }),
            record,
            frontier: Frontier::default(),
            politeness: Politeness::new(opts.rate),
            robots: HashMap::new(),
            failures: HashMap::new(),
            timeouts: HashMap::new(),
            in_flight_per: HashMap::new(),
            traps: url::TrapGuard::default(),
            seen: LivenessIndex::default(),
            findings: Vec::new(),
            order: HashMap::new(),
            targets: HashSet::new(),
            raw_seen: HashSet::new(),
            queued_unsaved: Vec::new(),
            outlinks: HashSet::new(),
            sitemaps_per_origin: HashMap::new(),
            stats: RunStats::default(),
            pages_dispatched: 0,
            probes_dispatched: 0,
            budget_spent: false,
            started: Instant::now(),
        })
    }

    pub(super) fn opts(&self) -> &CrawlOptions {
        &self.shared.opts
    }

    pub(super) fn in_scope(&self, u: &Url) -> bool {
        self.shared
            .profile
            .in_scope(u.host_str().unwrap_or_default())
    }

    /// How early a link should be fetched: service words first, then
    /// service-directory words, then the rest.
    pub(super) fn priority(&self, u: &Url, rank: Rank) -> u8 {
        let text = match rank {
            Rank::Fixed(p) => return p,
            Rank::Words(text) => text,
        };
        let path = percent_encoding::percent_decode_str(u.path()).decode_utf8_lossy();
        let words = fold(&format!("{text} {path}"));
        let cat = &self.shared.catalogue;
        if cat.services.iter().any(|s| s.terms.is_match(&words)) {
            2
        } else if cat.crawl.priority.is_match(&words) {
            1
        } else {
            0
        }
    }

    /// Canonicalise, trap-check, dedup and queue a URL (and mirror it in the
    /// store for resume). Returns whether it was queued.
    pub(super) fn enqueue(&mut self, raw: Url, kind: FetchKind, depth: usize, rank: Rank) -> bool {
        // Every page repeats the same menu links: a link already in the
        // frontier as written needs no second canonicalisation.
        if self.raw_seen.contains(raw.as_str()) {
            return false;
        }
        let rules = &self.shared.catalogue.crawl;
        let Some(u) = url::canonical(&raw, rules) else {
            return false;
        };
        if self.frontier.seen(&u) {
            self.raw_seen.insert(raw.into());
            return false;
        }
        // Most links of a page are menu links seen before: rank only new ones.
        let priority = self.priority(&u, rank);
        let rules = &self.shared.catalogue.crawl;
        if kind == FetchKind::Page {
            if let Err(trap) = self.traps.check(&u, rules) {
                *self.stats.trap_cuts.entry(trap.label()).or_default() += 1;
                return false;
            }
        }
        let item = Item {
            priority,
            ..Item::new(u, kind, depth)
        };
        let stored = item.stored();
        if self.frontier.push(item) {
            self.raw_seen.insert(raw.into());
            // Written with the fetch that found it (see `save_frontier`).
            self.queued_unsaved.push(stored);
            true
        } else {
            false
        }
    }

    /// Record a URL that will not be fetched (robots, circuit breaker).
    pub(super) fn record_unfetched(
        &mut self,
        item: &Item,
        reason: Unfetched,
        why: String,
    ) -> Result<(), CrawlError> {
        let rec = PageRecord {
            error: Some(why),
            unfetched: Some(reason),
            ..PageRecord::blank(&item.url, item.kind, item.depth, jiff::Timestamp::now())
        };
        self.shared.store.put_page(&self.record.id, &rec)?;
        self.seen.insert(&rec);
        self.save_frontier(Some(rec.url))?;
        Ok(())
    }

    pub(super) async fn run_loop(
        mut self,
        mut stop: watch::Receiver<bool>,
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Result<RunRecord, CrawlError> {
        let mut tasks: JoinSet<Outcome> = JoinSet::new();
        let mut last_progress = Instant::now();
        let mut last_save = Instant::now();
        let mut stopped = *stop.borrow();
        loop {
            if !self.queued_unsaved.is_empty() {
                self.save_frontier(None)?;
            }
            let wait = if stopped {
                None
            } else {
                self.dispatch(&mut tasks)?
            };
            if tasks.is_empty() && (stopped || self.frontier.is_empty()) {
                break;
            }
            let joined = tokio::select! {
                j = tasks.join_next(), if !tasks.is_empty() => j,
                _ = tokio::time::sleep(wait.unwrap_or(Duration::from_millis(50))),
                    if wait.is_some() || tasks.is_empty() => None,
                changed = stop.changed(), if !stopped => {
                    if changed.is_err() || *stop.borrow() {
                        stopped = true;
                        tracing::warn!("stopping: finishing requests in flight");
                        self.drain(&mut tasks).await?;
                    }
                    None
                }
            };
            if let Some(j) = joined {
                self.joined(j)?;
            }
            if !stopped
                && self
                    .opts()
                    .max_duration
                    .is_some_and(|d| self.started.elapsed() >= d)
            {
                stopped = true;
                self.stats.time_budget_used = true;
                tracing::warn!("time budget used up: finishing requests in flight");
                self.drain(&mut tasks).await?;
            }
            if last_progress.elapsed() >= Duration::from_secs(1) {
                last_progress = Instant::now();
                progress(&Progress {
                    pages_fetched: self.stats.pages_fetched,
                    max_pages: self.opts().max_pages,
                    queued: self.frontier.len(),
                    errors: self.stats.errors,
                    in_flight: tasks.len(),
                    bytes: self.stats.bytes_received,
                });
            }
            if last_save.elapsed() >= Duration::from_secs(5) {
                last_save = Instant::now();
                self.record.stats = self.stats.clone();
                self.record.stats.seconds += self.started.elapsed().as_secs_f64();
                self.shared.store.put_run(&self.record)?;
            }
        }
        self.finish(stopped)
    }

    /// Give requests in flight a moment after a stop, then abandon them.
    pub(super) async fn drain(&mut self, tasks: &mut JoinSet<Outcome>) -> Result<(), CrawlError> {
        let grace = tokio::time::sleep(Duration::from_secs(3));
        tokio::pin!(grace);
        loop {
            tokio::select! {
                j = tasks.join_next() => match j {
                    Some(j) => self.joined(j)?,
                    None => return Ok(()),
                },
                _ = &mut grace => {
                    tasks.abort_all();
                    return Ok(());
                }
            }
        }
    }

    pub(super) fn joined(
        &mut self,
        j: Result<Outcome, tokio::task::JoinError>,
    ) -> Result<(), CrawlError> {
        match j {
            Ok(o) => self.handle(o),
            Err(e) if e.is_panic() => {
                // A panic in one page's processing must not end the run.
                self.stats.errors += 1;
                *self
                    .stats
                    .errors_by_class
                    .entry("internal".into())
                    .or_default() += 1;
                tracing::error!("internal error while processing a page: {e}");
                Ok(())
            }
            Err(_) => Ok(()),
        }
    }

    /// Start every request that may go now; returns how long until the next
    /// one may go, if something waits on a limiter.
    pub(super) fn dispatch(
        &mut self,
        tasks: &mut JoinSet<Outcome>,
    ) -> Result<Option<Duration>, CrawlError> {
        let mut wait: Option<Duration> = None;
        let mut soonest = |w: Duration| wait = Some(wait.map_or(w, |x: Duration| x.min(w)));
        if !self.budget_spent && self.pages_dispatched >= self.opts().max_pages {
            self.budget_spent = true;
            // Pages nobody asked about are dropped; link targets stay as
            // liveness checks, so evidence never rests on an unchecked link.
            let t = &self.targets;
            let dropped = self
                .frontier
                .retain_as_probes(|i| t.contains(i.url.as_str()));
            self.stats.skipped_by_limits += dropped.len() as u64;
            for d in dropped {
                self.save_frontier(Some(d.url.to_string()))?;
            }
        }
        let per_origin_cap = if self.politeness.unlimited() {
            self.opts().concurrency
        } else {
            1
        };
        for origin in self.frontier.origins() {
            if tasks.len() >= self.opts().concurrency {
                break;
            }
            let ignore_robots = self.opts().ignore_robots;
            let state = self
                .robots
                .entry(origin.clone())
                .or_insert(if ignore_robots {
                    RobotsState::Ready(Rules::AllowAll)
                } else {
                    RobotsState::Unknown
                });
            match state {
                RobotsState::Pending => continue,
                RobotsState::Unknown => match self.politeness.ready(&origin) {
                    Ok(()) => {
                        *state = RobotsState::Pending;
                        spawn(tasks, &self.shared, Job::Robots { origin });
                    }
                    Err(w) => soonest(w),
                },
                RobotsState::Ready(_) => {
                    if let Some(w) = self.dispatch_origin(&origin, per_origin_cap, tasks)? {
                        soonest(w);
                    }
                }
            }
        }
        Ok(wait)
    }

    pub(super) fn dispatch_origin(
        &mut self,
        origin: &str,
        cap: usize,
        tasks: &mut JoinSet<Outcome>,
    ) -> Result<Option<Duration>, CrawlError> {
        // Fill the origin's free request slots (one while rate-limited);
        // what robots.txt forbids, or the budget no longer allows, is
        // dropped before it costs a slot.
        loop {
            if tasks.len() >= self.opts().concurrency
                || self.in_flight_per.get(origin).copied().unwrap_or(0) >= cap
            {
                return Ok(None);
            }
            let Some(next) = self.frontier.peek(origin) else {
                return Ok(None);
            };
            let allowed = match self.robots.get(origin) {
                Some(RobotsState::Ready(rules)) => rules
                    .allowed(next.url.as_str())
                    .then_some(())
                    .ok_or_else(|| {
                        let kind = match rules {
                            Rules::Unreachable => Unfetched::Unreachable,
                            _ => Unfetched::Robots,
                        };
                        (kind, rules.why_disallowed())
                    }),
                _ => Ok(()),
            };
            if let Err((kind, why)) = allowed {
                if let Some(item) = self.frontier.pop(origin) {
                    self.stats.robots_excluded += 1;
                    self.record_unfetched(&item, kind, format!("robots: {why}"))?;
                }
                continue;
            }
            let over_pages =
                next.kind == FetchKind::Page && self.pages_dispatched >= self.opts().max_pages;
            let over_probes =
                next.kind == FetchKind::Probe && self.probes_dispatched >= self.opts().max_probes;
            if over_pages || over_probes {
                if let Some(mut item) = self.frontier.pop(origin) {
                    if over_pages && self.targets.contains(item.url.as_str()) {
                        item.kind = FetchKind::Probe;
                        self.frontier.requeue(item);
                    } else {
                        self.stats.skipped_by_limits += 1;
                        self.save_frontier(Some(item.url.to_string()))?;
                    }
                }
                continue;
            }
            if let Err(w) = self.politeness.ready(origin) {
                return Ok(Some(w));
            }
            if let Some(item) = self.frontier.pop(origin) {
                match item.kind {
                    FetchKind::Page => self.pages_dispatched += 1,
                    FetchKind::Probe => self.probes_dispatched += 1,
                    FetchKind::Sitemap => self.stats.sitemaps += 1,
                }
                *self.in_flight_per.entry(origin.to_string()).or_default() += 1;
                spawn(tasks, &self.shared, Job::Fetch(item));
            }
        }
    }

    pub(super) fn handle(&mut self, outcome: Outcome) -> Result<(), CrawlError> {
        match outcome {
            Outcome::Robots { origin, rules } => {
                match &rules {
                    Rules::DisallowAll(_) | Rules::Unreachable => {
                        let why = rules.why_disallowed();
                        tracing::warn!(host = %origin, "robots.txt: nothing fetched from this host ({why})")
                    }
                    Rules::AllowAll => {
                        tracing::info!(host = %origin, "robots.txt: no restrictions")
                    }
                    Rules::Parsed(_) => tracing::info!(
                        host = %origin,
                        crawl_delay = ?rules.crawl_delay(),
                        sitemaps = rules.sitemaps().len(),
                        "robots.txt read"
                    ),
                }
                self.politeness.configure(&origin, rules.crawl_delay());
                if self.opts().sitemaps {
                    self.queue_sitemaps(&origin, &rules);
                }
                self.robots.insert(origin, RobotsState::Ready(rules));
            }
            Outcome::Retry { item, wait, class } => {
                let origin = origin_of(&item.url);
                self.finished_request(&origin);
                self.stats.retries += 1;
                self.politeness.delay(&origin, wait);
                // A timeout counts once per URL, when its last try failed
                // (see `host_failed`); a 429 is an answer, not a failure.
                let counts = !matches!(class, ErrorClass::Timeout | ErrorClass::Http429);
                if counts && self.host_failed(&origin, class)? {
                    return Ok(());
                }
                match item.kind {
                    FetchKind::Page => self.pages_dispatched -= 1,
                    FetchKind::Probe => self.probes_dispatched -= 1,
                    FetchKind::Sitemap => {}
                }
                self.frontier.requeue(Item {
                    attempt: item.attempt + 1,
                    ..item
                });
            }
            Outcome::Fetched(f) => self.fetched(*f)?,
        }
        Ok(())
    }

    pub(super) fn finished_request(&mut self, origin: &str) {
        if let Some(n) = self.in_flight_per.get_mut(origin) {
            *n = n.saturating_sub(1);
        }
    }

    /// Count a failure against the origin; past the limit its circuit opens
    /// and everything still queued for it is recorded as not fetched.
    /// Returns whether the circuit is (now) open.
    pub(super) fn host_failed(
        &mut self,
        origin: &str,
        class: ErrorClass,
    ) -> Result<bool, CrawlError> {
        // A timeout costs a whole request timeout: URLs that time out in a
        // row give a host up sooner than other failures (counted per
        // attempt: a host that refuses connections or answers 5xx).
        let (timeout_limit, failure_limit) =
            (self.opts().timeout_breaker, self.opts().circuit_breaker);
        let (map, limit) = if class == ErrorClass::Timeout {
            (&mut self.timeouts, timeout_limit)
        } else {
            (&mut self.failures, failure_limit)
        };
        let n = map.entry(origin.to_string()).or_default();
        *n += 1;
        if *n < limit.max(1) {
            return Ok(false);
        }
        let n = *n;
        if !self.stats.circuit_open.iter().any(|o| o == origin) {
            tracing::warn!(
                "{origin}: {n} failures in a row ({class}); giving the host up for this run"
            );
            self.stats.circuit_open.push(origin.to_string());
        }
        for item in self.frontier.drain_origin(origin) {
            *self
                .stats
                .errors_by_class
                .entry(ErrorClass::CircuitOpen.as_str().into())
                .or_default() += 1;
            self.stats.errors += 1;
            self.record_unfetched(
                &item,
                Unfetched::CircuitOpen,
                format!("circuit-open: {origin} kept failing ({class})"),
            )?;
        }
        Ok(true)
    }

    pub(super) fn queue_sitemaps(&mut self, origin: &str, rules: &Rules) {
        // `Sitemap:` should be absolute; relative ones are common enough to
        // resolve against the origin.
        let base = Url::parse(&format!("{origin}/")).ok();
        let mut listed: Vec<Url> = rules
            .sitemaps()
            .iter()
            .filter_map(|s| base.as_ref().and_then(|b| b.join(s.trim()).ok()))
            .filter(|u| self.in_scope(u))
            .collect();
        if listed.is_empty() {
            if let Ok(u) = Url::parse(&format!("{origin}/sitemap.xml")) {
                if self.in_scope(&u) {
                    listed.push(u);
                }
            }
        }
        for u in listed {
            self.enqueue(u, FetchKind::Sitemap, 0, Rank::Fixed(4));
        }
    }
}
