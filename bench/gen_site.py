#!/usr/bin/env python3
"""Generate a deterministic, city-like static web site for the crawl benchmark.

    python3 bench/gen_site.py OUTDIR [--pages 20000] [--pdfs 300] [--seed 1]
                                     [--base-url http://www.benchstadt.de:8089]

The site of the fictitious "Stadt Benchstadt":

* PAGES HTML pages (5-15 KB each, UTF-8, German text about municipal
  services, news, facilities). Home is "/", the ten sections and their
  sub-sections are directories ("/buergerservice/", served from index.html),
  every other page is "/SECTION/SUB/slug-ID.html".
* Every page carries the same header navigation (10 sections + 20
  sub-sections = 30 links), a breadcrumb, a footer (5 links, some mailto:),
  and 3-8 links in its main content: an overview page links its children, a
  leaf page links its parent, siblings and related pages elsewhere. The page
  tree is built breadth-first with 3-8 children per page, so every page is
  reachable from "/" within about 6 links (checked and printed at the end).
* PDFS small valid PDF forms under /downloads/formulare/, each linked from
  one to three pages.
* /robots.txt (Disallow: /suche/, a Sitemap: line), /sitemap.xml (a sitemap
  index) and /sitemaps/sitemap-K.xml.gz (gzip sub-sitemaps, at most 5,000
  URLs each, absolute URLs under --base-url).

With --realistic, pages are as big as real city CMS pages: every page also
carries the CMS's mega menu (every section, its sub-sections and their first
page each: about 90 links, 8 KB), a cookie-consent dialog, and inline JSON (JSON-LD,
the CMS's page configuration) and inline scripts, so that page sizes follow a
log-normal distribution with a median of 21 KB and 5th/95th percentiles of
about 8 and 58 KB (clipped to 7-160 KB). Where the numbers come from: the
benchmark site the project is judged on has a median of 21 KB (8-58 KB),
issue #15; the HTTP Archive Web Almanac 2024 (page weight chapter) puts the
median HTML of a home page at 18 KB transferred; real city pages with mega
menus, cookie dialogs and inline JSON reach 30-150 KB. The text of the main
content is the same as in the small-page variant, so detection work per page
is comparable and the extra bytes are what real pages add around it.

No network, no clock: the same arguments always give the same bytes (the
seed drives one random.Random; gzip headers carry mtime 0).
"""

import argparse
import collections
import gzip
import html
import json
import math
import os
import random
import shutil
import sys
import time

CITY = "Benchstadt"

# Sections: (slug, title, [sub-section titles]); the first two sub-sections
# of each are in the navigation menu.
SECTIONS = [
    ("rathaus", "Rathaus & Politik", [
        "Oberbürgermeisterin", "Rat und Ausschüsse", "Stadtverwaltung",
        "Stellenangebote", "Haushalt und Finanzen", "Wahlen",
        "Bezirksvertretungen", "Ortsrecht und Satzungen"]),
    ("buergerservice", "Bürgerservice", [
        "Dienstleistungen von A bis Z", "Bürgerbüros", "Formulare",
        "Terminvereinbarung", "Fundbüro", "Standesamt", "Ausländerbehörde",
        "Online-Dienste"]),
    ("familie-soziales", "Familie & Soziales", [
        "Kinderbetreuung", "Elterngeld und Unterhalt", "Jugend", "Senioren",
        "Wohngeld", "Integration", "Menschen mit Behinderung",
        "Beratungsstellen"]),
    ("bildung", "Bildung", [
        "Schulen", "Volkshochschule", "Stadtbibliothek", "Musikschule",
        "Schulanmeldung", "Bildungsberatung", "Ganztag", "Schülerbeförderung"]),
    ("bauen-wohnen", "Bauen & Wohnen", [
        "Bauanträge", "Bebauungspläne", "Wohnraumförderung", "Denkmalschutz",
        "Vermessung und Kataster", "Stadtentwicklung", "Mietspiegel",
        "Grundstücke"]),
    ("umwelt-verkehr", "Umwelt & Verkehr", [
        "Abfall und Stadtreinigung", "Parken", "Bus und Bahn", "Klimaschutz",
        "Grünflächen und Friedhöfe", "Baustellen", "Radverkehr",
        "Lärmschutz"]),
    ("wirtschaft", "Wirtschaft", [
        "Gewerbe", "Wirtschaftsförderung", "Wochenmärkte", "Gaststätten",
        "Ausschreibungen", "Tourismus", "Existenzgründung",
        "Fachkräfte"]),
    ("kultur-freizeit", "Kultur & Freizeit", [
        "Museen", "Theater und Konzerte", "Sport", "Bäder",
        "Veranstaltungskalender", "Vereine", "Stadtgeschichte",
        "Partnerstädte"]),
    ("sicherheit-ordnung", "Sicherheit & Ordnung", [
        "Ordnungsamt", "Feuerwehr", "Hunde und Haustiere",
        "Fahrzeugzulassung", "Führerscheine", "Bevölkerungsschutz",
        "Gewerbeüberwachung", "Verkehrsüberwachung"]),
    ("aktuelles", "Aktuelles", [
        "Pressemitteilungen", "Bekanntmachungen", "Newsletter",
        "Social Media", "Pressekontakt", "Stadtmagazin", "Ratsinformationen",
        "Veranstaltungen"]),
]

FOOTER_PAGES = [
    ("impressum", "Impressum"),
    ("datenschutz", "Datenschutzerklärung"),
    ("kontakt", "Kontakt"),
    ("barrierefreiheit", "Erklärung zur Barrierefreiheit"),
    ("leichte-sprache", "Leichte Sprache"),
]

