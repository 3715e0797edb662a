//! The command line's help in German (the default language): every
//! command's summary, every flag's and argument's text, and the headings.
//! clap has no translations of its own, so the English definition in
//! `cli/mod.rs` is rewritten from these tables; a unit test keeps them
//! complete, so a new flag cannot appear in English only. clap's technical
//! brackets (`[default: …]`, `[possible values: …]`) stay as clap writes them.

use super::Cli;
use clap::{Arg, ArgAction, Command};

/// Summaries of the commands, by path ("" is the program itself).
const ABOUT: &[(&str, &str)] = &[
    ("", "Misst, wie weit die OZG-Leistungen einer Stadt wirklich online sind, mit gespeicherten Belegen."),
    ("crawl", "Die Websites einer Stadt crawlen und für jede Leistung Belege speichern."),
    ("report", "Das Ergebnis eines Laufs zeigen (Tabelle, JSON, CSV, Markdown, HTML)."),
    ("runs", "Die Läufe in der Datenbank auflisten."),
    ("catalogue", "Kataloge prüfen und auflisten."),
    ("catalogue check", "Ein Katalogverzeichnis prüfen (und die Stadtprofile in seinem cities/)."),
    ("catalogue list", "Leistungen (mit Namen und den Portalen, die sie anbieten), Portale und Indexmodelle eines Katalogs auflisten."),
    ("demo", "Die mitgelieferte Demostadt lokal crawlen und den Bericht zeigen; ohne Netz."),
    ("reanalyze", "Einen gespeicherten Lauf mit dem aktuellen Katalog neu beurteilen, ohne Netz."),
    ("explain", "Zeigen, was die Erkennung auf einer gespeicherten Seite gesehen hat."),
    ("score", "Einen Lauf nach dem Smart-City-Index-Modell bewerten: OZG-Anteil, Punkte, Rang, Was-wäre-wenn."),
    ("audit", "Angaben der Stadt (und das OZG-Dashboard) mit den Belegen vergleichen; Exit 1 bei Abweichung."),
    ("dashboard", "Den Export des OZG-Dashboards für eine Region importieren oder laden."),
    ("dashboard import", "Eine Exportdatei (CSV oder JSON) importieren und mit ihrem Datum aufbewahren."),
    ("dashboard fetch", "Den Export für eine Region herunterladen und importieren."),
    ("show", "Die Bytes eines gespeicherten Snapshots ausgeben, wie sie geladen wurden."),
    ("diff", "Zwei Läufe einer Stadt vergleichen; Exit 1, wenn sich Wichtiges geändert hat."),
    ("export", "Einen Lauf fürs Archiv (WARC) oder für eine andere Datenbank (Bündel) exportieren."),
    ("export run", "Den Lauf mit Seiten, Befunden, Urteilen und Snapshots als eine portable Datei, die `import run` in eine andere Datenbank liest."),
    ("import", "Läufe aus einer anderen Datenbank importieren."),
    ("import run", "Lauf-Bündel (aus `export run`) in diese Datenbank lesen, z. B. die Teile einer auf mehreren Rechnern gecrawlten Umfrage."),
    ("export warc", "WARC 1.1 (gzip je Eintrag) mit den geladenen Dokumenten des Laufs."),
    ("gc", "Alte Läufe löschen und die Snapshots, die kein Lauf mehr braucht."),
    ("stats", "Größe der Datenbank, Läufe, Snapshots und Deduplizierung."),
    ("survey", "Alle Städte einer Umfragedatei (oder die angegebenen Stadtprofile) nach denselben Regeln in diese Datenbank crawlen, mehrere gleichzeitig, fortsetzbar."),
    ("ranking", "Die Städte einer Umfrage nach ihrem Anteil an Online-Leistungen ordnen, wie der Index den OZG-Indikator berechnet, aus ihren Belegen."),
    ("serve", "Lokale Web-Ansicht: Läufe, Matrix, Verlauf, Vergleiche, gespeicherte Seiten; andere Befehle auf ihrer Datenbank laufen darin."),
];

const RUN: &str = "Lauf: Kennung, `latest` (letzter), `previous` (vorletzter) oder ein Datum JJJJ-MM-TT bzw. TT.MM.JJJJ";

