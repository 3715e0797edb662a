//! Text folding and phrase matching: the one mechanism behind every word list
//! of the catalogue (service terms, online phrases, negations, …).
//!
//! German pages write the same word many ways ("Eheschließung",
//! "Eheschliessung", "EHESCHLIESSUNG", "Kfz-Zulassung", "KFZ Zulassung").
//! Both the catalogue's phrases and the page text are *folded* the same way:
//! lowercase, umlauts to `ae/oe/ue`, `ß` to `ss`, every run of other
//! non-alphanumeric characters to one space. A phrase is a sequence of tokens;
//! each token matches a word that *starts* with it (so `beantrag` matches
//! "beantragen" and "Beantragung", `kita` matches "Kita-Platz"), a token ending
//! in `$` must match the whole word, a token starting with `*` may also stand
//! inside a compound (`*antrag` matches "Bauantrag", "Onlineantrag"), and
//! `...` lets up to sixteen words stand between two tokens (the words a
//! hyphen of omission completes count too: "an-, ab- oder ummelden" is
//! several). Words that a hyphen of omission leaves out ("An-, Um- und
//! Abmeldung") are completed.
//! Folded text keeps a map back to the original, so a match can be shown in
//! the page's own words.

use std::ops::Range;

#[cfg(test)]
mod tests;

/// Folded text plus a map from each folded byte to the original byte range.
#[derive(Debug, Clone, Default)]
pub struct Folded {
    pub text: String,
    /// The map, as runs in folded order (see [`Seg`]): most of a page is
    /// ASCII copied 1:1, which one run covers instead of a range per byte.
    segs: Vec<Seg>,
    original_len: usize,
    sentences: Vec<Range<usize>>,
}

/// Folded bytes from `at` on. A `copy` run maps its bytes 1:1 onto
/// `from`; any other run maps each of its bytes (up to the next run) to the
/// whole of `from`, the character or separator run that produced it.
#[derive(Debug, Clone)]
struct Seg {
    at: usize,
    from: Range<usize>,
    copy: bool,
}

/// Where folded text goes: a plain string, or a string with its map.
trait Out {
    /// Folded text `s` that stands for the original bytes `from`.
    fn put(&mut self, s: &str, from: Range<usize>);
    /// A run of ASCII letters and digits at `at`, lowercased byte for byte.
    fn put_ascii(&mut self, run: &str, at: usize);
    fn is_empty(&self) -> bool;
}

impl Out for String {
    fn put(&mut self, s: &str, _: Range<usize>) {
        self.push_str(s);
    }
    fn put_ascii(&mut self, run: &str, _: usize) {
        let start = self.len();
        self.push_str(run);
        if let Some(new) = self.get_mut(start..) {
            new.make_ascii_lowercase();
        }
    }
    fn is_empty(&self) -> bool {
        str::is_empty(self)
    }
}

