//! The pre-submission audit: claims (the city's planned answers or the
//! survey's published ones) and the federal OZG dashboard's rows, compared
//! service by service with the crawled evidence; and the proof pack a city
//! attaches to its reply to the survey team.
//!
//! Reads the store and files; the dashboard URLs' liveness comes from the
//! run's own records (the crawl checks them), so no request is sent here.

use crate::analysis::LivenessIndex;
use crate::catalogue::{Catalogue, LoadError, Problem};
use crate::detect::{Basis, Liveness, ServiceVerdict};
use crate::extract::Extractor;
use crate::report::{EvidenceOut, RunHeader};
use crate::store::{DashboardImport, DashboardRow, PageRecord, RunRecord, Store, StoreError};
use crate::text::fold;
use crate::types::{Level, ServiceId};
use serde::Serialize;
use sha2::Digest;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

// ---- claims sheet ----

/// One row of the claims sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub service: ServiceId,
    pub claimed: bool,
    pub note: String,
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "ja" | "yes" | "true" | "1" => Some(true),
        "nein" | "no" | "false" | "0" => Some(false),
        _ => None,
    }
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    let text = text.trim_start_matches('\u{feff}');
    // German Excel writes `;`; everything else `,`.
    let first = text.lines().next().unwrap_or_default();
    let delim = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes())
}

/// Read a claims CSV (`service,claimed,note`); errors name file and line.
/// Rows for the Verwaltung sector's parameters (`indicator/parameter`) are
/// left out; [`read_claim_sheet`] reads both.
pub fn read_claims(name: &str, text: &str, cat: &Catalogue) -> Result<Vec<Claim>, LoadError> {
    read_claim_sheet(name, text, cat).map(|s| s.services)
}

/// A claims sheet: services, and the Verwaltung sector's parameters.
#[derive(Debug, Clone, Default)]
pub struct ClaimSheet {
    pub services: Vec<Claim>,
    pub parameters: Vec<crate::verwaltung::audit::ParameterClaim>,
}

/// Read a claims CSV whose `service` column may also name a parameter of
/// the Verwaltung sector as `indicator/parameter` (ids or names, e.g.
/// `online-terminvergabe/standesamt`).
pub fn read_claim_sheet(name: &str, text: &str, cat: &Catalogue) -> Result<ClaimSheet, LoadError> {
    let mut rd = csv_reader(text);
    let mut problems = Vec::new();
    let headers = rd.headers().cloned().unwrap_or_default();
    let col = |n: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(n));
    let (Some(cs), Some(cc)) = (col("service"), col("claimed")) else {
        return Err(LoadError::Invalid(vec![Problem {
            file: name.into(),
            line: 1,
            message: "header must name the columns service,claimed[,note]".into(),
            german: None,
        }]));
    };
    let cn = col("note");
    let mut out: Vec<Claim> = Vec::new();
    let mut parameters: Vec<crate::verwaltung::audit::ParameterClaim> = Vec::new();
    for rec in rd.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                problems.push(Problem {
                    file: name.into(),
                    line,
                    message: e.to_string(),
                    german: None,
                });
                continue;
            }
        };
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        let svc = rec.get(cs).unwrap_or_default();
        if svc.contains('/') {
            let claimed = parse_bool(rec.get(cc).unwrap_or_default());
            let note = cn.and_then(|c| rec.get(c)).unwrap_or_default();
            match crate::verwaltung::audit::claim_of(
                &cat.verwaltung,
                svc,
                claimed,
                note,
                &parameters,
            ) {
                Ok(c) => parameters.push(c),
                Err(message) => problems.push(Problem {
                    file: name.into(),
                    line,
                    message,
                    german: None,
                }),
            }
            continue;
        }
        // An id ("elterngeld") or the service's name ("Elterngeld"), in
        // any case, as people type it into a sheet.
        let by_name = cat
            .services
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(svc) || s.id.as_str().eq_ignore_ascii_case(svc))
            .map(|s| s.id.clone());
        let id = match by_name {
            Some(id) => id,
            None => {
                problems.push(Problem {
                    file: name.into(),
                    line,
                    message: format!(
                        "unknown service {svc:?} (an id or name as in `ozgcheck catalogue list`, e.g. elterngeld or Elterngeld)"
                    ),
                    german: None,
                });
                continue;
            }
        };
        let Some(claimed) = parse_bool(rec.get(cc).unwrap_or_default()) else {
            problems.push(Problem {
                file: name.into(),
                line,
                message: format!(
                    "claimed {:?}: use ja/nein/yes/no/true/false/1/0",
                    rec.get(cc).unwrap_or_default()
                ),
                german: None,
            });
            continue;
        };
        if out.iter().any(|c| c.service == id) {
            problems.push(Problem {
                file: name.into(),
                line,
                message: format!("service {id} is claimed twice"),
                german: None,
            });
            continue;
        }
        out.push(Claim {
            service: id,
            claimed,
            note: cn.and_then(|c| rec.get(c)).unwrap_or_default().to_string(),
        });
    }
    if problems.is_empty() {
        Ok(ClaimSheet {
            services: out,
            parameters,
        })
    } else {
        Err(LoadError::Invalid(problems))
    }
}

