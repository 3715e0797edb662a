//! `ozgcheck`: a thin shell around the library. It parses the flags, sets up
//! logging on stderr and the tokio runtime, and turns failures into the
//! contract's exit codes (2 input, 3 runtime); all work happens in `cli`.

use clap::Parser;
use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    cap_malloc_arenas();
    // German help summaries by default; English on request.
    let args: Vec<String> = std::env::args().collect();
    let cli = if ozgcheck::cli::wants_english(&args) {
        ozgcheck::cli::Cli::parse()
    } else {
        match ozgcheck::cli::parse_de(&args) {
            Ok(cli) => cli,
            Err((text, 0)) => {
                let _ = write!(std::io::stdout(), "{text}");
                return ExitCode::SUCCESS;
            }
            Err((text, _)) => {
                let _ = write!(std::io::stderr(), "{text}");
                return ExitCode::from(2);
            }
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(cli.log_filter()));
    // Colour only for a person at a terminal: cron and journald logs get
    // plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(ansi)
        .with_env_filter(filter);
    match cli.log_format {
        ozgcheck::cli::LogFormat::Json => builder.json().init(),
        ozgcheck::cli::LogFormat::Text => builder.init(),
    }
    // Few blocking threads: page processing takes cores + 2 (see `crawl`),
    // two more serve DNS and files. Every thread that allocates gets its
    // own malloc arena, so a large pool costs memory, not speed.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(cores + 4)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "ozgcheck: cannot start the async runtime: {e}"
            );
            return ExitCode::from(3);
        }
    };
    match runtime.block_on(ozgcheck::cli::run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            let _ = writeln!(std::io::stderr(), "ozgcheck: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// Two malloc arenas instead of glibc's eight per core: the crawl's threads
/// hand pages to each other, and memory freed in one arena is not reused by
/// another, so many arenas mean a high and rising peak RSS (see Cargo.toml).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn cap_malloc_arenas() {
    // SAFETY: mallopt only sets a malloc parameter; it is called before any
    // other thread exists, and a refusal (return 0) leaves the default.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn cap_malloc_arenas() {}