/// Help of flags and arguments, by command path and argument id; path "*"
/// is every command that has no entry of its own.
const ARGS: &[(&str, &str, &str)] = &[
    ("*", "db", "Datenbankverzeichnis (sled). Standard: $OZGCHECK_DB, sonst ./ozgcheck-db"),
    ("*", "catalogue", "Katalogverzeichnis. Standard: ./catalogues, wenn vorhanden, sonst der eingebaute Katalog"),
    ("*", "verbose", "Mehr Protokoll auf stderr: -v zeigt die Schritte je Lauf und Host, -vv das Ergebnis jeder URL. Ist RUST_LOG gesetzt, entscheidet es"),
    ("*", "quiet", "Nur Fehler auf stderr (kein Fortschritt, keine Warnungen)"),
    ("*", "log_format", "Protokollzeilen als Text oder als JSON-Objekte (für journald, ELK)"),
    ("*", "lang", "Sprache der lesbaren Ausgaben: Meldungen, Hilfe, Crawl-Zusammenfassung, HTML- und Markdown-Berichte (Deutsch als Standard; Feldnamen in JSON und CSV bleiben englisch)"),
    ("*", "run", RUN),
    ("*", "output", "In DATEI schreiben statt auf stdout"),
    ("*", "format", "Ausgabeformat"),
    ("crawl", "profile", "Stadtprofil (TOML)"),
    ("crawl", "max_pages", "Nach so vielen geladenen Seiten aufhören (Erreichbarkeitsprüfungen zählen nicht)"),
    ("crawl", "max_depth", "Links höchstens so viele Schritte von einem Startpunkt aus folgen"),
    ("crawl", "rate", "Anfragen pro Sekunde und Host; 0 heißt ohne Grenze (nur für Benchmarks)"),
    ("crawl", "concurrency", "Gleichzeitige Anfragen über alle Hosts"),
    ("crawl", "resolve", "Anfragen an HOST an ADDR schicken (wie bei curl): HOST:PORT:ADDR. Ohne Port in der URL ist PORT der verbundene Port"),
    ("crawl", "resume", "Den letzten unterbrochenen (oder abgebrochenen) Lauf dieser Stadt fortsetzen, statt einen neuen zu beginnen"),
    ("crawl", "ignore_robots", "robots.txt weder lesen noch befolgen. Nur für eigene Server; wird deutlich protokolliert und mit den Einstellungen des Laufs gespeichert"),
    ("crawl", "no_sitemaps", "Keine Sitemaps lesen (`Sitemap:`-Zeilen der robots.txt und /sitemap.xml)"),
    ("crawl", "no_conditional", "Keine bedingten Anfragen schicken (ETag / Last-Modified früherer Läufe)"),
    ("crawl", "label", "Eine Bezeichnung, die beim Lauf gespeichert wird, z. B. \"Stichtag Umfrage 2025\""),
    ("crawl", "max_duration", "Zeitbudget, z. B. `2h`, `90m`, `1h30m`, `45s`: ist es verbraucht, endet der Lauf geordnet, behält, was noch nicht geladen ist, und `--resume` setzt ihn fort (in der nächsten Nacht)"),
    ("crawl", "min_rate", "Langsamste Übertragung, die zu Ende gelesen wird, in Bytes pro Sekunde (wie --speed-limit bei curl); ein tröpfelnder Inhalt wird nach --speed-time aufgegeben. 0 schaltet die Prüfung ab"),
    ("crawl", "speed_time", "Sekunden, die eine Übertragung unter --min-rate bleiben darf"),
    ("crawl", "user_agent", "User-Agent-Kopfzeile (Standard: nennt ozgcheck und seine Version)"),
    ("crawl", "max_body", "Größter gelesener Antwortinhalt, in Bytes"),
    ("crawl", "notify", "Nach dem Crawl eine JSON-Zusammenfassung der Änderungen seit dem vorigen Lauf der Stadt an diesen Webhook schicken (Matrix, Teams, Slack und allgemeine Empfänger). Nur bei Änderungen; ein fehlschlagender Webhook lässt den Crawl nicht scheitern"),
    ("report", "csv_delimiter", "Feldtrenner für CSV (Standard `;` für deutsches Excel)"),
    ("report", "no_bom", "Keine UTF-8-Bytereihenfolgemarke (BOM) in CSV"),
    ("runs", "city", "Nur Läufe dieser Stadt (wie im Profil benannt)"),
    ("runs", "since", "Nur Läufe, die an oder nach diesem Tag begannen (JJJJ-MM-TT oder TT.MM.JJJJ)"),
    ("runs", "until", "Nur Läufe, die an oder vor diesem Tag begannen (JJJJ-MM-TT oder TT.MM.JJJJ)"),
    ("catalogue check", "dir", "Zu prüfendes Verzeichnis (Standard: ./catalogues)"),
    ("catalogue list", "dir", "Katalogverzeichnis (Standard: --catalogue, ./catalogues oder der eingebaute Katalog)"),
    ("reanalyze", "run", "Der neu zu beurteilende Lauf: Kennung, `latest`, `previous` oder ein Datum"),
    ("reanalyze", "label", "Bezeichnung des neuen Laufs (Standard: die des Quelllaufs)"),
    ("explain", "url", "URL einer im Lauf geladenen Seite"),
    ("explain", "full", "Den ganzen Haupttext zeigen (Standard: die ersten 2000 Zeichen)"),
    ("score", "model", "Indexmodell: catalogues/index/NAME.toml"),
    ("score", "peers", "OZG-Anteile der Vergleichsstädte (CSV: city,ozg_share) für Punkte und Rang"),
    ("score", "peers_from_survey", "OZG-Anteile der Vergleichsstädte aus einer Umfrage in dieser Datenbank (Kennung oder `latest`), nach demselben Modell beurteilt"),
    ("score", "city", "Die übrigen Indikatorpunkte und Sektorwerte der Stadt (TOML) für den hochgerechneten Sektor- und Gesamtwert"),
    ("audit", "claims", "Angaben der Stadt (CSV: service,claimed,note)"),
    ("audit", "ars", "Regionalschlüssel (ARS, 12 Ziffern) des zu vergleichenden Dashboard-Imports; Standard: aus dem AGS des Laufs, wenn ein passender Import vorliegt"),
    ("audit", "pack", "Für jede strittige Leistung eine Beweismappe (Snapshots, Metadaten mit SHA-256, deutsche Zusammenfassung) in VERZEICHNIS schreiben"),
    ("dashboard import", "file", "Exportdatei des OZG-Dashboards (CSV oder JSON)"),
    ("dashboard import", "ars", "Regionalschlüssel (12 Ziffern), wenn die Datei keine Spalte `ars` hat"),
    ("dashboard import", "date", "Datum des Exports (JJJJ-MM-TT oder TT.MM.JJJJ); Standard: heute"),
    ("dashboard fetch", "ars", "Regionalschlüssel (ARS, 12 Ziffern) der Region"),
    ("dashboard fetch", "url", "Adresse des Exports; `{ars}` wird durch den Schlüssel ersetzt"),
    ("dashboard fetch", "date", "Datum des Exports (JJJJ-MM-TT oder TT.MM.JJJJ); Standard: heute"),
    ("show", "snapshot", "Snapshot-Kennung (der Inhaltshash aus den Berichten)"),
    ("diff", "from", "Der frühere Lauf: Kennung, `latest`, `previous` oder ein Datum"),
    ("diff", "to", "Der spätere Lauf"),
    ("export run", "output", "Ausgabedatei, z. B. hagen-2026-03-01.ozgrun"),
    ("import run", "files", "Bündeldateien"),
    ("export warc", "output", "Ausgabedatei, z. B. hagen-2026-03-01.warc.gz"),
    ("gc", "keep_last", "Die neuesten N Läufe jeder Stadt behalten"),
    ("gc", "older_than", "Läufe löschen, die älter sind, z. B. 90d, 12w, 6mo (Monate zu 30 Tagen)"),
    ("gc", "force", "Auch Läufe mit Bezeichnung (Stichtage) löschen"),
    ("gc", "dry_run", "Nur sagen, was gelöscht würde"),
    ("survey", "files", "Eine Umfragedatei (TOML mit `cities`) oder Stadtprofile"),
    ("survey", "max_pages", "Seiten je Stadt (Standard: max_pages der Umfragedatei, sonst 2000)"),
    ("survey", "max_depth", "Linktiefe je Stadt (Standard: aus der Umfragedatei, sonst 10)"),
    ("survey", "rate", "Anfragen pro Sekunde und Host (Standard: aus der Umfragedatei, sonst 2)"),
    ("survey", "concurrency", "Gleichzeitige Anfragen je Stadt (Standard: aus der Umfragedatei, sonst 8)"),
    ("survey", "cities_at_once", "Gleichzeitig gecrawlte Städte (Standard: aus der Umfragedatei, sonst 4)"),
    ("survey", "max_duration", "Zeitbudget je Stadt, z. B. `1h` (Standard: aus der Umfragedatei, sonst keins)"),
    ("survey", "resolve", "Anfragen an HOST an ADDR schicken (wie bei curl): HOST:PORT:ADDR"),
    ("survey", "id", "Kennung der Umfrage: alle Teile einer auf mehrere Rechner verteilten Umfrage nutzen dieselbe; eine Umfrage dieser Kennung in der Datenbank wird fortgesetzt"),
    ("survey", "shard", "Nur die Städte an den Positionen I, I+N, I+2N, … der Umfrage (ab 0): ein Teil von N, z. B. `--shard \"$JOB_COMPLETION_INDEX/83\"`"),
    ("survey", "bundles", "Den Lauf jeder Stadt gleich nach seinem Ende als Bündel (`export run`) in VERZEICHNIS schreiben, für `import run` anderswo"),
    ("survey", "resume", "Die letzte unvollendete Umfrage gleichen Namens fortsetzen, statt eine neue zu beginnen"),
    ("ranking", "survey", "Umfrage: Kennung oder `latest`"),
    ("ranking", "csv_delimiter", "Feldtrenner für CSV (Standard `;` für deutsches Excel)"),
    ("serve", "bind", "Adresse, auf der die Ansicht lauscht; Standard nur lokal"),
    ("*", "help", "Hilfe zeigen"),
    ("*", "version", "Version zeigen"),
];