SERVICES = [
    "Personalausweis beantragen", "Reisepass beantragen", "Wohnsitz anmelden",
    "Wohnsitz ummelden", "Abmeldung ins Ausland", "Meldebescheinigung",
    "Führungszeugnis beantragen", "Beglaubigung von Dokumenten",
    "Geburt beurkunden", "Eheschließung anmelden", "Sterbefall beurkunden",
    "Namensänderung", "Kirchenaustritt", "Elterngeld beantragen",
    "Kita-Platz anmelden", "Kindertagespflege", "Unterhaltsvorschuss",
    "Beistandschaft", "Wohngeld beantragen", "Wohnberechtigungsschein",
    "Bewohnerparkausweis", "Schwerbehindertenparkausweis",
    "Gewerbe anmelden", "Gewerbe abmelden", "Gaststättenerlaubnis",
    "Sondernutzungserlaubnis", "Baugenehmigung beantragen",
    "Bauvorbescheid", "Abgeschlossenheitsbescheinigung",
    "Fahrzeug zulassen", "Fahrzeug außer Betrieb setzen",
    "Wunschkennzeichen reservieren", "Führerschein umtauschen",
    "Internationaler Führerschein", "Hund anmelden", "Hundesteuer",
    "Sperrmüll anmelden", "Abfallbehälter bestellen",
    "Grundsteuer", "Fischereischein", "Aufenthaltstitel verlängern",
    "Einbürgerung beantragen", "Bildungs- und Teilhabepaket",
    "Schülerfahrkarte", "Schulanmeldung Grundschule", "Fundsache melden",
    "Veranstaltung anzeigen", "Straßensperrung beantragen",
    "Baumfällgenehmigung", "Halteverbotszone einrichten",
    "Pflegewohngeld", "Hilfe zur Pflege", "Grundsicherung im Alter",
    "Befreiung vom Rundfunkbeitrag", "Sozialpass",
    "Anwohnerparken Gewerbetreibende", "Feuerwerk anzeigen",
    "Trauung im Standesamt", "Lebenspartnerschaft umwandeln",
    "Vaterschaftsanerkennung", "Sorgeerklärung", "Geburtsurkunde bestellen",
    "Wahlschein beantragen", "Bibliotheksausweis", "Musikschule anmelden",
    "VHS-Kurs buchen", "Friedhofsgrabstelle", "Parkerleichterung",
]

DISTRICTS = [
    "Altstadt", "Nordstadt", "Südviertel", "Oststadt", "Weststadt",
    "Hohenlimburg", "Eilpe", "Haspe", "Boele", "Vorhalle", "Emst",
    "Wehringhausen", "Kabel", "Dahl", "Berchum", "Holthausen", "Fley",
    "Halden", "Eppenhausen", "Rummenohl", "Priorei", "Garenfeld",
    "Delstern", "Selbecke", "Tücking",
]

FACILITY_TYPES = [
    "Stadtteilbibliothek", "Bürgerbüro", "Jugendzentrum", "Kindertagesstätte",
    "Grundschule", "Gesamtschule", "Seniorenbegegnungsstätte", "Hallenbad",
    "Sportplatz", "Recyclinghof", "Familienzentrum", "Stadtteiltreff",
    "Friedhof", "Musikschule Zweigstelle", "Freiwillige Feuerwehr Löschzug",
]

NEWS_TOPICS = [
    "Straßensanierung", "Kita-Ausbau", "Haushaltsentwurf", "Radweg",
    "Stadtfest", "Sommerferienprogramm", "Schulhofsanierung",
    "Klimaschutzkonzept", "Baumpflanzaktion", "Bürgerbeteiligung",
    "Wochenmarkt", "Digitalisierung der Verwaltung", "Ratssitzung",
    "Weihnachtsmarkt", "Brückenprüfung", "Spielplatzeröffnung",
    "Ausstellung im Stadtmuseum", "Impfaktion", "Müllabfuhr an Feiertagen",
    "Glasfaserausbau", "Neue Buslinie", "Ehrenamtspreis",
]

NEWS_VERBS = [
    "beginnt", "startet", "wird vorgestellt", "geht in die nächste Runde",
    "abgeschlossen", "verschoben", "erfolgreich gestartet",
    "sucht Unterstützung", "lädt ein", "informiert",
]

AMTER = [
    "Bürgeramt", "Standesamt", "Jugendamt", "Sozialamt", "Ordnungsamt",
    "Bauordnungsamt", "Straßenverkehrsamt", "Amt für Wohnungswesen",
    "Umweltamt", "Schulverwaltungsamt", "Steueramt", "Kassenamt",
    "Amt für Statistik und Wahlen", "Familienbüro",
    "Amt für Wirtschaftsförderung", "Kulturbüro", "Grünflächenamt",
]

DOCUMENTS = [
    "ein gültiges Ausweisdokument", "die Geburtsurkunde",
    "eine aktuelle Meldebescheinigung", "ein biometrisches Passfoto",
    "die Wohnungsgeberbestätigung", "den Mietvertrag",
    "Einkommensnachweise der letzten drei Monate",
    "den letzten Bescheid des Jobcenters", "eine Vollmacht",
    "die Eheurkunde", "den Fahrzeugschein", "den Fahrzeugbrief",
    "den Nachweis über die Haftpflichtversicherung",
    "einen Lageplan im Maßstab 1:500", "die Bauzeichnungen",
    "eine Kopie des Gewerbescheins", "den Nachweis der Krankenversicherung",
    "das Familienstammbuch", "die Lohnsteuerbescheinigung",
    "den Schwerbehindertenausweis",
]

WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag"]
STREETS = [
    "Rathausstraße", "Marktplatz", "Bahnhofstraße", "Friedrich-Ebert-Platz",
    "Elberfelder Straße", "Lange Straße", "Schulstraße", "Am Stadtgarten",
    "Kirchplatz", "Volmestraße", "Bergstraße", "Lindenallee",
]
PEOPLE = [
    "Frau Schneider", "Herr Yilmaz", "Frau Kowalski", "Herr Becker",
    "Frau Nguyen", "Herr Hoffmann", "Frau Wagner", "Herr Schulz",
    "Frau Krämer", "Herr Öztürk", "Frau Lehmann", "Herr Müller",
]

