//! The report's Verwaltung section (`"verwaltung"` in the report JSON, and
//! its table, Markdown and HTML): per indicator, each parameter found or
//! not, claimed or verified, with evidence or the reason.

use super::{Counted, IndicatorVerdict, Verwaltung};
use crate::report::{html_escape, shown, t, EvidenceOut, Lang};
use serde::Serialize;
use std::fmt::Write;

#[derive(Debug, Clone, Serialize)]
pub struct VerwaltungOut {
    pub indicators: Vec<IndicatorOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorOut {
    pub id: String,
    pub name: String,
    pub parameters: Vec<ParameterOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParameterOut {
    pub id: String,
    pub name: String,
    pub found: bool,
    /// `verified`, `claimed`, or null when not found.
    pub basis: Option<&'static str>,
    /// Whether the index is known to count it (`known`) or assumed to.
    pub counted: &'static str,
    /// Why it is not found, in words (German).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip)]
    pub reason_en: Option<String>,
    pub evidence: Vec<EvidenceOut>,
}

impl ParameterOut {
    fn reason_in(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::De => self.reason.as_deref(),
            Lang::En => self.reason_en.as_deref(),
        }
    }

    fn state(&self, lang: Lang) -> &'static str {
        match (self.found, self.basis, lang) {
            (false, _, Lang::De) => "nein",
            (false, _, Lang::En) => "no",
            (true, Some("claimed"), Lang::De) => "ja (behauptet)",
            (true, Some("claimed"), Lang::En) => "yes (claimed)",
            (true, _, Lang::De) => "ja (geprüft)",
            (true, _, Lang::En) => "yes (verified)",
        }
    }
}

impl VerwaltungOut {
    pub fn of(v: &Verwaltung, verdicts: &[IndicatorVerdict]) -> Self {
        let indicators = verdicts
            .iter()
            .map(|iv| {
                let ind = v.indicator(&iv.id);
                IndicatorOut {
                    id: iv.id.clone(),
                    name: iv.name.clone(),
                    parameters: iv
                        .parameters
                        .iter()
                        .map(|p| {
                            let counted = ind
                                .and_then(|i| i.parameters.iter().find(|q| q.id == p.id))
                                .map_or(Counted::Assumed, |q| q.counted);
                            ParameterOut {
                                id: p.id.clone(),
                                name: p.name.clone(),
                                found: p.found,
                                basis: p.basis.map(|b| b.as_str()),
                                counted: match counted {
                                    Counted::Known => "known",
                                    Counted::Assumed => "assumed",
                                },
                                reason: p.missing.as_ref().map(|m| m.words(Lang::De)),
                                reason_en: p.missing.as_ref().map(|m| m.words(Lang::En)),
                                evidence: p.evidence.iter().map(EvidenceOut::of).collect(),
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        VerwaltungOut { indicators }
    }
}

fn found_count(i: &IndicatorOut) -> usize {
    i.parameters.iter().filter(|p| p.found).count()
}

/// The section as plain text for the terminal.
pub fn to_table(v: &VerwaltungOut, lang: Lang) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "\n{}",
        t(
            lang,
            "Verwaltung: was die Webseiten zeigen",
            "Verwaltung: what the web pages show"
        )
    );
    let w = v
        .indicators
        .iter()
        .flat_map(|i| &i.parameters)
        .map(|p| p.name.chars().count())
        .max()
        .unwrap_or(10);
    for i in &v.indicators {
        let _ = writeln!(
            o,
            "\n{} – {} {} {}",
            i.name,
            found_count(i),
            t(lang, "von", "of"),
            i.parameters.len()
        );
        for p in &i.parameters {
            let pad = w.saturating_sub(p.name.chars().count());
            let best = p.evidence.first().map_or("–", |e| e.url.as_str());
            let _ = writeln!(
                o,
                "  {}{}  {:<16}  {best}",
                p.name,
                " ".repeat(pad),
                p.state(lang)
            );
            if let Some(why) = p.reason_in(lang).filter(|_| !p.found) {
                if !why.starts_with("Auf den Seiten") && !why.starts_with("Not found") {
                    let _ = writeln!(o, "  {}  ↳ {why}", " ".repeat(w));
                }
            }
        }
    }
    o
}

/// The section as Markdown.
pub fn to_markdown(v: &VerwaltungOut, lang: Lang) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "\n## {}\n",
        t(lang, "Verwaltung", "Verwaltung (administration)")
    );
    for i in &v.indicators {
        let _ = writeln!(
            o,
            "### {} ({} {} {})\n\n| {} | {} | {} |\n|---|---|---|",
            i.name,
            found_count(i),
            t(lang, "von", "of"),
            i.parameters.len(),
            t(lang, "Merkmal", "Parameter"),
            t(lang, "gefunden", "found"),
            t(lang, "Beleg", "Evidence")
        );
        for p in &i.parameters {
            let ev = match (p.evidence.first(), p.reason_in(lang)) {
                (Some(e), _) => format!(
                    "[{}]({}) ({})",
                    e.url.replace('|', "\\|"),
                    e.url,
                    shown(lang, &e.fetched_at)
                ),
                (None, Some(why)) => why.replace('|', "\\|"),
                (None, None) => "–".into(),
            };
            let _ = writeln!(
                o,
                "| {} | {} | {ev} |",
                p.name.replace('|', "\\|"),
                p.state(lang)
            );
        }
        let _ = writeln!(o);
    }
    o
}

/// The section as HTML (inside the report's `<main>`).
pub fn to_html(
    v: &VerwaltungOut,
    lang: Lang,
    snapshot_link: Option<&dyn Fn(&str) -> String>,
) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<section aria-labelledby=\"vw\"><h2 id=\"vw\">{}</h2>",
        t(
            lang,
            "Verwaltung: was die Webseiten zeigen",
            "Verwaltung: what the web pages show"
        )
    );
    for i in &v.indicators {
        let _ = write!(
            o,
            "<h3 id=\"vw-{}\">{} <small>({} {} {})</small></h3><div class=\"scroll\"><table class=\"vw\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            html_escape(&i.id),
            html_escape(&i.name),
            found_count(i),
            t(lang, "von", "of"),
            i.parameters.len(),
            t(lang, "Merkmal", "Parameter"),
            t(lang, "gefunden", "found"),
            t(lang, "Beleg", "Evidence")
        );
        for p in &i.parameters {
            let ev = match (p.evidence.first(), p.reason_in(lang)) {
                (Some(e), _) => {
                    let snap = snapshot_link
                        .map(|f| {
                            format!(
                                " · <a href=\"{}\">{}</a>",
                                html_escape(&f(&e.snapshot)),
                                t(lang, "Schnappschuss", "snapshot")
                            )
                        })
                        .unwrap_or_default();
                    format!(
                        "<a href=\"{0}\">{0}</a>{snap}<br><q>{1}</q>",
                        html_escape(&e.url),
                        crate::report::excerpt_html(&e.excerpt)
                    )
                }
                (None, Some(why)) => html_escape(why),
                (None, None) => "–".into(),
            };
            let _ = write!(
                o,
                "<tr id=\"vw-{}-{}\"><td>{}</td><td>{}</td><td>{ev}</td></tr>",
                html_escape(&i.id),
                html_escape(&p.id),
                html_escape(&p.name),
                p.state(lang)
            );
        }
        let _ = write!(o, "</tbody></table></div>");
    }
    let _ = write!(o, "</section>");
    o
}