// ---- dashboard export ----

const DASHBOARD_FIELDS: [&str; 8] = [
    "leika_key",
    "leika_name",
    "ozgid",
    "ozg_bezeichnung",
    "url",
    "online_status",
    "aktiv",
    "art_flaechendeckung",
];

/// Read a dashboard export (CSV or JSON: an array of objects, or an object
/// with a `data`/`rows`/`items` array). Unknown extra columns are ignored;
/// bad rows are reported with their line (CSV) or index (JSON).
pub fn read_dashboard(
    name: &str,
    text: &str,
) -> Result<(Option<String>, Vec<DashboardRow>), LoadError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    let mut ars = None;
    let mut push =
        |line: usize, get: &dyn Fn(&str) -> Option<String>, problems: &mut Vec<Problem>| {
            if let Some(a) = get("ars").filter(|a| !a.is_empty()) {
                ars.get_or_insert(a);
            }
            let v = |k: &str| get(k).unwrap_or_default();
            if v("leika_name").is_empty() && v("ozg_bezeichnung").is_empty() {
                problems.push(Problem {
                    file: name.into(),
                    line,
                    message: "row has neither leika_name nor ozg_bezeichnung".into(),
                    german: None,
                });
                return;
            }
            rows.push(DashboardRow {
                line,
                leika_key: v("leika_key"),
                leika_name: v("leika_name"),
                ozgid: v("ozgid"),
                ozg_bezeichnung: v("ozg_bezeichnung"),
                url: v("url"),
                online_status: v("online_status"),
                aktiv: v("aktiv"),
                art_flaechendeckung: v("art_flaechendeckung"),
            });
        };
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(trimmed).map_err(|e| {
            LoadError::Invalid(vec![Problem {
                file: name.into(),
                line: e.line(),
                message: e.to_string(),
                german: None,
            }])
        })?;
        let list = match &value {
            serde_json::Value::Array(a) => a.clone(),
            serde_json::Value::Object(o) => ["data", "rows", "items", "leistungen"]
                .iter()
                .find_map(|k| o.get(*k).and_then(|v| v.as_array()).cloned())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        for (i, item) in list.iter().enumerate() {
            let Some(obj) = item.as_object() else {
                problems.push(Problem {
                    file: name.into(),
                    line: i + 1,
                    message: format!("entry {} is not an object", i + 1),
                    german: None,
                });
                continue;
            };
            let get = |k: &str| {
                obj.iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(k))
                    .map(|(_, v)| match v {
                        serde_json::Value::String(s) => s.trim().to_string(),
                        serde_json::Value::Null => String::new(),
                        other => other.to_string(),
                    })
            };
            push(i + 1, &get, &mut problems);
        }
    } else {
        let mut rd = csv_reader(text);
        let headers: Vec<String> = rd
            .headers()
            .map(|h| h.iter().map(|s| s.to_ascii_lowercase()).collect())
            .unwrap_or_default();
        if !DASHBOARD_FIELDS[..2]
            .iter()
            .any(|f| headers.iter().any(|h| h == f))
            && !headers.iter().any(|h| h == "ozg_bezeichnung")
        {
            return Err(LoadError::Invalid(vec![Problem {
                file: name.into(),
                line: 1,
                message: format!("header names none of {}", DASHBOARD_FIELDS.join(", ")),
                german: None,
            }]));
        }
        for rec in rd.records() {
            match rec {
                Ok(r) => {
                    let line = r.position().map(|p| p.line() as usize).unwrap_or(0);
                    let get = |k: &str| {
                        headers
                            .iter()
                            .position(|h| h == k)
                            .and_then(|i| r.get(i))
                            .map(str::to_string)
                    };
                    push(line, &get, &mut problems);
                }
                Err(e) => problems.push(Problem {
                    file: name.into(),
                    line: e.position().map(|p| p.line() as usize).unwrap_or(0),
                    message: e.to_string(),
                    german: None,
                }),
            }
        }
    }
    if problems.is_empty() {
        Ok((ars, rows))
    } else {
        Err(LoadError::Invalid(problems))
    }
}

