//! Service terms in folded text: which catalogue services a piece of text
//! names, where, and whether a negation stands with them.

use super::*;

/// One service-term match in folded text.
#[derive(Debug, Clone)]
pub(super) struct Named<'c> {
    /// Index into the catalogue's services.
    pub(super) service: usize,
    /// The catalogue term that matched (for the reasons shown).
    pub(super) term: &'c str,
    pub(super) range: Range<usize>,
}

/// Every service-term match in folded text. A match that lies inside a
/// longer match of another service's term gives way: "Gewerbe ummelden"
/// names the business registration, not the change of address, and
/// "Fahrzeug abmelden" the vehicle, not the residence.
pub(super) fn named<'c>(cat: &'c Catalogue, folded: &str) -> Vec<Named<'c>> {
    named_in_words(cat, &crate::text::Words::new(folded))
}

/// The negation phrase in folded text, if any, that is not part of a
/// service's own name: "außer Betrieb setzen" is what the Kfz-Abmeldung is
/// called, not a service out of order.
pub(super) fn negated<'c>(cat: &'c Catalogue, folded: &str) -> Option<&'c str> {
    cat.signals.negation.find(folded)?;
    let words = crate::text::Words::new(folded);
    let names = named_in_words(cat, &words);
    cat.signals
        .negation
        .find_all_terms(&words)
        .into_iter()
        .find(|(_, r)| {
            !names
                .iter()
                .any(|m| m.range.start <= r.start && r.end <= m.range.end)
        })
        .map(|(p, _)| p)
}

/// Whether a match is by one of its service's weak terms.
pub(super) fn is_weak(cat: &Catalogue, m: &Named<'_>) -> bool {
    cat.services[m.service].weak.iter().any(|w| w == m.term)
}

/// The services a title, heading, URL or breadcrumb names. There a weak
/// term gives way to another service's strong one: "Außerbetriebsetzung -
/// i-Kfz" is about the deregistration, not every i-Kfz service.
pub(super) fn named_in_place<'c>(cat: &'c Catalogue, folded: &str) -> Vec<Named<'c>> {
    let all = named(cat, folded);
    let strong: Vec<usize> = all
        .iter()
        .filter(|m| !is_weak(cat, m))
        .map(|m| m.service)
        .collect();
    if strong.is_empty() {
        return all;
    }
    all.into_iter()
        .filter(|m| strong.contains(&m.service))
        .collect()
}

pub(super) fn named_in_words<'c>(cat: &'c Catalogue, words: &crate::text::Words) -> Vec<Named<'c>> {
    let mut all: Vec<Named<'c>> = Vec::new();
    for (i, svc) in cat.services.iter().enumerate() {
        for (term, range) in svc.terms.find_all_terms(words) {
            all.push(Named {
                service: i,
                term,
                range,
            });
        }
    }
    without_dominated(all)
}

/// Drops each match that lies inside a strictly longer match of another
/// service, in one pass over the matches in text order (a hostile page
/// may hold a million of them); the rest stay in text order. The words a
/// gap (`...`) skips are not the gap term's own: inside "Gewerbe an-, um-
/// oder abmelden" the Gewerbeabmeldung's "Gewerbe ... abmelden" does not
/// swallow the Gewerbeanmeldung's "Gewerbe ... an(melden)"; only a match
/// that ends on a gap term's last word gives way to it.
pub(super) fn without_dominated(mut all: Vec<Named<'_>>) -> Vec<Named<'_>> {
    all.sort_by_key(|m| m.range.start);
    let by_gap = dominated_by_gap_terms(&all);
    // The farthest end of earlier-starting matches without a gap, and the
    // farthest end among services other than that one's: (end, service).
    let mut reach: [Option<(usize, usize)>; 2] = [None, None];
    let mut out = Vec::with_capacity(all.len());
    let mut i = 0;
    while i < all.len() {
        let start = all[i].range.start;
        let n = all[i..]
            .iter()
            .take_while(|m| m.range.start == start)
            .count();
        let group = &all[i..i + n];
        for (k, m) in group.iter().enumerate() {
            let by_earlier = reach
                .iter()
                .flatten()
                .find(|(_, s)| *s != m.service)
                .is_some_and(|(end, _)| *end >= m.range.end);
            let by_same_start = group
                .iter()
                .any(|o| o.service != m.service && o.range.end > m.range.end && !has_gap(o.term));
            if !by_earlier && !by_same_start && !by_gap[i + k] {
                out.push(m.clone());
            }
        }
        for m in group.iter().filter(|m| !has_gap(m.term)) {
            let (end, service) = (m.range.end, m.service);
            reach = match reach {
                [None, _] => [Some((end, service)), None],
                [Some((e0, s0)), r1] if s0 == service => [Some((e0.max(end), s0)), r1],
                [Some(first), _] if end > first.0 => [Some((end, service)), Some(first)],
                [first, Some((e1, s1))] if s1 == service => [first, Some((e1.max(end), s1))],
                [first, Some(second)] if second.0 >= end => [first, Some(second)],
                [first, _] => [first, Some((end, service))],
            };
        }
        i += n;
    }
    out
}

pub(super) fn has_gap(term: &str) -> bool {
    term.contains("...")
}

/// For each match (sorted by start): whether a longer gap-term match of
/// another service ends where it ends. Per end, the two earliest starts of
/// distinct services suffice.
pub(super) fn dominated_by_gap_terms(all: &[Named<'_>]) -> Vec<bool> {
    let mut earliest: rustc_hash::FxHashMap<usize, [Option<(usize, usize)>; 2]> =
        Default::default();
    for m in all.iter().filter(|m| has_gap(m.term)) {
        let e = earliest.entry(m.range.end).or_default();
        let (start, svc) = (m.range.start, m.service);
        // Matches come in start order: the first seen per service is its
        // earliest.
        *e = match *e {
            [None, _] => [Some((start, svc)), None],
            [Some(first), None] if first.1 != svc => [Some(first), Some((start, svc))],
            kept => kept,
        };
    }
    all.iter()
        .map(|m| {
            earliest.get(&m.range.end).is_some_and(|e| {
                e.iter()
                    .flatten()
                    .find(|(_, v)| *v != m.service)
                    .is_some_and(|(start, _)| *start < m.range.start)
            })
        })
        .collect()
}

/// Mentions of a service in main text, outside link texts; words completed
/// from one elision count once.
pub(super) fn count_mentions(
    service: usize,
    named_main: &[Named],
    main: &Folded,
    link_spans: &[Range<usize>],
) -> u32 {
    let mut starts: Vec<usize> = named_main
        .iter()
        .filter(|m| m.service == service)
        .map(|m| main.original_range(&m.range))
        // `link_spans` is sorted, and links do not nest: only the last
        // link starting before the mention can hold it.
        .filter(|o| {
            let k = link_spans.partition_point(|l| l.start <= o.start);
            k.checked_sub(1)
                .and_then(|k| link_spans.get(k))
                .is_none_or(|l| o.start >= l.end)
        })
        .map(|o| o.start)
        .collect();
    starts.dedup();
    starts.len().min(10) as u32
}
