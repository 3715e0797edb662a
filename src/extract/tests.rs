use super::*;

fn extractor() -> Extractor {
    match crate::catalogue::Catalogue::embedded() {
        Ok(c) => Extractor::new(&c.page),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn fast_selectors_agree_with_the_general_matcher() {
    let cat = crate::catalogue::Catalogue::embedded().unwrap_or_else(|e| panic!("{e}"));
    let mut sources: Vec<String> = cat.page.main.clone();
    sources.extend(cat.page.boilerplate.iter().cloned());
    sources.extend(cat.page.breadcrumb.iter().cloned());
    sources.extend(
        [
            "div.a.b",
            "NAV",
            "[data-x]",
            "[role=main]",
            "p[class*=\"co\"]",
            "div > p",
            "a:hover",
            "[lang=de]",
            "[class~=x]",
            "li:first-child",
            "#Main",
        ]
        .map(String::from),
    );
    let html = r#"<html><body><header class="Header header">h</header>
        <nav aria-label="Brotkrümelnavigation" class="nav menu">n</nav>
        <div id="main" class="a b" role="main" data-x="1"><p class="cookie-note co">c</p>
        <p lang="DE" class="x y">t</p><ul><li>1</li><li>2</li></ul></div>
        <div id="Main" hidden aria-hidden="true" class="teaser content">x</div>
        <aside id="sidebar" itemtype="https://schema.org/BreadcrumbList">s</aside>
        <footer id="footer" class="footer">f</footer></body></html>"#;
    let doc = Html::parse_document(html);
    let mut fast_used = 0;
    for src in &sources {
        let Some(sel) = Sel::new(src) else { continue };
        fast_used += usize::from(sel.fast.is_some());
        for node in doc.root_element().descendants() {
            let Some(e) = ElementRef::wrap(node) else {
                continue;
            };
            assert_eq!(
                sel.matches(&e),
                sel.full.matches(&e),
                "{src} on <{}>",
                e.value().name()
            );
        }
    }
    // The catalogue's selectors are simple enough to take the fast path.
    assert!(fast_used >= cat.page.boilerplate.len(), "{fast_used}");
    // The index finds exactly the selectors that match.
    let list = SelList::new(&sources);
    let mut hits = Vec::new();
    for node in doc.root_element().descendants() {
        let Some(e) = ElementRef::wrap(node) else {
            continue;
        };
        list.matching(&e, &mut hits);
        let want: Vec<usize> = (0..list.len())
            .filter(|&i| list.sels[i].full.matches(&e))
            .collect();
        assert_eq!(hits, want, "<{}>", e.value().name());
    }
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn main_content_excludes_navigation_and_footer() {
    let html = r#"<html><head><title>Elterngeld</title></head><body>
        <nav><a href="/kita">Kita</a></nav>
        <main><h1>Elterngeld</h1><p>Hier <a href="https://www.elterngeld-digital.de/">online beantragen</a>.</p>
        <div class="cookie-banner">Kita-Anmeldung</div></main>
        <footer>Bürgergeld</footer></body></html>"#;
    let p = extractor().page(html, &url("https://www.x.de/eg.html"));
    assert!(p.main_found);
    assert!(p.main_text.contains("online beantragen"));
    assert!(!p.main_text.contains("Kita"));
    assert!(!p.main_text.contains("Bürgergeld"));
    let main_links: Vec<_> = p.links.iter().filter(|l| l.span.is_some()).collect();
    assert_eq!(main_links.len(), 1);
    assert_eq!(main_links[0].text, "online beantragen");
    assert_eq!(p.links.len(), 2, "the nav link is kept for crawling");
}

/// A box (aside) inside the main element is content, beside it a sidebar;
/// without a main element every box is a sidebar.
#[test]
fn a_box_inside_the_main_content_is_content() {
    let html = r#"<html><head><title>Bürgerbüro online</title></head><body>
        <aside class="sidebar-left"><a href="/wohngeld">Wohngeld beantragen</a></aside>
        <main><h1>Bürgerbüro online</h1><p>Einige Anliegen erledigen Sie online.</p>
        <aside class="box"><h3>Online-Dienste</h3>
        <a href="https://portal.example/urkunden">Urkunden bestellen</a></aside></main>
        </body></html>"#;
    let p = extractor().page(html, &url("https://www.x.de/online.html"));
    assert!(p.main_found);
    assert!(p.main_text.contains("Urkunden bestellen"));
    assert!(!p.main_text.contains("Wohngeld"));
    let without_main = html.replace("<main>", "<div>").replace("</main>", "</div>");
    let p = extractor().page(&without_main, &url("https://www.x.de/online.html"));
    assert!(!p.main_found);
    assert!(!p.main_text.contains("Urkunden bestellen"));
    assert!(!p.main_text.contains("Wohngeld"));
}

#[test]
fn buttons_forms_and_frames() {
    let html = r#"<body><div id="inhalt">
        <button onclick="window.location.href='https://portal.x.de/antrag'">Antrag starten</button>
        <form action="/senden" method="POST"><input name="vorname"><input type="file" name="nachweis"><input type="submit" value="Antrag absenden"></form>
        <iframe src="https://forms.vendor.de/f/123" title="Online-Formular"></iframe>
        </div></body>"#;
    let p = extractor().page(html, &url("https://www.x.de/a/b.html"));
    let b = p.links.iter().find(|l| l.kind == LinkKind::Button);
    assert_eq!(
        b.map(|l| l.url.as_str()),
        Some("https://portal.x.de/antrag")
    );
    assert_eq!(p.forms.len(), 1);
    assert!(p.forms[0].has_file_upload);
    assert_eq!(p.forms[0].action.as_str(), "https://www.x.de/senden");
    assert!(p.forms[0].text.contains("Antrag absenden"));
    assert!(p
        .links
        .iter()
        .any(|l| l.kind == LinkKind::Iframe && l.span.is_some()));
}

/// PDFs read at the same time are all read: only threads that overran
/// their limit make later PDFs wait (a crawl reading three PDFs at once
/// once lost the third one's evidence).
#[test]
fn pdfs_read_at_the_same_time_are_all_read() {
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/demo/www.musterstadt.de/formulare/fuehrerschein-umtausch.pdf"),
    )
    .unwrap_or_default();
    let start = std::sync::Barrier::new(6);
    let results: Vec<Result<String, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    pdf_text(&bytes, std::time::Duration::from_secs(30))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("panicked".into())))
            .collect()
    });
    for r in results {
        assert!(r.is_ok_and(|t| t.contains("Antrag auf Umtausch")));
    }
}