SERVICE_HEADINGS = [
    "Beschreibung", "Voraussetzungen", "Erforderliche Unterlagen", "Gebühren",
    "Fristen", "Bearbeitungsdauer", "Verfahrensablauf", "Rechtsgrundlagen",
    "Hinweise", "Online-Antrag", "Zuständige Stelle", "Häufige Fragen",
]
INFO_HEADINGS = [
    "Überblick", "Angebote", "Anfahrt", "Ansprechpersonen", "Geschichte",
    "Aktuelle Hinweise", "Projekte", "Öffnungszeiten", "Barrierefreiheit",
    "Mitmachen", "Weitere Informationen",
]

# Sentence templates, one pool per kind of page (plus GENERAL for all).
# Slots: {s} topic/service, {amt}, {d} district, {doc}, {doc2}, {fee},
# {wd}, {wd2}, {h} hour, {w} weeks, {p} person, {city}, {street}, {day},
# {month}.
GENERAL = [
    "Bei Fragen hilft Ihnen {p} aus dem {amt} gerne weiter.",
    "Am {wd} ist das Servicecenter bis {h} Uhr geöffnet.",
    "Die Verwaltung arbeitet daran, weitere Leistungen digital anzubieten.",
    "Informationen in anderen Sprachen erhalten Sie beim Integrationsbüro.",
    "Die Sprechzeiten sind {wd} und {wd2} von 8 bis {h} Uhr.",
    "Telefonisch erreichen Sie das Servicecenter unter der Behördennummer 115.",
    "Beachten Sie bitte, dass an Brückentagen einzelne Dienststellen geschlossen sind.",
    "Die Stadt {city} informiert regelmäßig über Neuigkeiten zum Thema {s}.",
]
SERVICE_S = [
    "Das {amt} der Stadt {city} ist für {s} zuständig.",
    "Für {s} benötigen Sie in der Regel {doc} und {doc2}.",
    "Die Gebühr beträgt {fee} Euro und ist bei Antragstellung zu entrichten.",
    "Bitte vereinbaren Sie vorab einen Termin im Bürgerbüro {d}.",
    "Die Bearbeitung dauert erfahrungsgemäß etwa {w} Wochen.",
    "Eine persönliche Vorsprache ist erforderlich, wenn Sie den Antrag zum ersten Mal stellen.",
    "Den Antrag können Sie schriftlich, per E-Mail oder persönlich einreichen.",
    "Unvollständige Unterlagen verzögern die Bearbeitung erheblich.",
    "Die Zahlung ist bar, mit Girocard oder per Überweisung möglich.",
    "Wer in {city} mit Hauptwohnsitz gemeldet ist, kann {s} bei jeder Dienststelle erledigen.",
    "Nach Prüfung der Unterlagen erhalten Sie einen schriftlichen Bescheid.",
    "Gegen den Bescheid kann innerhalb eines Monats Widerspruch eingelegt werden.",
    "Für Menschen mit geringem Einkommen kann die Gebühr ermäßigt werden.",
    "Bitte bringen Sie alle Unterlagen im Original und in Kopie mit.",
    "Die Frist beginnt mit dem Tag nach der Zustellung des Bescheides.",
    "Minderjährige benötigen die Zustimmung der sorgeberechtigten Personen.",
    "Ein Anspruch besteht nur, wenn die gesetzlichen Voraussetzungen erfüllt sind.",
    "Änderungen Ihrer persönlichen Verhältnisse teilen Sie bitte unverzüglich mit.",
    "Der Antrag muss spätestens {w} Wochen vor dem gewünschten Termin vorliegen.",
    "Die Unterlagen werden nach Abschluss des Verfahrens datenschutzgerecht vernichtet.",
    "Eine Vertretung durch eine bevollmächtigte Person ist möglich.",
    "Rechtsgrundlage ist die jeweils gültige Satzung der Stadt {city}.",
    "Die Gebührenhöhe richtet sich nach der Verwaltungsgebührensatzung.",
    "Sie erhalten eine Eingangsbestätigung, sobald Ihr Antrag vollständig ist.",
    "In dringenden Fällen ist eine beschleunigte Bearbeitung gegen Aufpreis möglich.",
    "Das Formular steht als PDF-Dokument zum Ausdrucken zur Verfügung.",
    "Ausländische Urkunden müssen mit einer beglaubigten Übersetzung vorgelegt werden.",
    "Ist die antragstellende Person verhindert, genügt eine schriftliche Vollmacht.",
]
NEWS_S = [
    "Der Rat der Stadt hat die Maßnahme in seiner letzten Sitzung beschlossen.",
    "Die Arbeiten sollen nach Angaben der Verwaltung bis Ende des Jahres abgeschlossen sein.",
    "Anwohnerinnen und Anwohner werden rechtzeitig schriftlich informiert.",
    "Während der Bauphase kann es im Bereich {street} zu Behinderungen kommen.",
    "Die Kosten in Höhe von rund {fee}.000 Euro werden zum Teil vom Land gefördert.",
    "Interessierte können sich bis zum {day}. {month} anmelden.",
    "Die Teilnahme ist kostenlos, eine Anmeldung ist jedoch erforderlich.",
    "Weitere Termine werden rechtzeitig bekannt gegeben.",
    "Das Team freut sich auf zahlreiche Besucherinnen und Besucher.",
    "Im Anschluss besteht die Möglichkeit, Fragen an die Verwaltung zu richten.",
    "„Wir freuen uns, dass das Projekt in {d} so gut angenommen wird“, sagt {p}.",
    "Die Veranstaltung beginnt am {day}. {month} um {h} Uhr im Rathaus.",
    "Die Umleitung ist ausgeschildert; der Busverkehr ist nicht betroffen.",
    "Bereits im vergangenen Jahr hatten mehr als {fee}0 Menschen teilgenommen.",
]
PLACE_S = [
    "Das Angebot richtet sich an alle Bürgerinnen und Bürger aus {d} und Umgebung.",
    "Seit dem vergangenen Jahr sind die Räumlichkeiten barrierefrei umgebaut.",
    "Parkplätze stehen in der Tiefgarage {street} zur Verfügung.",
    "Die Haltestelle {street} wird von mehreren Buslinien angefahren.",
    "Die Anmeldung erfolgt über das zuständige Sekretariat oder direkt vor Ort.",
    "Im Stadtteil {d} gibt es zusätzlich eine Außenstelle mit eingeschränkten Öffnungszeiten.",
    "In den Schulferien gelten geänderte Öffnungszeiten.",
    "Gruppen melden sich bitte mindestens {w} Wochen im Voraus an.",
    "Ehrenamtliche Helferinnen und Helfer sind jederzeit willkommen.",
    "Die Einrichtung wird gemeinsam mit freien Trägern aus {d} betrieben.",
    "Ein Überblick über alle Angebote liegt im Rathaus und in den Bürgerbüros aus.",
]
POOLS = {
    "service": SERVICE_S * 2 + GENERAL,
    "news": NEWS_S * 2 + GENERAL,
    "facility": PLACE_S * 2 + GENERAL,
    "overview": PLACE_S + SERVICE_S + GENERAL,
}

