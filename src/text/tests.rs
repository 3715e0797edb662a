use super::*;

fn p(s: &str) -> Phrase {
    match Phrase::parse(s) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn whitespace_squashes_alike_on_both_paths() {
    for t in ["  a\tb\n\r c  ", "a\x0bb", "x\u{a0}y  z", "", " \x0c "] {
        let want = t.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(squash_ws(t), want, "{t:?}");
    }
}

#[test]
fn folding_unifies_spellings() {
    assert_eq!(fold("Eheschließung"), "eheschliessung");
    assert_eq!(fold("KFZ-Zulassung!"), "kfz zulassung");
    // Non-ASCII letters keep text and map in step.
    let orig = "Café Noël: Eheschließung";
    let f = Folded::new(orig);
    assert_eq!(f.text, "café noël eheschliessung");
    let Some(r) = p("eheschliessung").find(&f.text) else {
        panic!("{}", f.text)
    };
    assert_eq!(&orig[f.original_range(&r)], "Eheschließung");
    assert_eq!(fold("  Bürger\u{00AD}geld  "), "buergergeld");
}

#[test]
fn prefix_tokens_and_gaps() {
    let f = fold("Sie können den Antrag auf Elterngeld bequem online stellen.");
    assert!(p("antrag ... online").is_match(&f));
    assert!(!p("online ... antrag").is_match(&f));
    assert!(p("Elterngeld").is_match(&fold("Elterngeldstelle")));
    assert!(!p("ehe$").is_match(&fold("ehemalige Kaserne")));
    assert!(p("kfz-zulassung").is_match(&fold("Kfz Zulassung")));
    assert!(!p("geld").is_match(&fold("Elterngeld")));
    assert!(p("digital *antrag").is_match(&fold("Digitalen Bauantrag stellen")));
    assert!(p("*antrag stellen").is_match(&fold("Bauantrag stellen")));
    let notice = p("bescheid|gebuehrenbescheid ... elektronisch");
    assert!(notice.is_match(&fold("Den Gebührenbescheid erhalten Sie elektronisch")));
    assert!(notice.is_match(&fold("Der Bescheid kommt elektronisch")));
    assert!(!notice.is_match(&fold("Den Vorbescheid beantragen Sie elektronisch")));
    assert!(Phrase::parse("a|kfz-zulassung").is_err());
    assert!(p("*bogen$").is_match(&fold("Anmeldebogen (PDF)")));
    assert!(!p("*bogen$").is_match(&fold("Bogenschießen")));
}

#[test]
fn bad_phrases_are_rejected() {
    assert!(Phrase::parse("... online").is_err());
    assert!(Phrase::parse("online ...").is_err());
    assert!(Phrase::parse(" - ").is_err());
}

#[test]
fn match_maps_back_to_original() {
    let orig = "Die Anmeldung zur Eheschließung erfolgt persönlich.";
    let f = Folded::new(orig);
    let r = p("eheschliessung").find(&f.text);
    let Some(r) = r else { panic!("no match") };
    let o = f.original_range(&r);
    assert_eq!(&orig[o], "Eheschließung");
}

/// The run-length map gives every folded byte the original range a
/// per-byte map would (the map as it was first written).
#[test]
fn folded_map_runs_agree_with_a_byte_map() {
    struct ByteMap(String, Vec<Range<usize>>);
    impl Out for ByteMap {
        fn put(&mut self, s: &str, from: Range<usize>) {
            self.0.push_str(s);
            self.1.extend(std::iter::repeat_n(from, s.len()));
        }
        fn put_ascii(&mut self, run: &str, at: usize) {
            self.0.push_str(&run.to_ascii_lowercase());
            self.1.extend((at..at + run.len()).map(|o| o..o + 1));
        }
        fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
    }
    for orig in [
        "Die Anmeldung zur Eheschließung erfolgt persönlich.",
        "  An-, Um- und Abmeldung  -- ÄÖÜ ẞ straße\u{00AD}n Ǆ İstanbul!! Ende",
        "KFZ-Zulassung: 12,50 €. Online? Ja; sofort.\nNächste Zeile",
        "",
        "---",
    ] {
        let f = Folded::new(orig);
        let mut b = ByteMap(String::new(), Vec::new());
        fold_into(orig, &sentence_ends(orig), &mut b);
        assert_eq!(f.text, b.0);
        for (j, want) in b.1.iter().enumerate() {
            assert_eq!(f.origin(j).as_ref(), Some(want), "byte {j} of {:?}", f.text);
            assert_eq!(f.original_range(&(j..j + 1)), want.clone());
        }
        assert_eq!(f.origin(b.1.len()), None);
    }
}

#[test]
fn word_index_answers_as_a_scan_would() {
    let text = fold(
        "Elterngeld online beantragen: Antrag, Anträge, Antragsteller; 2024 \
         Bürgeramt ümlaut zulassung zu zu ähnlich é ß Ende",
    );
    let w = Words::new(&text);
    let all: Vec<&str> = text.split(' ').filter(|x| !x.is_empty()).collect();
    for q in [
        "antrag",
        "antr",
        "an",
        "a",
        "zu",
        "zul",
        "zulassungen",
        "2024",
        "202",
        "ende",
        "z",
        "elterngeld",
        "x",
        "ueml",
        "e",
        "\u{e9}",
        "ss",
        "s",
    ] {
        let prefix = all.iter().any(|x| x.starts_with(q));
        let whole = all.contains(&q);
        assert_eq!(w.has_prefix(q), prefix, "prefix {q}");
        assert_eq!(w.has_word(q), whole, "word {q}");
    }
    for k in 0..BUCKETS {
        let b = &w.sorted[w.first[k] as usize..w.first[k + 1] as usize];
        assert!(b.windows(2).all(|p| p[0] < p[1]), "sorted and distinct");
    }
}

#[test]
fn phrases_stay_inside_their_sentence() {
    let f = fold("Termine können online reserviert werden. Die Anmeldung erfolgt persönlich.");
    assert!(!p("online ... anmeld").is_match(&f), "{f:?}");
    assert!(p("anmeld ... persoenlich").is_match(&f));
    assert!(!p("werden die").is_match(&f));
    // Abbreviations do not end a sentence.
    assert!(p("z b ... ausweis").is_match(&fold("Bitte bringen Sie z. B. Ihren Ausweis mit.")));
}

#[test]
fn elided_words_are_completed() {
    let f = fold("Gewerbe an-, um- und abmelden");
    assert!(p("gewerbe ... anmelden").is_match(&f), "{f}");
    assert!(p("ummelden").is_match(&f));
    let f = fold("An-, Um- und Abmeldung des Wohnsitzes");
    assert!(p("ummeldung").is_match(&f), "{f}");
    assert!(p("kitaplatz").is_match(&fold("Kita- oder Krippenplatz")));
    assert!(p("wohnsitzabmeldung").is_match(&fold("Wohnsitzanmeldung und -abmeldung")));
    // A dash between words is not an elision.
    assert_eq!(fold("Stadt Hagen - Startseite"), "stadt hagen startseite");
    // The completed word maps back to the truncated one.
    let orig = "Die An- und Ummeldung ist kostenfrei.";
    let folded = Folded::new(orig);
    let Some(r) = p("anmeldung").find(&folded.text) else {
        panic!("{}", folded.text)
    };
    assert_eq!(&orig[folded.original_range(&r)], "An");
}

#[test]
fn sentences_respect_abbreviations() {
    let t = "Bitte bringen Sie z. B. Ihren Ausweis mit. Eine Online-Beantragung ist nicht möglich! Danke";
    let s: Vec<&str> = sentences(t).into_iter().map(|r| &t[r]).collect();
    assert_eq!(s.len(), 3, "{s:?}");
    assert!(s[0].ends_with("mit."));
}

/// The index finds every phrase a folded text holds, and its raw prefilter
/// never says "no" to a text whose folding holds one (umlauts, ß, case,
/// hyphens), while it does say "no" to menu words.
#[test]
fn phrase_index_matches_like_the_set_and_its_prefilter_is_safe() {
    let set = PhraseSet(
        [
            "termin ... buch",
            "terminvereinbarung",
            "zustaendigkeitsfinder",
            "strasse|weg",
            "leichte sprache",
        ]
        .iter()
        .map(|s| p(s))
        .collect(),
    );
    let ix = PhraseIndex::new(set.clone());
    for raw in [
        "Termin online buchen",
        "Online-Terminvereinbarung",
        "ZUSTÄNDIGKEITSFINDER",
        "Zuständigkeitsfinder",
        "Hauptstraße",
        "Leichte Sprache",
        "Kita",
        "Familie & Bildung",
        "Über uns",
    ] {
        let folded = fold(raw);
        let expected: Vec<usize> = (0..set.0.len())
            .filter(|&i| set.0[i].find(&folded).is_some())
            .collect();
        assert_eq!(ix.matching(&folded), expected, "{raw}");
        if !expected.is_empty() {
            assert!(ix.may_match_raw(raw), "prefilter dropped {raw:?}");
        }
    }
    assert!(!ix.may_match_raw("Kita"));
    assert!(!ix.may_match_raw("Über uns"));
    // Letters beyond German umlauts are always candidates.
    assert!(ix.may_match_raw("Café"));
}

/// Words completed from a hyphen of omission are seen by the prefilter too.
#[test]
fn phrase_index_prefilter_keeps_elided_words() {
    let ix = PhraseIndex::new(PhraseSet(vec![p("anmeldung"), p("stadt app")]));
    let raw = "Gewerbe An-, Um- und Abmeldung";
    assert_eq!(ix.matching(&fold(raw)), vec![0]);
    assert!(ix.may_match_raw(raw));
    assert!(ix.may_match_raw("Die Stadt-App"));
}

/// Lists of verbs find zu-infinitives and participles of separable verbs;
/// other lists, and words without a separable prefix, stay as written.
#[test]
fn verb_forms_reach_zu_infinitives_and_participles() {
    let sep: Vec<String> = ["aus", "ein", "an", "ab"].map(String::from).to_vec();
    let verbs = p("online ... einreich").with_verb_forms(&sep);
    for text in [
        "Sie können den Antrag online einreichen",
        "Unterlagen sind online einzureichen",
        "Der Antrag wird online eingereicht",
    ] {
        assert!(verbs.is_match(&fold(text)), "{text}");
    }
    assert!(!p("online ... einreich").is_match(&fold("Unterlagen sind online einzureichen")));
    let fill = p("online *antrag ... ausfuell").with_verb_forms(&sep);
    assert!(fill.is_match(&fold(
        "Um den Online-Antrag auszufüllen, registrieren Sie sich"
    )));
    // "beantrag" has no separable prefix: "zu beantragen" is two words.
    let apply = p("online ... beantrag").with_verb_forms(&sep);
    assert!(apply.is_match(&fold("Es ist online zu beantragen")));
    assert!(!apply.is_match(&fold("Es ist online bezogen")));
    // Names are not verbs: a name list keeps "Ausweis" from "ausgewiesen".
    assert!(!p("ausweis").is_match(&fold("Das Gebiet ist ausgewiesen")));
    // Alternatives are expanded one by one.
    let any = p("online anmeld|abmeld").with_verb_forms(&sep);
    assert!(any.is_match(&fold("online abgemeldet")));
    assert!(any.is_match(&fold("online anzumelden")));
}
