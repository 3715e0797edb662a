//! Reports of one run: the contract's JSON (`ozgcheck/report/v1`) and a
//! human table with German service names. Reads the store, never the network.

use crate::catalogue::Catalogue;
use crate::detect::{Cancel, Evidence, NotOnline, ServiceVerdict, TargetFailure};
use crate::store::{RunRecord, Store, StoreError};
use crate::types::Level;
use serde::Serialize;
use std::fmt::Write as _;

pub const REPORT_SCHEMA: &str = "ozgcheck/report/v1";

/// The run header as the contract shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RunHeader {
    pub id: String,
    pub city: String,
    pub state: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: &'static str,
    pub pages_fetched: u64,
    pub label: Option<String>,
    /// Only on runs made by `reanalyze`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reanalysis: Option<ReanalysisOut>,
    /// Hosts of the city this run could not crawl.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hosts_lost: Vec<String>,
    /// Why a failed run failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

/// Where a reanalysed run comes from.
#[derive(Debug, Clone, Serialize)]
pub struct ReanalysisOut {
    /// The run whose stored pages were judged again.
    pub source: String,
    /// Fingerprints of the catalogues: the source's and this run's.
    pub source_catalogue: String,
    pub catalogue: String,
    pub reanalyzed_at: String,
}

impl RunHeader {
    pub fn of(r: &RunRecord) -> Self {
        RunHeader {
            id: r.id.to_string(),
            city: r.city.clone(),
            state: r.state.to_string(),
            started_at: rfc3339(r.started_at),
            finished_at: r.finished_at.map(rfc3339),
            status: r.status.public(),
            pages_fetched: r.stats.pages_fetched,
            label: r.label.clone(),
            reanalysis: r.reanalysis.as_ref().map(|re| ReanalysisOut {
                source: re.source.to_string(),
                source_catalogue: re.source_catalogue.clone(),
                catalogue: r.settings.catalogue.clone(),
                reanalyzed_at: rfc3339(re.at),
            }),
            hosts_lost: r.stats.hosts_lost.clone(),
            failure: r.failure.clone(),
        }
    }
}