SERVICE_QUALIFIERS = [
    "{s}", "{s}", "{s}", "{s} im Bürgerbüro {d}", "{s} für Gewerbetreibende",
    "{s} für Minderjährige", "{s}: Gebühren und Unterlagen",
    "{s}: Häufige Fragen", "{s} in {d}", "{s} für Studierende",
    "{s} – Hinweise für Zugezogene", "{s} in Leichter Sprache",
]
OVERVIEW_PATTERNS = [
    "{t} in {d}", "{t}: Angebote in {d}", "{t} – Beratung und Hilfe",
    "{t}: Themen und Ansprechpersonen", "{t} im Stadtbezirk {d}",
    "Weitere Informationen: {t}",
]

FAQ = [
    ("Kann ich den Antrag auch für eine andere Person stellen?",
     "Ja, mit einer schriftlichen Vollmacht und dem Ausweis der vertretenen Person."),
    ("Wie lange ist der Bescheid gültig?",
     "Die Gültigkeit ist im Bescheid angegeben und beträgt in der Regel ein Jahr."),
    ("Was passiert, wenn Unterlagen fehlen?",
     "Sie erhalten eine Nachricht mit der Bitte, die fehlenden Unterlagen nachzureichen."),
    ("Muss ich persönlich erscheinen?",
     "Das hängt von der Leistung ab; die Hinweise oben nennen die Fälle."),
    ("Kann ich die Gebühr online bezahlen?",
     "Die Zahlung ist vor Ort mit Girocard oder nach Rechnung per Überweisung möglich."),
]

MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli",
          "August", "September", "Oktober", "November", "Dezember"]

TRANS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss",
                       "Ä": "ae", "Ö": "oe", "Ü": "ue"})


def slugify(text):
    t = text.translate(TRANS).lower()
    out = []
    dash = False
    for ch in t:
        if ch.isascii() and ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


class Page:
    __slots__ = ("idx", "parent", "children", "depth", "section", "sub",
                 "kind", "title", "url", "fs_path", "links", "pdfs", "topic")

    def __init__(self, idx, parent, depth):
        self.idx = idx
        self.parent = parent
        self.children = []
        self.depth = depth
        self.section = None   # index into SECTIONS
        self.sub = None       # page index of the depth-2 ancestor
        self.kind = None
        self.title = None
        self.url = None
        self.fs_path = None
        self.links = []
        self.pdfs = []
        self.topic = None


def build_tree(n, rng):
    """Pages in breadth-first order: 0 home, 1..10 sections, then footer
    pages, then 3-8 children per page until n pages exist."""
    least = 1 + len(SECTIONS) * 4 + len(FOOTER_PAGES)  # each section 3+ subs
    if n < least:
        sys.exit(f"--pages must be at least {least}")
    pages = [Page(0, None, 0)]
    pages[0].kind = "home"
    pages[0].title = f"Stadt {CITY} – Startseite"
    pages[0].url = "/"
    pages[0].fs_path = "index.html"
    for si, (slug, title, _) in enumerate(SECTIONS):
        p = Page(len(pages), 0, 1)
        p.section, p.kind, p.title = si, "section", title
        p.url, p.fs_path = f"/{slug}/", f"{slug}/index.html"
        pages.append(p)
        pages[0].children.append(p.idx)
    for slug, title in FOOTER_PAGES:
        p = Page(len(pages), 0, 1)
        p.kind, p.title = "footer", title
        p.url, p.fs_path = f"/{slug}.html", f"{slug}.html"
        pages.append(p)
        pages[0].children.append(p.idx)
    queue = collections.deque(range(1, 1 + len(SECTIONS)))
    while len(pages) < n:
        par = pages[queue.popleft()]
        k = rng.randint(3, 8)
        for _ in range(min(k, n - len(pages))):
            c = Page(len(pages), par.idx, par.depth + 1)
            c.section = par.section
            c.sub = c.idx if c.depth == 2 else par.sub
            pages.append(c)
            par.children.append(c.idx)
            queue.append(c.idx)
    return pages


def assign_titles(pages, rng):
    sub_count = collections.Counter()
    for p in pages:
        if p.kind in ("home", "section", "footer"):
            continue
        slug, stitle, subs = SECTIONS[p.section]
        if p.depth == 2:
            i = sub_count[p.section]
            sub_count[p.section] += 1
            base = subs[i % len(subs)]
            p.title = base if i < len(subs) else f"{base} {DISTRICTS[i % len(DISTRICTS)]}"
            p.kind = "overview"
            p.url = f"/{slug}/{slugify(p.title)}/"
            p.fs_path = f"{slug}/{slugify(p.title)}/index.html"
            p.topic = p.title
            continue
        if p.children:
            p.kind = "overview"
        elif slug == "aktuelles" or rng.random() < 0.12:
            p.kind = "news"
        elif slug in ("buergerservice", "familie-soziales", "sicherheit-ordnung",
                      "bauen-wohnen") or rng.random() < 0.35:
            p.kind = "service"
        else:
            p.kind = "facility"
        if p.kind == "service":
            topic = rng.choice(SERVICES)
            title = rng.choice(SERVICE_QUALIFIERS).format(s=topic, d=rng.choice(DISTRICTS))
        elif p.kind == "news":
            topic = rng.choice(NEWS_TOPICS)
            title = f"{topic} in {rng.choice(DISTRICTS)} {rng.choice(NEWS_VERBS)}"
        elif p.kind == "facility":
            topic = rng.choice(FACILITY_TYPES)
            title = f"{topic} {rng.choice(DISTRICTS)}"
        else:
            topic = pages[p.sub].title
            title = rng.choice(OVERVIEW_PATTERNS).format(t=topic, d=rng.choice(DISTRICTS))
        p.title, p.topic = title, topic
        sub = pages[p.sub]
        p.url = f"{sub.url}{slugify(title)[:60].strip('-')}-{p.idx}.html"
        p.fs_path = p.url.lstrip("/")