/// The German help text of argument `id` of the command at `path`.
fn arg_help(path: &str, id: &str) -> Option<&'static str> {
    let find = |p: &str| ARGS.iter().find(|(c, a, _)| *c == p && *a == id);
    find(path).or_else(|| find("*")).map(|(_, _, h)| *h)
}

/// The program's command line with German help throughout.
pub fn command_de() -> Command {
    use clap::CommandFactory;
    german(Cli::command(), "")
}

fn german(cmd: Command, path: &str) -> Command {
    let about = ABOUT.iter().find(|(p, _)| *p == path).map(|(_, a)| *a);
    let mut cmd = cmd
        .help_template("{about-with-newline}\nAufruf: {usage}\n\n{all-args}{after-help}")
        .subcommand_help_heading("Befehle")
        .disable_help_flag(true)
        // `help X` is read as `X --help` (see `parse_de`).
        .disable_help_subcommand(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .global(true),
        );
    if path.is_empty() {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version),
        );
    }
    if let Some(a) = about {
        cmd = cmd.about(a);
    }
    let ids: Vec<(String, bool)> = cmd
        .get_arguments()
        .map(|a| (a.get_id().to_string(), a.is_positional()))
        .collect();
    for (id, positional) in ids {
        let help = arg_help(path, &id);
        let heading = if positional { "Argumente" } else { "Optionen" };
        cmd = cmd.mut_arg(id.as_str(), |a| {
            let a = a.help_heading(heading);
            match help {
                Some(h) => a.help(h),
                None => a,
            }
        });
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        cmd = cmd.mut_subcommand(name.as_str(), |s| german(s, &sub_path));
    }
    cmd
}