/// RFC 3339 in UTC with second precision.
pub fn rfc3339(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A stored RFC 3339 time as a report in `lang` shows it: German reports
/// in Berlin local time ("07.12.2026, 16:51"), English ones as stored (UTC).
pub fn shown(lang: Lang, rfc: &str) -> String {
    match (lang, rfc.parse::<jiff::Timestamp>()) {
        (Lang::De, Ok(t)) => local_de(t),
        _ => rfc.to_string(),
    }
}

/// A stored RFC 3339 time for a CSV cell: Berlin local time as
/// "2026-12-07 16:51:52", which Excel reads as a date and time in any
/// locale and which sorts as text.
pub fn excel_time(rfc: &str) -> String {
    match rfc.parse::<jiff::Timestamp>() {
        Ok(t) => berlin(t).strftime("%Y-%m-%d %H:%M:%S").to_string(),
        Err(_) => rfc.to_string(),
    }
}

/// A time as people in a German city hall read it: Europe/Berlin, "07.12.2026, 16:51".
pub fn local_de(t: jiff::Timestamp) -> String {
    berlin(t).strftime("%d.%m.%Y, %H:%M").to_string()
}

/// The day of `t` in Europe/Berlin, "07.12.2026".
pub fn local_day_de(t: jiff::Timestamp) -> String {
    berlin(t).strftime("%d.%m.%Y").to_string()
}

fn berlin(t: jiff::Timestamp) -> jiff::Zoned {
    t.to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").unwrap_or(jiff::tz::TimeZone::UTC))
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceOut {
    pub url: String,
    pub fetched_at: String,
    pub level: u8,
    pub signals: Vec<String>,
    pub excerpt: String,
    pub snapshot: String,
    /// Levels 3 and 4: `verified` (an application target answered) or
    /// `claimed` (the city's words only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<&'static str>,
}

impl EvidenceOut {
    pub fn of(e: &Evidence) -> Self {
        EvidenceOut {
            url: e.url.clone(),
            fetched_at: rfc3339(e.fetched_at),
            level: e.level.as_u8(),
            signals: e.signals.clone(),
            excerpt: e.excerpt.clone(),
            snapshot: e.snapshot.to_string(),
            basis: e.basis.map(|b| b.as_str()),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceOut {
    pub id: String,
    pub name: String,
    pub level: u8,
    pub online: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<&'static str>,
    /// The run did not finish: this level is what was found so far.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// Its evidence of an earlier run lived on a host this run could not
    /// reach: the level is unknown, not 0.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_checked: bool,
    /// Why a service is not online, in words (German).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The same in English (for `--lang en` reports).
    #[serde(skip)]
    pub reason_en: Option<&'static str>,
    pub evidence: Vec<EvidenceOut>,
}

impl ServiceOut {
    /// Why the service is not online, in the report's language.
    pub fn reason_in(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::De => self.reason.as_deref(),
            Lang::En => self.reason_en,
        }
    }
}

/// Why a service is not online, in German and English words for a city
/// official: the verdict's typed reason, or for verdicts stored before it
/// existed, the reason their evidence text shows.
fn reason_not_online(
    level: Level,
    verdict: Option<&crate::detect::ServiceVerdict>,
) -> Option<(&'static str, &'static str)> {
    if level >= ONLINE_FROM {
        return None;
    }
    let why = match verdict {
        Some(v) => v
            .not_online
            .or_else(|| legacy_not_online(level, &v.evidence)),
        None => NotOnline::of(level, &[]),
    }?;
    Some(match why {
        NotOnline::DeadLink => (
            "Der Link zum Online-Antrag oder Portal antwortet nicht (toter Link)",
            "The link to the online application or portal does not answer (dead link)",
        ),
        NotOnline::RetiredPortal => (
            "Der Link führt zu einem abgeschalteten Portal",
            "The link leads to a portal that was shut down",
        ),
        NotOnline::OtherStatePortal => (
            "Der Link führt nur zum Portal eines anderen Bundeslandes",
            "The link leads only to another state's portal",
        ),
        NotOnline::Negated => (
            "Die Seite sagt, dass ein Online-Antrag nicht möglich ist",
            "The page says an online application is not possible",
        ),
        NotOnline::Announced => (
            "Ein Online-Angebot ist nur angekündigt oder an Bedingungen geknüpft",
            "An online service is only announced or conditional",
        ),
        NotOnline::AppointmentOnly => (
            "Online gibt es nur eine Terminbuchung, keinen Antrag",
            "Online there is only appointment booking, no application",
        ),
        NotOnline::ContactFormOnly => (
            "Online gibt es nur ein Kontaktformular, keinen Antrag",
            "Online there is only a contact form, no application",
        ),
        NotOnline::FormToPrint => (
            "Das Formular muss ausgedruckt, unterschrieben und eingereicht werden",
            "The form must be printed, signed and handed in",
        ),
        NotOnline::InformationOnly => (
            "Es gibt Informationen, aber keinen Hinweis auf einen Online-Antrag",
            "There is information, but no sign of an online application",
        ),
        _ => (
            "Auf den Seiten der Stadt wurde zu dieser Leistung nichts gefunden",
            "Nothing about this service was found on the city's pages",
        ),
    })
}

/// The reason a verdict stored before `not_online` existed shows in its
/// evidence text ("… (not counted: negated: …)").
fn legacy_not_online(level: Level, evidence: &[Evidence]) -> Option<NotOnline> {
    let cancels: Vec<Cancel> = evidence
        .iter()
        .flat_map(|e| &e.signals)
        .filter_map(|s| s.split_once(" (not counted: "))
        .map(|(_, why)| {
            let why = why.strip_suffix(')').unwrap_or(why);
            match why.strip_prefix("dead link: ") {
                Some(w) => Cancel::Target(TargetFailure::Dead(w.to_string())),
                None if why.starts_with("contradicted by the site's own link") => {
                    Cancel::Contradicted(Box::new(Cancel::Other(why.to_string())))
                }
                None => Cancel::parse(why),
            }
        })
        .collect();
    NotOnline::of(level, &cancels.iter().collect::<Vec<_>>())
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub run: RunHeader,
    pub services: Vec<ServiceOut>,
    /// The Verwaltung sector's web-observable indicators (absent when the
    /// catalogue has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verwaltung: Option<crate::verwaltung::report::VerwaltungOut>,
}

/// The threshold the index uses by default: online means level ≥ 3.
pub const ONLINE_FROM: Level = Level::Online;

/// Build the report of a run: every catalogue service exactly once, in
/// catalogue order; services without a stored verdict are level 0.
pub fn build(cat: &Catalogue, store: &Store, run: &RunRecord) -> Result<Report, StoreError> {
    let mut report = build_services(cat, store, run)?;
    if !cat.verwaltung.indicators.is_empty() {
        let v = crate::verwaltung::of_run(cat, store, run)?;
        report.verwaltung = Some(crate::verwaltung::report::VerwaltungOut::of(
            &cat.verwaltung,
            &v,
        ));
    }
    Ok(report)
}

/// The services part of the report alone (the Verwaltung section reads
/// every page's findings; a crawl's closing summary needs only the counts).
pub fn build_services(
    cat: &Catalogue,
    store: &Store,
    run: &RunRecord,
) -> Result<Report, StoreError> {
    let (verdicts, _) = crate::analysis::verdicts_of(cat, store, run)?;
    let mut report = assemble(cat, run, &verdicts);
    mark_not_checked(cat, store, run, &mut report)?;
    Ok(report)
}

/// A run that could not reach some of the city's hosts: services that had
/// evidence there in the previous complete run of the city, and are lower
/// now, were not checked (their level is unknown, not lost).
fn mark_not_checked(
    cat: &Catalogue,
    store: &Store,
    run: &RunRecord,
    report: &mut Report,
) -> Result<(), StoreError> {
    let lost = &run.stats.hosts_lost;
    if lost.is_empty() {
        return Ok(());
    }
    let previous = store.runs()?.into_iter().rev().find(|r| {
        r.city == run.city
            && r.started_at < run.started_at
            && r.status == crate::store::RunStatus::Complete
    });
    let Some(prev) = previous else {
        return Ok(());
    };
    let (before, _) = crate::analysis::verdicts_of(cat, store, &prev)?;
    let on_lost_host = |u: &str| {
        url::Url::parse(u).is_ok_and(|u| {
            let origin = u.origin().ascii_serialization();
            lost.iter().any(|l| l.trim_end_matches('/') == origin)
        })
    };
    for s in &mut report.services {
        let Some(b) = before.iter().find(|v| v.service.as_str() == s.id) else {
            continue;
        };
        if b.level.as_u8() > s.level && b.evidence.iter().any(|e| on_lost_host(&e.url)) {
            s.not_checked = true;
            let hosts = lost.join(", ");
            s.reason = Some(format!(
                "Nicht geprüft: {hosts} war in diesem Lauf nicht erreichbar (im Lauf {} Reifegrad {})",
                prev.id,
                b.level.as_u8()
            ));
            s.reason_en = Some("Not checked: a host of the city could not be reached in this run");
        }
    }
    Ok(())
}

pub fn assemble(cat: &Catalogue, run: &RunRecord, verdicts: &[ServiceVerdict]) -> Report {
    let partial = matches!(
        run.status,
        crate::store::RunStatus::Running | crate::store::RunStatus::Interrupted
    );
    let services = cat
        .services
        .iter()
        .map(|svc| {
            let v = verdicts.iter().find(|v| v.service == svc.id);
            let level = v.map(|v| v.level).unwrap_or(Level::Offline);
            let why = reason_not_online(level, v);
            ServiceOut {
                id: svc.id.to_string(),
                name: svc.name.clone(),
                level: level.as_u8(),
                online: level >= ONLINE_FROM,
                basis: v
                    .filter(|_| level >= ONLINE_FROM)
                    .and_then(|v| v.basis())
                    .map(|b| b.as_str()),
                partial,
                not_checked: false,
                reason: why.map(|(de, _)| de.to_string()),
                reason_en: why.map(|(_, en)| en),
                evidence: v
                    .map(|v| v.evidence.iter().map(EvidenceOut::of).collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    Report {
        schema: REPORT_SCHEMA,
        run: RunHeader::of(run),
        services,
        verwaltung: None,
    }
}

pub fn to_json(r: &Report) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default() + "\n"
}

/// A table for people: one line per service, German names, the best evidence URL.
pub fn to_table(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}) · Lauf {} · {} · {} Seiten · Status {}",
        r.run.city, r.run.state, r.run.id, r.run.started_at, r.run.pages_fetched, r.run.status
    );
    let name_w = r
        .services
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(10)
        .max(8);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<name_w$}  {:<24}  {:<14}  Beleg",
        "Leistung", "Reifegrad", "online"
    );
    let _ = writeln!(out, "{}", "-".repeat(name_w + 2 + 24 + 2 + 14 + 2 + 40));
    for s in &r.services {
        let level = Level::try_from(s.level).unwrap_or(Level::Offline);
        let best = s.evidence.first().map(|e| e.url.as_str()).unwrap_or("–");
        let pad = name_w.saturating_sub(s.name.chars().count());
        let _ = writeln!(
            out,
            "{}{}  {:<24}  {:<14}  {}",
            s.name,
            " ".repeat(pad),
            format!("{} {}", s.level, level.name_de()),
            match (s.online, s.basis) {
                (false, _) => "nein",
                (true, Some("claimed")) => "ja (behauptet)",
                (true, _) => "ja",
            },
            best
        );
        if let Some(why) = &s.reason {
            let _ = writeln!(out, "{}  ↳ {why}", " ".repeat(name_w));
        }
    }
    let online = r.services.iter().filter(|s| s.online).count();
    let _ = writeln!(out);
    let claimed = r
        .services
        .iter()
        .filter(|s| s.online && s.basis == Some("claimed"))
        .count();
    let _ = writeln!(
        out,
        "{online} von {} Leistungen online (Reifegrad ≥ 3), davon {claimed} nur behauptet \
         (kein Antragsziel geprüft).",
        r.services.len()
    );
    if let Some(v) = &r.verwaltung {
        out.push_str(&crate::verwaltung::report::to_table(v, Lang::De));
    }
    out
}

/// A service's level in words, with "claimed" where only the city's words
/// say it is online.
fn service_level_label(lang: Lang, s: &ServiceOut) -> String {
    let mut l = level_label(lang, s.level);
    if s.basis == Some("claimed") {
        l.push_str(t(lang, " (behauptet)", " (claimed)"));
    }
    l
}

// ---- Markdown, CSV and HTML ----

/// Language of human-readable reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    De,
    En,
}

pub(crate) fn t(lang: Lang, de: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::De => de,
        Lang::En => en,
    }
}

