//! `ozgcheck`: a thin shell around the library. It parses the flags, sets up
//! logging on stderr and the tokio runtime, and turns failures into the
//! contract's exit codes (2 input, 3 runtime); all work happens in `cli`.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = ozgcheck::cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                // pdf-extract/lopdf complain about every odd PDF; that is
                // expected input, not something to warn a user about.
                .unwrap_or_else(|_| {
                    tracing_subscriber::EnvFilter::new("warn,pdf_extract=off,lopdf=off")
                }),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ozgcheck: cannot start the async runtime: {e}");
            return ExitCode::from(3);
        }
    };
    match runtime.block_on(ozgcheck::cli::run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("ozgcheck: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}
