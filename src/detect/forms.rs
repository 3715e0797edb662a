//! Form signals: web forms in the main content (application, to print,
//! appointment, contact) and PDF documents that are themselves a form.

use super::*;

/// Forms in the main content: an application form that submits (level 3),
/// one to print (level 2), appointment and contact forms shown but not
/// counted, search forms ignored. Also whether the page holds an
/// application form itself.
pub(super) fn form_signals(r: &Reading<'_>, url: &Url) -> (Vec<Signal>, bool) {
    let (cat, page) = (r.cat, r.page);
    let sig = &cat.signals;
    let mut out = Vec::new();
    let mut application_form = false;
    for form in &page.forms {
        let text_f = fold(&form.text);
        let action_f = fold(&percent_decode(link_path(&form.action)));
        let both = format!("{text_f} {action_f}");
        if sig.search.is_match(&both) && form.fields <= 2 {
            continue;
        }
        let intro = r.intro_of(form.span.start);
        let intro_f = fold(intro);
        // What the form is *for* shows in where it lives and where it sends
        // (host, page path and title, action path), in its own name and in
        // what a person reads on it ("Wunschtermin", "Ihre Nachricht"); not
        // in its fields' names, which are the programmer's ("kontakt" for an
        // applicant's phone number). A form that takes documents is an
        // application whatever its wording.
        let purpose = fold(&format!(
            "{} {} {} {} {} {}",
            url.host_str().unwrap_or_default(),
            percent_decode(url.path()),
            page.title,
            percent_decode(link_path(&form.action)),
            form.label,
            form.visible,
        ));
        let applies = form.has_file_upload;
        let (kind, level, rule, cancelled) =
            if let Some((p, _)) = sig.appointment.find(&purpose).filter(|_| !applies) {
                (
                    SignalKind::WebForm,
                    Level::Online,
                    "web form".to_string(),
                    Some(Cancel::Appointment(p.source().to_string())),
                )
            } else if let Some((p, _)) = sig.contact.find(&purpose).filter(|_| !applies) {
                (
                    SignalKind::WebForm,
                    Level::Online,
                    "web form".to_string(),
                    Some(Cancel::ContactForm(p.source().to_string())),
                )
            } else if form.fields < 2 && !form.has_file_upload {
                // The login of an online service ("Mit BundID anmelden"):
                // what a link that leads here rests on, though no service's
                // own evidence.
                if form.method == "post" && sig.login.is_match(&text_f) {
                    application_form = true;
                }
                continue;
            } else if let Some((p, _)) = sig
                .print
                .find(&both)
                .or_else(|| sig.paper.find(&both))
                .or_else(|| sig.print.find(&intro_f))
                .filter(|_| !applies)
            {
                (
                    SignalKind::FormAssistant,
                    Level::FormAssistant,
                    format!("web form to print: \"{}\"", p.source()),
                    None,
                )
            } else if form.method == "post" || form.has_file_upload {
                let why = if form.has_file_upload {
                    "web form with document upload".to_string()
                } else {
                    format!("web form ({} fields, POST)", form.fields)
                };
                // "Über dieses Formular können Sie keinen Antrag stellen."
                let negated = negated(cat, &intro_f).map(|p| Cancel::Negated(p.to_string()));
                (SignalKind::WebForm, Level::Online, why, negated)
            } else {
                continue;
            };
        if kind == SignalKind::WebForm && cancelled.is_none() {
            application_form = true;
        }
        // A form belongs to what its section or page is about; its field
        // labels and options ("Anmeldung / Ummeldung / Abmeldung") describe
        // data, and a sentence before it may name services in passing. Only
        // on a page about nothing do its own words name the service.
        let services = r
            .describes(form.span.start)
            .unwrap_or_else(|| r.named_in(&text_f));
        let excerpt = form_excerpt(&page.main_text, r.main.sentences(), &form.span);
        for svc in services {
            out.push(Signal {
                service: svc,
                kind,
                level,
                rule: rule.clone(),
                excerpt: excerpt.clone(),
                target: None,
                cancelled: cancelled.clone(),
            });
        }
    }
    (out, application_form)
}

/// A document (PDF) about a service that reads like an application form is
/// itself the downloadable form: level 2 for the services it is about.
pub(super) fn document_signals(r: &Reading<'_>, about: &[About]) -> Vec<Signal> {
    let (sig, page) = (&r.cat.signals, r.page);
    let title_f = fold(&page.title);
    let text_f = &r.main.text;
    let Some((p, _)) = sig
        .form_words
        .find(&title_f)
        .or_else(|| sig.form_words.find(text_f))
    else {
        return Vec::new();
    };
    let excerpt = format!("{MARK_OPEN}{}{MARK_CLOSE}", clip(&page.title, EXCERPT_MAX));
    about
        .iter()
        .map(|a| Signal {
            service: a.service.clone(),
            kind: SignalKind::FormDownload,
            level: Level::FormAssistant,
            rule: format!("form document (PDF) names \"{}\"", p.source()),
            excerpt: excerpt.clone(),
            target: None,
            cancelled: None,
        })
        .collect()
}
