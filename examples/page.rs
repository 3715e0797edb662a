//! Debug aid: what extraction and detection see in one local HTML file.
//! `cargo run --example page -- FILE URL [STATE]`

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(file), Some(url)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: page FILE URL [STATE]");
        std::process::exit(2);
    };
    let state = ozgcheck::types::State::parse(args.get(3).map(String::as_str).unwrap_or("NW"))
        .unwrap_or(ozgcheck::types::State::NW);
    let cat = match ozgcheck::catalogue::Catalogue::locate(None) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let bytes = std::fs::read(file).unwrap_or_default();
    let Ok(u) = url::Url::parse(url) else {
        eprintln!("bad URL");
        std::process::exit(2);
    };
    let ex = ozgcheck::extract::Extractor::new(&cat.page);
    let page = match ozgcheck::extract::read_page(&ex, &u, &bytes, Some("text/html"), true) {
        Ok(Some(p)) => p,
        other => {
            eprintln!("not a page: {other:?}");
            std::process::exit(2);
        }
    };
    println!(
        "title: {}\nh1: {:?}\nmain_found: {}\n--- main text\n{}\n---",
        page.title, page.h1, page.main_found, page.main_text
    );
    for l in page.links.iter().filter(|l| l.span.is_some()) {
        println!("link {:?} {:?} -> {}", l.kind, l.text, l.url);
    }
    let scope = ozgcheck::analysis::CityScope {
        name: std::env::var("OZGCHECK_CITY").unwrap_or_else(|_| "Musterstadt".into()),
        state,
        hosts: vec![u.host_str().unwrap_or_default().to_string()],
    };
    let f = ozgcheck::analysis::findings_of(
        &cat,
        &scope,
        &page,
        &u,
        jiff::Timestamp::UNIX_EPOCH,
        &ozgcheck::types::SnapshotId::of(&bytes),
    );
    for a in &f.about {
        println!("about {}: {:?}", a.service, a.reasons);
    }
    for s in &f.signals {
        println!(
            "signal {} L{} {} {:?} {:?}",
            s.service, s.level, s.rule, s.target, s.cancelled
        );
    }
}