def assign_links(pages, rng):
    """3-8 content links per page (overview: its children, plus related
    pages up to at least 3)."""
    n = len(pages)
    by_section = collections.defaultdict(list)
    for p in pages:
        if p.section is not None:
            by_section[p.section].append(p.idx)
    for p in pages:
        if p.kind == "home":
            p.links = [c for c in p.children if pages[c].kind == "section"]
            continue
        if p.kind == "footer":
            want = rng.randint(3, 5)
            p.links = rng.sample(range(1, 1 + len(SECTIONS)), want)
            continue
        links = list(p.children[:8])
        seen = set(links)
        seen.add(p.idx)
        want = rng.randint(3, 8)
        cands = []
        if not p.children and p.parent is not None:
            cands.append(p.parent)
            par = pages[p.parent]
            cands.extend(rng.sample(par.children, min(2, len(par.children))))
        same = by_section[p.section]
        while len(links) < want:
            if cands:
                c = cands.pop(0)
            elif rng.random() < 0.6:
                c = same[rng.randrange(len(same))]
            else:
                c = rng.randrange(1, n)
            if c in seen or pages[c].kind == "footer":
                continue
            seen.add(c)
            links.append(c)
        p.links = links


def assign_pdfs(pages, n_pdfs, rng):
    """PDF forms: (url, fs_path, title, size_kb); each linked from 1-3 pages,
    preferably service pages."""
    service_pages = [p.idx for p in pages if p.kind == "service"] or \
        [p.idx for p in pages if p.kind not in ("home",)]
    pdfs = []
    used = collections.Counter()
    for i in range(n_pdfs):
        name = rng.choice(SERVICES)
        used[name] += 1
        title = f"Antrag {name}" if used[name] == 1 else f"Antrag {name} (Anlage {used[name] - 1})"
        slug = slugify(title)
        url = f"/downloads/formulare/{slug}.pdf"
        pdfs.append((url, url.lstrip("/"), title, name))
        for _ in range(rng.randint(1, 3)):
            pages[rng.choice(service_pages)].pdfs.append(i)
    return pdfs


# ---------------------------------------------------------------- rendering

def esc(s):
    return html.escape(s, quote=True)


def make_mega_menu(pages):
    """The CMS's flyout menu: every section, its sub-sections and their
    first pages, with teaser texts: the same block on every page."""
    cols = []
    secs = [pages[c] for c in pages[0].children if pages[c].kind == "section"]
    for sp in secs:
        rows = []
        for c in sp.children[:4]:
            sub = pages[c]
            grand = "".join(
                f'<li><a href="{esc(pages[g].url)}">{esc(pages[g].title)}</a></li>'
                for g in sub.children[:1])
            rows.append(f'<li class="mm-sub"><a href="{esc(sub.url)}">{esc(sub.title)}</a>'
                        f'<ul>{grand}</ul></li>')
        cols.append(f'<div class="mm-col" data-section="{sp.section}"><p class="mm-teaser">'
                    f'Alles zum Thema {esc(sp.title)} auf einen Blick.</p><ul>{"".join(rows)}</ul></div>')
    return ('<div class="mega-menu" hidden aria-hidden="true">' + "".join(cols) + "</div>")


COOKIE_DIALOG = """<div id="consent" role="dialog" aria-modal="true" aria-labelledby="consent-title" class="consent" hidden>
<h2 id="consent-title">Datenschutzeinstellungen</h2>
<p>Wir nutzen Cookies und vergleichbare Techniken. Einige sind technisch notwendig, andere helfen uns, dieses Angebot zu verbessern. Sie können selbst entscheiden, welche Kategorien Sie zulassen möchten. Ihre Auswahl können Sie jederzeit unter „Datenschutzeinstellungen“ im Seitenfuß ändern.</p>
<fieldset><legend>Kategorien</legend>
<label><input type="checkbox" checked disabled> Notwendig: Sitzung, Sicherheit, Ihre Auswahl in diesem Dialog</label>
<label><input type="checkbox" name="stats"> Statistik: anonyme Reichweitenmessung mit einem selbst betriebenen Werkzeug</label>
<label><input type="checkbox" name="media"> Externe Medien: Karten, Videos und Beiträge aus sozialen Netzwerken</label>
</fieldset>
<details><summary>Details zu den einzelnen Diensten</summary><table><thead><tr><th>Dienst</th><th>Zweck</th><th>Speicherdauer</th></tr></thead><tbody>
<tr><td>session</td><td>Sitzung</td><td>Ende der Sitzung</td></tr><tr><td>consent</td><td>Ihre Auswahl</td><td>12 Monate</td></tr>
<tr><td>stats_id</td><td>Statistik</td><td>13 Monate</td></tr><tr><td>map_tiles</td><td>Kartenanzeige</td><td>keine</td></tr>
<tr><td>video_embed</td><td>Videos</td><td>keine</td></tr></tbody></table></details>
<button type="button" data-consent="all">Alle akzeptieren</button> <button type="button" data-consent="selected">Auswahl speichern</button> <button type="button" data-consent="none">Nur notwendige</button>
</div>
"""


