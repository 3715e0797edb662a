//! The Verwaltung sector's signs on a page (catalogues/verwaltung.toml):
//! booking links and sentences with the office they serve, payment ways,
//! portal features, the city's channels. A link's target must answer
//! (judged in `verwaltung::verdicts`); a sentence is the city's word.

use super::*;
use crate::verwaltung::{Found, Group, Indicator, Parameter, SectorSignal, Verwaltung};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Where office words were found, nearest first; for links outside the main
/// text (header, footer) only their own words and address speak.
const PLACES: [&str; 5] = [
    "link text",
    "link address",
    "sentence",
    "section heading",
    "page title",
];

pub(super) fn sector_signals(
    r: &Reading,
    ctx: &Context,
    page_url: &Url,
    news: bool,
) -> Vec<SectorSignal> {
    let v = &r.cat.verwaltung;
    if v.indicators.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let title = fold(&format!("{} {}", r.page.title, r.page.h1.join(" ")));
    let mut hosts = HashMap::default();
    for link in &r.page.links {
        // A news item's sentences announce, but a link it carries to the
        // city's booking page or channel still leads there: links count
        // (their targets must answer), sentences do not.
        if !matches!(link.url.scheme(), "http" | "https") {
            continue;
        }
        // A site's links to itself do not show it (a portal host's own menu).
        let own_host = link.url.host_str() == page_url.host_str();
        link_signs(r, ctx, link, &title, own_host, &mut hosts, &mut out);
    }
    if !news {
        sentence_signs(r, &title, &mut out);
    }
    out
}

/// The groups a link's host or words show, each with the rule in words
/// (a host pattern before words, as the more specific sign).
/// `hosts` remembers, per host of the page's links, which host patterns
/// it matches (a page's hundreds of links go to few hosts).
fn link_groups(
    v: &Verwaltung,
    ctx: &Context,
    text: &str,
    url: &Url,
    own_host: bool,
    hosts: &mut HashMap<String, Vec<usize>>,
) -> Vec<(Group, String)> {
    let ix = &v.links;
    let host = url.host_str().unwrap_or_default();
    let path = url.path();
    let mut hits: Vec<(usize, String)> = Vec::new();
    if !hosts.contains_key(host) {
        let found = (0..ix.hosts.len())
            .filter(|&k| !own_host && ix.hosts.get(k).is_some_and(|(h, _)| h.matches(host)))
            .collect();
        hosts.insert(host.to_string(), found);
    }
    let matched = hosts.get(host).map(Vec::as_slice).unwrap_or_default();
    for (h, gi) in matched.iter().filter_map(|&k| ix.hosts.get(k)) {
        if hits.iter().any(|(g, _)| g == gi) {
            continue;
        }
        let Some(signs) = ix.groups.get(*gi).and_then(|g| v.signs(*g)) else {
            continue;
        };
        if (!signs.hosts_in_scope || (ctx.in_scope)(host))
            && !signs.skip_paths.iter().any(|p| path.contains(p.as_str()))
        {
            hits.push((*gi, format!("link to {host} (known host {})", h.source())));
        }
    }
    if !text.is_empty() {
        for pi in ix.phrases.matching(text) {
            let Some(&gi) = ix.phrase_group.get(pi) else {
                continue;
            };
            if !hits.iter().any(|(g, _)| *g == gi) {
                let source = ix.phrases.set.0.get(pi).map_or("", |p| p.source());
                hits.push((gi, format!("link words \"{source}\"")));
            }
        }
    }
    hits.into_iter()
        .filter_map(|(gi, rule)| ix.groups.get(gi).map(|g| (*g, rule)))
        .collect()
}