#[test]
fn pdf_text_is_extracted_and_garbage_is_refused() {
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/demo/www.musterstadt.de/formulare/fuehrerschein-umtausch.pdf"),
    )
    .unwrap_or_default();
    let text = pdf_text(&bytes, std::time::Duration::from_secs(20)).unwrap_or_default();
    assert!(text.contains("Antrag auf Umtausch"), "{text}");
    let page = document_page(&text);
    assert!(page.document && page.title.contains("Musterstadt"));
    assert!(pdf_text(b"%PDF-1.4 garbage", std::time::Duration::from_secs(5)).is_err());
    assert!(pdf_text(b"<html>", std::time::Duration::from_secs(5)).is_err());
}

#[test]
fn a_wrong_utf8_header_yields_to_the_page() {
    let mut body =
        b"<html><head><meta charset=\"iso-8859-1\"></head><body><p>Die Anmeldung l".to_vec();
    body.push(0xE4); // ä in Latin-1
    body.extend_from_slice(b"uft digital.</p></body></html>");
    let text = decode(&body, Some("text/html; charset=utf-8"));
    assert!(text.contains("läuft"), "{text}");
    // A correct UTF-8 header stays in charge.
    let utf8 = "<p>läuft</p>".as_bytes();
    assert!(decode(utf8, Some("text/html; charset=utf-8")).contains("läuft"));
}

