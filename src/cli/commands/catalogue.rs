//! `catalogue check|list`: validate the catalogue and city profiles, list
//! services, portals and index models.

use crate::cli::*;

pub(crate) fn catalogue_check(dir: Option<PathBuf>) -> Result<u8, Failure> {
    let dir = dir.unwrap_or_else(|| PathBuf::from("catalogues"));
    let cat = Catalogue::load(&dir)?;
    let mut problems = Vec::new();
    let cities = dir.join("cities");
    let mut count = 0;
    if let Ok(rd) = std::fs::read_dir(&cities) {
        let mut paths: Vec<PathBuf> = rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        for p in paths {
            count += 1;
            if let Err(e) = Profile::load(&p) {
                problems.push(e.to_string());
            }
        }
    }
    let mut models = 0;
    if let Ok(rd) = std::fs::read_dir(dir.join("index")) {
        let mut names: Vec<String> = rd
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().into_string().ok())
            .filter_map(|n| n.strip_suffix(".toml").map(str::to_string))
            .collect();
        names.sort();
        for n in names {
            models += 1;
            match crate::index::Model::load(Some(&dir), &n) {
                Ok(m) => {
                    for s in &m.ozg.services {
                        if cat.service(s).is_none() {
                            problems.push(format!(
                                "{}: ozg.services names {s:?}, which services.toml does not define",
                                dir.join("index").join(format!("{n}.toml")).display()
                            ));
                        }
                    }
                    // Points per parameter must name the sector's parameters.
                    for i in m.sectors.iter().flat_map(|s| &s.indicators) {
                        let known = cat.verwaltung.indicator(&i.id);
                        for p in i.parameters.keys() {
                            if !known.is_some_and(|k| k.parameters.iter().any(|q| &q.id == p)) {
                                problems.push(format!(
                                    "{}: indicator {} gives points to {p:?}, which verwaltung.toml does not define for it",
                                    dir.join("index").join(format!("{n}.toml")).display(),
                                    i.id
                                ));
                            }
                        }
                    }
                }
                Err(e) => problems.push(e.to_string()),
            }
        }
    }
    if !problems.is_empty() {
        return Err(Failure::input(problems.join("\n")));
    }
    let indicators = cat.verwaltung.indicators.len();
    let parameters: usize = cat
        .verwaltung
        .indicators
        .iter()
        .map(|i| i.parameters.len())
        .sum();
    say!(
        "{}",
        tr(
            format!(
                "{}: Katalog {} ist gültig: {} Leistungen, {} Portale, {indicators} Verwaltungsindikatoren mit {parameters} Merkmalen, {models} Indexmodelle, {count} Stadtprofile",
                dir.display(),
                cat.edition,
                cat.services.len(),
                cat.portals.len()
            ),
            format!(
                "{}: catalogue {} is valid: {} services, {} portals, {indicators} Verwaltung indicators with {parameters} parameters, {models} index models, {count} city profiles",
                dir.display(),
                cat.edition,
                cat.services.len(),
                cat.portals.len()
            )
        )
    );
    Ok(0)
}

