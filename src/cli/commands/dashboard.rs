//! `dashboard import|fetch`: the federal OZG dashboard's export of a city.

use crate::cli::*;

pub(crate) fn valid_ars(a: &str) -> Result<String, Failure> {
    let a = a.trim();
    if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) {
        Ok(a.to_string())
    } else {
        Err(Failure::input(tr(
            format!("ARS {a:?}: der Amtliche Regionalschlüssel hat 12 Ziffern"),
            format!("ARS {a:?} must be the 12-digit Amtlicher Regionalschlüssel"),
        )))
    }
}

fn export_date(d: Option<String>) -> Result<String, Failure> {
    match d {
        Some(d) => d
            .parse::<jiff::civil::Date>()
            .map(|x| x.to_string())
            .map_err(|e| Failure::input(format!("--date {d:?}: {e}"))),
        None => Ok(jiff::Zoned::now().date().to_string()),
    }
}

pub(crate) async fn dashboard_cmd(db: &Path, cmd: DashboardCmd) -> Result<u8, Failure> {
    let (source, text, ars_arg, date) = match cmd {
        DashboardCmd::Import { file, ars, date } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Failure::input(cannot_read(&file, &e)))?;
            (file.display().to_string(), text, ars, date)
        }
        DashboardCmd::Fetch { ars, url, date } => {
            let ars = valid_ars(&ars)?;
            let target = url.replace("{ars}", &ars);
            let u = url::Url::parse(&target)
                .map_err(|e| Failure::input(format!("--url {target:?}: {e}")))?;
            let client = crate::crawl::fetch::client(&crate::crawl::fetch::ClientConfig {
                user_agent: crawl::default_user_agent(),
                resolve: Vec::new(),
                connect_timeout: std::time::Duration::from_secs(10),
                read_timeout: std::time::Duration::from_secs(30),
                total_timeout: std::time::Duration::from_secs(120),
            })
            .map_err(Failure::runtime)?;
            let resp = crate::crawl::fetch::get(
                &client,
                &u,
                64 * 1024 * 1024,
                None,
                crate::crawl::fetch::MinRate::NONE,
            )
            .await
            .map_err(|e| Failure::runtime(format!("{target}: {e}")))?;
            if resp.status != 200 {
                return Err(Failure::runtime(format!("{target}: HTTP {}", resp.status)));
            }
            (
                target,
                String::from_utf8_lossy(&resp.body).into_owned(),
                Some(ars),
                date,
            )
        }
    };
    let (file_ars, rows) = crate::audit::read_dashboard(&source, &text)?;
    let ars = match ars_arg.or(file_ars) {
        Some(a) => valid_ars(&a)?,
        None => {
            return Err(Failure::input(tr(
                format!("{source}: keine Spalte `ars`; --ars angeben"),
                format!("{source}: no `ars` column; pass --ars"),
            )))
        }
    };
    let date = export_date(date)?;
    let store = open_store(db)?;
    let n = rows.len();
    let online = rows.iter().filter(|r| crate::audit::row_online(r)).count();
    store.put_dashboard(&crate::store::DashboardImport {
        ars: ars.clone(),
        date: date.clone(),
        source,
        rows,
    })?;
    say!(
        "{}",
        tr(
            format!("Dashboard {ars} ({date}): {n} Zeilen importiert, {online} online; ihre URLs prüft der nächste Crawl"),
            format!("dashboard {ars} ({date}): {n} rows imported, {online} online; their URLs are checked by the next crawl")
        )
    );
    Ok(0)
}
