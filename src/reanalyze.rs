//! `reanalyze`: judge a stored run again under the current catalogue, with
//! no network, into a new run that records where it came from.
//!
//! The new run shares the source run's snapshots (content-addressed, so not
//! one byte is copied or changed), page records and times; only what the
//! catalogue decides is computed anew: findings, the page flags the link
//! resolver reads (news, own page, offers an application) and the verdicts.
//! Link liveness comes from the source run's records: a target the source
//! run never requested stays "not checked" and raises no level.

use crate::analysis::LivenessIndex;
use crate::analysis::{self, CityScope, Document};
use crate::catalogue::Catalogue;
use crate::detect::{self, PageFindings};
use crate::extract::Extractor;
use crate::store::{PageRecord, Reanalysis, RunRecord, Store, StoreError};
use crate::types::RunId;

#[derive(Debug, thiserror::Error)]
pub enum ReanalyzeError {
    #[error("run {0} is still running; wait for it to end or resume it first")]
    Running(RunId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a reanalysis did, for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub pages: usize,
    pub pages_with_findings: usize,
    pub snapshots_missing: usize,
}

/// Judge `source` again under `cat` into a new run; returns it with a summary.
/// `progress(done, total)` is called every few pages.
pub fn reanalyze(
    cat: &Catalogue,
    store: &Store,
    source: &RunRecord,
    progress: &dyn Fn(usize, usize),
) -> Result<(RunRecord, Summary), ReanalyzeError> {
    if source.status == crate::store::RunStatus::Running {
        return Err(ReanalyzeError::Running(source.id.clone()));
    }
    let now = jiff::Timestamp::now();
    let mut run = source.clone();
    run.id = RunId::new(now);
    run.settings.catalogue = cat.fingerprint.clone();
    run.stats.evidence_complete_at = None;
    run.reanalysis = Some(Reanalysis {
        source: source.id.clone(),
        source_catalogue: source.settings.catalogue.clone(),
        at: now,
    });
    let scope = CityScope::of_run(source);
    let ex = Extractor::new(&cat.page);
    let pages = store.pages(&source.id)?;
    let total = pages.len();
    let mut summary = Summary::default();
    let mut findings: Vec<PageFindings> = Vec::new();
    let mut records: Vec<PageRecord> = Vec::with_capacity(pages.len());
    for (i, mut p) in pages.into_iter().enumerate() {
        if i % 50 == 0 {
            progress(i, total);
        }
        if let Some(f) = judge_again(store, cat, &ex, &scope, &mut p, &mut summary)? {
            store.put_findings(&run.id, &f)?;
            findings.push(f);
        }
        store.put_page(&run.id, &p)?;
        records.push(p);
    }
    summary.pages = records.len();
    summary.pages_with_findings = findings.len();
    let seen = LivenessIndex::from_records(&records);
    let rules = &cat.crawl;
    let liveness = |target: &str, claim: detect::Claim| seen.answer(rules, target, claim);
    let verdicts = detect::verdicts(cat, &findings, &liveness);
    store.put_verdicts(&run.id, &verdicts)?;
    store.put_run(&run)?;
    store.flush()?;
    progress(summary.pages, summary.pages);
    Ok((run, summary))
}

/// Analyse one stored page record again and set its flags; its findings if
/// it is one of the city's pages about something.
fn judge_again(
    store: &Store,
    cat: &Catalogue,
    ex: &Extractor,
    scope: &CityScope,
    p: &mut PageRecord,
    summary: &mut Summary,
) -> Result<Option<PageFindings>, StoreError> {
    let (Some(sid), Ok(url)) = (p.snapshot.clone(), url::Url::parse(&p.url)) else {
        return Ok(None);
    };
    if p.kind == crate::store::FetchKind::Sitemap || !p.is_success() {
        return Ok(None);
    }
    let doc = Document {
        kind: p.kind,
        url: &url,
        content_type: p.content_type.as_deref(),
        fetched_at: p.fetched_at,
        snapshot: &sid,
        new_snapshot: false,
    };
    let mut missing = false;
    let mut bytes = || match store.snapshot(&sid) {
        Ok(Some(b)) => b,
        _ => {
            missing = true;
            Vec::new()
        }
    };
    let a = analysis::cached(store, cat, ex, scope, &doc, &mut bytes);
    if missing {
        summary.snapshots_missing += 1;
    }
    p.news = a.news;
    p.own_page = a.own_page;
    p.offers_application = a.offers_application;
    Ok(a.findings)
}
