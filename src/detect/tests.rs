//! The detection mechanisms one at a time, on small pages and the
//! built-in catalogue (the corpus tests measure them together).
use super::*;
use crate::extract::{read_page, Extractor};

/// The one-pass filter drops exactly what the pairwise definition does.
#[test]
fn dominated_matches_are_those_inside_a_longer_one_of_another_service() {
    let naive = |all: &[Named]| -> Vec<(usize, Range<usize>)> {
        let mut v: Vec<(usize, Range<usize>)> = all
            .iter()
            .filter(|m| {
                !all.iter().any(|o| {
                    o.service != m.service
                        && o.range.start <= m.range.start
                        && m.range.end <= o.range.end
                        && o.range.len() > m.range.len()
                        && (!has_gap(o.term) || o.range.end == m.range.end)
                })
            })
            .map(|m| (m.service, m.range.clone()))
            .collect();
        v.sort_by_key(|(_, r)| r.start);
        v
    };
    // A small deterministic generator of overlapping matches.
    let mut x: u64 = 7;
    let mut next = |n: u64| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((x >> 33) % n) as usize
    };
    for _ in 0..300 {
        let all: Vec<Named> = (0..next(12))
            .map(|_| {
                let start = next(20);
                Named {
                    service: next(3),
                    term: if next(3) == 0 { "a ... b" } else { "" },
                    range: start..start + 1 + next(8),
                }
            })
            .collect();
        let mut want = naive(&all);
        let mut got: Vec<(usize, Range<usize>)> = without_dominated(all)
            .into_iter()
            .map(|m| (m.service, m.range))
            .collect();
        want.sort_by_key(|(s, r)| (r.start, r.end, *s));
        got.sort_by_key(|(s, r)| (r.start, r.end, *s));
        assert_eq!(got, want);
    }
}

fn cat() -> Catalogue {
    Catalogue::embedded().unwrap_or_else(|e| panic!("{e}"))
}

fn findings(cat: &Catalogue, url: &str, body: &str) -> PageFindings {
    findings_in(cat, State::NW, url, body)
}

fn findings_in(cat: &Catalogue, state: State, url: &str, body: &str) -> PageFindings {
    let u = Url::parse(url).unwrap_or_else(|e| panic!("{e}"));
    let ex = Extractor::new(&cat.page);
    let page = read_page(&ex, &u, body.as_bytes(), Some("text/html"), true)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no page"));
    let in_scope = |h: &str| h.ends_with("stadt.de");
    let ctx = Context {
        state,
        city: "Musterstadt",
        in_scope: &in_scope,
    };
    analyze(
        cat,
        &ctx,
        &page,
        &u,
        jiff::Timestamp::UNIX_EPOCH,
        SnapshotId::of(body.as_bytes()),
    )
}

fn page(title: &str, main: &str) -> String {
    format!(
        "<html><head><title>{title}</title></head><body><nav><a href='/a'>Elterngeld</a> \
         <a href='/b'>Kita</a></nav><main><h1>{title}</h1>{main}</main></body></html>"
    )
}

fn level_of(
    cat: &Catalogue,
    pages: &[PageFindings],
    svc: &str,
    live: &dyn Fn(&str, Claim) -> Liveness,
) -> Level {
    verdicts(cat, pages, live)
        .into_iter()
        .find(|v| v.service.as_str() == svc)
        .map_or(Level::Offline, |v| v.level)
}

fn alive(_: &str, _: Claim) -> Liveness {
    Liveness::Alive
}

fn dead(_: &str, _: Claim) -> Liveness {
    Liveness::Dead("HTTP 404".into())
}

/// Data-driven: the level and basis a one-page site gives a service.
fn check(
    title: &str,
    main: &str,
    svc: &str,
    live: &dyn Fn(&str, Claim) -> Liveness,
) -> (Level, Option<Basis>) {
    let c = cat();
    let f = findings(&c, "http://www.stadt.de/leistung.html", &page(title, main));
    verdicts(&c, &[f], live)
        .into_iter()
        .find(|v| v.service.as_str() == svc)
        .map_or((Level::Offline, None), |v| (v.level, v.basis()))
}

