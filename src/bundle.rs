//! Run bundles: one run with everything that backs its claims — the run
//! record, its page records, findings, verdicts and the snapshots they
//! name — in one portable, versioned file, so a run crawled on one machine
//! (a shard of a survey, a laptop) can join another database.
//!
//! The file is zstd-compressed JSON lines: a header naming the schema
//! (`ozgcheck/run-bundle/v1`) and the run, one line per page, findings,
//! snapshot (base64) and the verdicts, and a trailer with the counts. An
//! import reads the whole bundle and checks every snapshot's hash and the
//! trailer before it writes anything, so a truncated or altered file never
//! leaves half a run behind.

use crate::detect::{PageFindings, ServiceVerdict};
use crate::store::{PageRecord, RunRecord, Store, StoreError, SurveyCity, SurveyRecord};
use crate::types::{RunId, SnapshotId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io::{BufRead, Read, Write};

pub const SCHEMA: &str = "ozgcheck/run-bundle/v1";

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("line {line}: {why}")]
    Invalid { line: usize, why: String },
    #[error("run {0} is already in this database")]
    Exists(String),
}

impl BundleError {
    /// The error in German words.
    pub fn de(&self) -> String {
        match self {
            BundleError::Store(e) => e.de(),
            BundleError::Io(e) => e.to_string(),
            BundleError::Invalid { line, why } => format!("Zeile {line}: {why}"),
            BundleError::Exists(id) => format!("Lauf {id} ist schon in dieser Datenbank"),
        }
    }
}

/// One line of a bundle.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Line {
    Header {
        schema: String,
        run: Box<RunRecord>,
        /// The survey the run belongs to, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        survey: Option<SurveyOf>,
    },
    Page(Box<PageRecord>),
    Findings(Box<PageFindings>),
    Snapshot {
        id: SnapshotId,
        base64: String,
    },
    Verdicts(Vec<ServiceVerdict>),
    End {
        pages: usize,
        findings: usize,
        snapshots: usize,
    },
}

/// Which survey a bundled run belongs to.
#[derive(Serialize, Deserialize, Clone)]
struct SurveyOf {
    id: RunId,
    name: String,
    model: String,
    started_at: jiff::Timestamp,
}

fn write_line(w: &mut impl Write, line: &Line) -> std::io::Result<()> {
    serde_json::to_writer(&mut *w, line)?;
    w.write_all(b"\n")
}

/// What an export or import moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub pages: usize,
    pub findings: usize,
    pub snapshots: usize,
}

/// Write `run` with its pages, findings, verdicts and snapshots to `out`.
pub fn export(store: &Store, run: &RunRecord, out: impl Write) -> Result<Counts, BundleError> {
    let mut w = zstd::Encoder::new(out, 3)?;
    let survey = store
        .surveys()?
        .into_iter()
        .rfind(|s| s.cities.iter().any(|c| c.run.as_ref() == Some(&run.id)))
        .map(|s| SurveyOf {
            id: s.id,
            name: s.name,
            model: s.model,
            started_at: s.started_at,
        });
    write_line(
        &mut w,
        &Line::Header {
            schema: SCHEMA.to_string(),
            run: Box::new(run.clone()),
            survey,
        },
    )?;
    let pages = store.pages(&run.id)?;
    let findings = store.findings(&run.id)?;
    let mut snapshots = BTreeSet::new();
    for p in &pages {
        if let Some(s) = &p.snapshot {
            snapshots.insert(s.clone());
        }
        write_line(&mut w, &Line::Page(Box::new(p.clone())))?;
    }
    for f in &findings {
        snapshots.insert(f.snapshot.clone());
        write_line(&mut w, &Line::Findings(Box::new(f.clone())))?;
    }
    let mut written = 0;
    for id in &snapshots {
        if let Some(bytes) = store.snapshot(id)? {
            let base64 = data_encoding::BASE64.encode(&bytes);
            write_line(
                &mut w,
                &Line::Snapshot {
                    id: id.clone(),
                    base64,
                },
            )?;
            written += 1;
        }
    }
    write_line(&mut w, &Line::Verdicts(store.verdicts(&run.id)?))?;
    let counts = Counts {
        pages: pages.len(),
        findings: findings.len(),
        snapshots: written,
    };
    write_line(
        &mut w,
        &Line::End {
            pages: counts.pages,
            findings: counts.findings,
            snapshots: counts.snapshots,
        },
    )?;
    w.finish()?.flush()?;
    Ok(counts)
}

/// Longest line read (a snapshot of the store's largest size in base64,
/// with room to spare): a hostile file cannot make a line take all memory.
const MAX_LINE: u64 = 128 * 1024 * 1024;

