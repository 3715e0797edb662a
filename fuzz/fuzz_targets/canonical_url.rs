//! Any string as a link target: resolution, canonicalisation and the trap
//! guard must never panic, and canonicalising twice changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ozgcheck::catalogue::Catalogue;
use ozgcheck::crawl::url::{canonical, TrapGuard};
use std::sync::OnceLock;

static CAT: OnceLock<Option<Catalogue>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Some(cat) = CAT.get_or_init(|| Catalogue::embedded().ok()) else {
        return;
    };
    let href = String::from_utf8_lossy(data);
    let Ok(base) = url::Url::parse("https://www.fuzz.de/a/b/c.html?x=1") else {
        return;
    };
    let Some(u) = ozgcheck::extract::resolve(&base, &href) else {
        return;
    };
    if let Some(c) = canonical(&u, &cat.crawl) {
        let again = canonical(&c, &cat.crawl);
        assert_eq!(again.as_ref().map(|u| u.as_str()), Some(c.as_str()), "canonical form is stable");
        let _ = TrapGuard::default().check(&c, &cat.crawl);
    }
});