#[test]
fn news_is_a_part_that_begins_with_a_news_word() {
    let c = cat();
    let news = |t: &str| is_news(&c.signals.news, t);
    assert!(news("/aktuelles/2026/wohngeld-jetzt-online/"));
    assert!(news("Startseite › Presse › Pressemitteilungen"));
    assert!(news("Pressemitteilung: Wohngeld jetzt online"));
    assert!(!news("/buergerservice/service-aktuelles/wohngeld/"));
    assert!(!news("Service-Aktuelles – Wohngeld beantragen"));
}

#[test]
fn a_city_host_that_is_also_a_state_portal_is_the_city_s_site() {
    let c = cat();
    let body = page(
        "Wohngeld",
        "<p>Informationen zum Wohngeld.</p>\
         <p><a href='http://www.berlin.de/sen/wohnen/'>Antrag online stellen</a></p>",
    );
    let u = Url::parse("http://www.berlin.de/ba-mitte/wohngeld/").unwrap_or_else(|e| panic!("{e}"));
    let ex = Extractor::new(&c.page);
    let pg = read_page(&ex, &u, body.as_bytes(), Some("text/html"), true)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no page"));
    let berlin = |h: &str| h.ends_with("berlin.de");
    let f = analyze(
        &c,
        &Context {
            state: State::BE,
            city: "Berlin",
            in_scope: &berlin,
        },
        &pg,
        &u,
        jiff::Timestamp::UNIX_EPOCH,
        SnapshotId::of(body.as_bytes()),
    );
    assert!(
        !f.signals.iter().any(|s| s.kind == SignalKind::PortalLink),
        "{:?}",
        f.signals
    );
}

#[test]
fn a_sentence_that_says_online_is_a_claim_not_a_verification() {
    let cases: &[(&str, &str, Level, Option<Basis>)] = &[
        // Prose alone: level 3, claimed.
        ("<p>Den Antrag auf Wohngeld können Sie auch online stellen.</p>", "wohngeld", Level::Online, Some(Basis::Claimed)),
        ("<p>Anträge nehmen wir nur noch online entgegen, bitte nutzen Sie dafür das Serviceportal.</p>", "wohngeld", Level::Online, Some(Basis::Claimed)),
        // Negated, future, conditional, a question: no claim.
        ("<p>Eine Online-Beantragung ist derzeit leider nicht möglich.</p>", "wohngeld", Level::Information, None),
        ("<p>Die Möglichkeit, Wohngeld online zu beantragen, ist für 2027 geplant.</p>", "wohngeld", Level::Information, None),
        ("<p>Je nach Wohngeldbehörde können Sie den Antrag auch online stellen.</p>", "wohngeld", Level::Information, None),
        ("<p>Kann ich den Antrag auch online stellen und gleich bezahlen?</p>", "wohngeld", Level::Information, None),
        // Appointment booking is no application.
        ("<p>Sie können sich online für einen Termin in der Wohngeldstelle anmelden.</p>", "wohngeld", Level::Information, None),
        // A sentence about another service is not this one's claim.
        ("<p>Ihren Personalausweis können Sie dagegen nur noch online beantragen lassen.</p>", "wohngeld", Level::Information, None),
    ];
    for (main, svc, level, basis) in cases {
        assert_eq!(
            check("Wohngeld", main, svc, &alive),
            (*level, *basis),
            "{main}"
        );
    }
}

#[test]
fn a_portal_named_in_prose_with_a_verb_of_applying_is_a_claim() {
    // ElterngeldDigital carries Elterngeld in every state: claimed.
    let main = "<p>Den Antrag auf Elterngeld stellen Sie bequem über ElterngeldDigital.</p>";
    assert_eq!(
        check("Elterngeld", main, "elterngeld", &alive),
        (Level::Online, Some(Basis::Claimed))
    );
    // Named without a verb of applying: information only.
    let main = "<p>Auf ElterngeldDigital finden Sie viele Informationen rund um die Familie.</p>";
    assert_eq!(
        check("Elterngeld", main, "elterngeld", &alive).0,
        Level::Information
    );
    // Another state's portal (Amt24 is Saxony's; the test city is in NRW).
    let main = "<p>Den Antrag auf Wohngeld reichen Sie über Amt24 ein, samt Nachweisen.</p>";
    assert_eq!(
        check("Wohngeld", main, "wohngeld", &alive).0,
        Level::Information
    );
}

