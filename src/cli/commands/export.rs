//! `export warc`: a run's fetched documents as WARC 1.1.

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
