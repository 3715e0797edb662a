//! Prose signals: sentences that say the application can be made online
//! or name a portal for it, and statements of a fully digital process.

use super::*;

/// The sentences a prose claim may stand in: those with a claim phrase, and
/// those that name a known portal (with the portal's index). Phrases are
/// found in the folded main text at once (they never cross a sentence end);
/// one candidate per sentence, one that names a portal first.
pub(super) fn claim_sentences(rd: &Reading<'_>) -> Vec<(Range<usize>, Option<usize>)> {
    let (cat, main, words) = (rd.cat, rd.main, rd.words);
    let sentence_of = |r: &Range<usize>| rd.sentence_of(r);
    // (sentence, portal, length of the portal's name as matched)
    let mut candidates: Vec<(Range<usize>, Option<usize>, usize)> = cat
        .signals
        .claim
        .find_all_terms(words)
        .into_iter()
        .map(|(_, r)| (sentence_of(&main.original_range(&r)), None, 0))
        .collect();
    for (i, portal) in cat.portals.iter().enumerate() {
        for (_, r) in portal.names.find_all_terms(words) {
            candidates.push((sentence_of(&main.original_range(&r)), Some(i), r.len()));
        }
    }
    // Of the portals a sentence names, the longest name wins: "Serviceportal
    // des Landes Sachsen-Anhalt" also begins with the name of Sachsen's.
    candidates.sort_by(|a, b| {
        a.0.start
            .cmp(&b.0.start)
            .then(b.1.is_some().cmp(&a.1.is_some()))
            .then(b.2.cmp(&a.2))
    });
    candidates.dedup_by(|b, a| a.0 == b.0);
    candidates.into_iter().map(|(s, p, _)| (s, p)).collect()
}

/// Level 4 statements (electronic notice, once-only, end to end digital)
/// for the services the sentence's section or page is about; whether they
/// count is decided over the whole run (see `verdicts`). One per sentence.
pub(super) fn transaction_signals(rd: &Reading<'_>) -> Vec<Signal> {
    let (cat, text, main) = (rd.cat, rd.text(), rd.main);
    let sig = &cat.signals;
    let mut out = Vec::new();
    let mut last_sentence: Option<Range<usize>> = None;
    for (p, r) in sig.transaction.find_all_terms(rd.words) {
        let o = main.original_range(&r);
        let s_range = rd.sentence_of(&o);
        if last_sentence.as_ref() == Some(&s_range) {
            continue;
        }
        last_sentence = Some(s_range.clone());
        let sentence_f = fold(text.get(s_range.clone()).unwrap_or_default());
        let cancelled = negated(cat, &sentence_f).map(|n| Cancel::Negated(n.to_string()));
        // Like a form, the statement describes what its page is about;
        // services it names are documents no longer needed ("Sie müssen
        // keine Meldebescheinigung vorlegen").
        let services = match rd.describes(s_range.start) {
            Some(v) if !v.is_empty() => v,
            _ => rd.named_in(&sentence_f),
        };
        for svc in services {
            out.push(Signal {
                service: svc,
                kind: SignalKind::Transaction,
                level: Level::Transaction,
                rule: format!("full transaction: \"{p}\""),
                excerpt: excerpt_marked(text, &s_range, &o),
                target: None,
                cancelled: cancelled.clone(),
            });
        }
    }
    out
}