#[test]
fn a_weak_term_gives_way_to_the_page_it_stands_on() {
    // "Ummeldung" alone names the change of address, but on the Gewerbe
    // page the sentence is about the trade's; the state portal is named
    // the way pages name it, not by its brand.
    let main = "<p>Ob Anmeldung, Ummeldung oder Abmeldung: das erledigen Sie mit wenigen \
                Klicks im Serviceportal des Landes Nordrhein-Westfalen.</p>";
    assert_eq!(
        check("Gewerbeangelegenheiten", main, "gewerbeabmeldung", &alive),
        (Level::Online, Some(Basis::Claimed))
    );
    assert!(check("Gewerbeangelegenheiten", main, "ummeldung", &alive).0 < Level::Online);
    // On a page about nothing the weak term still names its service.
    let main =
        "<p>Die Ummeldung erledigen Sie im Serviceportal des Landes Nordrhein-Westfalen.</p>";
    assert_eq!(
        check("Bürgerservice", main, "ummeldung", &alive),
        (Level::Online, Some(Basis::Claimed))
    );
}

#[test]
fn of_two_portal_names_in_a_sentence_the_longer_one_is_meant() {
    // "Serviceportal des Landes Sachsen-Anhalt" begins with Saxony's name.
    let c = cat();
    let main =
        "<p>Den Antrag auf Wohngeld stellen Sie im Serviceportal des Landes Sachsen-Anhalt.</p>";
    let f = findings(
        &c,
        "http://www.stadt.de/wohngeld.html",
        &page("Wohngeld", main),
    );
    let claim = f
        .signals
        .iter()
        .find(|s| s.kind == SignalKind::ProseClaim)
        .unwrap_or_else(|| panic!("no prose claim: {:?}", f.signals));
    let why = claim
        .cancelled
        .as_ref()
        .map(|c| c.to_string())
        .unwrap_or_default();
    assert!(why.contains("Sachsen-Anhalt"), "{why}");
}

#[test]
fn an_office_page_informs_about_each_service_with_a_section_of_its_own() {
    let section = |body: &str| {
        format!(
            "<p>Die Ausländerbehörde berät Sie gern.</p><h2>Beschäftigungserlaubnis</h2><p>{body}</p>\
             <h2>Öffnungszeiten</h2><p>Montag bis Freitag.</p>"
        )
    };
    let prose = "Personen mit Duldung, die eine Arbeit aufnehmen möchten, bringen den \
                 Arbeitsvertrag und die Stellenbeschreibung des Arbeitgebers zu einem Termin mit.";
    assert_eq!(
        check(
            "Zuwanderung und Aufenthalt",
            &section(prose),
            "beschaeftigungserlaubnis",
            &alive
        )
        .0,
        Level::Information
    );
    // A teaser box is no section about the service.
    assert_eq!(
        check(
            "Zuwanderung und Aufenthalt",
            &section("Alles Wichtige. Weiter"),
            "beschaeftigungserlaubnis",
            &alive
        )
        .0,
        Level::Offline
    );
}

#[test]
fn a_form_s_purpose_is_what_a_person_reads_not_its_field_names() {
    let form = |label: &str, name: &str| {
        format!(
            "<p>Melden Sie uns Ihren Verlust.</p><form method='post' action='/cgi-bin/verlust'>\
             Gegenstand <input name='gegenstand'> {label} <input name='{name}'>\
             <input type='submit' value='Absenden'></form>"
        )
    };
    // A field named "kontakt" holds the applicant's phone number.
    assert_eq!(
        check(
            "Fundbüro",
            &form("Telefon", "kontakt"),
            "fundsachen",
            &alive
        )
        .0,
        Level::Online
    );
    // A field a person reads as "Ihre Nachricht" makes a contact form.
    assert!(
        check(
            "Fundbüro",
            &form("Ihre Nachricht", "text"),
            "fundsachen",
            &alive
        )
        .0 < Level::Online
    );
}

#[test]
fn a_form_that_takes_documents_is_online_whatever_else_it_mentions() {
    // "per Post" is about the tag sent back, not the way of applying.
    let main = "<form method='post' enctype='multipart/form-data' action='/abmeldung'>\
                Kassenzeichen <input name='kz'> Nachweis <input type='file' name='nachweis'>\
                <input type='checkbox' name='marke'> Die Steuermarke wird per Post zurückgesandt\
                <button>Abmeldung absenden</button></form>";
    assert_eq!(
        check("Hundesteuer", main, "hundesteuer", &alive).0,
        Level::Online
    );
}