def filler(prng, p, n_bytes):
    """Inline JSON and scripts of about n_bytes: what a CMS puts into a page
    beside its content (page configuration, JSON-LD, tracking, widgets)."""
    out = []
    size = 0
    k = 0
    while size < n_bytes:
        k += 1
        if k % 2:
            items = [{"id": prng.randint(1, 99999), "label": f"Eintrag {prng.randint(1, 999)}",
                      "url": f"/bereich-{prng.randint(1, 40)}/", "visible": prng.random() < 0.7,
                      "weight": round(prng.random(), 4)} for _ in range(24)]
            cfg = {"page": p.idx, "lang": "de", "layout": prng.choice(["two-col", "three-col", "wide"]),
                   "components": items}
            block = ('<script type="application/json" data-cms-config>'
                     + json.dumps(cfg, ensure_ascii=False) + "</script>\n")
        else:
            names = "".join(prng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8))
            body = ";".join(f"var {names}{i}=function(e,t){{return e&&e.nodeType===1?t.call(e,{i}):null}}"
                            for i in range(30))
            block = f"<script>/* widget {k} */(function(){{{body}}})();</script>\n"
        out.append(block)
        size += len(block.encode("utf-8"))
    return "".join(out)


def make_nav(pages, active_section):
    items = []
    secs = [pages[c] for c in pages[0].children if pages[c].kind == "section"]
    for sp in secs:
        cls = ' class="active"' if sp.section == active_section else ""
        subs = [pages[c] for c in sp.children[:2]]
        sub_html = "".join(
            f'<li><a href="{esc(s.url)}">{esc(s.title)}</a></li>' for s in subs)
        items.append(
            f'<li{cls}><a href="{esc(sp.url)}">{esc(sp.title)}</a>'
            f'<ul class="sub">{sub_html}</ul></li>')
    return ('<nav class="main-nav" aria-label="Hauptnavigation"><ul>\n'
            + "\n".join(items) + "\n</ul></nav>")


HEAD = """<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | Stadt {city}</title>
<meta name="description" content="{desc}">
<link rel="stylesheet" href="/assets/site.css">
<link rel="canonical" href="{url}">
</head>
<body>
<a class="skip" href="#inhalt">Zum Inhalt springen</a>
<div id="cookie-banner" class="cookie">Diese Website verwendet nur technisch notwendige Cookies. <button type="button">Verstanden</button></div>
<header class="site-header">
<a class="logo" href="/"><img src="/assets/logo.svg" alt="Stadt {city}" width="180" height="48"></a>
<form class="search" action="/suche/" method="get" role="search"><label for="q">Suche</label><input id="q" name="q" type="search"><button type="submit">Suchen</button></form>
{nav}
</header>
"""

FOOTER = """<footer class="site-footer">
<div class="address">Stadt {city} · Rathaus · Rathausstraße 11 · 58095 {city} · Telefon 02331 207-0 · <a href="mailto:info@benchstadt.de">info@benchstadt.de</a></div>
<ul class="footer-links">{links}</ul>
<p>© Stadt {city}. Alle Rechte vorbehalten.</p>
</footer>
</body>
</html>
"""


class Text:
    """Sentence generator bound to one page's rng and topic."""

    def __init__(self, rng, topic, kind="overview"):
        self.rng = rng
        self.topic = topic
        self.pool = POOLS.get(kind, POOLS["overview"])

    def sentence(self):
        r = self.rng
        t = r.choice(self.pool)
        if "{" not in t:
            return t
        return t.format(
            s=self.topic, amt=r.choice(AMTER), d=r.choice(DISTRICTS),
            doc=r.choice(DOCUMENTS), doc2=r.choice(DOCUMENTS),
            fee=r.choice((8, 12, 15, 22, 28, 37, 45, 60, 80, 120)),
            wd=r.choice(WEEKDAYS), wd2=r.choice(WEEKDAYS), h=r.randint(12, 18),
            w=r.randint(2, 8), p=r.choice(PEOPLE), city=CITY,
            street=r.choice(STREETS), day=r.randint(1, 28),
            month=r.choice(MONTHS))

    def para(self, lo=2, hi=5):
        return "<p>" + esc(" ".join(self.sentence() for _ in range(self.rng.randint(lo, hi)))) + "</p>"


def link_li(q):
    return f'<li><a href="{esc(q.url)}">{esc(q.title)}</a></li>'


