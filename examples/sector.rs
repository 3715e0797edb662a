//! Prints the Verwaltung sector's detection scores on a labelled corpus:
//! `cargo run --release --example sector [-- DIR]` (default
//! `fixtures/verwaltung/cases`). Each case is served on loopback and
//! crawled for real; `OZGCHECK_WHY=1` shows what the pages showed of each miss.

#[path = "../tests/common/sector.rs"]
mod sector;

use std::path::PathBuf;
use std::sync::Arc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/verwaltung/cases")
        });
    let cat = match ozgcheck::catalogue::Catalogue::locate(None) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    match sector::evaluate(&dir, cat).await {
        Ok(out) => {
            print!("{}", sector::report(&out));
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::from(3)
        }
    }
}