#[test]
fn a_document_its_sentence_says_to_print_is_a_form() {
    let main = "<p>Zur Anmeldung dient die Sperrmüllkarte. Haben Sie keine zur Hand, drucken Sie \
                die Karte hier aus:</p><p><a href='/media/karte.pdf'>Sperrmüllkarte (PDF)</a></p>";
    assert_eq!(
        check("Sperrmüll", main, "sperrmuell", &alive).0,
        Level::FormAssistant
    );
    // Without the print sentence the same link is just a document.
    let main = "<p>Weitere Hinweise:</p><p><a href='/media/karte.pdf'>Sperrmüllkarte (PDF)</a></p>";
    assert_eq!(
        check("Sperrmüll", main, "sperrmuell", &alive).0,
        Level::Information
    );
}

/// A power of attorney or a landlord's confirmation goes with the
/// application; offering it is no application form (level 2).
#[test]
fn a_document_that_goes_with_the_application_is_not_its_form() {
    let main = "<h2>Formulare</h2><p><a href='/formulare/vollmacht_meldewesen.pdf'>Vollmacht (PDF)</a></p>";
    assert_eq!(
        check("Meldebescheinigung", main, "meldebescheinigung", &alive).0,
        Level::Information
    );
    let main =
        "<h2>Formulare</h2><p><a href='/formulare/meldebescheinigung.pdf'>Antrag (PDF)</a></p>";
    assert_eq!(
        check("Meldebescheinigung", main, "meldebescheinigung", &alive).0,
        Level::FormAssistant
    );
}

/// Items of a list of links are siblings: the item before a link does not
/// lend it its words ("Online-Dienst: Fahrzeug abmelden" above
/// "Informationen des Bundes").
#[test]
fn a_list_item_is_no_intro_to_the_next_one() {
    let main = "<h2>Links</h2><ul><li><a href='https://portal.example/abmelden'>Online-Dienst: Fahrzeug abmelden</a></li>\
                <li><a href='https://info.example/ikfz'>Informationen des Bundes</a></li></ul>";
    let c = cat();
    let f = findings(
        &c,
        "http://www.stadt.de/abmeldung.html",
        &page("Fahrzeug abmelden", main),
    );
    let targets: Vec<&str> = f
        .signals
        .iter()
        .filter(|s| s.kind == SignalKind::ApplicationLink)
        .filter_map(|s| s.target.as_deref())
        .collect();
    assert_eq!(
        targets,
        vec!["https://portal.example/abmelden"],
        "{:?}",
        f.signals
    );
}

/// The login of an online service is what a link that leads to it rests
/// on; a form of buttons without a login is not.
#[test]
fn a_login_to_an_online_service_is_an_application_gateway() {
    let c = cat();
    let login = "<p>Melden Sie sich an oder fahren Sie ohne Konto fort.</p><form method='post' action='/x'>\
                 <button type='submit' name='login' value='bundid'>Mit BundID anmelden</button>\
                 <button type='submit' name='login' value='gast'>Ohne Konto fortfahren</button></form>";
    let f = findings(
        &c,
        "http://service.stadt.de/onlinedienst/1120",
        &page("Urkundenanforderung online", login),
    );
    assert!(f.application_form);
    let vote = login
        .replace("Mit BundID anmelden", "Ja")
        .replace("Ohne Konto fortfahren", "Nein");
    let f = findings(
        &c,
        "http://service.stadt.de/onlinedienst/1120",
        &page("Umfrage", &vote),
    );
    assert!(!f.application_form);
}

/// A general state portal needs wording that offers the application: a
/// section headed as the online way gives it to the links in it.
#[test]
fn a_section_headed_as_the_online_way_speaks_for_its_portal_link() {
    let c = cat();
    let body = |heading: &str| {
        page(
            "Fischereischein",
            &format!(
                "<p>Den Fischereischein erhalten Sie nach der Prüfung.</p><h2>{heading}</h2>\
                 <p>Melden Sie sich mit Ihrem Konto im <a href='https://www.bayernportal.de/fs'>Portal des Landes</a> an.</p>"
            ),
        )
    };
    let level = |heading: &str| {
        let f = findings_in(
            &c,
            State::BY,
            "http://www.stadt.de/fischereischein.html",
            &body(heading),
        );
        level_of(&c, &[f], "fischereischein", &alive)
    };
    assert_eq!(level("Antrag über einen Onlinedienst"), Level::Online);
    assert_eq!(level("Weitere Informationen"), Level::Information);
}