fn level_label(lang: Lang, level: u8) -> String {
    let l = Level::try_from(level).unwrap_or(Level::Offline);
    match lang {
        Lang::De => format!("{level} {}", l.name_de()),
        Lang::En => format!(
            "{level} {}",
            match l {
                Level::Offline => "offline",
                Level::Information => "information",
                Level::FormAssistant => "form",
                Level::Online => "online service",
                Level::Transaction => "online transaction",
            }
        ),
    }
}

/// Markdown for council papers and tickets.
pub fn to_markdown(r: &Report, lang: Lang) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# {}: {} ({})\n",
        t(lang, "OZG-Reifegrad", "OZG maturity"),
        r.run.city,
        r.run.state
    );
    let _ = writeln!(
        o,
        "{} {} · {} {} · {} {} · {}\n",
        t(lang, "Lauf", "Run"),
        r.run.id,
        t(lang, "Beginn", "started"),
        shown(lang, &r.run.started_at),
        r.run.pages_fetched,
        t(lang, "Seiten", "pages"),
        r.run.status
    );
    let _ = writeln!(
        o,
        "| {} | {} | online | {} |\n|---|---|---|---|",
        t(lang, "Leistung", "Service"),
        t(lang, "Reifegrad", "Level"),
        t(lang, "Beleg", "Evidence")
    );
    for s in &r.services {
        let mut ev = s
            .evidence
            .first()
            .map(|e| {
                format!(
                    "[{}]({}) ({})",
                    md_escape(&e.url),
                    e.url,
                    shown(lang, &e.fetched_at)
                )
            })
            .unwrap_or_else(|| "–".into());
        if let Some(why) = s.reason_in(lang) {
            ev = format!(
                "{ev}<br>{}: {}",
                t(lang, "Warum nicht online", "Why not online"),
                md_escape(why)
            );
        }
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            md_escape(&s.name),
            service_level_label(lang, s),
            if s.online {
                t(lang, "ja", "yes")
            } else {
                t(lang, "nein", "no")
            },
            ev
        );
    }
    let _ = writeln!(o);
    for s in r.services.iter().filter(|s| !s.evidence.is_empty()) {
        let e = &s.evidence[0];
        let _ = writeln!(
            o,
            "**{}** – {}  \n> {}\n",
            md_escape(&s.name),
            e.url,
            e.excerpt.replace('\n', " ")
        );
    }
    let online = r.services.iter().filter(|s| s.online).count();
    let _ = writeln!(
        o,
        "{online} {} {} {}",
        t(lang, "von", "of"),
        r.services.len(),
        t(
            lang,
            "Leistungen online (Reifegrad ≥ 3).",
            "services online (level ≥ 3)."
        )
    );
    if let Some(v) = &r.verwaltung {
        o.push_str(&crate::verwaltung::report::to_markdown(v, lang));
    }
    o
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// CSV readable by German Excel: UTF-8 BOM and `;` by default.
/// CSV as German Excel reads it: optional UTF-8 byte order mark, the given
/// delimiter, fields quoted where needed, CRLF line ends.
pub fn csv_text(
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
    delimiter: u8,
    bom: bool,
) -> String {
    let d = delimiter as char;
    let field = |s: &str| {
        if s.contains(d) || s.contains('"') || s.contains('\n') || s.contains('\r') {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut o = String::new();
    if bom {
        o.push('\u{feff}');
    }
    o.push_str(&header.join(&d.to_string()));
    o.push_str("\r\n");
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| field(c)).collect();
        o.push_str(&cells.join(&d.to_string()));
        o.push_str("\r\n");
    }
    o
}