/// Read a bundle's lines in order, checking each (its JSON, the header
/// first and once, nothing after the trailer, a snapshot's bytes against
/// its hash) before `visit` sees it, a snapshot with its decoded bytes.
fn read_lines(
    input: impl std::io::Read,
    visit: &mut dyn FnMut(Line, Option<Vec<u8>>) -> Result<(), BundleError>,
) -> Result<(), BundleError> {
    let invalid = |line: usize, why: String| BundleError::Invalid { line, why };
    let mut r = std::io::BufReader::new(zstd::Decoder::new(input)?);
    let mut buf = Vec::new();
    let mut ended = false;
    for n in 1.. {
        buf.clear();
        let read = (&mut r).take(MAX_LINE).read_until(b'\n', &mut buf)?;
        if read == 0 {
            return Ok(());
        }
        if read as u64 == MAX_LINE && buf.last() != Some(&b'\n') {
            return Err(invalid(n, format!("line longer than {MAX_LINE} bytes")));
        }
        if ended {
            return Err(invalid(n, "data after the end of the bundle".into()));
        }
        let line: Line = serde_json::from_slice(&buf).map_err(|e| invalid(n, e.to_string()))?;
        let mut bytes = None;
        match &line {
            Line::Header { schema, .. } if n == 1 && schema != SCHEMA => {
                return Err(invalid(
                    n,
                    format!("schema {schema:?}; this ozgcheck reads {SCHEMA}"),
                ))
            }
            Line::Header { .. } if n == 1 => {}
            _ if n == 1 => return Err(invalid(n, "not an ozgcheck run bundle".into())),
            Line::Header { .. } => return Err(invalid(n, "a second header".into())),
            Line::Snapshot { id, base64 } => {
                let decoded = data_encoding::BASE64
                    .decode(base64.as_bytes())
                    .map_err(|e| invalid(n, e.to_string()))?;
                if &SnapshotId::of(&decoded) != id {
                    return Err(invalid(
                        n,
                        format!("snapshot {id} does not match its bytes"),
                    ));
                }
                bytes = Some(decoded);
            }
            Line::End { .. } => ended = true,
            _ => {}
        }
        visit(line, bytes)?;
    }
    Ok(())
}

/// Read the bundle at `path` into `store`. A first pass checks all of it
/// (every line, snapshot hashes, the trailer's counts) and keeps nothing; a
/// run already in the database is refused; only then a second pass writes,
/// so a damaged file never leaves half a run behind and a large run is
/// never held in memory.
pub fn import(store: &Store, path: &std::path::Path) -> Result<(RunRecord, Counts), BundleError> {
    let mut head: Option<(RunRecord, Option<SurveyOf>)> = None;
    let mut seen = Counts::default();
    let mut end = None;
    read_lines(std::fs::File::open(path)?, &mut |line, _| {
        match line {
            Line::Header { run, survey, .. } => head = Some((*run, survey)),
            Line::Page(_) => seen.pages += 1,
            Line::Findings(_) => seen.findings += 1,
            Line::Snapshot { .. } => seen.snapshots += 1,
            Line::Verdicts(_) => {}
            Line::End {
                pages,
                findings,
                snapshots,
            } => end = Some((pages, findings, snapshots)),
        }
        Ok(())
    })?;
    let invalid = |why: &str| BundleError::Invalid {
        line: 0,
        why: why.to_string(),
    };
    let (run, survey) = head.ok_or_else(|| invalid("empty bundle"))?;
    if end != Some((seen.pages, seen.findings, seen.snapshots)) {
        return Err(invalid(
            "the bundle is incomplete (no trailer, or its counts differ)",
        ));
    }
    if store.run(&run.id)?.is_some() {
        return Err(BundleError::Exists(run.id.to_string()));
    }
    read_lines(std::fs::File::open(path)?, &mut |line, bytes| {
        match line {
            Line::Page(p) => store.put_page(&run.id, &p)?,
            Line::Findings(f) => store.put_findings(&run.id, &f)?,
            Line::Snapshot { .. } => {
                if let Some(b) = bytes {
                    store.put_snapshot(&b)?;
                }
            }
            Line::Verdicts(v) => store.put_verdicts(&run.id, &v)?,
            Line::Header { .. } | Line::End { .. } => {}
        }
        Ok(())
    })?;
    // The run record last: until it is written, nothing names the rest.
    store.put_run(&run)?;
    if let Some(s) = survey {
        join_survey(store, s, &run)?;
    }
    store.flush()?;
    Ok((run, seen))
}

/// Add an imported run to its survey in this database (created on the
/// first import of the survey): the shards of a survey merge so.
fn join_survey(store: &Store, s: SurveyOf, run: &RunRecord) -> Result<(), StoreError> {
    let mut record = store
        .surveys()?
        .into_iter()
        .find(|r| r.id == s.id)
        .unwrap_or(SurveyRecord {
            id: s.id,
            name: s.name,
            model: s.model,
            started_at: s.started_at,
            finished_at: None,
            cities: Vec::new(),
        });
    let entry = SurveyCity {
        name: run.city.clone(),
        state: run.state,
        profile: String::new(),
        run: Some(run.id.clone()),
    };
    match record.cities.iter_mut().find(|c| c.name == run.city) {
        Some(c) => c.run = entry.run,
        None => record.cities.push(entry),
    }
    store.put_survey(&record)
}