/// A form to download does not silence its sentence: an interactive PDF
/// "sent electronically with its Absenden button" is a claim of its own;
/// one to print stays level 2.
#[test]
fn a_document_link_leaves_its_sentence_s_claim_standing() {
    let main = |how: &str| {
        format!(
            "<p><a href='/formulare/parkausweis_antrag.pdf'>Antrag auf einen Bewohnerparkausweis (PDF)</a> – \
             am Bildschirm ausfüllen und {how}.</p>"
        )
    };
    let sent =
        main("über die Schaltfläche „Absenden“ elektronisch an die Stadtverwaltung übermitteln");
    assert_eq!(
        check("Bewohnerparkausweis", &sent, "bewohnerparkausweis", &alive),
        (Level::Online, Some(Basis::Claimed))
    );
    let printed = main("ausgedruckt und unterschrieben an die Stadtverwaltung senden");
    assert_eq!(
        check(
            "Bewohnerparkausweis",
            &printed,
            "bewohnerparkausweis",
            &alive
        )
        .0,
        Level::FormAssistant
    );
}

/// A way that goes on to paper in the next sentence of its paragraph is a
/// form assistant: the portal link does not make the application online.
#[test]
fn a_portal_way_that_ends_on_paper_is_a_form_assistant() {
    let main = |then: &str| {
        format!(
            "<p>Mit <a href='https://www.elterngeld-digital.de/ams/Elterngeld'>ElterngeldDigital</a> \
             erstellen Sie Ihren Antrag bequem am Bildschirm. {then}</p>"
        )
    };
    let paper = main("Anschließend drucken Sie ihn aus und reichen ihn unterschrieben bei der Elterngeldstelle ein.");
    assert_ne!(
        check("Elterngeld", &paper, "elterngeld", &alive).0,
        Level::Online
    );
    let online = main("Die Nachweise laden Sie dort direkt hoch.");
    assert_eq!(
        check("Elterngeld", &online, "elterngeld", &alive).0,
        Level::Online
    );
}

/// A heading that ends in a colon announces what follows: an empty list of
/// online services there takes the claim back. "Über das Internet" is
/// online, "nicht über das Internet" is not.
#[test]
fn an_announced_online_way_that_lists_nothing_is_no_claim() {
    let empty =
        "<p>Unterhaltsvorschuss - Antrag online stellen:</p><p>Keine Verfahren gefunden.</p>";
    assert_eq!(
        check("Unterhaltsvorschuss", empty, "unterhaltsvorschuss", &alive).0,
        Level::Information
    );
    let yes = "<p>Sie können den Antrag auf Papier einreichen oder über das Internet stellen.</p>";
    assert_eq!(
        check("Wohngeld", yes, "wohngeld", &alive),
        (Level::Online, Some(Basis::Claimed))
    );
    let no = "<p>Den Antrag können Sie nicht über das Internet stellen, bitte kommen Sie ins Rathaus.</p>";
    assert_eq!(
        check("Wohngeld", no, "wohngeld", &alive).0,
        Level::Information
    );
}

#[test]
fn mentions_alone_are_context_where_the_title_names_another_service() {
    let main = "<p>Wer Bürgergeld bezieht, stellt den Antrag beim Jobcenter. Auch Familien mit \
                Bürgergeld erhalten die Leistungen. Bürgergeld-Haushalte wenden sich an das Jobcenter.</p>";
    assert_eq!(
        check("Bildung und Teilhabe", main, "buergergeld", &alive).0,
        Level::Offline
    );
    // On a page whose title names no service the same mentions count.
    assert_eq!(
        check("Soziale Hilfen", main, "buergergeld", &alive).0,
        Level::Information
    );
}

#[test]
fn a_trade_notice_is_all_three_and_elided_verbs_reach_across_a_portal_name() {
    // "an-, ab- oder ummelden" stands many words after "Gewerbe".
    let main = "<p>Sie können Ihr Gewerbe online im Wirtschafts-Service-Portal.NRW an-, ab- \
                oder ummelden.</p>";
    for svc in ["unternehmensanmeldung", "gewerbeabmeldung"] {
        assert_eq!(
            check("Bürgerservice", main, svc, &alive),
            (Level::Online, Some(Basis::Claimed)),
            "{svc}"
        );
    }
    // "Gewerbemeldungen" covers start, change and end of a trade.
    let main = "<p>Für die Anzeigen gibt es amtliche Vordrucke; inzwischen können Sie \
                Gewerbemeldungen aber auch online erledigen.</p>";
    assert_eq!(
        check("Gewerbeangelegenheiten", main, "gewerbeabmeldung", &alive),
        (Level::Online, Some(Basis::Claimed))
    );
}

