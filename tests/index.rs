//! The index engine against the published Smart City Index 2023 figures.

use ozgcheck::index::{overall, sector_score, Model};

fn model() -> Model {
    Model::load(
        Some(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("catalogues")),
        "sci2023",
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// German decimal comma numbers of a published row.
fn nums(s: &str) -> Vec<f64> {
    s.split_whitespace()
        .map(|n| {
            n.replace(',', ".")
                .parse::<f64>()
                .unwrap_or_else(|e| panic!("{n}: {e}"))
        })
        .collect()
}

#[test]
fn overall_is_the_mean_of_the_five_sectors() {
    // Rang Stadt: Gesamt, Verwaltung, Energie und Umwelt, IT und Kommunikation,
    // Mobilität, Gesellschaft und Bildung (Smart City Index 2023).
    let rows = [
        ("Bremen", "52,0 59,0 25,9 58,4 63,7 53,3"),
        ("Bergisch Gladbach", "52,0 56,1 71,0 49,1 43,1 40,8"),
        ("Mülheim an der Ruhr", "50,5 37,9 36,2 52,6 62,5 63,1"),
        ("Saarbrücken", "50,3 45,9 48,6 35,5 57,1 64,4"),
        ("Moers", "50,1 57,4 54,1 50,5 24,2 64,4"),
        ("Recklinghausen", "50,0 61,5 22,4 70,6 37,8 57,9"),
        ("Koblenz", "48,9 47,9 69,7 52,6 39,2 35,0"),
        ("Leverkusen", "48,8 51,9 42,6 48,8 36,3 64,3"),
        ("Würzburg", "48,4 52,0 41,6 66,4 65,9 15,9"),
        ("Hamm", "47,9 52,5 40,2 45,1 48,8 52,9"),
        ("Hagen", "47,8 53,0 53,5 67,6 21,0 43,9"),
        ("Halle (Saale)", "47,4 42,5 28,5 60,5 38,5 66,9"),
    ];
    assert_eq!(model().sectors.len(), 5);
    for (city, row) in rows {
        let v = nums(row);
        let got = overall(&v[1..]);
        // Sector scores are published rounded to 0.1: the mean may be off
        // by 0.05 plus the total's own rounding.
        assert!(
            (got - v[0]).abs() <= 0.1,
            "{city}: mean {got:.3}, published {}",
            v[0]
        );
    }
}

#[test]
fn verwaltung_from_its_indicators() {
    let m = model();
    let sector = m
        .sector("verwaltung")
        .unwrap_or_else(|| panic!("no Verwaltung"));
    assert_eq!(sector.indicators.len(), 8);
    // Verwaltung = Interne Prozesse, Payment, Online-Terminvergabe,
    // OZG-Leistungen, Webseite und Social-Media, Bevölkerungsanliegen,
    // Serviceportal, Sonstige Projekte.
    let rows = [
        ("Erfurt", "55,0", "66,7 81,8 83,3 23,7 25,9 23,1 100,0 0,0"),
        ("Neuss", "54,1", "33,3 72,7 41,7 48,7 33,3 67,7 100,0 0,0"),
        ("Hagen", "53,0", "33,3 81,8 83,3 1,2 70,4 44,2 75,0 0,0"),
        ("Hamm", "52,5", "33,3 100,0 0,0 85,0 63,0 41,2 28,6 35,0"),
        (
            "Würzburg",
            "52,0",
            "33,3 63,6 50,0 100,0 40,7 23,1 71,4 0,0",
        ),
    ];
    for (city, published, indicators) in rows {
        let v = nums(indicators);
        let ids: Vec<&str> = sector.indicators.iter().map(|i| i.id.as_str()).collect();
        let points = |id: &str| ids.iter().position(|i| *i == id).map(|k| v[k]);
        let got = sector_score(sector, &points);
        let want = nums(published)[0];
        assert!(
            (got - want).abs() <= 0.06,
            "{city}: {got:.3} vs published {want}"
        );
    }
    // The projects bonus is capped at 35 points.
    let over = |id: &str| Some(if id == "sonstige-projekte" { 90.0 } else { 0.0 });
    assert!((sector_score(sector, &over) - 35.0 / 735.0 * 100.0).abs() < 1e-9);
}

#[test]
fn hagen_ozg_share_and_percent_rank() {
    let m = model();
    assert_eq!(m.ozg.services.len(), 13);
    // Hagen's published answers: ja for Bürgergeld, Handwerksgründung,
    // Unternehmensanmeldung; nein for the other ten.
    let online = ["buergergeld", "handwerksgruendung", "unternehmensanmeldung"];
    let share = online.len() as f64 / m.ozg.services.len() as f64;
    assert_eq!((share * 100.0).round(), 23.0);
    // 1.2 points means exactly one city had a lower share: with 81 cities,
    // 1 below and 80 above or equal... PERCENTRANK counts strictly above.
    let mut others = vec![0.15];
    others.extend(std::iter::repeat_n(0.5, 80));
    let mut all = others.clone();
    all.push(share);
    let points = ozgcheck::index::normalise(
        m.sector("verwaltung")
            .map(|s| s.indicators[3].normalisation)
            .unwrap_or(ozgcheck::index::Normalisation::PercentRank),
        &all,
        share,
    );
    assert_eq!(points.map(|p| (p * 10.0).round() / 10.0), Some(1.2));
}

/// Every documented input format has an example in `docs/examples/` that
/// the program reads; typos and out-of-range values are errors with a line.
#[test]
fn the_documented_example_files_are_read() {
    use ozgcheck::catalogue::{Catalogue, Source};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let ex = root.join("docs/examples");
    let read = |n: &str| std::fs::read_to_string(ex.join(n)).unwrap_or_else(|e| panic!("{n}: {e}"));
    let cat = Catalogue::load(&root.join("catalogues")).unwrap_or_else(|e| panic!("{e}"));

    // Claims sheet: ids or names, any case.
    let claims = ozgcheck::audit::read_claims("meldung.csv", &read("meldung.csv"), &cat)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(claims.len(), 4);
    assert!(claims
        .iter()
        .any(|c| c.service.as_str() == "bewohnerparkausweis" && c.claimed));

    // Peers as German Excel writes them: BOM, `;`, decimal commas.
    let peers = ozgcheck::index::read_peers("peers.csv", &read("peers.csv"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(peers.len(), 4);
    assert!(peers
        .iter()
        .any(|p| p.city == "Hamm" && (p.share - 0.85).abs() < 1e-9));

    // The city's own values for the projection.
    let m = model();
    let text = read("stadt-werte.toml");
    let src = Source {
        name: "stadt-werte.toml".into(),
        text: &text,
    };
    let v = ozgcheck::index::read_city_values(&src, &m).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v.indicators["verwaltung"]["payment"], 81.8);
    // A typo is an error naming the line, not a silent zero.
    let typo = text.replace("payment = 81.8", "paymnet = 81.8");
    let src = Source {
        name: "stadt-werte.toml".into(),
        text: &typo,
    };
    let err = ozgcheck::index::read_city_values(&src, &m)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let line = typo
        .lines()
        .position(|l| l.starts_with("paymnet"))
        .map_or(0, |i| i + 1);
    assert!(
        err.contains(&format!("stadt-werte.toml:{line}")) && err.contains("paymnet"),
        "{err}"
    );
    let high = text.replace("payment = 81.8", "payment = 818");
    let src = Source {
        name: "stadt-werte.toml".into(),
        text: &high,
    };
    assert!(ozgcheck::index::read_city_values(&src, &m).is_err());

    // The OZG dashboard's export.
    let (ars, rows) =
        ozgcheck::audit::read_dashboard("dashboard-export.csv", &read("dashboard-export.csv"))
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ars.as_deref(), Some("059140000000"));
    assert_eq!(rows.len(), 2);

    // A city profile.
    ozgcheck::profile::Profile::load(&ex.join("stadt.toml")).unwrap_or_else(|e| panic!("{e}"));
}