/// Whether a dashboard row says the service is online and active.
pub fn row_online(r: &DashboardRow) -> bool {
    let yes = |s: &str| {
        let f = fold(s);
        ["online", "ja", "yes", "true", "1", "verfuegbar", "aktiv"]
            .iter()
            .any(|w| f.split(' ').any(|t| t == *w))
            && !f.contains("nicht")
            && !f.contains("offline")
    };
    yes(&r.online_status) && (r.aktiv.trim().is_empty() || yes(&r.aktiv))
}

/// The catalogue services a dashboard row is about (by their terms).
pub fn row_services(cat: &Catalogue, r: &DashboardRow) -> Vec<ServiceId> {
    let text = fold(&format!("{} {}", r.leika_name, r.ozg_bezeichnung));
    cat.services
        .iter()
        .filter(|s| s.terms.is_match(&text))
        .map(|s| s.id.clone())
        .collect()
}

/// The 12-digit Regionalschlüssel of a kreisfreie Stadt from its 8-digit
/// Gemeindeschlüssel (the Verband digits are 0000 there).
pub fn ars_from_ags(ags: &str) -> Option<String> {
    (ags.len() == 8 && ags.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{}0000{}", &ags[..5], &ags[5..]))
}

// ---- the audit ----

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    OnlineNotClaimed,
    ClaimedNotFound,
    /// Claimed online and the city's pages say so too, but no application
    /// target was seen to answer: the survey may not find it either.
    ClaimedNotVerified,
    DashboardLinkDead,
    DashboardMissing,
    OtherStatePortalOnly,
}

impl Kind {
    /// As documented and as in the JSON (`claimed-not-found`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::OnlineNotClaimed => "online-not-claimed",
            Kind::ClaimedNotFound => "claimed-not-found",
            Kind::ClaimedNotVerified => "claimed-not-verified",
            Kind::DashboardLinkDead => "dashboard-link-dead",
            Kind::DashboardMissing => "dashboard-missing",
            Kind::OtherStatePortalOnly => "other-state-portal-only",
        }
    }

    pub fn german(self) -> &'static str {
        match self {
            Kind::OnlineNotClaimed => {
                "online belegt, aber nicht (als online) gemeldet – widersprechen, Beleg beifügen"
            }
            Kind::ClaimedNotFound => {
                "als online gemeldet, aber kein Beleg gefunden – Risiko in der Prüfung"
            }
            Kind::ClaimedNotVerified => {
                "als online gemeldet, aber nur im Text der Seiten belegt – kein Antragsziel geprüft; Link zum Antrag ergänzen"
            }
            Kind::DashboardLinkDead => "Dashboard-Link tot oder nicht zur Leistung",
            Kind::DashboardMissing => {
                "online belegt, aber im OZG-Dashboard nicht (online) registriert – registrieren"
            }
            Kind::OtherStatePortalOnly => "nur über das Portal eines anderen Landes erreichbar",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub service: String,
    pub name: String,
    pub kind: Kind,
    pub claimed: Option<bool>,
    pub level: u8,
    pub note: String,
    pub detail: String,
    pub evidence: Vec<EvidenceOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    pub schema: &'static str,
    pub run: RunHeader,
    pub dashboard: Option<String>,
    pub findings: Vec<Finding>,
}

