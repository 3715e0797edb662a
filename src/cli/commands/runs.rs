//! `runs`: the runs in the database, filtered by city and day.

use crate::cli::*;

pub(crate) fn runs_cmd(db: &Path, args: RunsArgs) -> Result<u8, Failure> {
    let day = |d: &Option<String>, flag: &str| -> Result<Option<jiff::civil::Date>, Failure> {
        d.as_deref()
            .map(|s| {
                crate::store::parse_day(s).ok_or_else(|| {
                    Failure::input(tr(
                        format!("{flag} {s:?}: ein Tag wie 01.12.2026 oder 2026-12-01"),
                        format!("{flag} {s:?}: a day such as 2026-12-01 or 01.12.2026"),
                    ))
                })
            })
            .transpose()
    };
    let (since, until) = (day(&args.since, "--since")?, day(&args.until, "--until")?);
    let store = open_existing(db)?;
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap_or(jiff::tz::TimeZone::UTC);
    let runs: Vec<RunRecord> = store
        .runs()?
        .into_iter()
        .filter(|r| {
            args.city
                .as_deref()
                .is_none_or(|c| r.city.eq_ignore_ascii_case(c))
        })
        .filter(|r| {
            let d = r.started_at.to_zoned(tz.clone()).date();
            since.is_none_or(|s| d >= s) && until.is_none_or(|u| d <= u)
        })
        .collect();
    let mut rows = Vec::new();
    for r in &runs {
        let online = store
            .verdicts(&r.id)?
            .iter()
            .filter(|v| v.level >= report::ONLINE_FROM)
            .count();
        rows.push((r, online));
    }
    let text = match args.format {
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = rows
                .iter()
                .map(|(r, online)| {
                    serde_json::json!({
                        "run": report::RunHeader::of(r),
                        "services_online": online,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&list).unwrap_or_default() + "\n"
        }
        ListFormat::Table => {
            let mut t = format!(
                "{:<24} {:<16} {:<20} {:>8} {:<11} {:>6} {:>7}  {}\n",
                "RUN", "CITY", "STARTED", "SECONDS", "STATUS", "PAGES", "ONLINE", "LABEL"
            );
            for (r, online) in &rows {
                let secs = r
                    .finished_at
                    .map(|f| {
                        format!(
                            "{:.0}",
                            (f.as_millisecond() - r.started_at.as_millisecond()) as f64 / 1000.0
                        )
                    })
                    .unwrap_or_else(|| "–".into());
                t.push_str(&format!(
                    "{:<24} {:<16} {:<20} {:>8} {:<11} {:>6} {:>7}  {}\n",
                    r.id,
                    crate::text::clip(&r.city, 16),
                    report::rfc3339(r.started_at),
                    secs,
                    r.status.public(),
                    r.stats.pages_fetched,
                    online,
                    match &r.reanalysis {
                        Some(re) => format!(
                            "{}[reanalysis of {}]",
                            r.label
                                .as_deref()
                                .map(|l| format!("{l} "))
                                .unwrap_or_default(),
                            re.source
                        ),
                        None => r.label.clone().unwrap_or_default(),
                    }
                ));
            }
            if rows.is_empty() {
                t.push_str("(no runs yet)\n");
            }
            t
        }
    };
    write_output(None, &text)?;
    Ok(0)
}