#[test]
fn windows_1252_without_declaration() {
    let bytes = b"<p>Eheschlie\xdfung f\xfcr B\xfcrger</p>";
    assert!(decode(bytes, None).contains("Eheschließung für Bürger"));
    let latin = b"<meta charset=iso-8859-1><p>Gr\xfc\xdfe</p>";
    assert!(decode(latin, Some("text/html")).contains("Grüße"));
}

#[test]
fn memoised_joins_depend_on_what_they_should() {
    let base = |s: &str| Url::parse(s).unwrap_or_else(|e| panic!("{e}"));
    let r = |b: &str, h: &str| resolve(&base(b), h).map(|u| u.to_string());
    let a = "https://a.de/x/seite.html";
    let b = "https://b.de:8443/y/z.html";
    for _ in 0..2 {
        assert_eq!(r(a, "/kita/").as_deref(), Some("https://a.de/kita/"));
        assert_eq!(r(b, "/kita/").as_deref(), Some("https://b.de:8443/kita/"));
        assert_eq!(r(a, "neu.html").as_deref(), Some("https://a.de/x/neu.html"));
        assert_eq!(
            r(b, "neu.html").as_deref(),
            Some("https://b.de:8443/y/neu.html")
        );
        assert_eq!(r(a, "HTTPS://C.de/p#f").as_deref(), Some("https://c.de/p"));
        assert_eq!(r(a, "//d.de/q").as_deref(), Some("https://d.de/q"));
        assert_eq!(r(a, "mailto:x@a.de"), None);
    }
}

#[test]
fn hostile_pages_are_read_in_bounded_time() {
    // Unclosed scripts, a million-letter sentence full of links, and
    // one service term repeated: each was once quadratic.
    let scripts = "<div><script>".repeat(10_000);
    assert_eq!(cut_at_depth(&scripts, MAX_DEPTH), scripts.as_str());
    let body = format!(
        "<main><p>{}</p><p>{}</p></main>",
        "Elterngeld <a href=\"/a\">x</a> ".repeat(10_000),
        "Elterngeld online beantragen ".repeat(10_000)
    );
    let cat = match crate::catalogue::Catalogue::embedded() {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    let url = Url::parse("https://www.a.de/elterngeld").unwrap_or_else(|e| panic!("{e}"));
    let page = extractor().page(&body, &url);
    assert!(page.links.len() >= 10_000);
    let in_scope = |h: &str| h.ends_with("a.de");
    let ctx = crate::detect::Context {
        state: crate::types::State::NW,
        city: "Musterstadt",
        in_scope: &in_scope,
    };
    let f = crate::detect::analyze(
        &cat,
        &ctx,
        &page,
        &url,
        jiff::Timestamp::UNIX_EPOCH,
        crate::types::SnapshotId::of(body.as_bytes()),
    );
    assert!(f.about.iter().any(|a| a.service.as_str() == "elterngeld"));
}

#[test]
fn depth_cut_keeps_shallow_pages_whole() {
    let page = "<html><body><div><p>a<br>b</p><script>if (a<b) {}</script></div></body></html>";
    assert_eq!(cut_at_depth(page, 4), page);
    let deep = "<div>".repeat(10) + "x";
    assert_eq!(cut_at_depth(&deep, 4), "<div>".repeat(4));
}

#[test]
fn deep_nesting_does_not_overflow() {
    let html = "<div>".repeat(100_000) + "Elterngeld" + &"</div>".repeat(100_000);
    let p = extractor().page(&html, &url("https://www.x.de/"));
    assert!(p.main_text.contains("Elterngeld") || p.main_text.is_empty());
}
