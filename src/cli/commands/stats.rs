//! `stats`: the database's size, runs, records and snapshot dedup.

use crate::cli::*;

pub(crate) fn stats_cmd(db: &Path) -> Result<u8, Failure> {
    let store = open_existing(db)?;
    let s = store.stats()?;
    let text = format!(
        "database        {}\nsize on disk    {:.1} MB\nruns            {}\npage records    {}\n\
         snapshots       {} ({:.1} MB compressed)\n\
         dedup ratio     {:.2} (page records with a snapshot per stored snapshot)\n",
        db.display(),
        s.disk_bytes as f64 / 1e6,
        s.runs,
        s.page_records,
        s.snapshots,
        s.snapshot_bytes as f64 / 1e6,
        s.pages_with_snapshot as f64 / s.snapshots.max(1) as f64
    );
    write_output(None, &text)?;
    Ok(0)
}