impl Out for Folded {
    fn put(&mut self, s: &str, from: Range<usize>) {
        match self.segs.last() {
            Some(l) if !l.copy && l.from == from => {}
            _ if s.is_empty() => {}
            _ => self.segs.push(Seg {
                at: self.text.len(),
                from,
                copy: false,
            }),
        }
        self.text.push_str(s);
    }
    fn put_ascii(&mut self, run: &str, at: usize) {
        let here = self.text.len();
        match self.segs.last_mut() {
            Some(l) if l.copy && l.from.end == at && l.at + l.from.len() == here => {
                l.from.end = at + run.len();
            }
            _ => self.segs.push(Seg {
                at: here,
                from: at..at + run.len(),
                copy: true,
            }),
        }
        self.text.push_str(run);
        if let Some(new) = self.text.get_mut(here..) {
            new.make_ascii_lowercase();
        }
    }
    fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// The folding itself (see the module docs), into either kind of output.
fn fold_into(original: &str, ends: &[usize], out: &mut impl Out) {
    let expansions = elisions(original);
    let mut next_expansion = expansions.iter().peekable();
    let mut next_end = ends.iter().copied().peekable();
    let mut pending_space: Option<usize> = None;
    // Before a word character at `i`: the separator run that ended there
    // becomes one space (and a sentence mark where a sentence ended).
    let mut space_before = |pending: &mut Option<usize>, i: usize, out: &mut dyn Out| {
        if let Some(sp) = pending.take() {
            if !out.is_empty() {
                // A sentence end between two words becomes a mark word
                // that no phrase token matches or gaps across.
                if next_end.next_if(|e| *e <= i).is_some() {
                    while next_end.next_if(|e| *e <= i).is_some() {}
                    out.put(SENTENCE_MARK_STR, sp..i);
                }
                out.put(" ", sp..i);
            }
        }
    };
    let bytes = original.as_bytes();
    let mut buf = [0u8; 4];
    let mut i = 0;
    while let Some(ch) = original.get(i..).and_then(|rest| rest.chars().next()) {
        // Completed words of an elision ("Um-" → "Ummeldung") follow the
        // truncated word, mapped to it, so a match shows the page's words.
        while let Some(e) = next_expansion.next_if(|e| e.word.end <= i) {
            e.complete(out);
        }
        let len = ch.len_utf8();
        let from = i..i + len;
        match ch {
            // Most text is ASCII words: copied as one run, up to where the
            // next elision's word ends (its completions go right there).
            c if c.is_ascii_alphanumeric() => {
                let stop = next_expansion
                    .peek()
                    .map_or(bytes.len(), |e| e.word.end.min(bytes.len()));
                let mut end = i + 1;
                while end < stop && bytes.get(end).is_some_and(u8::is_ascii_alphanumeric) {
                    end += 1;
                }
                space_before(&mut pending_space, i, out);
                out.put_ascii(original.get(i..end).unwrap_or_default(), i);
                i = end;
                continue;
            }
            'ä' | 'Ä' | 'ö' | 'Ö' | 'ü' | 'Ü' | 'ß' | 'ẞ' => {
                space_before(&mut pending_space, i, out);
                let spelled = match ch {
                    'ä' | 'Ä' => "ae",
                    'ö' | 'Ö' => "oe",
                    'ü' | 'Ü' => "ue",
                    _ => "ss",
                };
                out.put(spelled, from);
            }
            // Soft hyphen and zero-width characters vanish inside words.
            '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' => {}
            c if c.is_alphanumeric() => {
                space_before(&mut pending_space, i, out);
                for lc in c.to_lowercase() {
                    out.put(lc.encode_utf8(&mut buf), from.clone());
                }
            }
            _ => {
                if pending_space.is_none() {
                    pending_space = Some(i);
                }
            }
        }
        i += len;
    }
    for e in next_expansion {
        e.complete(out);
    }
}

impl Folded {
    pub fn new(original: &str) -> Self {
        let mut f = Folded {
            text: String::with_capacity(original.len()),
            segs: Vec::new(),
            original_len: original.len(),
            sentences: Vec::new(),
        };
        f.sentences = sentences(original);
        let ends = ends_of(&f.sentences);
        fold_into(original, &ends, &mut f);
        f
    }

    /// The original's sentences (see [`sentences`]), split once here.
    pub fn sentences(&self) -> &[Range<usize>] {
        &self.sentences
    }

    /// The original byte range of one folded byte.
    fn origin(&self, at: usize) -> Option<Range<usize>> {
        if at >= self.text.len() {
            return None;
        }
        let i = self.segs.partition_point(|s| s.at <= at).checked_sub(1)?;
        let seg = self.segs.get(i)?;
        Some(if seg.copy {
            let o = seg.from.start + (at - seg.at);
            o..o + 1
        } else {
            seg.from.clone()
        })
    }