#[test]
fn a_service_named_like_a_negation_is_no_negation() {
    // "außer Betrieb setzen" names the Kfz-Abmeldung; "außer Betrieb"
    // alone says a service is out of order.
    let main =
        "<p>Sie können Ihr Fahrzeug online außer Betrieb setzen, mit dem Online-Ausweis.</p>";
    assert_eq!(
        check("Kfz-Abmeldung", main, "kfz-abmeldung", &alive),
        (Level::Online, Some(Basis::Claimed))
    );
    let main = "<p>Der Online-Antrag für die Kfz-Abmeldung ist zurzeit außer Betrieb.</p>";
    assert!(check("Kfz-Abmeldung", main, "kfz-abmeldung", &alive).0 < Level::Online);
}

#[test]
fn a_live_target_verifies_and_a_dead_one_contradicts_the_claim() {
    let main = "<p>Den Antrag auf Wohngeld können Sie online stellen.</p>\
                <p>Weiter: <a href='http://www.elterngeld-digital.de/antrag'>ElterngeldDigital öffnen</a></p>";
    let text = "<p>Den Antrag können Sie online stellen.</p>\
                <p><a href='http://formulare.stadt.de/wohngeld/antrag'>Zum Online-Antrag</a></p>";
    assert_eq!(
        check("Wohngeld", text, "wohngeld", &alive),
        (Level::Online, Some(Basis::Verified))
    );
    let (level, _) = check("Wohngeld", text, "wohngeld", &dead);
    assert!(
        level < Level::Online,
        "a dead application link contradicts the prose"
    );
    // A link to a portal of another service neither verifies nor contradicts.
    assert_eq!(
        check("Wohngeld", main, "wohngeld", &dead),
        (Level::Online, Some(Basis::Claimed))
    );
}

#[test]
fn a_longer_term_of_another_service_wins() {
    let c = cat();
    let f = findings(
        &c,
        "http://www.stadt.de/gewerbe.html",
        &page(
            "Gewerbe an-, um- oder abmelden",
            "<p>Hier zeigen Sie Ihr Gewerbe an.</p>",
        ),
    );
    let about: Vec<&str> = f.about.iter().map(|a| a.service.as_str()).collect();
    assert!(about.contains(&"unternehmensanmeldung"), "{about:?}");
    assert!(!about.contains(&"ummeldung"), "{about:?}");
}

#[test]
fn links_in_a_navigation_bar_inside_the_content_prove_nothing() {
    let c = cat();
    let f = findings(
        &c,
        "http://www.stadt.de/elterngeld.html",
        &page(
            "Elterngeld",
            "<p>Sie sind hier: <a href='/'>Start</a> | <a href='/formulare.html'>Formulare</a> | \
             <a href='/online-dienste.html'>Online-Dienste</a></p>\
             <p>Elterngeld beantragen Sie bei der Elterngeldstelle.</p>",
        ),
    );
    assert!(f.signals.is_empty(), "{:?}", f.signals);
    assert_eq!(level_of(&c, &[f], "elterngeld", &alive), Level::Information);
}

#[test]
fn a_lone_button_takes_its_meaning_from_the_sentence_before() {
    let c = cat();
    let f = findings(
        &c,
        "http://www.stadt.de/elterngeld.html",
        &page(
            "Elterngeld",
            "<p>Den Antrag auf Elterngeld können Sie online stellen.</p>\
             <p><a href='https://antrag.vendor.example/eg'>Weiter</a></p>",
        ),
    );
    assert_eq!(level_of(&c, &[f], "elterngeld", &alive), Level::Online);
}

#[test]
fn a_negated_online_way_leaves_the_pdf_form_standing() {
    let c = cat();
    let f = findings(
        &c,
        "http://www.stadt.de/elterngeld.html",
        &page(
            "Elterngeld",
            "<p>Eine Online-Beantragung ist derzeit nicht möglich.</p>\
             <p><a href='/dok/antrag-elterngeld.pdf'>Antrag auf Elterngeld (PDF)</a></p>",
        ),
    );
    assert_eq!(
        level_of(&c, &[f], "elterngeld", &alive),
        Level::FormAssistant
    );
}