/// Compare claims and dashboard rows with the run's verdicts.
pub fn audit(
    cat: &Catalogue,
    store: &Store,
    run: &RunRecord,
    claims: &[Claim],
    dashboard: Option<&DashboardImport>,
    online_from: Level,
) -> Result<Audit, StoreError> {
    let (verdicts, _) = crate::analysis::verdicts_of(cat, store, run)?;
    let pages = store.pages(&run.id)?;
    let live = LivenessIndex::from_records(&pages);
    let mut findings = Vec::new();
    for svc in &cat.services {
        let v = verdicts.iter().find(|v| v.service == svc.id);
        let level = v.map(|v| v.level).unwrap_or(Level::Offline);
        let online = level >= online_from;
        let claim = claims.iter().find(|c| c.service == svc.id);
        let ev = |v: Option<&ServiceVerdict>| -> Vec<EvidenceOut> {
            v.map(|v| v.evidence.iter().map(EvidenceOut::of).collect())
                .unwrap_or_default()
        };
        let mut add = |kind: Kind, detail: String| {
            findings.push(Finding {
                service: svc.id.to_string(),
                name: svc.name.clone(),
                kind,
                claimed: claim.map(|c| c.claimed),
                level: level.as_u8(),
                note: claim.map(|c| c.note.clone()).unwrap_or_default(),
                detail,
                evidence: ev(v),
            });
        };
        let other_state = v.is_some_and(|v| {
            v.evidence
                .iter()
                .flat_map(|e| &e.signals)
                .any(|s| s.contains("portal of another state"))
        });
        match claim {
            Some(c) if online && !c.claimed => {
                add(Kind::OnlineNotClaimed, format!("Reifegrad {level} belegt"))
            }
            Some(c) if online && c.claimed && v.and_then(|v| v.basis()) == Some(Basis::Claimed) => {
                add(
                    Kind::ClaimedNotVerified,
                    format!("Reifegrad {level} nur behauptet: kein Online-Antrag, kein Portal-Link, der antwortet"),
                )
            }
            Some(c) if !online && c.claimed && other_state => add(
                Kind::OtherStatePortalOnly,
                "die einzige Online-Verknüpfung führt zum Portal eines anderen Landes".into(),
            ),
            Some(c) if !online && c.claimed => add(
                Kind::ClaimedNotFound,
                format!("höchster belegter Reifegrad {level}"),
            ),
            None if !online && other_state => add(
                Kind::OtherStatePortalOnly,
                "die einzige Online-Verknüpfung führt zum Portal eines anderen Landes".into(),
            ),
            _ => {}
        }
        if let Some(d) = dashboard {
            let rows: Vec<&DashboardRow> = d
                .rows
                .iter()
                .filter(|r| row_services(cat, r).contains(&svc.id))
                .collect();
            let registered_online = rows.iter().any(|r| row_online(r));
            if online && !registered_online {
                add(
                    Kind::DashboardMissing,
                    if rows.is_empty() {
                        "keine Zeile im Dashboard-Export".into()
                    } else {
                        format!("{} Zeile(n), keine online/aktiv", rows.len())
                    },
                );
            }
            for r in rows.iter().filter(|r| !r.url.trim().is_empty()) {
                match live.liveness(&cat.crawl, r.url.trim()) {
                    Liveness::Dead(why) => add(
                        Kind::DashboardLinkDead,
                        format!("{} ({why}), Zeile {}", r.url, r.line),
                    ),
                    Liveness::Alive => {
                        if !page_about(cat, store, run, &pages, r.url.trim(), &svc.id) {
                            add(
                                Kind::DashboardLinkDead,
                                format!(
                                    "{} antwortet, ist aber nicht zu {} (Zeile {})",
                                    r.url, svc.name, r.line
                                ),
                            );
                        }
                    }
                    Liveness::Unknown(_)
                    | Liveness::NotAnApplication(_)
                    | Liveness::OwnPage { .. } => {}
                }
            }
        }
    }
    Ok(Audit {
        schema: "ozgcheck/audit/v1",
        run: RunHeader::of(run),
        dashboard: dashboard.map(|d| format!("{} ({})", d.ars, d.date)),
        findings,
    })
}

