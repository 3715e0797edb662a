use super::*;

#[test]
fn days_are_read_in_iso_and_german_form() {
    let want = jiff::civil::date(2026, 12, 1);
    assert_eq!(parse_day("2026-12-01"), Some(want));
    assert_eq!(parse_day("01.12.2026"), Some(want));
    assert_eq!(parse_day("1.12.2026"), Some(want));
    assert_eq!(parse_day("31.02.2026"), None);
    assert_eq!(parse_day("12/01/2026"), None);
}

#[test]
fn snapshots_are_stored_once_and_round_trip() {
    let dir = tempfile::tempdir().ok();
    let Some(dir) = dir else { return };
    let store = match Store::open(&dir.path().join("db")) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let body = "<html>Elterngeld</html>".repeat(100);
    let (a, new_a) = store
        .put_snapshot(body.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let (b, new_b) = store
        .put_snapshot(body.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a, b);
    assert!(new_a && !new_b);
    let back = store.snapshot(&a).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.as_deref(), Some(body.as_bytes()));
}

#[test]
fn values_plain_and_compressed_both_decode() {
    let Ok(dir) = tempfile::tempdir() else { return };
    let store = Store::open(&dir.path().join("db")).unwrap_or_else(|e| panic!("{e}"));
    let small = vec!["a".to_string()];
    let large: Vec<String> = (0..200)
        .map(|i| format!("https://www.x.de/seite/{i}"))
        .collect();
    let enc_small = Store::encode(&small);
    let enc_large = Store::encode(&large);
    assert_eq!(enc_small.first(), Some(&VALUE_VERSION));
    assert_eq!(enc_large.first(), Some(&VALUE_ZSTD));
    assert!(enc_large.len() < serde_json::to_vec(&large).map_or(0, |v| v.len()) / 2);
    let back_small: Vec<String> = store
        .decode(b"k", &enc_small)
        .unwrap_or_else(|e| panic!("{e}"));
    let back_large: Vec<String> = store
        .decode(b"k", &enc_large)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back_small, small);
    assert_eq!(back_large, large);
    // A version this build does not know is refused, not misread.
    assert!(store.decode::<Vec<String>>(b"k", &[9, b'[', b']']).is_err());
    // Corrupt compressed bytes are an error, not a panic.
    assert!(store
        .decode::<Vec<String>>(b"k", &[VALUE_ZSTD, 1, 2, 3])
        .is_err());
}

/// Why a URL was not requested is a typed field; records of older
/// databases, which said it only in their error text, read the same.
#[test]
fn unfetched_reason_is_typed_and_old_records_read_alike() {
    let old = r#"{"url":"http://a.de/x","kind":"page","depth":1,
        "fetched_at":"2025-01-01T00:00:00Z","status":null,
        "error":"robots: disallowed by rule /x","content_type":null,
        "location":null,"etag":null,"last_modified":null,"snapshot":null,"bytes":0}"#;
    let rec: PageRecord = serde_json::from_str(old).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rec.unfetched, None);
    assert_eq!(rec.unfetched(), Some(Unfetched::Robots));
    let new = PageRecord {
        error: Some("host kept failing".into()),
        unfetched: Some(Unfetched::CircuitOpen),
        ..rec.clone()
    };
    let json = serde_json::to_string(&new).unwrap_or_default();
    assert!(json.contains(r#""unfetched":"circuit-open""#), "{json}");
    let back: PageRecord = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.unfetched(), Some(Unfetched::CircuitOpen));
    // A page that was fetched has no such reason, whatever its error says.
    let fetched = PageRecord {
        status: Some(404),
        error: Some("robots: text of a page".into()),
        unfetched: None,
        ..rec
    };
    assert_eq!(fetched.unfetched(), None);
}
