//! Link signals: what a link in the main content offers (an application,
//! a portal, a form to download, a frame), read from its own words, its
//! sentence and the sentence before it.

use super::*;

/// Signals of the links in the main content, and the starts of the
/// sentences whose link gave one (the link speaks for them, not the prose).
pub(super) fn link_signals(r: &Reading<'_>, ctx: &Context, url: &Url) -> (Vec<Signal>, Vec<usize>) {
    let mut signals = Vec::new();
    let mut linked_sentences = Vec::new();
    for link in &r.page.links {
        let Some(span) = link.span.clone() else {
            continue;
        };
        if link.url.as_str().trim_end_matches('/') == url.as_str().trim_end_matches('/') {
            continue;
        }
        if let Some((sentence_start, found)) = link_signal(r, ctx, link, &span) {
            // A form to download leaves its sentence's words standing: "am
            // Bildschirm ausfüllen und elektronisch übermitteln" is a claim
            // of its own.
            if found.iter().any(|s| s.kind != SignalKind::FormDownload) {
                linked_sentences.push(sentence_start);
            }
            signals.extend(found);
        }
    }
    (signals, linked_sentences)
}

/// What one link signals, for which services, with the start of its
/// sentence; `None` when it signals nothing or belongs to no service.
fn link_signal(
    r: &Reading<'_>,
    ctx: &Context,
    link: &Link,
    span: &Range<usize>,
) -> Option<(usize, Vec<Signal>)> {
    let cat = r.cat;
    let s_range = r.sentence_of(span);
    let sentence = r.text().get(s_range.clone()).unwrap_or_default();
    let (links_in, share) = r.link_share(&s_range);
    let nav_bar = links_in >= 3 && share >= NAV_BAR_LINK_SHARE;
    let lone = links_in == 1 && share >= LONE_LINK_SHARE;
    // A link in a navigation bar speaks only through its own words; a
    // lone link also through the sentence before it, when its own
    // words and sentence say nothing.
    let own_f = if nav_bar {
        String::new()
    } else {
        fold(sentence)
    };
    let anchor_f = fold(&link.text);
    let target_f = fold(&percent_decode(link.url.path()));
    let local = format!("{anchor_f} {target_f}");
    let mut sent_f = own_f;
    let heading_f = r.heading_of(span.start);
    let words = |sentence| LinkWords {
        anchor: &anchor_f,
        sentence,
        target: &target_f,
        heading: heading_f,
    };
    let mut classified = classify_link(cat, ctx, link, &words(&sent_f));
    if lone
        && classified
            .as_ref()
            .is_none_or(|c| c.0 == SignalKind::FormDownload)
    {
        let with_intro = fold(&format!("{}\n{sentence}", r.intro_of(s_range.start)));
        if let Some(c) = classify_link(cat, ctx, link, &words(&with_intro))
            .filter(|c| classified.as_ref().is_none_or(|k| c.1 > k.1))
        {
            classified = Some(c);
            sent_f = with_intro;
        }
    }
    let services = if nav_bar {
        r.named_in(&local)
    } else {
        r.attribute(&local, &sent_f, span.start)
    };
    if services.is_empty() {
        return None;
    }
    let (kind, level, rule, cancelled) = classified?;
    let then_f = fold(r.next_in_block(s_range.end));
    let excerpt = excerpt_marked(r.text(), &s_range, span);
    let mut out = Vec::new();
    for svc in &services {
        if kind == SignalKind::PortalLink {
            if let Some(p) = cat.portal_for_host(link.url.host_str().unwrap_or_default()) {
                if let Scope::Only(list) = &p.services {
                    if !list.contains(svc) {
                        continue;
                    }
                }
            }
        }
        // The sentence that gave the link its meaning is the one whose
        // negation counts; a downloadable form is what is left when the
        // online way is negated.
        let mut cancelled = cancelled.clone();
        if cancelled.is_none() && kind != SignalKind::FormDownload {
            if let Some(p) = negated(cat, &sent_f) {
                cancelled = Some(Cancel::Negated(p.to_string()));
            }
        }
        // "Mit X erstellen Sie den Antrag am Bildschirm. Anschließend drucken
        // Sie ihn aus …": the way that goes on to paper is a form assistant.
        if cancelled.is_none()
            && matches!(kind, SignalKind::ApplicationLink | SignalKind::PortalLink)
        {
            if let Some((p, _)) = cat.signals.print.find(&then_f) {
                cancelled = Some(Cancel::Printed(p.source().to_string()));
            }
        }
        out.push(Signal {
            service: svc.clone(),
            kind,
            level,
            rule: rule.clone(),
            excerpt: excerpt.clone(),
            target: Some(link.url.to_string()),
            cancelled,
        });
    }
    Some((s_range.start, out))
}