/// Parse the command line with German help and German usage errors: the
/// parsed flags, or the text to print and the exit code (0 for `--help`
/// and `--version`, 2 for a usage error). `ozgcheck help X` is read as
/// `ozgcheck X --help`, as clap's own help command would.
pub fn parse_de(args: &[String]) -> Result<Cli, (String, i32)> {
    use clap::error::ErrorKind;
    use clap::FromArgMatches;
    let mut args = args.to_vec();
    if args.get(1).is_some_and(|a| a == "help") {
        args.remove(1);
        args.push("--help".into());
    }
    let mut cmd = command_de();
    let parsed = cmd
        .try_get_matches_from_mut(&args)
        .and_then(|m| Cli::from_arg_matches(&m));
    parsed.map_err(|e| match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => (e.render().to_string(), 0),
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => (e.render().to_string(), 2),
        _ => (usage_error(&e, &mut cmd, &args), 2),
    })
}

/// The usage of the (sub)command the arguments name.
fn usage_of(cmd: &mut Command, args: &[String]) -> String {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    if let Some(i) = args.iter().position(|a| names.contains(a)) {
        if let Some(sub) = cmd.find_subcommand_mut(&args[i]) {
            return usage_of(sub, &args[i + 1..]);
        }
    }
    cmd.render_usage().to_string()
}