    /// The original byte range of a folded byte range.
    pub fn original_range(&self, r: &Range<usize>) -> Range<usize> {
        let start = self
            .origin(r.start)
            .map(|m| m.start)
            .unwrap_or(self.original_len);
        let end = match r.end.checked_sub(1).and_then(|last| self.origin(last)) {
            Some(m) => m.end,
            None => start,
        };
        start..end.max(start)
    }
}

/// Stands in folded text where a sentence ends (see [`Folded::new`]).
pub const SENTENCE_MARK: char = '\u{1f}';
/// The mark with the space before it, as it is written into folded text.
const SENTENCE_MARK_STR: &str = " \u{1f}";

/// Byte offsets where sentences of `original` end (all but the last).
fn sentence_ends(original: &str) -> Vec<usize> {
    if !original.contains(['.', '!', '?', ';', '\n']) {
        return Vec::new();
    }
    ends_of(&sentences(original))
}

/// Where each sentence but the last ends.
fn ends_of(sentences: &[Range<usize>]) -> Vec<usize> {
    match sentences.split_last() {
        Some((_, all_but_last)) => all_but_last.iter().map(|r| r.end).collect(),
        None => Vec::new(),
    }
}

/// A truncated word ("Um-") and the full words it may stand for.
struct Elision {
    /// Byte range of the truncated word in the original.
    word: Range<usize>,
    candidates: Vec<String>,
}

impl Elision {
    /// The full words, each as a word of its own mapped to the truncated one.
    fn complete(&self, out: &mut impl Out) {
        for w in &self.candidates {
            let f = fold(w);
            if !f.is_empty() {
                out.put(" ", self.word.clone());
                out.put(&f, self.word.clone());
            }
        }
    }
}

/// Words left out by a German hyphen of omission (Ergänzungsstrich):
/// "An-, Um- und Abmeldung" means Anmeldung and Ummeldung, "Wohnsitzanmeldung
/// und -abmeldung" means Wohnsitzabmeldung. Where the shared part begins
/// inside the full word is unknown without a dictionary, so every plausible
/// split is offered; a wrong one yields a non-word that no phrase matches.
/// Returns them in text order.
fn elisions(original: &str) -> Vec<Elision> {
    // Fast path: no hyphen next to a space or comma, no elision.
    if !(original.contains("- ") || original.contains("-,") || original.contains(" -")) {
        return Vec::new();
    }
    const CONJUNCTIONS: [&str; 6] = ["und", "oder", "bzw", "sowie", "bis", "u"];
    const MAX_CANDIDATES: usize = 12;
    struct W {
        range: Range<usize>,
        /// "Um-" followed by a space or comma.
        open_right: bool,
        /// "-abmeldung" after a space.
        open_left: bool,
    }
    let bytes = original.as_bytes();
    let mut words: Vec<W> = Vec::new();
    let mut start: Option<usize> = None;
    let close = |s: usize, e: usize, words: &mut Vec<W>| {
        let open_right = bytes.get(e) == Some(&b'-')
            && matches!(bytes.get(e + 1), Some(b' ' | b',' | b'\n' | b'\t'));
        let open_left = s > 0
            && bytes.get(s - 1) == Some(&b'-')
            && (s < 2 || matches!(bytes.get(s - 2), Some(b' ' | b'\n' | b'\t' | b'(')));
        words.push(W {
            range: s..e,
            open_right,
            open_left,
        });
    };
    for (i, ch) in original.char_indices() {
        if ch.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            close(s, i, &mut words);
        }
    }
    if let Some(s) = start {
        close(s, original.len(), &mut words);
    }
    let is_conj = |w: &W| {
        let t = &original[w.range.clone()];
        CONJUNCTIONS.iter().any(|c| t.eq_ignore_ascii_case(c))
    };
    let chars_of = |w: &W| original[w.range.clone()].chars().collect::<Vec<char>>();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if w.open_right {
            // The completing word: the first after a conjunction, past
            // further truncated words ("An-, Um- und Abmeldung").
            let mut saw_conj = false;
            let mut full = None;
            for next in words.iter().skip(i + 1).take(8) {
                if next.open_right {
                    continue;
                }
                if is_conj(next) {
                    saw_conj = true;
                    continue;
                }
                if saw_conj {
                    full = Some(next);
                }
                break;
            }
            let Some(full) = full else { continue };
            let head = &original[w.range.clone()];
            let chars = chars_of(full);
            let cands: Vec<String> = (2..chars.len().saturating_sub(2))
                .map(|k| {
                    let tail: String = chars[k..].iter().collect();
                    format!("{head}{}", tail.to_lowercase())
                })
                .take(MAX_CANDIDATES)
                .collect();
            if !cands.is_empty() {
                out.push(Elision {
                    word: w.range.clone(),
                    candidates: cands,
                });
            }
        }
        if w.open_left && i > 0 {
            // The word that lends its first part: before the conjunction.
            let mut k = i;
            while k > 0 && is_conj(&words[k - 1]) {
                k -= 1;
            }
            if k == i || k == 0 {
                continue;
            }
            let lender = &words[k - 1];
            let chars = chars_of(lender);
            let tail = original[w.range.clone()].to_lowercase();
            let cands: Vec<String> = (3..chars.len().saturating_sub(1))
                .map(|n| format!("{}{tail}", chars[..n].iter().collect::<String>()))
                .take(MAX_CANDIDATES)
                .collect();
            if !cands.is_empty() {
                out.push(Elision {
                    word: w.range.clone(),
                    candidates: cands,
                });
            }
        }
    }
    out.sort_by_key(|e| e.word.end);
    out
}

/// Fold a short string (a catalogue phrase, a URL path) without the map.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &sentence_ends(s), &mut out);
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Prefix(String),
    Whole(String),
    /// Anywhere inside a word (compounds): `*antrag`.
    Inner(String),
    /// At the end of a word (compounds): `*bogen$`.
    Suffix(String),
    /// One of several single words: `bescheid|gebuehrenbescheid`.
    Any(Vec<Token>),
    Gap,
}