fn link_signs(
    r: &Reading,
    ctx: &Context,
    link: &Link,
    title: &str,
    own_host: bool,
    hosts: &mut HashMap<String, Vec<usize>>,
    out: &mut Vec<SectorSignal>,
) {
    let v = &r.cat.verwaltung;
    // Most links of a page (its menus) can match no word: they are not
    // folded, only their host is looked at.
    let text = if v.links.phrases.may_match_raw(&link.text) {
        fold(&link.text)
    } else {
        String::new()
    };
    let groups = link_groups(v, ctx, &text, &link.url, own_host, hosts);
    if groups.is_empty() {
        return;
    }
    // Found by its host: its words still name the office or the city.
    let text = if text.is_empty() {
        fold(&link.text)
    } else {
        text
    };
    // The link's sentence, folded (main text only; header and footer
    // links have none).
    let around = link.span.as_ref().map(|sp| {
        let s = r.sentence_of(sp);
        let f = fold(r.text().get(s.clone()).unwrap_or_default());
        (s, f)
    });
    let sentence = around.as_ref().map(|(_, f)| f.as_str()).unwrap_or("");
    let excerpt = match &around {
        Some((s, _)) => excerpt_marked(r.text(), s, link.span.as_ref().unwrap_or(s)),
        None => format!(
            "{MARK_OPEN}{}{MARK_CLOSE} → {}",
            clip(link.text.trim(), 80),
            link.url
        ),
    };
    for (g, rule) in groups {
        let (Some(ind), Some(signs)) = (v.indicators.get(g.indicator), v.signs(g)) else {
            continue;
        };
        // A link's own words decide what it is ("Termine im Rathaus online
        // buchen" is no portal link); its sentence only negates.
        if !signs.unless.0.is_empty() && signs.unless.is_match(&text) {
            continue;
        }
        let mut cancelled = taken_back(r, sentence);
        if ind.per_office
            && cancelled.is_none()
            && !foreign_ok(v, ctx, &link.url)
            && !names_city(v, ctx.city, Some(&link.url), &text)
        {
            cancelled = Some(format!(
                "a booking page outside the city's sites, of no known booking system and without \"{}\" in its address or words: someone else's",
                ctx.city
            ));
        }
        // Only channels elsewhere: the city's own pages (newsletter, Leichte
        // Sprache) are its own wherever they are linked.
        if ind.own_channel
            && cancelled.is_none()
            && link.span.is_some()
            && !(ctx.in_scope)(link.url.host_str().unwrap_or_default())
            && !own_channel(r, ind, ctx.city, link, &text, sentence)
        {
            cancelled = Some(format!(
                "a channel linked in the text whose words do not name \"{}\": not the city's own",
                ctx.city
            ));
        }
        let targets: Vec<(&Parameter, String)> =
            match g.parameter.and_then(|p| ind.parameters.get(p)) {
                Some(p) => vec![(p, rule)],
                None => {
                    let url_words = deepest_office_words(ind, &link.url);
                    let heading = link
                        .span
                        .as_ref()
                        .and_then(|s| heading_of(r, s.start))
                        .unwrap_or("");
                    let places: Vec<&str> = if link.span.is_some() {
                        vec![&text, &url_words, sentence, heading, title]
                    } else {
                        vec![&text, &url_words]
                    };
                    let (offices, place) = offices_named(ind, &places);
                    offices
                        .into_iter()
                        .map(|p| (p, format!("booking {rule}, office named in the {place}")))
                        .collect()
                }
            };
        for (p, rule) in targets {
            out.push(SectorSignal {
                indicator: ind.id.clone(),
                parameter: p.id.clone(),
                found: Found::Link,
                rule,
                excerpt: excerpt.clone(),
                target: Some(link.url.to_string()),
                cancelled: cancelled.clone(),
                refutes: false,
            });
        }
    }
}

/// A booking link outside the city's own hosts counts on a known booking
/// system's domain (`*.termine-reservieren.de`), not on a host that only
/// looks like one (`termine.*` of another town).
fn foreign_ok(v: &Verwaltung, ctx: &Context, url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    (ctx.in_scope)(host)
        || v.links.hosts.iter().any(|(h, _)| {
            !matches!(h, crate::verwaltung::HostPattern::FirstLabel(_)) && h.matches(host)
        })
}

/// The words of a link's address that can name an office: its deepest
/// path segment that names one ("/buergerservice/auslaenderbehoerde/termin"
/// is the foreigners' office), then the query.
fn deepest_office_words(ind: &Indicator, url: &Url) -> String {
    let segments: Vec<String> = url
        .path_segments()
        .map(|s| s.filter(|x| !x.is_empty()).map(fold).collect())
        .unwrap_or_default();
    segments
        .iter()
        .rev()
        .find(|s| ind.parameters.iter().any(|p| p.terms.is_match(s)))
        .cloned()
        .unwrap_or_else(|| fold(url.query().unwrap_or("")))
}

/// A negation or hedge in the sentence takes a sign back.
fn taken_back(r: &Reading, sentence: &str) -> Option<String> {
    if sentence.is_empty() {
        return None;
    }
    if let Some((p, _)) = r.cat.verwaltung.negation.find(sentence) {
        return Some(format!("negated in its sentence (\"{}\")", p.source()));
    }
    r.cat
        .signals
        .hedge
        .find(sentence)
        .map(|(p, _)| format!("announced or conditional (\"{}\")", p.source()))
}

/// The heading of the section a piece of the main text stands in, folded.
fn heading_of<'r>(r: &'r Reading, at: usize) -> Option<&'r str> {
    let i = r.page.heading_spans.iter().rposition(|h| h.start <= at)?;
    r.heads.get(i).map(String::as_str)
}

/// The offices named at the nearest place that names any.
fn offices_named<'i>(ind: &'i Indicator, places: &[&str]) -> (Vec<&'i Parameter>, &'static str) {
    for (text, place) in places.iter().zip(PLACES) {
        let found: Vec<&Parameter> = ind
            .parameters
            .iter()
            .filter(|p| p.terms.is_match(text))
            .collect();
        if !found.is_empty() {
            return (found, place);
        }
    }
    (Vec::new(), "")
}

