//! The page as detection reads it: its folded text, sentences, link spans
//! and sections, and which services a piece of text belongs to. What were
//! closures over `analyze`'s locals are methods here, so each stage of the
//! analysis takes one `&Reading` and can be read (and tested) on its own.

use super::*;

/// What the section around a piece of text is about.
pub(super) enum Section {
    /// Its heading names these services.
    Named(Vec<ServiceId>),
    /// A part of the page's own service description, or no heading yet.
    Page,
    /// A heading that names no service: something else.
    Other,
}

/// One page, prepared for the analysis stages.
pub(super) struct Reading<'a> {
    pub(super) cat: &'a Catalogue,
    pub(super) page: &'a Page,
    /// The main text, folded (lower case, umlauts spelt out), with its map
    /// back to `page.main_text` and its sentences.
    pub(super) main: &'a Folded,
    pub(super) words: &'a Words<'a>,
    /// Link spans in text order, for finding those inside a sentence.
    pub(super) link_spans: Vec<Range<usize>>,
    /// The subheadings, folded.
    pub(super) heads: Vec<String>,
    /// The page is divided by service (see [`NamedOnPage::sectioned`]).
    pub(super) sectioned: bool,
    /// The services the page is about (set once aboutness is known).
    pub(super) about: Vec<ServiceId>,
}

impl<'a> Reading<'a> {
    pub(super) fn new(
        cat: &'a Catalogue,
        page: &'a Page,
        main: &'a Folded,
        words: &'a Words<'a>,
    ) -> Self {
        let mut link_spans = page.link_spans.clone();
        link_spans.sort_by_key(|l| l.start);
        Reading {
            cat,
            page,
            main,
            words,
            link_spans,
            heads: page.headings.iter().map(|h| fold(h)).collect(),
            sectioned: false,
            about: Vec::new(),
        }
    }

