//! One file per command (lychee's layout): each takes its typed
//! arguments and the shared context of `cli` (output, language, the
//! database or its owner) and returns the exit code.

mod ask;
mod audit;
mod catalogue;
mod crawl;
mod dashboard;
mod demo;
mod diff;
mod explain;
mod export;
mod gc;
mod ranking;
mod reanalyze;
mod report;
mod runs;
mod score;
mod show;
mod stats;
mod survey;

pub(crate) use self::{
    ask::*, audit::*, catalogue::*, crawl::*, dashboard::*, demo::*, diff::*, explain::*,
    export::*, gc::*, ranking::*, reanalyze::*, report::*, runs::*, score::*, show::*, stats::*,
    survey::*,
};