impl Token {
    /// One word token from `*word$` syntax (already split on spaces).
    fn word(raw: &str) -> Vec<Token> {
        let (raw, inner) = match raw.strip_prefix('*') {
            Some(w) => (w, true),
            None => (raw, false),
        };
        let (word, whole) = match raw.strip_suffix('$') {
            Some(w) => (w, true),
            None => (raw, false),
        };
        let folded = fold(word);
        let parts: Vec<&str> = folded.split(' ').filter(|p| !p.is_empty()).collect();
        parts
            .iter()
            .enumerate()
            .map(|(k, part)| {
                // "Kfz-Zulassung" folds to two words; only the last keeps `$`.
                let last = k + 1 == parts.len();
                if whole && last && inner && parts.len() == 1 {
                    Token::Suffix(part.to_string())
                } else if whole && last {
                    Token::Whole(part.to_string())
                } else if inner && k == 0 {
                    Token::Inner(part.to_string())
                } else {
                    Token::Prefix(part.to_string())
                }
            })
            .collect()
    }

    fn hits(&self, w: &str) -> bool {
        match self {
            Token::Prefix(p) => w.starts_with(p.as_str()),
            Token::Whole(p) => w == p,
            Token::Inner(p) => w.contains(p.as_str()),
            Token::Suffix(p) => w.ends_with(p.as_str()),
            Token::Any(alts) => alts.iter().any(|t| t.hits(w)),
            Token::Gap => false,
        }
    }

