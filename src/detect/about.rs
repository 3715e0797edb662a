//! Aboutness: which services a page is about, and why, from where the
//! catalogue's terms stand (title, heading, URL, breadcrumb, subheadings,
//! running text); and whether the page is a news item.

use super::*;

/// Score thresholds for aboutness. Title and main heading are strong; the URL
/// and breadcrumb medium; mentions in the running text weak. Link texts
/// inside the main content do not count: a list of links is not a page about
/// each of them.
pub(super) const ABOUT_THRESHOLD: u32 = 3;

/// Words of prose a service's section needs on a page divided by service
/// to count as that service's information (more than a teaser box).
pub(super) const SECTION_MIN_WORDS: usize = 15;

/// Whether a URL path, breadcrumb or title marks a news item: one of its
/// parts (path segments, crumbs, title parts) *begins* with a news word
/// ("/aktuelles/2026/…", "Presse › Pressemitteilungen"). A compound that
/// only contains one ("Service-Aktuelles", a menu branch) is not news.
pub(super) fn is_news(news: &crate::text::PhraseSet, text: &str) -> bool {
    text.split(['/', '›', '»', '>', '|', '–', ':', '\n'])
        .any(|part| news.find(&fold(part)).is_some_and(|(_, r)| r.start == 0))
}

/// Whether the page is a news item: its URL path, breadcrumb or title says so.
pub(super) fn is_news_page(sig: &crate::catalogue::Signals, page: &Page, url: &Url) -> bool {
    is_news(&sig.news, &percent_decode(url.path()))
        || is_news(&sig.news, &page.breadcrumb)
        || is_news(&sig.news, &page.title)
}

/// Where the catalogue's service terms stand on a page.
pub(super) struct NamedOnPage<'c> {
    title: Vec<Named<'c>>,
    h1: Vec<Named<'c>>,
    path: Vec<Named<'c>>,
    crumb: Vec<Named<'c>>,
    heads: Vec<Vec<Named<'c>>>,
    main: Vec<Named<'c>>,
    /// A page whose title names no service but whose headings do is divided
    /// by service (an office's page: "Standesamt" with "Eheschließung",
    /// "Urkunden", "Sterbefall"); elsewhere headings are aspects of the one
    /// service ("Pflichtumtausch" on the Führerschein page).
    pub(super) sectioned: bool,
}

impl<'c> NamedOnPage<'c> {
    pub(super) fn new(r: &Reading<'c>, url: &Url) -> Self {
        let cat = r.cat;
        let page = r.page;
        let title = named_in_place(cat, &fold(&page.title));
        let h1 = named_in_place(cat, &fold(&page.h1.join(" | ")));
        let heads: Vec<Vec<Named>> = r.heads.iter().map(|h| named_in_place(cat, h)).collect();
        let sectioned = title.is_empty() && h1.is_empty() && heads.iter().any(|h| !h.is_empty());
        NamedOnPage {
            title,
            h1,
            path: named_in_place(cat, &fold(&percent_decode(url.path()))),
            crumb: named_in_place(cat, &fold(&page.breadcrumb)),
            heads,
            main: named_in_words(cat, r.words),
            sectioned,
        }
    }
}

/// The services a page is about, each with its reasons in words: title and
/// main heading weigh most, URL and breadcrumb less, mentions in the main
/// text (outside link texts) least.
pub(super) fn aboutness(r: &Reading<'_>, n: &NamedOnPage<'_>, url: &Url) -> Vec<About> {
    let (cat, page, main, link_spans) = (r.cat, r.page, r.main, &r.link_spans);
    let mut about = Vec::new();
    for (si, svc) in cat.services.iter().enumerate() {
        let mut score = 0;
        let mut reasons = Vec::new();
        let term_in = |n: &[Named<'_>]| -> Option<String> {
            n.iter()
                .find(|m| m.service == si)
                .map(|m| m.term.to_string())
        };
        if let Some(t) = term_in(&n.title) {
            score += 3;
            reasons.push(format!("title names \"{t}\""));
        }
        if let Some(t) = term_in(&n.h1) {
            score += 3;
            reasons.push(format!("heading names \"{t}\""));
        }
        if let Some(t) = term_in(&n.path) {
            score += 2;
            reasons.push(format!("URL names \"{t}\""));
        }
        if let Some(k) = svc.leika.iter().find(|k| url.as_str().contains(k.as_str())) {
            score += 3;
            reasons.push(format!("URL has LeiKa key {k}"));
        }
        if let Some(t) = term_in(&n.crumb) {
            score += 2;
            reasons.push(format!("breadcrumb names \"{t}\""));
        }
        let sub = n.heads.iter().filter(|h| term_in(h).is_some()).count() as u32;
        let own_section = n.sectioned
            && n.heads
                .iter()
                .zip(&page.heading_spans)
                .enumerate()
                .any(|(i, (h, span))| {
                    term_in(h).is_some() && section_words(page, i, span) >= SECTION_MIN_WORDS
                });
        if own_section {
            // An office's page with a section per service informs about
            // each of them as a page of its own would.
            score += 3;
            reasons.push(format!(
                "it has its own section ({sub} subheading(s) name it)"
            ));
        } else if sub > 0 {
            score += sub.min(2);
            reasons.push(format!("{sub} subheading(s) name it"));
        }
        let mentions = count_mentions(si, &n.main, main, link_spans);
        // Where the title or main heading names another service, mentions
        // alone are that service's context ("Bürgergeld" on the page about
        // Bildung und Teilhabe), not a second topic.
        if score == 0 && !(n.title.is_empty() && n.h1.is_empty()) {
            continue;
        }
        if mentions > 0 {
            score += mentions.min(3);
            reasons.push(format!("{mentions} mention(s) in the main text"));
        }
        if score >= ABOUT_THRESHOLD {
            let excerpt = n
                .main
                .iter()
                .find(|m| m.service == si)
                .map(|m| excerpt_around(&page.main_text, main, &m.range))
                .unwrap_or_else(|| clip(&page.title, EXCERPT_MAX));
            about.push(About {
                service: svc.id.clone(),
                reasons,
                excerpt,
            });
        }
    }
    about
}

/// Words of prose under heading `i` (up to the next heading), link texts
/// not counted: a teaser box ("Meldebescheinigung – Weiter") has few.
pub(super) fn section_words(page: &Page, i: usize, span: &Range<usize>) -> usize {
    let end = page
        .heading_spans
        .get(i + 1)
        .map_or(page.main_text.len(), |h| h.start);
    let body = span.end..end.max(span.end);
    let words = |r: Range<usize>| {
        page.main_text
            .get(r)
            .map_or(0, |t| t.split_whitespace().count())
    };
    let linked: usize = page
        .link_spans
        .iter()
        .filter(|l| l.start >= body.start && l.end <= body.end)
        .map(|l| words(l.clone()))
        .sum();
    words(body).saturating_sub(linked)
}
