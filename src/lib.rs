//! ozgcheck: crawls a city's web presence, detects for every service of an
//! OZG catalogue how far it is online (maturity level 0–4) with stored
//! evidence, and reports it.
//!
//! The data's way through the library (see ARCHITECTURE.md):
//! [`profile`] → [`crawl`] → [`extract`] → [`detect`] → [`store`] → [`report`],
//! with [`catalogue`] as the data every stage reads and [`cli`] at the edge.

pub mod analysis;
pub mod audit;
pub mod bundle;
pub mod catalogue;
pub mod cli;
pub mod crawl;
pub mod demo;
pub mod detect;
pub mod diff;
pub mod explain;
pub mod extract;
pub mod index;
pub mod owner;
pub mod profile;
pub mod reanalyze;
pub mod report;
pub mod serve;
pub mod store;
pub mod survey;
pub mod text;
pub mod types;
pub mod verwaltung;
pub mod warc;
