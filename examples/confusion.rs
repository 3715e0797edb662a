//! Prints the detector's confusion matrices on the labelled corpus:
//! `cargo run --release --example confusion [-- DIR]` (default
//! `fixtures/corpus`). Each case is served on loopback and crawled for real.

#[path = "../tests/common/corpus.rs"]
mod corpus;

use std::path::PathBuf;
use std::sync::Arc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus"));
    let cat = match ozgcheck::catalogue::Catalogue::locate(None) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    match corpus::evaluate(&dir, cat).await {
        Ok(out) => {
            print!("{}", corpus::confusion_report(&out));
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::from(3)
        }
    }
}
