//! Peer for bench/run.sh: a minimal crawler on the spider crate (default
//! features), as a user would write it from the crate's README.
//!
//!     spider-peer URL [CONCURRENCY]     (default concurrency 16, like the others)
//!
//! Prints the number of pages spider reports as visited. bench/run.sh counts
//! pages from nginx's access log instead: this count has been seen to stop
//! short of what was fetched.

use spider::tokio;
use spider::website::Website;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| "http://127.0.0.1:8089/".into());
    let concurrency: usize = args.next().and_then(|c| c.parse().ok()).unwrap_or(16);

    let mut website = Website::new(&url);
    website
        .with_respect_robots_txt(true)
        .with_concurrency_limit(Some(concurrency));
    website.crawl().await;

    let visited = website.get_all_links_visited().await;
    println!("spider-rs: {} pages visited", visited.len());
}
