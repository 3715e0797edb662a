//! `gc`: delete old runs and the snapshots no run needs any more.

use crate::cli::*;

fn parse_age(s: &str) -> Result<jiff::SignedDuration, Failure> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: i64 = n.parse().map_err(|_| {
        Failure::input(tr(
            format!("--older-than {s:?}: z. B. 90d, 12w, 6mo, 48h"),
            format!("--older-than {s:?}: e.g. 90d, 12w, 6mo, 48h"),
        ))
    })?;
    let hours = match unit {
        "h" => n,
        "d" => n * 24,
        "w" => n * 24 * 7,
        "mo" => n * 24 * 30,
        "y" => n * 24 * 365,
        _ => {
            return Err(Failure::input(tr(
                format!("--older-than {s:?}: Einheit h, d, w, mo oder y"),
                format!("--older-than {s:?}: unit h, d, w, mo or y"),
            )))
        }
    };
    Ok(jiff::SignedDuration::from_hours(hours))
}

pub(crate) fn gc_cmd(db: &Path, args: GcArgs) -> Result<u8, Failure> {
    if args.keep_last.is_none() && args.older_than.is_none() {
        return Err(Failure::input(tr(
            "gc braucht --keep-last N oder --older-than DAUER",
            "gc needs --keep-last N or --older-than DURATION",
        )));
    }
    let age = args.older_than.as_deref().map(parse_age).transpose()?;
    let store = open_existing(db)?;
    let runs = store.runs()?;
    let now = jiff::Timestamp::now();
    let mut doomed = Vec::new();
    let mut per_city: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for r in runs.iter().rev() {
        let nth = per_city.entry(r.city.as_str()).or_default();
        *nth += 1;
        let old = match (args.keep_last, age) {
            (Some(k), _) => *nth > k,
            (None, Some(a)) => now.duration_since(r.started_at) > a,
            _ => false,
        };
        if old && (r.label.is_none() || args.force) {
            doomed.push(r.id.clone());
        }
    }
    let report = store.gc(&doomed, args.dry_run)?;
    let mb = num1(report.bytes_reclaimed as f64 / 1e6);
    say!(
        "{}",
        tr(
            format!(
                "{}{} Läufe gelöscht, {} Snapshots gelöscht, {mb} MB Snapshot-Daten frei; {} Läufe behalten",
                if args.dry_run { "Probelauf: " } else { "" },
                doomed.len(),
                report.snapshots_deleted,
                runs.len() - doomed.len()
            ),
            format!(
                "{}{} runs deleted, {} snapshots deleted, {mb} MB of snapshot data reclaimed; {} runs kept",
                if args.dry_run { "dry run: " } else { "" },
                doomed.len(),
                report.snapshots_deleted,
                runs.len() - doomed.len()
            )
        )
    );
    Ok(0)
}
