//! Excerpts: the sentence around a signal, the matched span marked.

use super::*;

/// A whole sentence as an excerpt, marked.
pub(super) fn clip_marked(sentence: &str) -> String {
    format!(
        "{MARK_OPEN}{}{MARK_CLOSE}",
        clip(sentence.trim(), EXCERPT_MAX)
    )
}

/// `folded` is `original` folded.
pub(super) fn excerpt_around(original: &str, folded: &Folded, r: &Range<usize>) -> String {
    let o = folded.original_range(r);
    let s = folded
        .sentences()
        .iter()
        .find(|s| s.start <= o.start && o.start < s.end)
        .cloned()
        .unwrap_or(o.clone());
    excerpt_marked(original, &s, &o)
}

/// The sentence range with `mark` highlighted, clipped around the mark.
pub(super) fn excerpt_marked(text: &str, sentence: &Range<usize>, mark: &Range<usize>) -> String {
    let s = sentence.start.min(mark.start);
    let e = sentence.end.max(mark.end).min(text.len());
    let (Some(before), Some(marked), Some(after)) = (
        text.get(s..mark.start),
        text.get(mark.start..mark.end.min(e)),
        text.get(mark.end.min(e)..e),
    ) else {
        return clip(
            &crate::text::squash_ws(text.get(s..e).unwrap_or_default()),
            EXCERPT_MAX,
        );
    };
    let marked = crate::text::squash_ws(marked);
    let before = crate::text::squash_ws(before);
    let after = crate::text::squash_ws(after);
    let budget = EXCERPT_MAX.saturating_sub(marked.chars().count()) / 2;
    let before = tail_chars(&before, budget);
    let after = clip(&after, budget.max(1));
    // Keep the page's own spacing around the mark ("Kita-Portal" stays one word).
    let space_before = text
        .get(..mark.start)
        .is_some_and(|t| t.ends_with(char::is_whitespace));
    let space_after = text
        .get(mark.end.min(e)..)
        .is_some_and(|t| t.starts_with(char::is_whitespace));
    let mut out = String::new();
    out.push_str(&before);
    if !before.is_empty() && space_before {
        out.push(' ');
    }
    out.push_str(MARK_OPEN);
    out.push_str(&marked);
    out.push_str(MARK_CLOSE);
    if !after.is_empty() {
        if space_after {
            out.push(' ');
        }
        out.push_str(&after);
    }
    out
}

/// A form's excerpt: the sentence before it, then its last line (usually the
/// submit button) marked, instead of every field label.
pub(super) fn form_excerpt(text: &str, sents: &[Range<usize>], form: &Range<usize>) -> String {
    let body = text.get(form.clone()).unwrap_or_default();
    let last = body
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let before = sents
        .iter()
        .rev()
        .find(|s| s.end <= form.start)
        .and_then(|s| text.get(s.clone()))
        .map(crate::text::squash_ws)
        .unwrap_or_default();
    let mut out = clip(&before, EXCERPT_MAX / 2);
    if !out.is_empty() {
        out.push_str(" … ");
    }
    out.push_str(MARK_OPEN);
    out.push_str(&clip(&crate::text::squash_ws(last), 120));
    out.push_str(MARK_CLOSE);
    out
}

pub(super) fn tail_chars(s: &str, n: usize) -> String {
    let count = s.chars().count();
    if count <= n {
        return s.to_string();
    }
    let mut out = String::from("…");
    out.extend(s.chars().skip(count - n.saturating_sub(1)));
    out
}
