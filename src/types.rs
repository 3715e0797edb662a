//! Small domain types shared by every stage: who a service is, how online it
//! is, which run we talk about. They carry meaning that plain strings would
//! lose, and they validate once, where they are made.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A service id from the catalogue (`elterngeld`, `kfz-zulassung`, …): part of
/// the public contract, so lowercase ASCII letters, digits and `-` only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ServiceId(String);

impl ServiceId {
    pub fn parse(s: &str) -> Result<Self, String> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok {
            Ok(ServiceId(s.to_string()))
        } else {
            Err(format!(
                "service id {s:?} must be lowercase letters, digits and inner '-'"
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// OZG maturity level (Reifegradmodell 1.1) as seen on the web.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum Level {
    /// Nothing about the service on the city's sites.
    Offline = 0,
    /// An information page exists.
    Information = 1,
    /// A form can be filled in or downloaded, nothing is submitted online.
    FormAssistant = 2,
    /// The application can be submitted online.
    Online = 3,
    /// Fully digital, incl. electronic notice or once-only.
    Transaction = 4,
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::Offline,
        Level::Information,
        Level::FormAssistant,
        Level::Online,
        Level::Transaction,
    ];
    pub fn as_u8(self) -> u8 {
        self as u8
    }
    /// German name as used in the Reifegradmodell.
    pub fn name_de(self) -> &'static str {
        match self {
            Level::Offline => "Offline",
            Level::Information => "Information",
            Level::FormAssistant => "Formular-Assistent",
            Level::Online => "Online-Leistung",
            Level::Transaction => "Online-Transaktion",
        }
    }
}

impl TryFrom<u8> for Level {
    type Error = String;
    fn try_from(v: u8) -> Result<Self, String> {
        Level::ALL
            .get(usize::from(v))
            .copied()
            .ok_or_else(|| format!("level {v} is not in 0..=4"))
    }
}

impl From<Level> for u8 {
    fn from(l: Level) -> u8 {
        l as u8
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_u8())
    }
}

/// A run id: the UTC start time plus a short random suffix, so ids sort by
/// time and two runs started in the same second never collide.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(String);

impl RunId {
    pub fn new(started: jiff::Timestamp) -> Self {
        let nanos = started.subsec_nanosecond();
        // Suffix from the clock's nanoseconds mixed with the pid: unique enough
        // for one database that only one process may open at a time.
        let mix = blake3::hash(format!("{nanos}-{}", std::process::id()).as_bytes());
        let suffix = &mix.to_hex()[..4];
        let dt = started.to_zoned(jiff::tz::TimeZone::UTC);
        RunId(format!("{}-{suffix}", dt.strftime("%Y%m%dT%H%M%SZ")))
    }
    pub fn from_stored(s: &str) -> Self {
        RunId(s.to_string())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Content address of a stored snapshot: blake3 of the raw bytes, hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SnapshotId(String);

impl SnapshotId {
    pub fn of(bytes: &[u8]) -> Self {
        SnapshotId(blake3::hash(bytes).to_hex().to_string())
    }
    pub fn from_stored(s: &str) -> Self {
        SnapshotId(s.to_string())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SnapshotId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// German federal states, by their usual two-letter code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum State {
    BW,
    BY,
    BE,
    BB,
    HB,
    HH,
    HE,
    MV,
    NI,
    NW,
    RP,
    SL,
    SN,
    ST,
    SH,
    TH,
}

impl State {
    pub const ALL: [State; 16] = [
        State::BW,
        State::BY,
        State::BE,
        State::BB,
        State::HB,
        State::HH,
        State::HE,
        State::MV,
        State::NI,
        State::NW,
        State::RP,
        State::SL,
        State::SN,
        State::ST,
        State::SH,
        State::TH,
    ];
    pub fn parse(s: &str) -> Result<Self, String> {
        State::ALL
            .iter()
            .copied()
            .find(|st| st.code() == s)
            .ok_or_else(|| {
                format!(
                    "unknown state {s:?}; expected one of BW BY BE BB HB HH HE MV NI NW RP SL SN ST SH TH"
                )
            })
    }
    pub fn code(self) -> &'static str {
        match self {
            State::BW => "BW",
            State::BY => "BY",
            State::BE => "BE",
            State::BB => "BB",
            State::HB => "HB",
            State::HH => "HH",
            State::HE => "HE",
            State::MV => "MV",
            State::NI => "NI",
            State::NW => "NW",
            State::RP => "RP",
            State::SL => "SL",
            State::SN => "SN",
            State::ST => "ST",
            State::SH => "SH",
            State::TH => "TH",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_ids_are_validated() {
        assert!(ServiceId::parse("kfz-zulassung").is_ok());
        assert!(ServiceId::parse("Kfz").is_err());
        assert!(ServiceId::parse("-x").is_err());
        assert!(ServiceId::parse("").is_err());
    }

    #[test]
    fn levels_round_trip_and_reject_out_of_range() {
        for l in Level::ALL {
            assert_eq!(Level::try_from(l.as_u8()), Ok(l));
        }
        assert!(Level::try_from(5).is_err());
        assert_eq!(
            serde_json::to_string(&Level::Online).ok().as_deref(),
            Some("3")
        );
    }

    #[test]
    fn states_parse() {
        assert_eq!(State::parse("NW"), Ok(State::NW));
        assert!(State::parse("XX").is_err());
    }
}
