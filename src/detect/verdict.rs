//! Verdicts: a run's findings and the liveness of link targets combined
//! into one level with evidence per catalogue service.

use super::*;

/// How many same-site application links are followed to the page that
/// really offers the application (start page → service page → form).
pub(super) const SAME_SITE_HOPS: u8 = 3;

/// Decides whether a signal's link target holds.
pub(super) struct Resolver<'a> {
    by_url: std::collections::HashMap<&'a str, &'a PageFindings>,
    liveness: &'a dyn Fn(&str, Claim) -> Liveness,
    /// What [`Resolver::offers`] found, per (page, service, hops, need,
    /// offers_any): pages that link to each other many times would
    /// otherwise be walked once per path, exponentially in the hops.
    memo: std::cell::RefCell<OffersMemo<'a>>,
}

pub(super) type OffersMemo<'a> =
    std::collections::HashMap<(&'a str, ServiceId, u8, Level, bool), bool>;

impl<'a> Resolver<'a> {
    /// Why the signal's link target does not hold, if it does not.
    fn target_fails(&self, s: &Signal, hops: u8) -> Option<TargetFailure> {
        let t = s.target.as_deref()?;
        let claim = match s.kind {
            SignalKind::ApplicationLink => Claim::Application,
            SignalKind::EmbeddedForm => Claim::Embedded,
            SignalKind::FormDownload if Url::parse(t).is_ok_and(|u| !is_document(&u)) => {
                Claim::Form
            }
            _ => Claim::Reachable,
        };
        match (self.liveness)(t, claim) {
            Liveness::Alive => None,
            Liveness::Dead(why) => Some(TargetFailure::Dead(why)),
            Liveness::Unknown(why) => Some(TargetFailure::NotVerified(why)),
            Liveness::NotAnApplication(why) => Some(TargetFailure::NotAnApplication(why)),
            Liveness::OwnPage { url, offers_any } => {
                // A form link needs the service's form there; an application
                // link its application (or, on a page about no service, an
                // application form of its own).
                let (need, offers_any) = match claim {
                    Claim::Form => (Level::FormAssistant, false),
                    _ => (Level::Online, offers_any),
                };
                let holds = hops > 0
                    && match self.by_url.get(url.as_str()).copied() {
                        Some(f) => self.offers(f, &s.service, hops - 1, need, offers_any),
                        None => offers_any,
                    };
                (!holds).then_some(match claim {
                    Claim::Form => TargetFailure::NoFormThere,
                    _ => TargetFailure::NoApplicationThere,
                })
            }
        }
    }

    /// Whether a page offers the online application for `svc`: a signal of
    /// its own that holds, or (a page about no service) an application form.
    fn offers(
        &self,
        f: &'a PageFindings,
        svc: &ServiceId,
        hops: u8,
        need: Level,
        offers_any: bool,
    ) -> bool {
        let key = (f.url.as_str(), svc.clone(), hops, need, offers_any);
        if let Some(&known) = self.memo.borrow().get(&key) {
            return known;
        }
        let own = f.signals.iter().any(|s| {
            &s.service == svc
                && s.cancelled.is_none()
                && s.level >= need
                && s.kind != SignalKind::Transaction
                // A link verifies only on a page that offers the application
                // itself, not on one that only says so.
                && s.kind != SignalKind::ProseClaim
                && self.target_fails(s, hops).is_none()
        });
        let offers = own || (offers_any && f.about.is_empty());
        self.memo.borrow_mut().insert(key, offers);
        offers
    }
}

/// One page's evidence for one service, with the full-transaction statement
/// it carries (rule, excerpt) and why its other signals did not count.
struct Item {
    evidence: Evidence,
    transaction: Option<(String, String)>,
    cancels: Vec<Cancel>,
}

/// Combine the findings of a run into one verdict per catalogue service.
/// `liveness(target, claim)` answers for link targets, given what the link
/// claims ([`Claim`]); a signal whose target does not hold does not raise
/// the level (it stays visible as a cancelled signal).
pub fn verdicts(
    cat: &Catalogue,
    findings: &[PageFindings],
    liveness: &dyn Fn(&str, Claim) -> Liveness,
) -> Vec<ServiceVerdict> {
    // Per service: evidence items, and for each item the full-transaction
    // statement it carries (if any). Level 4 needs both an online
    // application somewhere in the run and such a statement on a page about
    // the service; they are often on different pages (portal start page vs.
    // form), so they are combined per service, not per page.
    let mut per: BTreeMap<ServiceId, Vec<Item>> = BTreeMap::new();
    let resolver = Resolver {
        by_url: findings.iter().map(|f| (f.url.as_str(), f)).collect(),
        liveness,
        memo: Default::default(),
    };
    let failed_links = failed_application_links(findings, &resolver);
    for f in findings {
        let mut services: Vec<&ServiceId> = f.about.iter().map(|a| &a.service).collect();
        for s in &f.signals {
            if !services.contains(&&s.service) {
                services.push(&s.service);
            }
        }
        for svc in services {
            if let Some(item) = page_evidence(f, svc, &resolver, &failed_links) {
                per.entry(svc.clone()).or_default().push(item);
            }
        }
    }
    cat.services
        .iter()
        .map(|svc| service_verdict(&svc.id, per.remove(&svc.id).unwrap_or_default()))
        .collect()
}

/// What one page shows for one service; `None` when it shows nothing (its
/// signals for the service all cancelled on a page not about it).
fn page_evidence(
    f: &PageFindings,
    svc: &ServiceId,
    resolver: &Resolver<'_>,
    failed_links: &BTreeMap<ServiceId, Cancel>,
) -> Option<Item> {
    let about = f.about.iter().find(|a| &a.service == svc);
    let mut level = if about.is_some() {
        Level::Information
    } else {
        Level::Offline
    };
    let mut best: Option<&Signal> = None;
    let mut described = Vec::new();
    let mut cancels = Vec::new();
    if let Some(a) = about {
        described.push(format!("about: {}", a.reasons.join(", ")));
    }
    let mut transaction: Option<&Signal> = None;
    for s in f.signals.iter().filter(|s| &s.service == svc) {
        let cancelled = s.cancelled.clone().or_else(|| match s.kind {
            SignalKind::ProseClaim => failed_links
                .get(svc)
                .map(|why| Cancel::Contradicted(Box::new(why.clone()))),
            _ => resolver.target_fails(s, SAME_SITE_HOPS).map(Cancel::Target),
        });
        match cancelled {
            Some(why) => {
                described.push(format!("{} (not counted: {why})", s.rule));
                cancels.push(why);
            }
            None if s.kind == SignalKind::Transaction => {
                transaction = transaction.or(Some(s));
            }
            None => {
                described.push(s.rule.clone());
                // At the same level, what a target proved beats what the
                // text says.
                let stronger = |b: &Signal| {
                    s.level > b.level
                        || (s.level == b.level
                            && b.kind == SignalKind::ProseClaim
                            && s.kind != SignalKind::ProseClaim)
                };
                if best.is_none_or(stronger) {
                    best = Some(s);
                }
            }
        }
    }
    if let Some(b) = best {
        level = level.max(b.level);
    }
    // Only a page about the service (or a signal naming it) may carry its
    // full-transaction statement.
    if level == Level::Offline {
        return None;
    }
    let excerpt = match (best, about) {
        (Some(s), _) => s.excerpt.clone(),
        (None, Some(a)) => a.excerpt.clone(),
        (None, None) => String::new(),
    };
    Some(Item {
        evidence: Evidence {
            url: f.url.clone(),
            fetched_at: f.fetched_at,
            level,
            signals: described,
            excerpt,
            snapshot: f.snapshot.clone(),
            basis: (level >= Level::Online).then(|| match best {
                Some(b) if b.kind == SignalKind::ProseClaim => Basis::Claimed,
                _ => Basis::Verified,
            }),
        },
        transaction: transaction.map(|t| (t.rule.clone(), t.excerpt.clone())),
        cancels,
    })
}

/// A service's verdict from its evidence items: level 4 where a statement
/// of a fully digital process meets an online application anywhere in the
/// run; evidence strongest first; why it is not online, if it is not.
fn service_verdict(svc: &ServiceId, items: Vec<Item>) -> ServiceVerdict {
    let online = items.iter().any(|i| i.evidence.level >= Level::Online);
    let online_basis = items
        .iter()
        .filter_map(|i| i.evidence.basis)
        .max()
        .unwrap_or(Basis::Claimed);
    let mut cancels = Vec::new();
    let mut evidence: Vec<Evidence> = Vec::with_capacity(items.len());
    for Item {
        evidence: mut e,
        transaction,
        cancels: why,
    } in items
    {
        if let Some((rule, excerpt)) = transaction {
            if online {
                e.signals.push(rule);
                // The statement stands on a page about the service; the
                // online application it completes may be elsewhere.
                e.basis = e.basis.or(Some(online_basis));
                e.level = Level::Transaction;
                e.excerpt = excerpt;
            } else {
                e.signals.push(format!(
                    "{rule} (not counted: {})",
                    Cancel::NoOnlineApplication
                ));
            }
        }
        cancels.extend(why);
        evidence.push(e);
    }
    evidence.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then(b.basis.cmp(&a.basis))
            .then(b.signals.len().cmp(&a.signals.len()))
            .then(a.url.cmp(&b.url))
    });
    let level = evidence.first().map(|e| e.level).unwrap_or(Level::Offline);
    ServiceVerdict {
        service: svc.clone(),
        level,
        evidence,
        not_online: NotOnline::of(level, &cancels.iter().collect::<Vec<_>>()),
    }
}

/// Per service, why a link of the city's pages to its online application
/// does not hold (dead or unreachable, a news item, retired, another
/// state's portal): a claim in prose for that service is contradicted by
/// it. Links that were not checked, that lead to another page of the city,
/// and appointment or contact links contradict nothing.
pub(super) fn failed_application_links(
    findings: &[PageFindings],
    resolver: &Resolver<'_>,
) -> BTreeMap<ServiceId, Cancel> {
    let mut out = BTreeMap::new();
    for s in findings.iter().flat_map(|f| &f.signals) {
        if !s.kind.is_application_link() || out.contains_key(&s.service) {
            continue;
        }
        let why = match &s.cancelled {
            Some(c @ (Cancel::RetiredPortal { .. } | Cancel::OtherState { .. })) => Some(c.clone()),
            Some(_) => None,
            // A dead target; a link to another page of the city that offers
            // no application proves nothing either way.
            None => resolver
                .target_fails(s, SAME_SITE_HOPS)
                .filter(TargetFailure::refutes)
                .map(Cancel::Target),
        };
        if let Some(why) = why {
            out.insert(s.service.clone(), why);
        }
    }
    out
}