def render_main(p, pages, pdfs, rng):
    tx = Text(rng, p.topic or p.title, p.kind)
    out = []
    crumbs = []
    a = p.parent
    while a is not None:
        crumbs.append(pages[a])
        a = pages[a].parent
    crumbs.reverse()
    if crumbs:
        out.append('<nav class="breadcrumb" aria-label="Sie sind hier"><ol>'
                   + "".join(f'<li><a href="{esc(c.url)}">{esc(c.title if c.idx else "Startseite")}</a></li>'
                             for c in crumbs)
                   + f"<li>{esc(p.title)}</li></ol></nav>")
    out.append('<main id="inhalt">')
    out.append(f"<h1>{esc(p.title)}</h1>")
    linked = [pages[i] for i in p.links]

    if p.kind in ("home", "section", "overview", "footer"):
        out.append(tx.para(3, 5))
        out.append('<ul class="teaser-list">')
        for q in linked:
            out.append(f'<li class="teaser"><h2><a href="{esc(q.url)}">{esc(q.title)}</a></h2>'
                       f"<p>{esc(tx.sentence())} {esc(tx.sentence())}</p></li>")
        out.append("</ul>")
        for h in rng.sample(INFO_HEADINGS, rng.randint(2, 4)):
            out.append(f"<h2>{esc(h)}</h2>")
            for _ in range(rng.randint(1, 3)):
                out.append(tx.para(3, 6))
    elif p.kind == "service":
        out.append(f'<p class="lead">{esc(tx.sentence())} {esc(tx.sentence())}</p>')
        heads = ["Beschreibung"] + rng.sample(SERVICE_HEADINGS[1:], rng.randint(3, 7))
        for h in heads:
            out.append(f"<h2>{esc(h)}</h2>")
            if h == "Erforderliche Unterlagen":
                out.append("<ul>" + "".join(f"<li>{esc(d[0].upper() + d[1:])}</li>"
                                            for d in rng.sample(DOCUMENTS, rng.randint(3, 6))) + "</ul>")
            elif h == "Gebühren":
                out.append('<table class="fees"><tr><th>Leistung</th><th>Gebühr</th></tr>'
                           + "".join(f"<tr><td>{esc(p.topic)} ({v})</td><td>{rng.randint(5, 90)},00 Euro</td></tr>"
                                     for v in rng.sample(["Erstausstellung", "Verlängerung", "Ersatz", "Expressverfahren", "Ermäßigt"], 3))
                           + "</table>")
            elif h == "Häufige Fragen":
                out.append("<dl>" + "".join(f"<dt>{esc(q)}</dt><dd>{esc(a)}</dd>"
                                            for q, a in rng.sample(FAQ, 3)) + "</dl>")
            elif h == "Online-Antrag":
                if rng.random() < 0.5:
                    out.append(f"<p>{esc(p.topic)} können Sie auch online beantragen. "
                               "Sie benötigen dafür ein Servicekonto und die Online-Ausweisfunktion.</p>")
                else:
                    out.append("<p>Eine Online-Beantragung ist derzeit nicht möglich. "
                               "Bitte nutzen Sie das Formular und senden Sie es per Post.</p>")
            else:
                for _ in range(rng.randint(1, 2)):
                    out.append(tx.para(2, 5))
        amt = rng.choice(AMTER)
        out.append(f'<aside class="contact"><h2>Kontakt</h2><p>{esc(amt)}<br>{esc(rng.choice(STREETS))} {rng.randint(1, 80)}<br>58095 {CITY}</p>'
                   f'<p>Telefon 02331 207-{rng.randint(1000, 9999)}<br><a href="mailto:{slugify(amt)}@benchstadt.de">{slugify(amt)}@benchstadt.de</a></p>'
                   '<table class="hours">' + "".join(f"<tr><td>{d}</td><td>8:00–{rng.randint(12, 18)}:00 Uhr</td></tr>" for d in WEEKDAYS)
                   + "</table></aside>")
    elif p.kind == "news":
        out.append(f'<p class="date">{rng.randint(1, 28)}. {rng.choice(MONTHS)} {rng.choice((2023, 2024, 2025))}</p>')
        out.append(f'<p class="lead">{esc(tx.sentence())} {esc(tx.sentence())}</p>')
        for _ in range(rng.randint(3, 7)):
            out.append(tx.para(3, 6))
        out.append(f'<p class="press">Pressekontakt: {esc(rng.choice(PEOPLE))}, Presse- und Öffentlichkeitsarbeit</p>')
    else:  # facility
        out.append(f'<p class="lead">{esc(tx.sentence())}</p>')
        for h in rng.sample(INFO_HEADINGS, rng.randint(3, 6)):
            out.append(f"<h2>{esc(h)}</h2>")
            if h == "Öffnungszeiten":
                out.append('<table class="hours">' + "".join(
                    f"<tr><td>{d}</td><td>{rng.randint(7, 10)}:00–{rng.randint(13, 20)}:00 Uhr</td></tr>"
                    for d in WEEKDAYS) + "</table>")
            else:
                for _ in range(rng.randint(1, 3)):
                    out.append(tx.para(2, 6))
        out.append(f'<aside class="contact"><p>{esc(p.title)}<br>{esc(rng.choice(STREETS))} {rng.randint(1, 80)}<br>58095 {CITY}</p></aside>')

    if p.pdfs:
        out.append('<section class="downloads"><h2>Formulare und Downloads</h2><ul>')
        for i in p.pdfs:
            url, _, title, _ = pdfs[i]
            out.append(f'<li><a href="{esc(url)}" type="application/pdf">{esc(title)} (PDF, {rng.randint(40, 400)} KB)</a></li>')
        out.append("</ul></section>")
    if p.kind not in ("home", "section", "overview", "footer"):
        out.append('<section class="related"><h2>Das könnte Sie auch interessieren</h2><ul>')
        out.extend(link_li(q) for q in linked)
        out.append("</ul></section>")
    out.append("</main>")
    return "\n".join(out)