/// Whether the stored page at `url` (following redirects) is about `svc`.
/// Unknown (not HTML, no snapshot) counts as about: only a page we can read
/// and that names other things is "not about the service".
fn page_about(
    cat: &Catalogue,
    store: &Store,
    run: &RunRecord,
    pages: &[PageRecord],
    url: &str,
    svc: &ServiceId,
) -> bool {
    let canon = url::Url::parse(url)
        .ok()
        .and_then(|u| crate::crawl::url::canonical(&u, &cat.crawl));
    let mut current = canon
        .map(|u| u.to_string())
        .unwrap_or_else(|| url.to_string());
    for _ in 0..10 {
        let Some(p) = pages.iter().find(|p| p.url == current) else {
            return true;
        };
        if let Some(loc) = &p.location {
            current = loc.clone();
            continue;
        }
        let (Some(sid), Ok(u)) = (&p.snapshot, url::Url::parse(&p.url)) else {
            return true;
        };
        let Ok(Some(bytes)) = store.snapshot(sid) else {
            return true;
        };
        let ex = Extractor::new(&cat.page);
        let scope = crate::analysis::CityScope::of_run(run);
        let Ok(Some(page)) =
            crate::analysis::read(&ex, &scope, &u, &bytes, p.content_type.as_deref())
        else {
            return true;
        };
        let f = crate::analysis::findings_of(cat, &scope, &page, &u, p.fetched_at, sid);
        let text = fold(&format!("{} {}", page.title, page.main_text));
        let named = cat.service(svc).is_some_and(|s| s.terms.is_match(&text));
        return named || f.about.iter().any(|a| &a.service == svc);
    }
    true
}

pub fn to_table(a: &Audit) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Audit {} ({}) · Lauf {}",
        a.run.city, a.run.state, a.run.id
    );
    if let Some(d) = &a.dashboard {
        let _ = writeln!(o, "OZG-Dashboard: {d}");
    }
    if a.findings.is_empty() {
        let _ = writeln!(
            o,
            "\nKeine Abweichungen zwischen Meldung, Dashboard und Belegen."
        );
    }
    for f in &a.findings {
        let _ = writeln!(
            o,
            "\n{} ({}) – {}\n  {}\n  gemeldet: {} · belegter Reifegrad: {} · {}",
            f.name,
            f.service,
            f.kind.as_str(),
            f.kind.german(),
            f.claimed
                .map(|c| if c { "ja" } else { "nein" })
                .unwrap_or("–"),
            f.level,
            f.detail
        );
        match f.evidence.first() {
            Some(e) => {
                let _ = writeln!(
                    o,
                    "  Beleg: {} ({}), Snapshot {}\n  „{}“",
                    e.url, e.fetched_at, e.snapshot, e.excerpt
                );
            }
            None => {
                let _ = writeln!(o, "  Beleg: keiner gefunden");
            }
        }
    }
    o
}

// ---- proof pack ----

