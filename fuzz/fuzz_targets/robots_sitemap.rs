//! Any bytes as robots.txt and as a (possibly gzipped) sitemap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ozgcheck::crawl::robots::Rules;
use ozgcheck::crawl::sitemap;

fuzz_target!(|data: &[u8]| {
    let rules = Rules::from_response(Some(200), data);
    let _ = rules.allowed("https://www.fuzz.de/buergerservice/elterngeld.html");
    let _ = rules.crawl_delay();
    let _ = rules.sitemaps();
    if let Ok(xml) = sitemap::maybe_gunzip(data) {
        let s = sitemap::parse(&xml);
        assert!(s.locs.len() <= sitemap::MAX_LOCS);
    }
});