    /// The main text (original spelling).
    pub(super) fn text(&self) -> &'a str {
        &self.page.main_text
    }

    /// The sentence around a span (sentences are sorted and disjoint). A
    /// "sentence" longer than any real one (a page without punctuation) is
    /// cut to a window around the span, so the work per link stays bounded.
    pub(super) fn sentence_of(&self, r: &Range<usize>) -> Range<usize> {
        let sents = self.main.sentences();
        let s = sents
            .partition_point(|s| s.start <= r.start)
            .checked_sub(1)
            .and_then(|k| sents.get(k))
            .filter(|s| r.start < s.end)
            .cloned()
            .unwrap_or_else(|| r.clone());
        if s.len() <= MAX_CONTEXT {
            return s;
        }
        let text = self.text();
        let mut lo = r.start.saturating_sub(MAX_CONTEXT / 2).max(s.start);
        let mut hi = (r.end + MAX_CONTEXT / 2).min(s.end).max(lo);
        while !text.is_char_boundary(lo) {
            lo -= 1;
        }
        while !text.is_char_boundary(hi) {
            hi += 1;
        }
        lo..hi
    }

    /// The sentence after the one that ends at `end`, in whatever block.
    pub(super) fn next_sentence(&self, end: usize) -> &'a str {
        self.next_range(end)
            .and_then(|s| self.text().get(s))
            .unwrap_or_default()
    }

    /// The sentence after the one that ends at `end`, if it stands in the
    /// same block (paragraph): what the text goes on to say.
    pub(super) fn next_in_block(&self, end: usize) -> &'a str {
        let text = self.text();
        self.next_range(end)
            .filter(|s| {
                text.get(end..s.start)
                    .is_some_and(|gap| !gap.contains('\n'))
            })
            .and_then(|s| text.get(s))
            .unwrap_or_default()
    }

    fn next_range(&self, end: usize) -> Option<Range<usize>> {
        let sents = self.main.sentences();
        sents.get(sents.partition_point(|s| s.start < end)).cloned()
    }

    /// The services folded text names. Where it stands in a context (the
    /// services of its section or page), a weak term ("Ummeldung" on the
    /// Gewerbe page) names nothing, so the context speaks.
    pub(super) fn named_within(&self, folded: &str, context: &[ServiceId]) -> Vec<ServiceId> {
        let cat = self.cat;
        let mut ids: Vec<usize> = named(cat, folded)
            .iter()
            .filter(|m| context.is_empty() || !is_weak(cat, m))
            .map(|m| m.service)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.iter().map(|&i| cat.services[i].id.clone()).collect()
    }

    /// The services folded text names, in no context.
    pub(super) fn named_in(&self, folded: &str) -> Vec<ServiceId> {
        self.named_within(folded, &[])
    }

    /// The folded heading of the section a piece of text stands in ("" on
    /// the page's top).
    pub(super) fn heading_of(&self, at: usize) -> &str {
        self.heading_index(at)
            .and_then(|i| self.heads.get(i))
            .map_or("", String::as_str)
    }

    /// The index of the last heading at or before `at`.
    fn heading_index(&self, at: usize) -> Option<usize> {
        self.page.heading_spans.iter().rposition(|h| h.start <= at)
    }

    /// The section a piece of text stands in (see [`Section`]).
    pub(super) fn section_of(&self, at: usize) -> Section {
        let Some(i) = self.heading_index(at) else {
            return Section::Page;
        };
        let named = self.named_in(&self.heads[i]);
        if !named.is_empty() {
            Section::Named(named)
        } else if !self.sectioned || self.cat.signals.service_section.is_match(&self.heads[i]) {
            Section::Page
        } else {
            Section::Other
        }
    }

    /// Forms and level-4 statements describe the service of their section,
    /// else of their page; a section about something else claims them.
    /// `None`: a page about nothing, where their own words must say.
    pub(super) fn describes(&self, at: usize) -> Option<Vec<ServiceId>> {
        match self.section_of(at) {
            Section::Named(named) => Some(named),
            Section::Other => Some(Vec::new()),
            Section::Page if !self.about.is_empty() => Some(self.about.clone()),
            Section::Page => None,
        }
    }

    /// Which services a local piece of text belongs to: those its own
    /// words name, else its sentence, else its section, else the page. Of
    /// several services named, those the section or page is about win
    /// ("Gewerbeanzeige, Auswahl Ummeldung/Abmeldung" on the Gewerbe page).
    pub(super) fn attribute(&self, local: &str, sentence: &str, at: usize) -> Vec<ServiceId> {
        let section = self.section_of(at);
        let context: &[ServiceId] = match &section {
            Section::Named(named) => named,
            Section::Other => &[],
            Section::Page => &self.about,
        };
        let narrow = |named: Vec<ServiceId>| -> Vec<ServiceId> {
            let both: Vec<ServiceId> = named
                .iter()
                .filter(|s| context.contains(s))
                .cloned()
                .collect();
            if named.len() > 1 && !both.is_empty() {
                both
            } else {
                named
            }
        };
        let own = self.named_within(local, context);
        if !own.is_empty() {
            return narrow(own);
        }
        let sent = self.named_within(sentence, context);
        if !sent.is_empty() {
            return narrow(sent);
        }
        context.to_vec()
    }

    /// How much of a sentence is link text: a run of links with little else
    /// is a navigation bar inside the content ("Startseite | Formulare |
    /// Online-Dienste"); a link that is its whole sentence is a button whose
    /// meaning the sentence before it gives ("Sie können den Antrag online
    /// stellen:" [Zum Antrag]). Returns the links inside and their share.
    pub(super) fn link_share(&self, s_range: &Range<usize>) -> (usize, f64) {
        let alnum = |r: Range<usize>| {
            self.text()
                .get(r)
                .map_or(0, |t| t.chars().filter(|c| c.is_alphanumeric()).count())
        };
        let total = alnum(s_range.clone()).max(1);
        let from = self.link_spans.partition_point(|l| l.start < s_range.start);
        let inside: Vec<&Range<usize>> = self.link_spans[from..]
            .iter()
            .take_while(|l| l.start < s_range.end)
            .filter(|l| l.end <= s_range.end)
            .collect();
        let covered: usize = inside.iter().map(|l| alnum((*l).clone())).sum();
        (inside.len(), covered as f64 / total as f64)
    }

    /// What introduces a piece of text: the sentences before it in its own
    /// block, or else the block (paragraph) before it.
    pub(super) fn intro_of(&self, at: usize) -> &'a str {
        let before = self.text().get(..at).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let same = before[line_start..].trim();
        if !same.is_empty() {
            return same;
        }
        let prev = before[..line_start].trim_end();
        let prev_start = prev.rfind('\n').map_or(0, |i| i + 1);
        // A block that is itself a link is a sibling item of a list, not
        // what introduces this one.
        let (links, share) = self.link_share(&(prev_start..prev.len()));
        if links >= 1 && share >= super::LONE_LINK_SHARE {
            return "";
        }
        prev[prev_start..].trim()
    }
}
