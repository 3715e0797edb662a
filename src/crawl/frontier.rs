//! The frontier: URLs waiting to be fetched, one FIFO queue per origin
//! (scheme, host and port: the unit robots.txt and politeness apply to), with
//! dedup over normalised URLs. Hosts are served round-robin so one big host
//! never starves the portals and liveness checks of the others.

use crate::store::FetchKind;
use std::collections::{HashMap, HashSet, VecDeque};
use url::Url;

/// One URL to fetch.
#[derive(Debug, Clone)]
pub struct Item {
    pub url: Url,
    pub kind: FetchKind,
    pub depth: usize,
}

#[derive(Default)]
pub struct Frontier {
    queues: HashMap<String, VecDeque<Item>>,
    /// Hosts in round-robin order (each host at most once).
    order: VecDeque<String>,
    seen: HashSet<String>,
    queued: usize,
}

impl Frontier {
    /// Add an item unless its normalised URL was seen before. Returns whether
    /// it was added.
    pub fn push(&mut self, item: Item) -> bool {
        if item.url.host_str().is_none() {
            return false;
        }
        let host = item.url.origin().ascii_serialization();
        if !self.seen.insert(item.url.to_string()) {
            return false;
        }
        let q = self.queues.entry(host.clone()).or_default();
        if q.is_empty() && !self.order.contains(&host) {
            self.order.push_back(host);
        }
        q.push_back(item);
        self.queued += 1;
        true
    }

    /// Put back an item that was popped (it was seen already).
    pub fn requeue(&mut self, item: Item) {
        let host = item.url.origin().ascii_serialization();
        let q = self.queues.entry(host.clone()).or_default();
        if q.is_empty() && !self.order.contains(&host) {
            self.order.push_back(host);
        }
        q.push_back(item);
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

    /// Hosts with waiting items, in round-robin order.
    pub fn hosts(&self) -> Vec<String> {
        self.order.iter().cloned().collect()
    }

    pub fn peek(&self, host: &str) -> Option<&Item> {
        self.queues.get(host).and_then(|q| q.front())
    }

    /// Take the next item of `host` and move the host to the back of the
    /// round-robin order.
    pub fn pop(&mut self, host: &str) -> Option<Item> {
        let q = self.queues.get_mut(host)?;
        let item = q.pop_front()?;
        self.queued -= 1;
        let empty = q.is_empty();
        if let Some(pos) = self.order.iter().position(|h| h == host) {
            self.order.remove(pos);
        }
        if empty {
            self.queues.remove(host);
        } else {
            self.order.push_back(host.to_string());
        }
        Some(item)
    }

    /// When the page budget is spent: drop waiting pages, except those
    /// `keep` names, which become liveness checks. Returns how many were dropped.
    pub fn retain_as_probes(&mut self, keep: impl Fn(&Item) -> bool) -> usize {
        let mut dropped = 0;
        for q in self.queues.values_mut() {
            let before = q.len();
            q.retain_mut(|i| {
                if i.kind == FetchKind::Probe {
                    return true;
                }
                if keep(i) {
                    i.kind = FetchKind::Probe;
                    return true;
                }
                false
            });
            dropped += before - q.len();
        }
        self.queued -= dropped;
        self.queues.retain(|_, q| !q.is_empty());
        let queues = &self.queues;
        self.order.retain(|h| queues.contains_key(h));
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(u: &str) -> Item {
        Item {
            url: Url::parse(u).unwrap_or_else(|e| panic!("{e}")),
            kind: FetchKind::Page,
            depth: 0,
        }
    }

    #[test]
    fn dedups_and_round_robins() {
        let mut f = Frontier::default();
        assert!(f.push(item("http://a.de/1")));
        assert!(!f.push(item("http://a.de/1")));
        assert!(f.push(item("http://a.de/2")));
        assert!(f.push(item("http://b.de/1")));
        assert_eq!(f.hosts(), vec!["http://a.de", "http://b.de"]);
        assert_eq!(
            f.pop("http://a.de")
                .map(|i| i.url.path().to_string())
                .as_deref(),
            Some("/1")
        );
        assert_eq!(f.hosts(), vec!["http://b.de", "http://a.de"]);
        assert_eq!(f.len(), 2);
        assert_eq!(f.retain_as_probes(|i| i.url.path() == "/2"), 1);
        assert_eq!(
            f.peek("http://a.de").map(|i| i.kind),
            Some(FetchKind::Probe)
        );
        assert_eq!(f.retain_as_probes(|_| false), 0, "probes stay");
        assert_eq!(f.pop("http://a.de").map(|i| i.kind), Some(FetchKind::Probe));
        assert!(f.is_empty() && f.hosts().is_empty());
    }
}
