//! Why a signal does not count, and why a service is not online: typed
//! reasons, so the verdict, the audit and the reports decide on the kind and
//! never on the wording. Each reason reads as the evidence has always shown
//! it ("not counted: negated: \"nicht online\""); stored findings keep that
//! text, and text stored by older versions is read back into the reason.

use super::*;
use std::fmt;

/// Why a signal does not count.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cancel {
    /// A negation stands with it (the phrase).
    Negated(String),
    /// Its words are appointment booking, not an application.
    Appointment(String),
    /// It is a contact form.
    ContactForm(String),
    /// Future, conditional or otherwise not about this service now.
    Hedged(String),
    /// The form is printed and sent on paper.
    Printed(String),
    /// A portal that was shut down.
    RetiredPortal { portal: String, why: String },
    /// A portal that does not serve the city's state.
    OtherState { portal: String, state: String },
    /// The link's target does not hold (decided over the run).
    Target(TargetFailure),
    /// The site's own link to the application does not hold: a claim in
    /// prose for the same service is contradicted by it.
    Contradicted(Box<Cancel>),
    /// A level-4 statement for a service with no online application.
    NoOnlineApplication,
    /// A reason this version does not know (stored by a newer one).
    Other(String),
}

/// Why a link target does not hold.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetFailure {
    /// It failed or answered with an error.
    Dead(String),
    /// It was not checked (robots.txt, limits).
    NotVerified(String),
    /// It answered but is no application (a news item, a frame without form).
    NotAnApplication(String),
    /// A page of the city with no form for the service.
    NoFormThere,
    /// A page of the city that offers no online application for the service.
    NoApplicationThere,
}

impl TargetFailure {
    /// Whether it shows the application is *not* reachable there (a dead
    /// target, a news item, an empty frame, a host whose robots.txt could
    /// not be read), rather than only unproven.
    pub fn refutes(&self) -> bool {
        match self {
            TargetFailure::Dead(_) | TargetFailure::NotAnApplication(_) => true,
            TargetFailure::NotVerified(why) => why.contains("unreachable"),
            TargetFailure::NoFormThere | TargetFailure::NoApplicationThere => false,
        }
    }
}

impl fmt::Display for TargetFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetFailure::Dead(w) => write!(f, "dead link: {w}"),
            TargetFailure::NotVerified(w) => write!(f, "link not verified: {w}"),
            TargetFailure::NotAnApplication(w) => f.write_str(w),
            TargetFailure::NoFormThere => {
                f.write_str("the linked page of the city has no form for the service")
            }
            TargetFailure::NoApplicationThere => f.write_str(
                "the linked page of the city offers no online application for the service",
            ),
        }
    }
}

impl fmt::Display for Cancel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cancel::Negated(p) => write!(f, "negated: \"{p}\""),
            Cancel::Appointment(p) => write!(f, "appointment booking: \"{p}\""),
            Cancel::ContactForm(p) => write!(f, "contact form: \"{p}\""),
            Cancel::Hedged(p) => write!(f, "not a statement about this service now: \"{p}\""),
            Cancel::Printed(p) => write!(f, "the form is printed: \"{p}\""),
            Cancel::RetiredPortal { portal, why } => write!(f, "retired portal {portal}: {why}"),
            Cancel::OtherState { portal, state } => {
                write!(
                    f,
                    "portal of another state: {portal} does not serve {state}"
                )
            }
            Cancel::Target(t) => t.fmt(f),
            Cancel::Contradicted(c) => write!(
                f,
                "contradicted by the site's own link to the application: {c}"
            ),
            Cancel::NoOnlineApplication => f.write_str("no online application for the service"),
            Cancel::Other(w) => f.write_str(w),
        }
    }
}

impl Cancel {
    /// Read a reason back from its text (stored findings).
    pub fn parse(text: &str) -> Cancel {
        let quoted = |prefix: &str| {
            text.strip_prefix(prefix)
                .and_then(|r| r.strip_prefix('"'))
                .and_then(|r| r.strip_suffix('"'))
                .map(str::to_string)
        };
        if let Some(p) = quoted("negated: ") {
            Cancel::Negated(p)
        } else if let Some(p) = quoted("appointment booking: ") {
            Cancel::Appointment(p)
        } else if let Some(p) = quoted("contact form: ") {
            Cancel::ContactForm(p)
        } else if let Some(p) = quoted("not a statement about this service now: ") {
            Cancel::Hedged(p)
        } else if let Some(p) = quoted("the form is printed: ") {
            Cancel::Printed(p)
        } else if let Some((portal, why)) = text
            .strip_prefix("retired portal ")
            .and_then(|r| r.split_once(": "))
        {
            Cancel::RetiredPortal {
                portal: portal.to_string(),
                why: why.to_string(),
            }
        } else if let Some((portal, state)) = text
            .strip_prefix("portal of another state: ")
            .and_then(|r| r.rsplit_once(" does not serve "))
        {
            Cancel::OtherState {
                portal: portal.to_string(),
                state: state.to_string(),
            }
        } else {
            Cancel::Other(text.to_string())
        }
    }