/// Whether a channel linked in the main text is the city's: its words or
/// sentence name the city ("Stadt Kellbronn auf Instagram"), or its address
/// does where the page is about the city's channels or the link stands in a
/// bar of links (a service bar inside the content, like a header). An
/// agency's "WFK auf LinkedIn" is not the city's, even with the city in
/// its handle.
fn own_channel(
    r: &Reading,
    ind: &Indicator,
    city: &str,
    link: &Link,
    text: &str,
    sentence: &str,
) -> bool {
    if names_city(&r.cat.verwaltung, city, None, &format!("{text} {sentence}")) {
        return true;
    }
    let heads = std::iter::once(r.page.title.as_str())
        .chain(r.page.h1.iter().map(String::as_str))
        .map(fold)
        .chain(r.heads.iter().cloned());
    let channel_page = heads.into_iter().any(|h| ind.channel_pages.is_match(&h));
    let link_bar = link.span.as_ref().is_some_and(|sp| {
        let (n, share) = r.link_share(&r.sentence_of(sp));
        n >= 3 && share >= NAV_BAR_LINK_SHARE
    });
    (channel_page || link_bar) && names_city(&r.cat.verwaltung, city, Some(&link.url), "")
}

/// Whether a channel link carries the city's name (in its address or its
/// words): "instagram.com/stadt.muenchen" is Munich's, "instagram.com/zoo" not.
fn names_city(v: &Verwaltung, city: &str, url: Option<&Url>, text: &str) -> bool {
    let squash = |s: &str| -> String {
        fold(s)
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect()
    };
    let address = url
        .map(|u| squash(&format!("{}{}", u.host_str().unwrap_or_default(), u.path())))
        .unwrap_or_default();
    let words = squash(text);
    fold(city)
        .split(' ')
        .filter(|w| w.len() >= 3 && !v.city_name_ignore.iter().any(|g| g == w))
        .any(|w| {
            // Handles drop umlauts as often as they spell them out.
            let plain = w.replace("ae", "a").replace("oe", "o").replace("ue", "u");
            [w.to_string(), plain]
                .iter()
                .any(|n| address.contains(n.as_str()) || words.contains(n.as_str()))
        })
}

fn sentence_signs(r: &Reading, title: &str, out: &mut Vec<SectorSignal>) {
    let v = &r.cat.verwaltung;
    let ix = &v.links;
    let mut seen: HashSet<(usize, usize, bool)> = HashSet::default();
    // The city's words that it is offered, and that it is not: all phrases
    // of the file found in one scan of the main text.
    for (pi, range) in ix.sentences.find_all(r.words) {
        let (Some(&(gi, refutes)), Some(phrase)) =
            (ix.sentence_group.get(pi), ix.sentences.set.0.get(pi))
        else {
            continue;
        };
        let Some(g) = ix.groups.get(gi).copied() else {
            continue;
        };
        let (Some(ind), Some(signs)) = (v.indicators.get(g.indicator), v.signs(g)) else {
            continue;
        };
        let source = phrase.source();
        let mark = r.main.original_range(&range);
        let s = r.sentence_of(&mark);
        if !seen.insert((gi, s.start, refutes)) {
            continue;
        }
        let original = r.text().get(s.clone()).unwrap_or_default();
        let sentence = fold(original);
        // A question asks; it does not say the city offers it.
        if !refutes && (signs.unless.is_match(&sentence) || original.trim_end().ends_with('?')) {
            continue;
        }
        let cancelled = if refutes {
            Some(format!("the page says it is not offered (\"{source}\")"))
        } else {
            taken_back(r, &sentence)
        };
        let excerpt = excerpt_marked(r.text(), &s, &mark);
        let what = if refutes {
            "refuting sentence"
        } else {
            "sentence"
        };
        let params: Vec<(&Parameter, String)> =
            match g.parameter.and_then(|p| ind.parameters.get(p)) {
                Some(p) => vec![(p, format!("{what} \"{source}\""))],
                None => {
                    let heading = heading_of(r, s.start).unwrap_or("");
                    let (offices, place) = offices_named(ind, &["", "", &sentence, heading, title]);
                    offices
                        .into_iter()
                        .map(|p| {
                            (
                                p,
                                format!("booking {what} \"{source}\", office named in the {place}"),
                            )
                        })
                        .collect()
                }
            };
        for (p, rule) in params {
            out.push(SectorSignal {
                indicator: ind.id.clone(),
                parameter: p.id.clone(),
                found: Found::Sentence,
                rule,
                excerpt: excerpt.clone(),
                target: None,
                cancelled: cancelled.clone(),
                refutes,
            });
        }
    }
}