pub fn to_csv(r: &Report, delimiter: u8, bom: bool) -> String {
    let header = [
        "service",
        "name",
        "level",
        "level_name",
        "online",
        "evidence_url",
        "fetched_at",
        "snapshot",
    ];
    let rows = r.services.iter().map(|s| {
        let e = s.evidence.first();
        vec![
            s.id.clone(),
            s.name.clone(),
            s.level.to_string(),
            Level::try_from(s.level)
                .map(|l| l.name_de().to_string())
                .unwrap_or_default(),
            if s.online { "ja".into() } else { "nein".into() },
            e.map(|e| e.url.clone()).unwrap_or_default(),
            e.map(|e| excel_time(&e.fetched_at)).unwrap_or_default(),
            e.map(|e| e.snapshot.clone()).unwrap_or_default(),
        ]
    });
    csv_text(&header, rows, delimiter, bom)
}

pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// An excerpt with its `**…**` marks as `<mark>`, everything else escaped.
pub fn excerpt_html(excerpt: &str) -> String {
    let mut out = String::new();
    for (i, part) in excerpt.split("**").enumerate() {
        if i % 2 == 1 {
            out.push_str("<mark>");
            out.push_str(&html_escape(part));
            out.push_str("</mark>");
        } else {
            out.push_str(&html_escape(part));
        }
    }
    out
}

