//! The frontier: URLs waiting to be fetched, one queue per origin (scheme,
//! host and port: the unit robots.txt and politeness apply to), with dedup
//! over canonical URLs. Within an origin, higher priority goes first (links
//! that look like services or service directories), then first come, first
//! served. Origins are served round-robin so one big site never starves the
//! portals and liveness checks of the others.

use crate::store::{FetchKind, QueuedUrl};
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use url::Url;

/// One URL to fetch.
#[derive(Debug, Clone)]
pub struct Item {
    pub url: Url,
    pub kind: FetchKind,
    pub depth: usize,
    /// 0 = ordinary; higher is fetched earlier.
    pub priority: u8,
    /// How many times this URL was tried before (retries).
    pub attempt: u8,
}

impl Item {
    pub fn new(url: Url, kind: FetchKind, depth: usize) -> Self {
        Item {
            url,
            kind,
            depth,
            priority: 0,
            attempt: 0,
        }
    }

    pub fn stored(&self) -> QueuedUrl {
        QueuedUrl {
            url: self.url.to_string(),
            kind: self.kind,
            depth: self.depth,
            priority: self.priority,
            attempt: self.attempt,
        }
    }

    pub fn from_stored(q: &QueuedUrl) -> Option<Self> {
        Some(Item {
            url: Url::parse(&q.url).ok()?,
            kind: q.kind,
            depth: q.depth,
            priority: q.priority,
            attempt: q.attempt,
        })
    }
}

type Key = (Reverse<u8>, u64);

#[derive(Default)]
pub struct Frontier {
    queues: HashMap<String, BTreeMap<Key, Item>>,
    /// Origins in round-robin order (each at most once).
    order: VecDeque<String>,
    seen: HashSet<String>,
    queued: usize,
    seq: u64,
}

pub fn origin_of(u: &Url) -> String {
    u.origin().ascii_serialization()
}

impl Frontier {
    /// Add an item unless its URL was seen before. Returns whether it was added.
    pub fn push(&mut self, item: Item) -> bool {
        if item.url.host_str().is_none() || !self.seen.insert(item.url.to_string()) {
            return false;
        }
        self.insert(item);
        true
    }

    /// Mark a URL as seen without queueing it (resume: already fetched).
    pub fn mark_seen(&mut self, url: &str) {
        self.seen.insert(url.to_string());
    }

    /// Put back an item that was popped (a retry, or a kind change).
    pub fn requeue(&mut self, item: Item) {
        self.insert(item);
    }

    fn insert(&mut self, item: Item) {
        let origin = origin_of(&item.url);
        self.seq += 1;
        let q = self.queues.entry(origin.clone()).or_default();
        if q.is_empty() && !self.order.contains(&origin) {
            self.order.push_back(origin);
        }
        q.insert((Reverse(item.priority), self.seq), item);
        self.queued += 1;
    }

    /// Whether the URL was ever queued in this run.
    pub fn seen(&self, url: &Url) -> bool {
        self.seen.contains(url.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.queued == 0
    }

    pub fn len(&self) -> usize {
        self.queued
    }

    /// Origins with waiting items, in round-robin order.
    pub fn origins(&self) -> Vec<String> {
        self.order.iter().cloned().collect()
    }

    pub fn peek(&self, origin: &str) -> Option<&Item> {
        self.queues
            .get(origin)
            .and_then(|q| q.first_key_value())
            .map(|(_, i)| i)
    }

    /// Take the next item of `origin` and move the origin to the back of the
    /// round-robin order.
    pub fn pop(&mut self, origin: &str) -> Option<Item> {
        let q = self.queues.get_mut(origin)?;
        let (_, item) = q.pop_first()?;
        self.queued -= 1;
        let empty = q.is_empty();
        if let Some(pos) = self.order.iter().position(|h| h == origin) {
            self.order.remove(pos);
        }
        if empty {
            self.queues.remove(origin);
        } else {
            self.order.push_back(origin.to_string());
        }
        Some(item)
    }

    /// Remove every waiting item of an origin (circuit breaker).
    pub fn drain_origin(&mut self, origin: &str) -> Vec<Item> {
        let items: Vec<Item> = self
            .queues
            .remove(origin)
            .map(|q| q.into_values().collect())
            .unwrap_or_default();
        self.queued -= items.len();
        self.order.retain(|o| o != origin);
        items
    }

    /// When the page budget is spent: drop waiting pages, except those
    /// `keep` names, which become liveness checks. Returns the dropped items.
    pub fn retain_as_probes(&mut self, keep: impl Fn(&Item) -> bool) -> Vec<Item> {
        let mut dropped = Vec::new();
        for q in self.queues.values_mut() {
            let keys: Vec<Key> = q.keys().copied().collect();
            for k in keys {
                let Some(item) = q.get_mut(&k) else { continue };
                if item.kind != FetchKind::Page {
                    continue;
                }
                if keep(item) {
                    item.kind = FetchKind::Probe;
                } else if let Some(i) = q.remove(&k) {
                    dropped.push(i);
                }
            }
        }
        self.queued -= dropped.len();
        self.queues.retain(|_, q| !q.is_empty());
        let queues = &self.queues;
        self.order.retain(|h| queues.contains_key(h));
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(u: &str, priority: u8) -> Item {
        Item {
            priority,
            ..Item::new(
                Url::parse(u).unwrap_or_else(|e| panic!("{e}")),
                FetchKind::Page,
                0,
            )
        }
    }

    #[test]
    fn dedups_prioritises_and_round_robins() {
        let mut f = Frontier::default();
        assert!(f.push(item("http://a.de/1", 0)));
        assert!(!f.push(item("http://a.de/1", 2)));
        assert!(f.push(item("http://a.de/2", 2)));
        assert!(f.push(item("http://b.de/1", 0)));
        assert_eq!(f.origins(), vec!["http://a.de", "http://b.de"]);
        assert_eq!(
            f.pop("http://a.de")
                .map(|i| i.url.path().to_string())
                .as_deref(),
            Some("/2"),
            "higher priority first"
        );
        assert_eq!(f.origins(), vec!["http://b.de", "http://a.de"]);
        assert_eq!(f.len(), 2);
        let dropped = f.retain_as_probes(|i| i.url.host_str() == Some("a.de"));
        assert_eq!(dropped.len(), 1);
        assert_eq!(
            f.peek("http://a.de").map(|i| i.kind),
            Some(FetchKind::Probe)
        );
        assert!(f.retain_as_probes(|_| false).is_empty(), "probes stay");
        assert_eq!(f.drain_origin("http://a.de").len(), 1);
        assert!(f.is_empty() && f.origins().is_empty());
    }
}