pub(crate) fn catalogue_list(dir: Option<&Path>, format: ListFormat) -> Result<u8, Failure> {
    use crate::catalogue::Scope;
    let dir = catalogue_dir(dir);
    let cat = load_catalogue(dir.as_deref())?;
    let mut models = Vec::new();
    for n in crate::catalogue::model_names(dir.as_deref()) {
        models.push(crate::index::Model::load(dir.as_deref(), &n).map_err(Failure::input)?);
    }
    let scope_text = |all: bool, items: Vec<String>| {
        if all {
            "alle".to_string()
        } else {
            items.join(" ")
        }
    };
    let portals_of = |id: &crate::types::ServiceId| -> Vec<&str> {
        cat.portals
            .iter()
            .filter(|p| p.retired.is_none())
            .filter(|p| match &p.services {
                Scope::All => false,
                Scope::Only(v) => v.contains(id),
            })
            .map(|p| p.name.as_str())
            .collect()
    };
    let in_models = |id: &crate::types::ServiceId| -> Vec<&str> {
        models
            .iter()
            .filter(|m| m.ozg.services.contains(id))
            .map(|m| m.id.as_str())
            .collect()
    };
    let text = match format {
        ListFormat::Json => {
            let json = serde_json::json!({
                "schema": "ozgcheck/catalogue/v1",
                "edition": cat.edition,
                "fingerprint": cat.fingerprint,
                "services": cat.services.iter().map(|s| serde_json::json!({
                    "id": s.id.as_str(), "name": s.name,
                    "terms": s.terms.0.iter().map(|t| t.source()).collect::<Vec<_>>(),
                    "leika": s.leika, "portals": portals_of(&s.id), "models": in_models(&s.id),
                })).collect::<Vec<_>>(),
                "portals": cat.portals.iter().map(|p| serde_json::json!({
                    "host": p.host, "name": p.name,
                    "states": match &p.states { Scope::All => vec!["*".to_string()], Scope::Only(v) => v.iter().map(|s| s.to_string()).collect() },
                    "services": match &p.services { Scope::All => vec!["*".to_string()], Scope::Only(v) => v.iter().map(|s| s.to_string()).collect() },
                    "retired": p.retired,
                })).collect::<Vec<_>>(),
                "models": models.iter().map(|m| serde_json::json!({
                    "id": m.id, "title": m.title, "provisional": m.provisional, "note": m.note,
                    "services": m.ozg.services.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            });
            serde_json::to_string_pretty(&json).unwrap_or_default() + "\n"
        }
        ListFormat::Table => {
            let mut t = format!(
                "Katalog {} ({} Leistungen, {} Portale, {} Indexmodelle)\n\n",
                cat.edition,
                cat.services.len(),
                cat.portals.len(),
                models.len()
            );
            t.push_str(&format!(
                "{:<26} {:<44} {:>6} {:<5} {}\n",
                "LEISTUNG", "NAME", "BEGR.", "LEIKA", "PORTALE · MODELLE"
            ));
            for s in &cat.services {
                t.push_str(&format!(
                    "{:<26} {:<44} {:>6} {:<5} {} · {}\n",
                    s.id.as_str(),
                    crate::text::clip(&s.name, 44),
                    s.terms.0.len(),
                    if s.leika.is_empty() { "–" } else { "ja" },
                    scope_text(
                        false,
                        portals_of(&s.id).iter().map(|p| p.to_string()).collect()
                    ),
                    in_models(&s.id).join(" ")
                ));
            }
            t.push_str(&format!(
                "\n{:<40} {:<12} {}\n",
                "PORTAL", "LÄNDER", "LEISTUNGEN"
            ));
            for p in &cat.portals {
                let states = match &p.states {
                    Scope::All => scope_text(true, vec![]),
                    Scope::Only(v) => scope_text(false, v.iter().map(|s| s.to_string()).collect()),
                };
                let services = match &p.services {
                    Scope::All => scope_text(true, vec![]),
                    Scope::Only(v) => scope_text(false, v.iter().map(|s| s.to_string()).collect()),
                };
                t.push_str(&format!(
                    "{:<40} {:<12} {}{}\n",
                    crate::text::clip(&p.name, 40),
                    states,
                    services,
                    if p.retired.is_some() {
                        " (abgeschaltet)"
                    } else {
                        ""
                    }
                ));
            }
            t.push_str(&format!(
                "\n{:<10} {:>9}  {}\n",
                "MODELL", "LEISTUNG.", "TITEL"
            ));
            for m in &models {
                t.push_str(&format!(
                    "{:<10} {:>9}  {}{}\n",
                    m.id,
                    m.ozg.services.len(),
                    m.title,
                    if m.provisional { " [vorläufig]" } else { "" }
                ));
            }
            t
        }
    };
    write_output(None, &text)?;
    Ok(0)
}