def pdf_bytes(title, lines):
    """A minimal valid one-page PDF 1.4 with Helvetica text (WinAnsi)."""
    def pdf_str(s):
        b = s.encode("cp1252", "replace")
        return b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    content = b"BT /F1 16 Tf 56 780 Td (" + pdf_str(title) + b") Tj /F1 10 Tf"
    for ln in lines:
        content += b" 0 -16 Td (" + pdf_str(ln) + b") Tj"
    content += b" ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Title (" + pdf_str(title) + b") /Producer (bench/gen_site.py) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + o + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Info 6 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def write(path, data):
    d = os.path.dirname(path)
    if d and not os.path.isdir(d):
        os.makedirs(d, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": "\n"})) as f:
        f.write(data)


def link_depths(pages):
    """Shortest link distance from "/" over nav + content + breadcrumb links
    (the navigation and footer are on every page)."""
    nav = [c for c in pages[0].children if pages[c].kind == "section"]
    nav_all = set(nav)
    for s in nav:
        nav_all.update(pages[s].children[:2])
    nav_all.update(c for c in pages[0].children if pages[c].kind == "footer")
    dist = [-1] * len(pages)
    dist[0] = 0
    q = collections.deque([0])
    while q:
        i = q.popleft()
        p = pages[i]
        nxt = list(p.links)
        if i == 0:
            nxt.extend(nav_all)
        a = p.parent
        while a is not None:
            nxt.append(a)
            a = pages[a].parent
        for j in nxt:
            if dist[j] < 0:
                dist[j] = dist[i] + 1
                q.append(j)
    return dist


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--pages", type=int, default=20000)
    ap.add_argument("--pdfs", type=int, default=None,
                    help="number of PDF forms (default: 1.5 %% of --pages, 300 for 20,000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--base-url", default="http://www.benchstadt.de:8089",
                    help="absolute base for sitemap and robots.txt URLs")
    ap.add_argument("--realistic", action="store_true",
                    help="page sizes of real city CMS pages (median 21 KB, see above)")
    ap.add_argument("--force", action="store_true",
                    help="delete OUTDIR first if it exists and is not empty")
    args = ap.parse_args()
    base = args.base_url.rstrip("/")
    t0 = time.monotonic()

    if os.path.exists(args.outdir) and os.listdir(args.outdir):
        if not args.force:
            sys.exit(f"{args.outdir} exists and is not empty (use --force)")
        shutil.rmtree(args.outdir)
    os.makedirs(args.outdir, exist_ok=True)

    if args.pdfs is None:
        args.pdfs = max(1, round(args.pages * 0.015))
    rng = random.Random(args.seed)
    pages = build_tree(args.pages, rng)
    assign_titles(pages, rng)
    assign_links(pages, rng)
    pdfs = assign_pdfs(pages, args.pdfs, rng)

    navs = {s: make_nav(pages, s) for s in [None] + list(range(len(SECTIONS)))}
    footer_links = "".join(
        f'<li><a href="{esc(pages[c].url)}">{esc(pages[c].title)}</a></li>'
        for c in pages[0].children if pages[c].kind == "footer")
    footer = FOOTER.format(city=CITY, links=footer_links)

    mega = make_mega_menu(pages) if args.realistic else ""
    total_html = 0
    sizes = []
    for p in pages:
        prng = random.Random(args.seed * 1_000_003 + p.idx)
        head = HEAD.format(title=esc(p.title), city=CITY,
                           desc=esc(f"{p.title} – Informationen der Stadt {CITY}"),
                           url=esc(base + p.url), nav=navs[p.section])
        doc = head + render_main(p, pages, pdfs, prng) + "\n" + footer
        if args.realistic:
            # Log-normal around 21 KB: sigma 0.6 puts the 5th and 95th
            # percentiles near 8 and 58 KB.
            srng = random.Random(args.seed * 3_000_017 + p.idx)
            target = min(160_000, max(7_000, int(21_000 * math.exp(srng.gauss(0.0, 0.6)))))
            # A page smaller than the template's own blocks keeps the lean
            # template (an older sub-site, a print view).
            extra = mega + COOKIE_DIALOG
            missing = target - len(doc.encode("utf-8")) - len(extra.encode("utf-8"))
            if missing > 0:
                extra += filler(srng, p, missing)
            if missing > -len(extra.encode("utf-8")) // 2:
                doc = doc.replace("</footer>\n</body>", "</footer>\n" + extra + "</body>")
        data = doc.encode("utf-8")
        write(os.path.join(args.outdir, p.fs_path), data)
        total_html += len(data)
        sizes.append(len(data))

    total_pdf = 0
    for i, (url, fs_path, title, name) in enumerate(pdfs):
        prng = random.Random(args.seed * 7_000_003 + i)
        lines = [f"Stadt {CITY} - {prng.choice(AMTER)}", "",
                 f"Antrag: {name}", ""]
        lines += [f"{lab}: ______________________________" for lab in
                  ("Name, Vorname", "Geburtsdatum", "Anschrift", "Telefon", "E-Mail")]
        lines += [""] + [Text(prng, name, "service").sentence() for _ in range(prng.randint(3, 10))]
        lines += ["", "Ort, Datum, Unterschrift: ______________________________"]
        data = pdf_bytes(title, lines)
        write(os.path.join(args.outdir, fs_path), data)
        total_pdf += len(data)

    # Assets referenced by every page (not links; crawlers may skip them).
    write(os.path.join(args.outdir, "assets/site.css"),
          "body{font-family:sans-serif;max-width:70em;margin:auto}.cookie{background:#eee}\n")
    write(os.path.join(args.outdir, "assets/logo.svg"),
          '<svg xmlns="http://www.w3.org/2000/svg" width="180" height="48"><text x="0" y="32">Benchstadt</text></svg>\n')

    # robots.txt and sitemaps (index + gzip sub-sitemaps, 5,000 URLs each).
    write(os.path.join(args.outdir, "robots.txt"),
          "# Stadt Benchstadt\nUser-agent: *\nDisallow: /suche/\n\n"
          f"Sitemap: {base}/sitemap.xml\n")
    srng = random.Random(args.seed * 11 + 5)
    urls = [(base + p.url, f"2025-{srng.randint(1, 12):02d}-{srng.randint(1, 28):02d}")
            for p in pages]
    urls += [(base + u, "2024-11-04") for u, _, _, _ in pdfs]
    chunk = 5000
    index = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for k in range(0, len(urls), chunk):
        body = ['<?xml version="1.0" encoding="UTF-8"?>',
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        body += [f"<url><loc>{esc(u)}</loc><lastmod>{lm}</lastmod></url>"
                 for u, lm in urls[k:k + chunk]]
        body.append("</urlset>\n")
        name = f"sitemaps/sitemap-{k // chunk + 1}.xml.gz"
        gz = gzip.compress("\n".join(body).encode("utf-8"), compresslevel=6, mtime=0)
        write(os.path.join(args.outdir, name), gz)
        index.append(f"<sitemap><loc>{base}/{name}</loc><lastmod>2025-12-01</lastmod></sitemap>")
    index.append("</sitemapindex>\n")
    write(os.path.join(args.outdir, "sitemap.xml"), "\n".join(index))

    dist = link_depths(pages)
    unreachable = sum(1 for d in dist if d < 0)
    sizes.sort()
    kinds = collections.Counter(p.kind for p in pages)
    print(f"gen_site: {len(pages)} pages ({total_html / 1e6:.1f} MB, "
          f"min/median/max {sizes[0] / 1024:.1f}/{sizes[len(sizes) // 2] / 1024:.1f}/{sizes[-1] / 1024:.1f} KB), "
          f"{len(pdfs)} PDFs ({total_pdf / 1e3:.0f} KB), "
          f"{(len(urls) + chunk - 1) // chunk} sub-sitemaps; "
          "kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) + "; "
          f"max link depth from / {max(dist)}, unreachable {unreachable}; "
          f"{time.monotonic() - t0:.1f} s", file=sys.stderr)
    if unreachable:
        sys.exit("gen_site: some pages are unreachable from / (bug)")


if __name__ == "__main__":
    main()
