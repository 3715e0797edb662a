//! Detection quality on the labelled corpus (`fixtures/corpus/`, ≥ 250
//! cases): precision/recall/F1 of `online` and exact-level accuracy, with
//! floors. `cargo run --release --example confusion` prints the matrices.

mod common;

#[path = "common/corpus.rs"]
mod corpus;

/// Floors: the targets. They are floors, not fits: the corpus was
/// written without looking at the detector's rules.
const MIN_ONLINE_F1: f64 = 0.97;
const MIN_EXACT_LEVEL: f64 = 0.90;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detection_quality_on_the_labelled_corpus() {
    let dir = common::root().join("fixtures/corpus");
    let out = corpus::evaluate(&dir, common::catalogue())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let s = corpus::score(&out);
    let report = corpus::confusion_report(&out);
    println!("{report}");
    assert!(
        s.cases >= 250,
        "the corpus has {} cases, want at least 250",
        s.cases
    );
    assert!(
        s.f1 >= MIN_ONLINE_F1 && s.exact_nonzero >= MIN_EXACT_LEVEL,
        "online F1 {:.3} (floor {MIN_ONLINE_F1}), exact level {:.3} (floor {MIN_EXACT_LEVEL})\n{report}",
        s.f1,
        s.exact_nonzero
    );
}

/// Three more corpora written by other authors who never saw the detector
/// (`fixtures/holdout/`: 12 city sites, `fixtures/holdout2/`: 12 more,
/// `fixtures/corpus2/`: 75 sites for the services added in 2026).
/// Each was a blind test once (online F1 0.873, 0.94 and 0.844 when first
/// run); the detector was then improved on their misses with mechanisms,
/// not their sentences, so now they guard against regressions. The part of
/// corpus2 kept aside (`fixtures/corpus2-holdout/`) is measured, never tuned
/// on, and so not held to a floor here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detection_quality_on_corpora_by_other_authors() {
    for name in ["holdout", "holdout2", "corpus2"] {
        let dir = common::root().join("fixtures").join(name);
        let out = corpus::evaluate(&dir, common::catalogue())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let s = corpus::score(&out);
        let report = corpus::confusion_report(&out);
        println!("{name}\n{report}");
        assert!(s.cases >= 12, "{name} has {} cases", s.cases);
        assert!(
            s.f1 >= MIN_ONLINE_F1 && s.exact_nonzero >= MIN_EXACT_LEVEL,
            "{name}: online F1 {:.3} (floor {MIN_ONLINE_F1}), exact level {:.3} (floor {MIN_EXACT_LEVEL})\n{report}",
            s.f1,
            s.exact_nonzero
        );
    }
}

/// The real-language corpus (`fixtures/real/`: cases modelled on real
/// administration pages, labelled before the detector saw them). Its floors
/// guard what was reached, below the targets (online F1 0.95, exact
/// level 0.85), which are not met yet; the held-out quarter is measured and
/// printed, never tuned on, and so not held to a floor.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detection_quality_on_real_administration_text() {
    const REAL_MIN_F1: f64 = 0.90;
    const REAL_MIN_EXACT: f64 = 0.70;
    let dir = common::root().join("fixtures/real/cases");
    let out = corpus::evaluate(&dir, common::catalogue())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let s = corpus::score(&out);
    let report = corpus::confusion_report(&out);
    println!("real/cases\n{report}");
    assert!(s.cases >= 200, "real/cases has {} cases", s.cases);
    assert!(
        s.f1 >= REAL_MIN_F1 && s.exact_nonzero >= REAL_MIN_EXACT,
        "real/cases: online F1 {:.3} (floor {REAL_MIN_F1}), exact level {:.3} (floor {REAL_MIN_EXACT})\n{report}",
        s.f1,
        s.exact_nonzero
    );
    let held = corpus::evaluate(
        &common::root().join("fixtures/real/holdout"),
        common::catalogue(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    println!("real/holdout\n{}", corpus::confusion_report(&held));
}
