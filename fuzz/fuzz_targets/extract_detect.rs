//! Hostile HTML (any bytes, any declared charset) through decoding,
//! extraction and detection: must never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ozgcheck::analysis::{findings_of, CityScope};
use ozgcheck::catalogue::Catalogue;
use ozgcheck::extract::{decode, Extractor};
use ozgcheck::types::{SnapshotId, State};
use std::sync::OnceLock;

static CAT: OnceLock<Option<(Catalogue, Extractor)>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Some((cat, ex)) = CAT.get_or_init(|| {
        Catalogue::embedded().ok().map(|c| {
            let e = Extractor::new(&c.page);
            (c, e)
        })
    }) else {
        return;
    };
    let (ct, body) = match data.split_first() {
        Some((0, rest)) => (Some("text/html; charset=iso-8859-1"), rest),
        Some((1, rest)) => (Some("text/html; charset=utf-8"), rest),
        Some((_, rest)) => (None, rest),
        None => (None, data),
    };
    let text = decode(body, ct);
    let Ok(url) = url::Url::parse("https://www.fuzz.de/buergerservice/elterngeld.html") else {
        return;
    };
    let page = ex.page(&text, &url);
    let scope = CityScope {
        name: "Fuzz".to_string(),
        state: State::NW,
        hosts: vec!["*.fuzz.de".to_string()],
    };
    let f = findings_of(
        cat,
        &scope,
        &page,
        &url,
        jiff::Timestamp::UNIX_EPOCH,
        &SnapshotId::of(body),
    );
    let _ = ozgcheck::detect::verdicts(cat, &[f], &|_, _| ozgcheck::detect::Liveness::Alive);
});