#[test]
fn pages_that_all_link_to_each_other_are_judged_once_each() {
    // 40 pages, each with an application link to every other: walked
    // path by path, three hops would be 40^3 visits per link.
    let c = cat();
    let n = 40;
    let url = |i: usize| format!("http://www.stadt.de/elterngeld-{i}.html");
    let all: Vec<PageFindings> = (0..n)
        .map(|i| {
            let links: String = (0..n)
                .filter(|&j| j != i)
                .map(|j| {
                    format!(
                        "<p>Elterngeld <a href='{}'>online beantragen</a>.</p>",
                        url(j)
                    )
                })
                .collect();
            findings(&c, &url(i), &page("Elterngeld", &links))
        })
        .collect();
    let own = |t: &str, claim: Claim| match claim {
        Claim::Reachable => Liveness::Alive,
        _ => Liveness::OwnPage {
            url: t.to_string(),
            offers_any: false,
        },
    };
    // No page holds a form: the links lead only to each other.
    assert_eq!(level_of(&c, &all, "elterngeld", &own), Level::Information);
}

#[test]
fn a_same_site_link_holds_only_where_the_target_offers_the_service() {
    let c = cat();
    let start = findings(
        &c,
        "http://www.stadt.de/elterngeld.html",
        &page(
            "Elterngeld",
            "<p>Elterngeld können Sie <a href='http://www.stadt.de/online/'>online beantragen</a>.</p>",
        ),
    );
    let own = |t: &str, claim: Claim| match claim {
        Claim::Reachable => Liveness::Alive,
        _ => Liveness::OwnPage {
            url: t.to_string(),
            offers_any: true,
        },
    };
    // The target is about another service and offers only that one.
    let other = findings(
        &c,
        "http://www.stadt.de/online/",
        &page(
            "Gewerbeanmeldung online",
            "<form method='post' action='/senden'><input name='a'><input name='b'>\
             <input type='file' name='c'><button>Absenden</button></form>",
        ),
    );
    assert_eq!(
        level_of(&c, &[start.clone(), other], "elterngeld", &own),
        Level::Information
    );
    let form = findings(
        &c,
        "http://www.stadt.de/online/",
        &page(
            "Elterngeld online beantragen",
            "<form method='post' action='/senden'><input name='a'><input name='b'>\
             <input type='file' name='c'><button>Absenden</button></form>",
        ),
    );
    assert_eq!(
        level_of(&c, &[start, form], "elterngeld", &own),
        Level::Online
    );
}

#[test]
fn an_inline_frame_counts_when_it_holds_an_application_form() {
    let c = cat();
    let f = findings(
        &c,
        "http://www.stadt.de/kita.html",
        &page(
            "Kita-Platz",
            "<p>Hier finden Sie unsere Kitas.</p>\
             <iframe src='https://kita.vendor.example/stadt/'></iframe>",
        ),
    );
    let holds = |_: &str, _: Claim| Liveness::Alive;
    let empty = |_: &str, claim: Claim| match claim {
        Claim::Embedded => Liveness::NotAnApplication("no form".into()),
        _ => Liveness::Alive,
    };
    assert_eq!(
        level_of(&c, std::slice::from_ref(&f), "kindertagesbetreuung", &holds),
        Level::Online
    );
    assert_eq!(
        level_of(&c, &[f], "kindertagesbetreuung", &empty),
        Level::Information
    );
}

#[test]
fn level_four_needs_the_procedure_not_only_the_submission_to_be_digital() {
    let c = cat();
    let submit = findings(
        &c,
        "http://www.stadt.de/gewerbe.html",
        &page(
            "Gewerbeanmeldung",
            "<p>Die Gewerbeanmeldung können Sie vollständig online abgeben: \
             <a href='https://www.gewerbe-service.nrw/a'>Gewerbe online anmelden</a>.</p>",
        ),
    );
    assert_eq!(
        level_of(&c, &[submit], "unternehmensanmeldung", &alive),
        Level::Online
    );
    let notice = findings(
        &c,
        "http://www.stadt.de/gewerbe.html",
        &page(
            "Gewerbeanmeldung",
            "<p><a href='https://www.gewerbe-service.nrw/a'>Gewerbe online anmelden</a>.</p>\
             <p>Den Gebührenbescheid erhalten Sie elektronisch in Ihr Unternehmenskonto.</p>",
        ),
    );
    assert_eq!(
        level_of(&c, &[notice], "unternehmensanmeldung", &alive),
        Level::Transaction
    );
}