/// A usage error in German: what is wrong, how the command is called.
fn usage_error(e: &clap::Error, cmd: &mut Command, args: &[String]) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let get = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let arg = get(ContextKind::InvalidArg);
    let value = get(ContextKind::InvalidValue);
    let what = match e.kind() {
        ErrorKind::UnknownArgument => format!("unbekanntes Argument '{arg}'"),
        ErrorKind::InvalidSubcommand => format!(
            "unbekannter Befehl '{}'",
            get(ContextKind::InvalidSubcommand)
        ),
        ErrorKind::InvalidValue => {
            let valid = get(ContextKind::ValidValue);
            if value.is_empty() {
                format!("'{arg}' braucht einen Wert")
            } else if valid.is_empty() {
                format!("ungültiger Wert '{value}' für '{arg}'")
            } else {
                format!("ungültiger Wert '{value}' für '{arg}'; möglich: {valid}")
            }
        }
        ErrorKind::ValueValidation => format!("ungültiger Wert '{value}' für '{arg}'"),
        ErrorKind::MissingRequiredArgument => format!("es fehlt: {arg}"),
        ErrorKind::ArgumentConflict => format!(
            "'{arg}' kann nicht zusammen mit '{}' verwendet werden",
            get(ContextKind::PriorArg)
        ),
        ErrorKind::TooManyValues => format!("zu viele Werte: '{value}'"),
        ErrorKind::NoEquals => format!("'{arg}' braucht '=' vor dem Wert"),
        // Rare kinds keep clap's own words.
        _ => return e.render().to_string(),
    };
    let usage = get(ContextKind::Usage);
    let usage = if usage.is_empty() {
        usage_of(cmd, args.get(1..).unwrap_or_default())
    } else {
        usage
    };
    let usage = usage.trim().trim_start_matches("Usage:").trim();
    format!("Fehler: {what}\n\nAufruf: {usage}\n\nMehr dazu: --help\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command and every flag has its German text: a flag added in
    /// English only fails here.
    #[test]
    fn every_command_and_flag_has_german_help() {
        fn walk(cmd: &Command, path: &str, missing: &mut Vec<String>) {
            if !ABOUT.iter().any(|(p, _)| *p == path) {
                missing.push(format!("summary of `{path}`"));
            }
            for a in cmd.get_arguments() {
                if arg_help(path, a.get_id().as_str()).is_none() {
                    missing.push(format!("`{path}` --{}", a.get_id()));
                }
            }
            for s in cmd.get_subcommands() {
                let p = if path.is_empty() {
                    s.get_name().to_string()
                } else {
                    format!("{path} {}", s.get_name())
                };
                walk(s, &p, missing);
            }
        }
        use clap::CommandFactory;
        let mut missing = Vec::new();
        walk(&Cli::command(), "", &mut missing);
        assert!(missing.is_empty(), "no German help for: {missing:?}");
    }

    #[test]
    fn help_reads_german() {
        let mut cmd = command_de();
        cmd.build();
        let crawl = cmd
            .find_subcommand_mut("crawl")
            .map(|c| c.render_long_help().to_string())
            .unwrap_or_default();
        for want in [
            "Aufruf:",
            "Optionen:",
            "Argumente:",
            "Stadtprofil (TOML)",
            "Hilfe zeigen",
        ] {
            assert!(crawl.contains(want), "{want} missing in\n{crawl}");
        }
        for unwanted in ["Usage:", "Options:", "Print help", "Requests per second"] {
            assert!(!crawl.contains(unwanted), "{unwanted} in\n{crawl}");
        }
    }
}