/// Write, for each disputed service, the stored snapshot(s) of its evidence,
/// a metadata file (URL, fetch time, HTTP status and headers, SHA-256 of the
/// bytes), and a one-page German summary in Markdown and HTML.
pub fn write_pack(dir: &Path, a: &Audit, store: &Store, run: &RunRecord) -> Result<usize, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let pages = store.pages(&run.id).map_err(|e| e.to_string())?;
    let mut files = 0;
    let mut index = String::new();
    let _ = writeln!(
        index,
        "# Nachweise OZG-Leistungen – {} ({})\n",
        a.run.city, a.run.state
    );
    let _ = writeln!(
        index,
        "Erhoben mit ozgcheck, Lauf {} vom {}.\n",
        a.run.id, a.run.started_at
    );
    let disputed: BTreeMap<&str, Vec<&Finding>> =
        a.findings.iter().fold(BTreeMap::new(), |mut m, f| {
            m.entry(f.service.as_str()).or_default().push(f);
            m
        });
    for (svc, fs) in &disputed {
        let sdir = dir.join(svc);
        std::fs::create_dir_all(&sdir).map_err(|e| format!("{}: {e}", sdir.display()))?;
        let name = &fs[0].name;
        let mut md = String::new();
        let _ = writeln!(md, "# {name}: Nachweis\n");
        let _ = writeln!(
            md,
            "Stadt: {} ({}) · Erhebung: {} · Lauf {}\n",
            a.run.city, a.run.state, a.run.started_at, a.run.id
        );
        for f in fs {
            let _ = writeln!(md, "- **{}**: {} ({})", f.kind.german(), f.detail, f.note);
        }
        let _ = writeln!(
            md,
            "\nBelegter Reifegrad: {} ({})\n",
            fs[0].level,
            Level::try_from(fs[0].level)
                .map(|l| l.name_de())
                .unwrap_or("")
        );
        let _ = writeln!(md, "## Belege\n");
        for (n, e) in fs[0].evidence.iter().enumerate().take(5) {
            let sid = crate::types::SnapshotId::from_stored(&e.snapshot);
            let Ok(Some(bytes)) = store.snapshot(&sid) else {
                continue;
            };
            let record = pages.iter().find(|p| p.url == e.url);
            let ext = match record.and_then(|r| r.content_type.as_deref()) {
                Some(ct) if ct.contains("pdf") => "pdf",
                Some(ct) if ct.contains("html") => "html",
                _ => "bin",
            };
            let file = format!(
                "{}-{}.{ext}",
                n + 1,
                &e.snapshot[..16.min(e.snapshot.len())]
            );
            std::fs::write(sdir.join(&file), &bytes)
                .map_err(|e| format!("{}: {e}", sdir.display()))?;
            let sha = hex(&sha2::Sha256::digest(&bytes));
            let meta = serde_json::json!({
                "url": e.url,
                "fetched_at": e.fetched_at,
                "http_status": record.and_then(|r| r.status),
                "headers": {
                    "content-type": record.and_then(|r| r.content_type.clone()),
                    "etag": record.and_then(|r| r.etag.clone()),
                    "last-modified": record.and_then(|r| r.last_modified.clone()),
                },
                "sha256": sha,
                "blake3": e.snapshot,
                "file": file,
                "level": e.level,
                "signals": e.signals,
                "excerpt": e.excerpt,
            });
            let meta_file = format!("{}-{}.json", n + 1, &e.snapshot[..16.min(e.snapshot.len())]);
            std::fs::write(
                sdir.join(&meta_file),
                serde_json::to_string_pretty(&meta).unwrap_or_default(),
            )
            .map_err(|e| format!("{}: {e}", sdir.display()))?;
            files += 2;
            let _ = writeln!(
                md,
                "{}. {} – abgerufen {} – Reifegrad {}\n   > {}\n   Datei `{file}`, SHA-256 `{sha}`\n",
                n + 1,
                e.url,
                e.fetched_at,
                e.level,
                e.excerpt.replace('\n', " ")
            );
        }
        if fs[0].evidence.is_empty() {
            let _ = writeln!(md, "Kein Beleg auf den Seiten der Stadt gefunden.\n");
        }
        std::fs::write(sdir.join("zusammenfassung.md"), &md).map_err(|e| e.to_string())?;
        std::fs::write(sdir.join("zusammenfassung.html"), md_to_html(&md, name))
            .map_err(|e| e.to_string())?;
        files += 2;
        let _ = writeln!(
            index,
            "- [{name}]({svc}/zusammenfassung.md): {}",
            fs.iter()
                .map(|f| f.kind.german())
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    std::fs::write(dir.join("index.md"), &index).map_err(|e| e.to_string())?;
    Ok(files + 1)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A minimal, self-contained HTML rendering of the summary (headings, list
/// items, quotes, paragraphs) for printing.
fn md_to_html(md: &str, title: &str) -> String {
    let mut body = String::new();
    for line in md.lines() {
        let l = line.trim_end();
        if let Some(h) = l.strip_prefix("## ") {
            let _ = writeln!(body, "<h2>{}</h2>", esc(h));
        } else if let Some(h) = l.strip_prefix("# ") {
            let _ = writeln!(body, "<h1>{}</h1>", esc(h));
        } else if let Some(q) = l.trim_start().strip_prefix("> ") {
            let _ = writeln!(
                body,
                "<blockquote>{}</blockquote>",
                esc(q).replace("**", "")
            );
        } else if let Some(i) = l.strip_prefix("- ") {
            let _ = writeln!(body, "<p>• {}</p>", esc(i).replace("**", ""));
        } else if !l.trim().is_empty() {
            let _ = writeln!(body, "<p>{}</p>", esc(l.trim()).replace('`', ""));
        }
    }
    format!(
        "<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>{}</title><style>body{{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.4}}blockquote{{border-left:4px solid #555;margin:0.5em 0;padding-left:1em}}@page{{size:A4;margin:2cm}}</style></head><body>{body}</body></html>\n",
        esc(title)
    )
}
