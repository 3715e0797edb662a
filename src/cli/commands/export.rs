//! `export warc`: a run's fetched documents as WARC 1.1; `export run` and
//! `import run`: a run bundle out of one database and into another.

use crate::cli::*;

pub(crate) fn warc_cmd(db: &Path, run: &str, output: &Path) -> Result<u8, Failure> {
    let store = open_existing(db)?;
    let run = find_run(&store, run)?;
    if crate::owner::asked().is_some() {
        // The asking process writes the file (see `ask_owner`).
        let mut buf = Vec::new();
        let n = crate::warc::export(&store, &run, &mut buf, &output.display().to_string())
            .map_err(Failure::runtime)?;
        write_bytes(None, &buf)?;
        say!(
            "{}",
            tr(
                format!("{n} WARC-Einträge von Lauf {}", run.id),
                format!("{n} WARC records of run {}", run.id)
            )
        );
        return Ok(0);
    }
    // Write to a temporary file first: a crash never leaves half a WARC
    // under the final name.
    let tmp = output.with_extension("partial");
    let file = std::fs::File::create(&tmp)
        .map_err(|e| Failure::runtime(format!("{}: {e}", tmp.display())))?;
    let mut w = std::io::BufWriter::new(file);
    let n = crate::warc::export(&store, &run, &mut w, &output.display().to_string())
        .map_err(Failure::runtime)?;
    w.flush()
        .map_err(|e| Failure::runtime(format!("{}: {e}", tmp.display())))?;
    drop(w);
    std::fs::rename(&tmp, output)
        .map_err(|e| Failure::runtime(format!("{}: {e}", output.display())))?;
    say!(
        "{}",
        tr(
            format!(
                "{}: {n} WARC-Einträge von Lauf {}",
                output.display(),
                run.id
            ),
            format!("{}: {n} WARC records of run {}", output.display(), run.id)
        )
    );
    Ok(0)
}

pub(crate) fn export_run_cmd(db: &Path, run: &str, output: &Path) -> Result<u8, Failure> {
    let store = open_existing(db)?;
    let run = find_run(&store, run)?;
    let fail = |e: crate::bundle::BundleError| Failure::runtime(tr(e.de(), e.to_string()));
    let n = if crate::owner::asked().is_some() {
        // The asking process writes the file (see `ask_owner`).
        let mut buf = Vec::new();
        let n = crate::bundle::export(&store, &run, &mut buf).map_err(fail)?;
        write_bytes(None, &buf)?;
        n
    } else {
        // Streamed through a temporary file: a large run is never held in
        // memory, and a crash never leaves half a bundle under its name.
        let tmp = output.with_extension("partial");
        let file =
            std::fs::File::create(&tmp).map_err(|e| Failure::runtime(cannot_write(&tmp, &e)))?;
        let n = crate::bundle::export(&store, &run, std::io::BufWriter::new(file)).map_err(fail)?;
        std::fs::rename(&tmp, output).map_err(|e| Failure::runtime(cannot_write(output, &e)))?;
        n
    };
    say!(
        "{}",
        tr(
            format!(
                "{}: Lauf {} ({}) mit {} Seiten, {} Befunden, {} Snapshots",
                output.display(),
                run.id,
                run.city,
                n.pages,
                n.findings,
                n.snapshots
            ),
            format!(
                "{}: run {} ({}) with {} pages, {} findings, {} snapshots",
                output.display(),
                run.id,
                run.city,
                n.pages,
                n.findings,
                n.snapshots
            )
        )
    );
    Ok(0)
}

pub(crate) fn import_run_cmd(db: &Path, files: &[PathBuf]) -> Result<u8, Failure> {
    let store = open_store(db)?;
    for f in files {
        if let Err(e) = std::fs::File::open(f) {
            return Err(Failure::input(cannot_read(f, &e)));
        }
        let (run, n) = crate::bundle::import(&store, f).map_err(|e| {
            let (de, en) = (e.de(), e.to_string());
            match e {
                crate::bundle::BundleError::Store(_) => Failure::runtime(tr(
                    format!("{}: {de}", f.display()),
                    format!("{}: {en}", f.display()),
                )),
                _ => Failure::input(tr(
                    format!("{}: {de}", f.display()),
                    format!("{}: {en}", f.display()),
                )),
            }
        })?;
        say!(
            "{}",
            tr(
                format!(
                    "{}: Lauf {} ({}) importiert: {} Seiten, {} Snapshots",
                    f.display(),
                    run.id,
                    run.city,
                    n.pages,
                    n.snapshots
                ),
                format!(
                    "{}: imported run {} ({}): {} pages, {} snapshots",
                    f.display(),
                    run.id,
                    run.city,
                    n.pages,
                    n.snapshots
                )
            )
        );
    }
    Ok(0)
}
