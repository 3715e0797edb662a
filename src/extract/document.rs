//! Stored bytes to a page: HTML or PDF (text extracted on its own thread,
//! under a time limit), and which URLs are documents.

use super::*;

/// Turn stored bytes into a [`Page`]: HTML is parsed, PDFs (only when
/// `read_pdf`) have their text extracted; anything else is not a page.
/// Used alike by the crawler and by `explain`, so both see the same page.
pub fn read_page(
    ex: &Extractor,
    url: &Url,
    bytes: &[u8],
    content_type: Option<&str>,
    read_pdf: bool,
) -> Result<Option<Page>, String> {
    let is_pdf = bytes.starts_with(b"%PDF")
        || content_type.is_some_and(|c| c.to_ascii_lowercase().contains("pdf"));
    if is_pdf {
        if !read_pdf {
            return Ok(None);
        }
        return pdf_text(bytes, std::time::Duration::from_secs(10))
            .map(|t| Some(document_page(&t)));
    }
    let html = match content_type.map(|c| c.to_ascii_lowercase()) {
        Some(ct) => ct.contains("html"),
        None => {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
            head.contains("<html") || head.contains("<!doctype html")
        }
    };
    if !html {
        return Ok(None);
    }
    Ok(Some(ex.page(&decode(bytes, content_type), url)))
}

/// Largest PDF whose text we extract.
pub const MAX_PDF_BYTES: usize = 8 * 1024 * 1024;
/// Longest text kept from a PDF.
pub(super) const MAX_PDF_TEXT: usize = 200 * 1024;

/// Where a PDF thread stands, as its caller and the thread itself see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PdfThread {
    Running,
    /// The caller stopped waiting: it counts in [`PDF_OVERRUN`] until it ends.
    Abandoned,
    Done,
}

/// PDF threads that overran their time limit and still run.
pub(super) static PDF_OVERRUN: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(0);

/// Text of a PDF, extracted in isolation: `pdf-extract` can panic or take
/// minutes on odd files, so it runs on its own thread under `catch_unwind`
/// with a time limit. A thread that overruns is abandoned (it cannot be
/// killed); while two such threads still run, further PDFs are skipped.
/// PDFs read at the same time within their limit never count as overrun:
/// whether a PDF is read must not depend on what else the crawl is doing.
pub fn pdf_text(bytes: &[u8], limit: std::time::Duration) -> Result<String, String> {
    use std::sync::atomic::Ordering;
    use std::sync::{Arc, Mutex};
    if bytes.len() > MAX_PDF_BYTES {
        return Err(format!("PDF larger than {MAX_PDF_BYTES} bytes"));
    }
    if !bytes.starts_with(b"%PDF") {
        return Err("not a PDF".into());
    }
    if PDF_OVERRUN.load(Ordering::SeqCst) >= 2 {
        return Err("PDF extraction busy with earlier files that overran".into());
    }
    let data = bytes.to_vec();
    let (tx, rx) = std::sync::mpsc::channel();
    // The thread's end and the caller's giving up are decided under one
    // lock, so the count of overrun threads stays exact.
    let shared = Arc::new(Mutex::new(PdfThread::Running));
    let thread_state = shared.clone();
    let spawned = std::thread::Builder::new()
        .name("pdf-text".into())
        .spawn(move || {
            let r = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(&data));
            let mut state = thread_state.lock().unwrap_or_else(|p| p.into_inner());
            if *state == PdfThread::Abandoned {
                PDF_OVERRUN.fetch_sub(1, Ordering::SeqCst);
            }
            *state = PdfThread::Done;
            let _ = tx.send(r);
        });
    if let Err(e) = spawned {
        return Err(format!("cannot start PDF thread: {e}"));
    }
    let got = rx.recv_timeout(limit).or_else(|_| {
        let mut state = shared.lock().unwrap_or_else(|p| p.into_inner());
        match *state {
            // Finished just now: its result is in the channel.
            PdfThread::Done => rx.try_recv().map_err(|_| ()),
            _ => {
                *state = PdfThread::Abandoned;
                PDF_OVERRUN.fetch_add(1, Ordering::SeqCst);
                Err(())
            }
        }
    });
    match got {
        Ok(Ok(Ok(mut text))) => {
            if text.len() > MAX_PDF_TEXT {
                let mut cut = MAX_PDF_TEXT;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
            }
            Ok(text)
        }
        Ok(Ok(Err(e))) => Err(format!("PDF: {e}")),
        Ok(Err(_)) => Err("PDF extraction panicked".into()),
        Err(()) => Err(format!("PDF extraction took longer than {limit:?}")),
    }
}

/// A PDF's text as a [`Page`]: the first line stands for its title.
pub fn document_page(text: &str) -> Page {
    let title = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(squash_ws)
        .unwrap_or_default();
    let main_text: String = text
        .lines()
        .map(squash_ws)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    Page {
        h1: text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .take(3)
            .map(squash_ws)
            .collect(),
        title,
        main_text,
        main_found: true,
        document: true,
        ..Page::default()
    }
}

/// Documents (application forms) that are fetched as evidence, never crawled.
pub fn is_document(u: &Url) -> bool {
    with_extension(u, |e| {
        matches!(
            e,
            b"pdf" | b"doc" | b"docx" | b"odt" | b"rtf" | b"xls" | b"xlsx" | b"ods"
        )
    })
}

/// Asks `is` about the lowercased file ending of the URL path's last
/// segment (endings over five bytes are none we know). Called for every
/// link of every page, so it neither allocates nor scans a list.
pub fn with_extension(u: &Url, is: impl Fn(&[u8]) -> bool) -> bool {
    let path = u.path().as_bytes();
    // The last '.' or '/' from the end: a '.' starts the ending.
    let ext = match path.iter().rposition(|&b| b == b'.' || b == b'/') {
        Some(i) if path.get(i) == Some(&b'.') => path.get(i + 1..).unwrap_or_default(),
        _ => return false,
    };
    let mut buf = [0u8; 5];
    match buf.get_mut(..ext.len()) {
        Some(b) => {
            b.copy_from_slice(ext);
            b.make_ascii_lowercase();
            is(b)
        }
        None => false,
    }
}