    /// `Prefix` tokens that start with a separable verb prefix (`separable`,
    /// longest first) also as zu-infinitive and participle: the "zu" and
    /// "ge" stand between prefix and stem ("an-zu-melden", "an-ge-meldet").
    fn with_verb_forms(self, separable: &[String]) -> Token {
        let forms = |w: &str| -> Vec<Token> {
            let mut out = vec![Token::Prefix(w.to_string())];
            if let Some(p) = separable.iter().find(|p| {
                w.strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.len() >= 3)
            }) {
                let rest = &w[p.len()..];
                out.push(Token::Prefix(format!("{p}zu{rest}")));
                out.push(Token::Prefix(format!("{p}ge{rest}")));
            }
            out
        };
        match self {
            Token::Prefix(w) => match forms(&w).as_slice() {
                [one] => one.clone(),
                many => Token::Any(many.to_vec()),
            },
            Token::Any(alts) => Token::Any(
                alts.into_iter()
                    .flat_map(|a| match a {
                        Token::Prefix(w) => forms(&w),
                        other => vec![other],
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    /// Whether the token could occur in `folded` at all (substring test).
    fn may_occur(&self, folded: &str) -> bool {
        match self {
            Token::Prefix(w) | Token::Whole(w) | Token::Inner(w) | Token::Suffix(w) => {
                folded.contains(w.as_str())
            }
            Token::Any(alts) => alts.iter().any(|t| t.may_occur(folded)),
            Token::Gap => true,
        }
    }
}

/// Most words that `...` lets stand between two tokens.
const MAX_GAP_WORDS: usize = 16;

/// A compiled catalogue phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    source: String,
    tokens: Vec<Token>,
}

impl Phrase {
    /// Compile a phrase; errors are written for the catalogue author.
    pub fn parse(source: &str) -> Result<Self, String> {
        let mut tokens = Vec::new();
        for raw in source.split_whitespace() {
            if raw == "..." || raw == "…" {
                if matches!(tokens.last(), None | Some(Token::Gap)) {
                    return Err(format!(
                        "phrase {source:?}: '...' must stand between two words"
                    ));
                }
                tokens.push(Token::Gap);
                continue;
            }
            if raw.contains('|') {
                let mut alts = Vec::new();
                for alt in raw.split('|') {
                    match Token::word(alt).as_slice() {
                        [one] => alts.push(one.clone()),
                        _ => {
                            return Err(format!(
                                "phrase {source:?}: each of {raw:?} must be one word"
                            ))
                        }
                    }
                }
                tokens.push(Token::Any(alts));
                continue;
            }
            tokens.extend(Token::word(raw));
        }
        if matches!(tokens.last(), Some(Token::Gap)) {
            return Err(format!(
                "phrase {source:?}: '...' must stand between two words"
            ));
        }
        if tokens.is_empty() {
            return Err(format!("phrase {source:?} has no words"));
        }
        if let Some(Token::Prefix(w) | Token::Inner(w)) = tokens.first() {
            if w.len() < 3 && tokens.len() == 1 {
                return Err(format!("phrase {source:?} is too short to mean anything"));
            }
        }
        Ok(Phrase {
            source: source.to_string(),
            tokens,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The same phrase where each verb stem with a separable prefix also
    /// finds its zu-infinitive and participle: "einreich" finds
    /// "einzureichen" and "eingereicht", "ausfuell" "auszufüllen" and
    /// "ausgefüllt". For lists of verbs, not of names ("Ausweis" is no
    /// "ausgewiesen"). `separable`: the prefixes, longest first ("zurueck"
    /// before "zu").
    pub fn with_verb_forms(mut self, separable: &[String]) -> Self {
        self.tokens = self
            .tokens
            .into_iter()
            .map(|t| t.with_verb_forms(separable))
            .collect();
        self
    }

    /// First match in folded text, as a folded byte range.
    pub fn find(&self, folded: &str) -> Option<Range<usize>> {
        if !self.may_occur(folded) {
            return None;
        }
        self.find_in(&words(folded), folded)
    }

    /// Cheap pre-check: every word of the phrase must occur as a substring.
    /// Most phrases of the catalogue occur on no given page, so this skips
    /// the word-by-word scan almost always.
    fn may_occur(&self, folded: &str) -> bool {
        self.tokens.iter().all(|t| t.may_occur(folded))
    }

    fn find_in(&self, words: &[Range<usize>], folded: &str) -> Option<Range<usize>> {
        (0..words.len()).find_map(|start| {
            self.match_at(words, start, 0, folded)
                .map(|end| words[start].start..end)
        })
    }

    /// Every match start (non-overlapping per phrase), as folded ranges.
    fn find_all_in(&self, words: &[Range<usize>], folded: &str, out: &mut Vec<Range<usize>>) {
        let mut start = 0;
        while start < words.len() {
            match self.match_at(words, start, 0, folded) {
                Some(end) => {
                    out.push(words[start].start..end);
                    start = words.partition_point(|w| w.start < end).max(start + 1);
                }
                None => start += 1,
            }
        }
    }

    pub fn is_match(&self, folded: &str) -> bool {
        self.find(folded).is_some()
    }

    fn match_at(&self, words: &[Range<usize>], wi: usize, ti: usize, text: &str) -> Option<usize> {
        let token = self.tokens.get(ti)?;
        let word = words.get(wi)?;
        let w = text.get(word.clone())?;
        if !token.hits(w) {
            return None;
        }
        match self.tokens.get(ti + 1) {
            None => Some(word.end),
            Some(Token::Gap) => {
                // A gap ends at a sentence mark and after sixteen words, so
                // "Gewerbe ... anmelden" never joins words paragraphs apart.
                let last = (wi + 1 + MAX_GAP_WORDS).min(words.len());
                (wi + 1..last)
                    .take_while(|&next| {
                        text.get(words[next].clone())
                            .is_none_or(|w| !w.starts_with(SENTENCE_MARK))
                    })
                    .find_map(|next| self.match_at(words, next, ti + 2, text))
            }
            Some(_) => self.match_at(words, wi + 1, ti + 1, text),
        }
    }
}

/// A folded text with its words sorted, for asking many phrases about one
/// long text: whether a phrase can occur is then a few binary searches
/// instead of a scan of the whole text per phrase word.
pub struct Words<'a> {
    text: &'a str,
    ranges: Vec<Range<usize>>,
    /// The distinct words, sorted within each bucket of [`bucket_of`].
    sorted: Vec<&'a str>,
    /// `sorted[first[k]..first[k + 1]]` is bucket `k`: a lookup searches
    /// only the words that start like the query.
    first: [u32; BUCKETS + 1],
}

/// Folded words start with a digit, a letter `a`–`z`, or (rarely) another
/// character: one bucket each.
const BUCKETS: usize = 37;

fn bucket_of(word: &str) -> usize {
    match word.as_bytes().first() {
        Some(b @ b'0'..=b'9') => usize::from(b - b'0'),
        Some(b @ b'a'..=b'z') => 10 + usize::from(b - b'a'),
        _ => BUCKETS - 1,
    }
}

impl<'a> Words<'a> {
    pub fn new(folded: &'a str) -> Self {
        let ranges = words(folded);
        // Bucket by first character (a counting sort), then sort and dedup
        // each bucket: far fewer comparisons than one sort of all words.
        let mut first = [0u32; BUCKETS + 1];
        for r in &ranges {
            let k = bucket_of(folded.get(r.clone()).unwrap_or_default());
            first[k + 1] += 1;
        }
        for k in 1..=BUCKETS {
            first[k] += first[k - 1];
        }
        let mut next = first;
        let mut sorted: Vec<&str> = vec![""; ranges.len()];
        for r in &ranges {
            let w = folded.get(r.clone()).unwrap_or_default();
            let slot = &mut next[bucket_of(w)];
            if let Some(s) = sorted.get_mut(*slot as usize) {
                *s = w;
            }
            *slot += 1;
        }
        let mut kept = 0usize;
        for k in 0..BUCKETS {
            let (lo, hi) = (first[k] as usize, first[k + 1] as usize);
            first[k] = kept as u32;
            let Some(bucket) = sorted.get_mut(lo..hi) else {
                continue;
            };
            bucket.sort_unstable();
            let mut last: Option<&str> = None;
            for i in lo..hi {
                let w = sorted[i];
                if last != Some(w) {
                    sorted[kept] = w;
                    kept += 1;
                    last = Some(w);
                }
            }
        }
        first[BUCKETS] = kept as u32;
        sorted.truncate(kept);
        Words {
            text: folded,
            ranges,
            sorted,
            first,
        }
    }

    /// The words that start like `p` might (all words for an empty `p`).
    fn bucket(&self, p: &str) -> &[&'a str] {
        if p.is_empty() {
            return &self.sorted;
        }
        let k = bucket_of(p);
        let (lo, hi) = (self.first[k] as usize, self.first[k + 1] as usize);
        self.sorted.get(lo..hi).unwrap_or_default()
    }

    fn has_prefix(&self, p: &str) -> bool {
        let words = self.bucket(p);
        let i = words.partition_point(|w| *w < p);
        words.get(i).is_some_and(|w| w.starts_with(p))
    }

    fn has_word(&self, p: &str) -> bool {
        self.bucket(p).binary_search(&p).is_ok()
    }

    fn may_hold(&self, t: &Token) -> bool {
        match t {
            Token::Prefix(p) => self.has_prefix(p),
            Token::Whole(p) => self.has_word(p),
            Token::Inner(p) | Token::Suffix(p) => self.text.contains(p.as_str()),
            Token::Any(alts) => alts.iter().any(|a| self.may_hold(a)),
            Token::Gap => true,
        }
    }
}

fn words(folded: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in folded.bytes().enumerate() {
        if b == b' ' {
            if i > start {
                out.push(start..i);
            }
            start = i + 1;
        }
    }
    if folded.len() > start {
        out.push(start..folded.len());
    }
    out
}

/// A set of phrases with a name, e.g. the negation list.
#[derive(Debug, Clone, Default)]
pub struct PhraseSet(pub Vec<Phrase>);

impl PhraseSet {
    /// Every phrase with its verbs' zu-infinitives and participles
    /// (`Phrase::with_verb_forms`).
    pub fn with_verb_forms(self, separable: &[String]) -> Self {
        PhraseSet(
            self.0
                .into_iter()
                .map(|p| p.with_verb_forms(separable))
                .collect(),
        )
    }

    /// The first phrase that matches, with its folded range.
    pub fn find(&self, folded: &str) -> Option<(&Phrase, Range<usize>)> {
        let mut words_cache: Option<Vec<Range<usize>>> = None;
        self.0
            .iter()
            .filter(|p| p.may_occur(folded))
            .filter_map(|p| {
                let words = words_cache.get_or_insert_with(|| words(folded));
                p.find_in(words, folded).map(|r| (p, r))
            })
            .min_by_key(|(_, r)| r.start)
    }

    pub fn is_match(&self, folded: &str) -> bool {
        let mut words_cache: Option<Vec<Range<usize>>> = None;
        self.0.iter().filter(|p| p.may_occur(folded)).any(|p| {
            let words = words_cache.get_or_insert_with(|| words(folded));
            p.find_in(words, folded).is_some()
        })
    }

    /// All matches of all phrases with the phrase's source, in text order;
    /// of overlapping matches only the longest is kept.
    pub fn find_all_terms(&self, text: &Words) -> Vec<(&str, Range<usize>)> {
        let mut out: Vec<(&str, Range<usize>)> = Vec::new();
        let mut buf = Vec::new();
        for p in self
            .0
            .iter()
            .filter(|p| p.tokens.iter().all(|t| text.may_hold(t)))
        {
            buf.clear();
            p.find_all_in(&text.ranges, text.text, &mut buf);
            out.extend(buf.drain(..).map(|r| (p.source(), r)));
        }
        out.sort_by_key(|(_, r)| (r.start, std::cmp::Reverse(r.end)));
        let mut kept: Vec<(&str, Range<usize>)> = Vec::new();
        for (t, r) in out {
            match kept.last() {
                Some((_, last)) if r.start < last.end => {}
                _ => kept.push((t, r)),
            }
        }
        kept
    }

    /// All matches of all phrases, overlapping ones merged, in text order.
    pub fn find_all(&self, folded: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut words_cache: Option<Vec<Range<usize>>> = None;
        for p in self.0.iter().filter(|p| p.may_occur(folded)) {
            let words = words_cache.get_or_insert_with(|| words(folded));
            p.find_all_in(words, folded, &mut out);
        }
        out.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
        let mut merged: Vec<Range<usize>> = Vec::new();
        for r in out {
            match merged.last_mut() {
                Some(last) if r.start < last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        merged
    }
}

/// A phrase set with an index for asking it about many short texts (a
/// page's links): one Aho-Corasick scan finds the phrases whose rarest
/// word occurs, and only those are matched word by word.
#[derive(Debug, Clone)]
pub struct PhraseIndex {
    pub set: PhraseSet,
    /// None only if the automaton could not be built (then every phrase
    /// is a candidate).
    scan: Option<aho_corasick::AhoCorasick>,
    /// The phrases each literal of `scan` stands for.
    owners: Vec<Vec<usize>>,
    /// The spellings of each phrase's chosen word in unfolded text (ä for
    /// ae, ß for ss), ASCII case ignored: whether a raw text can match at
    /// all, without folding it.
    raw_scan: Option<aho_corasick::AhoCorasick>,
}

/// The words that can stand for a token (one, or each alternative).
fn spellings(t: &Token) -> Vec<&String> {
    match t {
        Token::Prefix(w) | Token::Whole(w) | Token::Inner(w) | Token::Suffix(w) => {
            vec![w]
        }
        Token::Any(alts) => alts
            .iter()
            .filter_map(|a| match a {
                Token::Prefix(w) | Token::Whole(w) | Token::Inner(w) | Token::Suffix(w) => Some(w),
                _ => None,
            })
            .collect(),
        Token::Gap => Vec::new(),
    }
}

/// The spellings of a folded word in unfolded text: each "ae", "oe",
/// "ue", "ss" as itself or as "ä", "ö", "ü", "ß" (at most 16 spellings).
fn unfolded_spellings(word: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let b = word.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let pair = word.get(i..i + 2);
        let umlaut = match pair {
            Some("ae") => Some("ä"),
            Some("oe") => Some("ö"),
            Some("ue") => Some("ü"),
            Some("ss") => Some("ß"),
            _ => None,
        };
        match (umlaut, pair) {
            (Some(u), Some(p)) if out.len() < 16 => {
                out = out
                    .into_iter()
                    .flat_map(|s| [format!("{s}{p}"), format!("{s}{u}")])
                    .collect();
                i += 2;
            }
            _ => {
                let c = word[i..].chars().next().unwrap_or(' ');
                for s in &mut out {
                    s.push(c);
                }
                i += c.len_utf8();
            }
        }
    }
    out
}

impl Default for PhraseIndex {
    fn default() -> Self {
        Self::new(PhraseSet::default())
    }
}

impl PhraseIndex {
    pub fn new(set: PhraseSet) -> Self {
        let mut literals: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        for (i, p) in set.0.iter().enumerate() {
            // One of the phrase's words must occur: the one whose shortest
            // spelling is longest ("a z ... dienstleistungen|leistungen"
            // is found by its alternatives, not by "a").
            let words: Vec<&String> = p
                .tokens
                .iter()
                .map(spellings)
                .filter(|w| !w.is_empty())
                .max_by_key(|w| w.iter().map(|s| s.len()).min().unwrap_or(0))
                .unwrap_or_default();
            for w in words {
                match literals.iter().position(|l| l == w) {
                    Some(k) => owners[k].push(i),
                    None => {
                        literals.push(w.clone());
                        owners.push(vec![i]);
                    }
                }
            }
        }
        // A few hundred short words: the DFA is small and the fastest scan.
        let scan = aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&literals)
            .ok();
        let quick: Vec<String> = literals
            .iter()
            .flat_map(|l| unfolded_spellings(l))
            .collect();
        let raw_scan = aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .ascii_case_insensitive(true)
            .build(&quick)
            .ok();
        PhraseIndex {
            set,
            scan,
            owners,
            raw_scan,
        }
    }

    /// Phrase indices whose chosen word occurs in folded text, ascending.
    fn matching_candidates(&self, folded: &str) -> Vec<usize> {
        let mut candidates: Vec<usize> = match &self.scan {
            Some(ac) => ac
                .find_overlapping_iter(folded)
                .flat_map(|m| {
                    self.owners
                        .get(m.pattern().as_usize())
                        .into_iter()
                        .flatten()
                        .copied()
                })
                .collect(),
            None => (0..self.set.0.len()).collect(),
        };
        candidates.sort_unstable();
        candidates.dedup();
        candidates
    }

    /// Every match of every phrase in a long folded text (a page's main
    /// text): one scan for the candidates, then only they are matched word
    /// by word. Overlapping matches of different phrases are all kept.
    pub fn find_all(&self, text: &Words) -> Vec<(usize, Range<usize>)> {
        let Some(ac) = &self.scan else {
            return Vec::new();
        };
        // Matches never cross a sentence mark: each candidate phrase is
        // matched only within the sentences where its word occurs.
        let bytes = text.text.as_bytes();
        let marks: Vec<usize> = bytes
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == SENTENCE_MARK as u8)
            .map(|(k, _)| k)
            .collect();
        let sentence_at = |at: usize| -> Range<usize> {
            let k = marks.partition_point(|&m| m < at);
            let start = k
                .checked_sub(1)
                .and_then(|j| marks.get(j))
                .map_or(0, |m| m + 1);
            let end = marks.get(k).copied().unwrap_or(bytes.len());
            start..end
        };
        let mut done: rustc_hash::FxHashSet<(usize, usize)> = Default::default();
        let mut out = Vec::new();
        let mut buf = Vec::new();
        for m in ac.find_overlapping_iter(text.text) {
            let span = sentence_at(m.start());
            for &i in self
                .owners
                .get(m.pattern().as_usize())
                .into_iter()
                .flatten()
            {
                if !done.insert((i, span.start)) {
                    continue;
                }
                let Some(p) = self.set.0.get(i) else {
                    continue;
                };
                let lo = text.ranges.partition_point(|w| w.start < span.start);
                let hi = text.ranges.partition_point(|w| w.start < span.end);
                buf.clear();
                p.find_all_in(&text.ranges[lo..hi], text.text, &mut buf);
                out.extend(buf.drain(..).map(|r| (i, r)));
            }
        }
        out.sort_by_key(|(i, r)| (r.start, *i));
        out.dedup();
        out
    }

    /// Whether unfolded text can hold any of the phrases (false: none can,
    /// and the text need not be folded). Text with letters beyond ASCII and
    /// German umlauts is always a candidate.
    pub fn may_match_raw(&self, raw: &str) -> bool {
        let Some(ac) = &self.raw_scan else {
            return true;
        };
        // Words a hyphen of omission leaves out ("An-, Um- und Abmeldung")
        // exist only in the folded text.
        if raw.contains("-,") || raw.contains("- ") {
            return true;
        }
        if raw.is_ascii() {
            return ac.is_match(raw);
        }
        if raw
            .chars()
            .any(|c| !c.is_ascii() && !matches!(c, 'ä' | 'ö' | 'ü' | 'ß' | 'Ä' | 'Ö' | 'Ü'))
        {
            return true;
        }
        ac.is_match(&raw.to_lowercase())
    }

    /// The indices (into `set`) of the phrases that occur in folded text,
    /// in ascending order.
    pub fn matching(&self, folded: &str) -> Vec<usize> {
        let mut candidates = self.matching_candidates(folded);
        if candidates.is_empty() {
            return candidates;
        }
        let ws = words(folded);
        candidates.retain(|&i| {
            self.set
                .0
                .get(i)
                .is_some_and(|p| p.find_in(&ws, folded).is_some())
        });
        candidates
    }
}

/// Split text into sentences (byte ranges of the original). German
/// abbreviations ("z. B.", "Nr.", "bzw.") make this imperfect; a sentence that
/// is cut too early only narrows a negation's scope, never widens it.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let end_here = match b {
            b'\n' => true,
            b'.' | b'!' | b'?' | b';' => {
                let next = bytes.get(i + 1).copied();
                let after_space = matches!(next, None | Some(b' ') | Some(b'\n'));
                // "Nr. 5", "z. B." : a one- or two-letter word before the dot
                // is more likely an abbreviation than a sentence end.
                let word_len = text[start..i]
                    .rsplit(|c: char| !c.is_alphanumeric())
                    .next()
                    .map(|w| w.chars().count())
                    .unwrap_or(0);
                let digit_before = i > 0 && bytes[i - 1].is_ascii_digit();
                after_space && (b != b'.' || (word_len > 2 && !digit_before))
            }
            _ => false,
        };
        if end_here {
            push_trimmed(text, start, i + 1, &mut out);
            start = i + 1;
        }
        i += 1;
    }
    push_trimmed(text, start, text.len(), &mut out);
    out
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<Range<usize>>) {
    let Some(s) = text.get(start..end) else {
        return;
    };
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if s.trim().is_empty() {
        return;
    }
    out.push(start + lead..end - trail);
}

/// Cut `s` to at most `max` chars on a char boundary, adding `…` when cut.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Collapse runs of whitespace into single spaces.
pub fn squash_ws(s: &str) -> String {
    fn join<'a>(words: impl Iterator<Item = &'a str>, cap: usize) -> String {
        let mut out = String::with_capacity(cap);
        for w in words {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
        }
        out
    }
    // Most text is ASCII: split by bytes then (the vertical tab is the one
    // ASCII character Unicode calls whitespace and the byte split does not).
    if s.is_ascii() && !s.contains('\x0b') {
        join(s.split_ascii_whitespace(), s.len())
    } else {
        join(s.split_whitespace(), s.len())
    }
}