    /// Why a link to, or a sentence naming, this portal does not count for
    /// a city of `state`: the portal was shut down or serves other states.
    pub fn of_portal(portal: &crate::catalogue::Portal, state: State) -> Option<Cancel> {
        match &portal.retired {
            Some(why) => Some(Cancel::RetiredPortal {
                portal: portal.name.clone(),
                why: why.clone(),
            }),
            None if !portal.states.contains(&state) => Some(Cancel::OtherState {
                portal: portal.name.clone(),
                state: state.to_string(),
            }),
            None => None,
        }
    }

    /// What this reason says about a service that is not online, if anything.
    pub fn not_online(&self) -> Option<NotOnline> {
        Some(match self {
            Cancel::Target(TargetFailure::Dead(_)) | Cancel::Contradicted(_) => NotOnline::DeadLink,
            Cancel::RetiredPortal { .. } => NotOnline::RetiredPortal,
            Cancel::OtherState { .. } => NotOnline::OtherStatePortal,
            Cancel::Negated(_) => NotOnline::Negated,
            Cancel::Hedged(_) => NotOnline::Announced,
            Cancel::Appointment(_) => NotOnline::AppointmentOnly,
            Cancel::ContactForm(_) => NotOnline::ContactFormOnly,
            _ => return None,
        })
    }
}

impl Serialize for Cancel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cancel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|t| Cancel::parse(&t))
    }
}

/// Why a service is not online, in the order the reports name it (the
/// first that applies): a failed link outweighs what the text says.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotOnline {
    DeadLink,
    RetiredPortal,
    OtherStatePortal,
    Negated,
    Announced,
    AppointmentOnly,
    ContactFormOnly,
    FormToPrint,
    InformationOnly,
    NothingFound,
}

impl NotOnline {
    /// The reason for a service at `level` whose signals did not count for
    /// these reasons (the first in the order above wins).
    pub fn of(level: Level, cancels: &[&Cancel]) -> Option<NotOnline> {
        if level >= Level::Online {
            return None;
        }
        cancels
            .iter()
            .filter_map(|c| c.not_online())
            .min()
            .or(Some(match level {
                Level::FormAssistant => NotOnline::FormToPrint,
                Level::Information => NotOnline::InformationOnly,
                _ => NotOnline::NothingFound,
            }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stored findings hold a reason as its text: every kind a page's
    /// signal can carry reads back as itself, and unknown text survives.
    #[test]
    fn reasons_read_back_from_their_text() {
        let all = [
            Cancel::Negated("nicht online".into()),
            Cancel::Appointment("termin".into()),
            Cancel::ContactForm("kontakt".into()),
            Cancel::Hedged("in kuerze".into()),
            Cancel::Printed("ausdrucken".into()),
            Cancel::RetiredPortal {
                portal: "Servicekonto.NRW".into(),
                why: "abgeschaltet 2024".into(),
            },
            Cancel::OtherState {
                portal: "BayernPortal".into(),
                state: "NW".into(),
            },
            Cancel::Other("a reason of a newer version".into()),
        ];
        for c in all {
            let json = serde_json::to_string(&c).unwrap_or_default();
            let back: Cancel = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(back, c, "{json}");
        }
        assert_eq!(
            Cancel::parse("negated: \"nicht\"").to_string(),
            "negated: \"nicht\""
        );
    }

    /// The reports name the strongest reason: a failed link before what the
    /// text says, the text before the level.
    #[test]
    fn the_first_reason_in_order_wins() {
        let dead = Cancel::Target(TargetFailure::Dead("HTTP 404".into()));
        let negated = Cancel::Negated("nicht".into());
        let appointment = Cancel::Appointment("termin".into());
        assert_eq!(
            NotOnline::of(Level::Information, &[&appointment, &negated, &dead]),
            Some(NotOnline::DeadLink)
        );
        assert_eq!(
            NotOnline::of(Level::FormAssistant, &[&appointment]),
            Some(NotOnline::AppointmentOnly)
        );
        assert_eq!(
            NotOnline::of(Level::FormAssistant, &[]),
            Some(NotOnline::FormToPrint)
        );
        assert_eq!(NotOnline::of(Level::Online, &[&dead]), None);
        // A link not checked proves nothing either way.
        let unchecked = Cancel::Target(TargetFailure::NotVerified("robots: /x".into()));
        assert_eq!(
            NotOnline::of(Level::Information, &[&unchecked]),
            Some(NotOnline::InformationOnly)
        );
    }
}