pub(super) type Classified = (SignalKind, Level, String, Option<Cancel>);

/// The folded words a link is read by: its own text, its sentence (or the
/// sentence before), its target's path and the heading of its section.
pub(super) struct LinkWords<'w> {
    pub anchor: &'w str,
    pub sentence: &'w str,
    pub target: &'w str,
    pub heading: &'w str,
}

/// Decide what a link in the main content signals, if anything.
pub(super) fn classify_link(
    cat: &Catalogue,
    ctx: &Context,
    link: &Link,
    words: &LinkWords<'_>,
) -> Option<Classified> {
    let (anchor_f, sent_f, target_f) = (words.anchor, words.sentence, words.target);
    let sig = &cat.signals;
    let host = link.url.host_str().unwrap_or_default();
    let local = format!("{anchor_f} {target_f}");
    // The link's own words decide first; its sentence only when they are silent.
    let appointment = sig
        .appointment
        .find(anchor_f)
        .or_else(|| sig.appointment.find(target_f))
        .map(|(p, _)| Cancel::Appointment(p.source().to_string()));
    let application = sig
        .application
        .find(anchor_f)
        .or_else(|| sig.application_link.find(anchor_f))
        .map(|(p, _)| {
            format!(
                "link text offers the online application: \"{}\"",
                p.source()
            )
        })
        .or_else(|| {
            sig.application
                .find(sent_f)
                .filter(|_| !sig.appointment.is_match(sent_f) && !sig.hedge.is_match(sent_f))
                .map(|(p, _)| format!("sentence offers the online application: \"{}\"", p.source()))
        });
    if is_document(&link.url) {
        // A document named as a form, or one its sentence says to print
        // ("drucken Sie die Karte hier aus: [Sperrmüllkarte (PDF)]").
        let form_word = sig.form_words.is_match(&local)
            || sig.form_download.is_match(anchor_f)
            || sig.print.is_match(sent_f);
        // A power of attorney or a landlord's confirmation goes with the
        // application; it is not its form.
        let auxiliary = sig.auxiliary.is_match(&local) || sig.auxiliary.is_match(sent_f);
        if form_word && !auxiliary && appointment.is_none() {
            let rule = format!(
                "downloadable form ({})",
                link.url.path().rsplit('.').next().unwrap_or("document")
            );
            return Some((SignalKind::FormDownload, Level::FormAssistant, rule, None));
        }
        return None;
    }
    // A host of the city's own scope is the city's site even where it is a
    // state's portal too (berlin.de, hamburg.de): its links are same-site
    // links, judged by the page they lead to.
    let portal = cat.portal_for_host(host).filter(|_| !(ctx.in_scope)(host));
    if let Some(portal) = portal {
        let cancelled = Cancel::of_portal(portal, ctx.state).or_else(|| appointment.clone());
        // A general portal or form platform hosts many services: a link to
        // it needs wording that names an application or a form.
        let general = matches!(portal.services, Scope::All);
        // A section headed as the online way ("Antrag über einen
        // Onlinedienst") says it for the portal links in it.
        let names_form = sig.form_words.is_match(anchor_f)
            || sig.form_words.is_match(sent_f)
            || sig.application.is_match(words.heading);
        if !general || application.is_some() || names_form || cancelled.is_some() {
            let rule = format!("link to service portal {} ({host})", portal.name);
            return Some((SignalKind::PortalLink, Level::Online, rule, cancelled));
        }
    }
    if let Some(a) = appointment {
        if application.is_some() {
            return Some((
                SignalKind::ApplicationLink,
                Level::Online,
                "link".to_string(),
                Some(a),
            ));
        }
        return None;
    }
    if sig.contact.is_match(anchor_f) {
        return None;
    }
    if let Some(rule) = application {
        let rule = if matches!(link.kind, LinkKind::Iframe | LinkKind::Frame) {
            format!("embedded frame: {rule}")
        } else {
            rule
        };
        return Some((SignalKind::ApplicationLink, Level::Online, rule, None));
    }
    // An inline frame in the content shows another page as part of this
    // one: what it holds decides, whatever the words around it.
    if link.kind == LinkKind::Iframe {
        return Some((
            SignalKind::EmbeddedForm,
            Level::Online,
            "inline frame (counts when it holds an application form)".to_string(),
            None,
        ));
    }
    // A link whose text is only the form-download wording (a form assistant
    // on the city's site or a vendor's) stays level 2.
    if let Some((p, _)) = sig.form_download.find(anchor_f) {
        return Some((
            SignalKind::FormDownload,
            Level::FormAssistant,
            format!("link to a form: \"{}\"", p.source()),
            None,
        ));
    }
    None
}

pub(super) fn link_path(u: &Url) -> &str {
    u.path()
}

pub(super) fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}