/// The stylesheet of the HTML report and of `serve` (no external resources).
pub const CSS: &str = r#"
:root{--fg:#1b1b1b;--muted:#555;--bg:#fff;--line:#c8c8c8;--l0:#6b6b6b;--l1:#005ea8;--l2:#7a4f00;--l3:#1d6b2f;--l4:#0b4f1f}
*{box-sizing:border-box}body{font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:62rem;padding:1rem}
header{border-bottom:2px solid var(--fg);margin-bottom:1rem}h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.2rem;margin:0}
.meta{color:var(--muted)}.bar{display:flex;width:100%;height:1.6rem;border:1px solid var(--fg);margin:.5rem 0}
.bar span{display:block;height:100%;color:#fff;font-size:.85rem;line-height:1.6rem;text-align:center;overflow:hidden;white-space:nowrap}
.legend{display:flex;flex-wrap:wrap;gap:1rem;font-size:.9rem;margin:0;padding:0;list-style:none}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(18rem,1fr));gap:1rem}
.card{border:1px solid var(--line);border-left-width:.5rem;padding:.8rem;break-inside:avoid;page-break-inside:avoid}
.badge{display:inline-block;padding:.1rem .5rem;color:#fff;font-weight:600;border-radius:.25rem;font-size:.9rem}
.l0{background:var(--l0);border-left-color:var(--l0)}.l1{background:var(--l1);border-left-color:var(--l1)}.l2{background:var(--l2);border-left-color:var(--l2)}.l3{background:var(--l3);border-left-color:var(--l3)}.l4{background:var(--l4);border-left-color:var(--l4)}
.card.l0,.card.l1,.card.l2,.card.l3,.card.l4{background:var(--bg)}
blockquote{margin:.5rem 0;padding-left:.7rem;border-left:3px solid var(--line)}mark{background:#ffe58a;color:#000}
a{color:#0645ad;word-break:break-all}code{overflow-wrap:anywhere;word-break:break-all}details{margin-top:.5rem}summary{cursor:pointer}
table{border-collapse:collapse;width:100%}th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
svg text{font:12px system-ui,sans-serif;fill:var(--fg)}
pre{white-space:pre-wrap;overflow-wrap:anywhere}.scroll{overflow-x:auto;max-width:100%}
.matrix td{text-align:center;color:#fff;font-weight:600}.matrix td a{color:#fff}.matrix th{white-space:nowrap}
form.pick{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin:.5rem 0}
@media print{@page{size:A4;margin:1.5cm}body{max-width:none;padding:0;font-size:10pt}a{color:var(--fg);text-decoration:none}details{display:block}details>*{display:block}.noprint{display:none}.cards{display:block}.card{margin-bottom:.6rem}}
"#;

/// The HTML report: one self-contained file (no network, no scripts).
/// `snapshot_link` turns a snapshot id into a link target (in `serve`), or
/// None for the standalone file (which names the id and how to show it).
pub fn to_html(r: &Report, lang: Lang, snapshot_link: Option<&dyn Fn(&str) -> String>) -> String {
    let mut o = String::new();
    let title = format!(
        "{} – {} ({})",
        t(lang, "OZG-Reifegrad", "OZG maturity"),
        r.run.city,
        r.run.state
    );
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{CSS}</style></head><body>",
        t(lang, "de", "en"),
        html_escape(&title)
    );
    let _ = write!(
        o,
        "<header><h1>{}</h1><p class=\"meta\">{} <code>{}</code> · {} {} · {} {} · {} {} · {}: {}</p></header><main>",
        html_escape(&title),
        t(lang, "Lauf", "Run"),
        html_escape(&r.run.id),
        t(lang, "Beginn", "started"),
        html_escape(&shown(lang, &r.run.started_at)),
        t(lang, "Ende", "finished"),
        html_escape(&r.run.finished_at.as_deref().map_or("–".to_string(), |t| shown(lang, t))),
        r.run.pages_fetched,
        t(lang, "Seiten", "pages"),
        t(lang, "Status", "status"),
        html_escape(r.run.status)
    );
    // Summary bar: services by level, with text so colour is never the only cue.
    let total = r.services.len().max(1);
    let _ = write!(o, "<section aria-labelledby=\"sum\"><h2 id=\"sum\">{}</h2><div class=\"bar\" role=\"img\" aria-label=\"{}\">", t(lang, "Überblick", "Summary"), t(lang, "Leistungen nach Reifegrad", "services by level"));
    for l in 0..=4u8 {
        let n = r.services.iter().filter(|s| s.level == l).count();
        if n > 0 {
            let _ = write!(
                o,
                "<span class=\"l{l}\" style=\"width:{:.2}%\">{l}: {n}</span>",
                n as f64 * 100.0 / total as f64
            );
        }
    }
    let _ = write!(o, "</div><ul class=\"legend\">");
    for l in 0..=4u8 {
        let n = r.services.iter().filter(|s| s.level == l).count();
        let _ = write!(
            o,
            "<li><span class=\"badge l{l}\">{}</span> {n}</li>",
            html_escape(&level_label(lang, l))
        );
    }
    let online = r.services.iter().filter(|s| s.online).count();
    let _ = write!(
        o,
        "</ul><p><strong>{online} {} {}</strong> {}</p></section>",
        t(lang, "von", "of"),
        r.services.len(),
        t(
            lang,
            "Leistungen online (Reifegrad ≥ 3).",
            "services online (level ≥ 3)."
        )
    );
    let _ = write!(
        o,
        "<section aria-labelledby=\"svc\"><h2 id=\"svc\">{}</h2><div class=\"cards\">",
        t(lang, "Leistungen", "Services")
    );
    for s in &r.services {
        html_card(&mut o, s, lang, snapshot_link);
    }
    let _ = write!(o, "</div></section>");
    if let Some(v) = &r.verwaltung {
        o.push_str(&crate::verwaltung::report::to_html(v, lang, snapshot_link));
    }
    let _ = writeln!(
        o,
        "</main><footer class=\"meta\"><p>ozgcheck {} · {}</p></footer></body></html>",
        env!("CARGO_PKG_VERSION"),
        t(
            lang,
            "Belege sind gespeicherte Seiten; jede Aussage ist nachprüfbar.",
            "Evidence is stored pages; every claim can be checked."
        )
    );
    o
}

/// One service's card of the HTML report: level (as text too), why it is
/// not online, the strongest evidence, and the rest folded away.
fn html_card(
    o: &mut String,
    s: &ServiceOut,
    lang: Lang,
    snapshot_link: Option<&dyn Fn(&str) -> String>,
) {
    let _ = write!(
        o,
        "<article class=\"card l{}\" id=\"svc-{}\"><h3>{}</h3><p><span class=\"badge l{}\">{}</span> · online: {}</p>",
        s.level,
        html_escape(&s.id),
        html_escape(&s.name),
        s.level,
        html_escape(&service_level_label(lang, s)),
        if s.online { t(lang, "ja", "yes") } else { t(lang, "nein", "no") }
    );
    if let Some(why) = s.reason_in(lang) {
        let _ = write!(
            o,
            "<p class=\"why\"><strong>{}:</strong> {}</p>",
            t(lang, "Warum nicht online", "Why not online"),
            html_escape(why)
        );
    }
    let evidence = |o: &mut String, e: &EvidenceOut| {
        let snap = match snapshot_link {
            Some(f) => format!(
                "<a href=\"{}\">{}</a>",
                html_escape(&f(&e.snapshot)),
                t(lang, "gespeicherte Seite", "stored page")
            ),
            None => format!(
                "{} <code>{}</code> (<code>ozgcheck show {}</code>)",
                t(lang, "Snapshot", "snapshot"),
                html_escape(&e.snapshot[..12.min(e.snapshot.len())]),
                html_escape(&e.snapshot)
            ),
        };
        let _ = write!(
            o,
            "<blockquote>{}</blockquote><p class=\"meta\">{} {} · <a href=\"{}\" rel=\"noopener noreferrer\">{}</a> · {} {} · {}</p>",
            excerpt_html(&e.excerpt),
            t(lang, "Reifegrad", "level"),
            e.level,
            html_escape(&e.url),
            html_escape(&e.url),
            t(lang, "abgerufen", "fetched"),
            html_escape(&shown(lang, &e.fetched_at)),
            snap
        );
    };
    match s.evidence.split_first() {
        None => {
            let _ = write!(
                o,
                "<p>{}</p>",
                t(
                    lang,
                    "Keine Seite der Stadt zu dieser Leistung gefunden.",
                    "No page of the city about this service."
                )
            );
        }
        Some((best, rest)) => {
            evidence(o, best);
            if !rest.is_empty() {
                let _ = write!(
                    o,
                    "<details><summary>{} ({})</summary>",
                    t(
                        lang,
                        "weitere und widersprechende Belege",
                        "further and conflicting evidence"
                    ),
                    rest.len()
                );
                for e in rest {
                    evidence(o, e);
                }
                let _ = write!(o, "</details>");
            }
        }
    }
    let _ = write!(o, "</article>");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Verdicts stored before the typed reason existed still say why: the
    /// reason is read from their evidence text.
    #[test]
    fn old_verdicts_give_their_reason_from_the_evidence_text() {
        let item = |signals: &[&str], level| Evidence {
            url: "http://www.stadt.de/x".into(),
            fetched_at: jiff::Timestamp::UNIX_EPOCH,
            level,
            signals: signals.iter().map(|s| s.to_string()).collect(),
            excerpt: String::new(),
            snapshot: crate::types::SnapshotId::of(b"x"),
            basis: None,
        };
        let old = |signals: &[&str], level| ServiceVerdict {
            service: crate::types::ServiceId::parse("elterngeld").unwrap_or_else(|e| panic!("{e}")),
            level,
            evidence: vec![item(signals, level)],
            not_online: None,
        };
        let reason = |v: &ServiceVerdict| reason_not_online(v.level, Some(v)).map(|(_, en)| en);
        let dead = old(
            &[
                "about: title names \"Elterngeld\"",
                "link to service portal X (x.de) (not counted: dead link: HTTP 404)",
                "the text says … (not counted: negated: \"nicht\")",
            ],
            Level::Information,
        );
        assert_eq!(
            reason(&dead),
            Some("The link to the online application or portal does not answer (dead link)")
        );
        let negated = old(&["x (not counted: negated: \"nicht\")"], Level::Information);
        assert_eq!(
            reason(&negated),
            Some("The page says an online application is not possible")
        );
        let form = old(&["downloadable form (pdf)"], Level::FormAssistant);
        assert_eq!(
            reason(&form),
            Some("The form must be printed, signed and handed in")
        );
        let online = old(&["web form (3 fields, POST)"], Level::Online);
        assert_eq!(reason(&online), None);
    }
}