/// A page read for the stages, as `analyze` prepares it (aboutness left out).
fn with_reading<R>(html: &str, f: impl FnOnce(&Reading<'_>) -> R) -> R {
    let c = cat();
    let u = Url::parse("http://www.stadt.de/amt.html").unwrap_or_else(|e| panic!("{e}"));
    let ex = Extractor::new(&c.page);
    let page = read_page(&ex, &u, html.as_bytes(), Some("text/html"), true)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no page"));
    let main = Folded::new(&page.main_text);
    let words = Words::new(&main.text);
    let mut r = Reading::new(&c, &page, &main, &words);
    r.sectioned = NamedOnPage::new(&r, &u).sectioned;
    f(&r)
}

/// Stage `Reading::link_share`: a bar of links is mostly link text; a
/// sentence with one link in it is mostly prose.
#[test]
fn link_share_tells_a_navigation_bar_from_a_sentence() {
    let html = page(
        "Service",
        "<p><a href='/s'>Startseite</a> | <a href='/f'>Formulare</a> | \
         <a href='/o'>Online-Dienste</a></p>\
         <p>Den Antrag stellen Sie bequem im <a href='/p'>Portal</a> der Stadt von zu Hause.</p>",
    );
    with_reading(&html, |r| {
        let at = |w: &str| r.text().find(w).unwrap_or_else(|| panic!("{w}"));
        let (n, share) = r.link_share(&r.sentence_of(&(at("Formulare")..at("Formulare") + 1)));
        assert!(n >= 3 && share >= NAV_BAR_LINK_SHARE, "{n} {share}");
        let (n, share) = r.link_share(&r.sentence_of(&(at("Portal")..at("Portal") + 1)));
        assert!(n == 1 && share < LONE_LINK_SHARE, "{n} {share}");
    });
}

/// Stages `Reading::section_of` and `describes`: on an office's page, a
/// form under a heading that names a service describes that service, one
/// under a heading on something else describes none, and one under an
/// aspect of a service ("Öffnungszeiten") what the page is about.
#[test]
fn a_section_heading_decides_what_its_forms_describe() {
    let html = "<html><head><title>Standesamt</title></head><body><main><h1>Standesamt</h1>\
        <h2>Eheschließung</h2><p>Die Anmeldung der Eheschließung nehmen wir nach Termin entgegen.</p>\
        <h2>Öffnungszeiten</h2><p>Montag bis Freitag von acht bis zwölf Uhr geöffnet.</p>\
        <h2>Stadtgeschichte</h2><p>Im Jahr 1850 bekam der Ort sein erstes Rathaus.</p>\
        </main></body></html>";
    with_reading(html, |r| {
        assert!(r.sectioned);
        let at = |w: &str| r.text().find(w).unwrap_or_else(|| panic!("{w}"));
        let ehe = r.describes(at("Die Anmeldung")).unwrap_or_default();
        assert_eq!(
            ehe.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            ["eheschliessung"]
        );
        assert_eq!(r.describes(at("Im Jahr")), Some(Vec::new()));
        // Aboutness is not set here: the page is about nothing yet.
        assert_eq!(r.describes(at("Montag")), None);
    });
}

/// Stage `claim_sentences`: one candidate per sentence; a sentence that
/// names a portal carries that portal.
#[test]
fn claim_sentences_are_one_per_sentence_with_the_portal_named() {
    let html = page(
        "Elterngeld",
        "<p>Den Antrag auf Elterngeld können Sie über ElterngeldDigital online stellen.</p>\
         <p>Sie können den Antrag auch online stellen und online einreichen.</p>",
    );
    with_reading(&html, |r| {
        let found = claim_sentences(r);
        assert_eq!(found.len(), 2, "{found:?}");
        let portal = found[0].1.and_then(|i| r.cat.portals.get(i));
        assert!(
            portal.is_some_and(|p| p.name.contains("ElterngeldDigital")),
            "{found:?}"
        );
        assert_eq!(found[1].1, None);
    });
}