/// Sentences that say the application can be made online ("Der Antrag kann
/// online gestellt werden"), for the services they are about: those of
/// their section or page that they name, else (naming none) their
/// section's or page's; on a page about nothing, those they name. Negated, hedged (future,
/// conditional), appointment and print sentences stay visible as cancelled
/// claims; questions and navigation bars are no claims at all.
pub(super) fn prose_claims(
    rd: &Reading<'_>,
    state: State,
    candidates: &[(Range<usize>, Option<usize>)],
    skip: &[usize],
) -> Vec<Signal> {
    let sig = &rd.cat.signals;
    let mut out = Vec::new();
    for (s_range, portal) in candidates {
        let portal = portal.and_then(|i| rd.cat.portals.get(i));
        let Some(sentence) = rd.text().get(s_range.clone()) else {
            continue;
        };
        let trimmed = sentence.trim();
        if trimmed.ends_with('?')
            || trimmed.split_whitespace().count() < 5
            || skip.contains(&s_range.start)
        {
            continue;
        }
        let folded = fold(sentence);
        // A claim phrase, and/or a portal named with a verb of applying.
        let claim_rule = sig.claim.find(&folded).map(|(phrase, _)| {
            format!(
                "the text says the application can be made online (\"{}\"); no link shows it",
                phrase.source()
            )
        });
        let portal_rule = portal.and_then(|pt| {
            let (verb, _) = sig.apply_verbs.find(&folded).or(sig.claim.find(&folded))?;
            Some(format!(
                "the text names the portal {} for the application (\"{}\"); no link shows it",
                pt.name,
                verb.source()
            ))
        });
        if claim_rule.is_none() && portal_rule.is_none() {
            continue;
        }
        // A navigation bar, or a link that is its whole sentence: the
        // link speaks for it, not the prose.
        let (links_in, share) = rd.link_share(s_range);
        if (links_in >= 3 && share >= NAV_BAR_LINK_SHARE)
            || (links_in >= 1 && share >= LONE_LINK_SHARE)
        {
            continue;
        }
        let cancelled = negated(rd.cat, &folded)
            .map(|n| Cancel::Negated(n.to_string()))
            // A heading that ends in a colon ("Antrag online stellen:")
            // announces what follows; an empty list there takes it back.
            .or_else(|| {
                trimmed
                    .ends_with(':')
                    .then(|| fold(rd.next_sentence(s_range.end)))
                    .and_then(|next| negated(rd.cat, &next).map(|n| Cancel::Negated(n.to_string())))
            })
            .or_else(|| {
                let first = |list: &crate::text::PhraseSet| {
                    list.find(&folded).map(|(n, _)| n.source().to_string())
                };
                first(&sig.hedge)
                    .map(Cancel::Hedged)
                    .or_else(|| first(&sig.appointment).map(Cancel::Appointment))
                    .or_else(|| first(&sig.print).map(Cancel::Printed))
            });
        let portal_cancelled = portal.and_then(|pt| Cancel::of_portal(pt, state));
        // The services of the sentence's section or page; of those, the ones
        // it names. A sentence that names only other services speaks of
        // something else, and a page about nothing has no service to claim.
        let services = match rd.describes(s_range.start) {
            // A page about nothing: the services the sentence names.
            None => rd.named_in(&folded),
            Some(context) => {
                let named = rd.named_within(&folded, &context);
                let both: Vec<ServiceId> = named
                    .iter()
                    .filter(|s| context.contains(s))
                    .cloned()
                    .collect();
                match (named.is_empty(), both.is_empty()) {
                    (true, _) => context,
                    (false, false) => both,
                    (false, true) => Vec::new(),
                }
            }
        };
        // A named portal speaks only for the services it carries; for the
        // others the sentence's own claim wording, if any, decides.
        let carries = |svc: &ServiceId| match portal.map(|pt| &pt.services) {
            Some(Scope::Only(list)) => list.contains(svc),
            Some(Scope::All) => true,
            None => false,
        };
        for svc in services {
            let (rule, why) = match (&portal_rule, &claim_rule) {
                (Some(r), _) if carries(&svc) => {
                    (r.clone(), cancelled.clone().or(portal_cancelled.clone()))
                }
                (_, Some(r)) => (r.clone(), cancelled.clone()),
                _ => continue,
            };
            out.push(Signal {
                service: svc,
                kind: SignalKind::ProseClaim,
                level: Level::Online,
                rule,
                excerpt: clip_marked(sentence),
                target: None,
                cancelled: why,
            });
        }
    }
    out
}
