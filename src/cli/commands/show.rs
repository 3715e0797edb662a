//! `show`: a stored snapshot's bytes.

use crate::cli::*;

pub(crate) fn show_cmd(db: &Path, args: ShowArgs) -> Result<u8, Failure> {
    let id = args.snapshot.trim();
    if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Failure::input(tr(
            format!("{id:?} ist keine Snapshot-Kennung (64 Hexadezimalziffern)"),
            format!("{id:?} is not a snapshot id (64 hex digits)"),
        )));
    }
    let store = open_existing(db)?;
    let bytes = store
        .snapshot(&crate::types::SnapshotId::from_stored(
            &id.to_ascii_lowercase(),
        ))?
        .ok_or_else(|| {
            Failure::input(tr(
                format!("kein Snapshot {id} in {}", db.display()),
                format!("no snapshot {id} in {}", db.display()),
            ))
        })?;
    write_bytes(args.output.as_deref(), &bytes)?;
    Ok(0)
}
