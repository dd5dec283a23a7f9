"""Rust units for the code bank (written for this project)."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank import Bank, Filled, Unit, block_comment, filled, heading, join_bodies
from mellum_data.sample.bank_rust_more import (
    ARGS,
    BLOOM,
    CSV,
    DIJKSTRA,
    HISTOGRAM,
    MATRIX,
    RLE,
)
from mellum_data.sample.repo_context import Generated, RepoContext

EDIT = Unit(
    "fuzzy",
    "edit distance and spelling suggestions",
    """/// Levenshtein distance over Unicode scalar values, with one rolling row.
pub fn {{lev}}(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            let cost = usize::from(ca != *cb);
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + cost);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Candidates within `max` edits of `word`, nearest first, then alphabetically.
pub fn {{suggest}}<'a, I>(word: &str, candidates: I, max: usize) -> Vec<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let word = word.to_lowercase();
    let mut scored: Vec<(usize, &'a str)> = candidates
        .into_iter()
        .map(|c| ({{lev}}(&word, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= max)
        .collect();
    scored.sort();
    scored.into_iter().map(|(_, c)| c).collect()
}

/// True when `b` is `a` with two neighbouring characters swapped ("teh" and "the"), the
/// commonest typo, which plain Levenshtein counts as two edits.
pub fn is_transposition(a: &str, b: &str) -> bool {
    let (x, y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if x.len() != y.len() || x.len() < 2 {
        return false;
    }
    let diffs: Vec<usize> = (0..x.len()).filter(|&i| x[i] != y[i]).collect();
    matches!(diffs.as_slice(), [i, j] if *j == i + 1 && x[*i] == y[*j] && x[*j] == y[*i])
}""",
    {"lev": ("levenshtein", "edit_distance"), "suggest": ("suggest", "did_you_mean", "closest")},
)

TRIE = Unit(
    "trie",
    "a prefix tree with completion",
    """/// A trie keyed by `char`; children are kept in a `BTreeMap` so completions come out sorted.
#[derive(Debug, Default)]
pub struct {{Trie}} {
    children: BTreeMap<char, {{Trie}}>,
    terminal: bool,
    below: usize,
}

impl {{Trie}} {
    pub fn new() -> Self {
        Self::default()
    }

    /// Inserts `word`; returns `false` if it was already present.
    pub fn insert(&mut self, word: &str) -> bool {
        if self.contains(word) {
            return false;
        }
        let mut node = self;
        node.below += 1;
        for c in word.chars() {
            node = node.children.entry(c).or_default();
            node.below += 1;
        }
        node.terminal = true;
        true
    }

    fn find(&self, prefix: &str) -> Option<&{{Trie}}> {
        let mut node = self;
        for c in prefix.chars() {
            node = node.children.get(&c)?;
        }
        Some(node)
    }

    pub fn contains(&self, word: &str) -> bool {
        self.find(word).map_or(false, |n| n.terminal)
    }

    pub fn count_prefix(&self, prefix: &str) -> usize {
        self.find(prefix).map_or(0, |n| n.below)
    }

    /// Up to `limit` stored words that start with `prefix`.
    pub fn complete(&self, prefix: &str, limit: usize) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(node) = self.find(prefix) {
            let mut path = prefix.to_string();
            node.collect(&mut path, &mut out, limit);
        }
        out
    }

    fn collect(&self, path: &mut String, out: &mut Vec<String>, limit: usize) {
        if out.len() >= limit {
            return;
        }
        if self.terminal {
            out.push(path.clone());
        }
        for (c, child) in &self.children {
            path.push(*c);
            child.collect(path, out, limit);
            path.pop();
        }
    }
}""",
    {"Trie": ("Trie", "PrefixTree", "WordTree")},
    ("std::collections::BTreeMap",),
)

LRU = Unit(
    "lru",
    "a least-recently-used cache",
    """/// An LRU cache with O(1) lookups. Recency is tracked with a logical clock: each access
/// stamps the entry, and eviction removes the smallest stamp via an ordered index.
pub struct {{Lru}}<K, V> {
    capacity: usize,
    clock: u64,
    entries: HashMap<K, (V, u64)>,
    by_age: BTreeMap<u64, K>,
}

impl<K: Hash + Eq + Clone, V> {{Lru}}<K, V> {
    pub fn new(capacity: usize) -> Self {
        assert!(capacity > 0, "capacity must be positive");
        Self { capacity, clock: 0, entries: HashMap::new(), by_age: BTreeMap::new() }
    }

    fn touch(&mut self, key: &K) {
        self.clock += 1;
        if let Some((_, stamp)) = self.entries.get_mut(key) {
            self.by_age.remove(stamp);
            *stamp = self.clock;
            self.by_age.insert(self.clock, key.clone());
        }
    }

    pub fn get(&mut self, key: &K) -> Option<&V> {
        if !self.entries.contains_key(key) {
            return None;
        }
        self.touch(key);
        self.entries.get(key).map(|(v, _)| v)
    }

    /// Inserts a value and returns the evicted entry, if the cache was full.
    pub fn put(&mut self, key: K, value: V) -> Option<(K, V)> {
        if let Some(slot) = self.entries.get_mut(&key) {
            slot.0 = value;
            self.touch(&key);
            return None;
        }
        self.clock += 1;
        self.by_age.insert(self.clock, key.clone());
        self.entries.insert(key, (value, self.clock));
        if self.entries.len() <= self.capacity {
            return None;
        }
        let (&oldest, _) = self.by_age.iter().next()?;
        let old_key = self.by_age.remove(&oldest)?;
        self.entries.remove(&old_key).map(|(v, _)| (old_key, v))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}""",
    {"Lru": ("LruCache", "Lru", "RecentlyUsed")},
    ("std::collections::BTreeMap", "std::collections::HashMap", "std::hash::Hash"),
)

TOPO = Unit(
    "topo",
    "topological ordering of a dependency graph",
    """/// The nodes left on a cycle when no order exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle(pub Vec<String>);

impl fmt::Display for Cycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dependency cycle among {}", self.0.join(", "))
    }
}

impl std::error::Error for Cycle {}

/// Kahn's algorithm: `deps` maps each node to the nodes it needs first. Ready nodes are
/// taken smallest first, so equal inputs always give the same order.
pub fn {{order}}(deps: &BTreeMap<String, Vec<String>>) -> Result<Vec<String>, Cycle> {
    let mut indegree: BTreeMap<&str, usize> = BTreeMap::new();
    let mut users: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (node, needs) in deps {
        *indegree.entry(node).or_insert(0) += needs.len();
        for need in needs {
            indegree.entry(need).or_insert(0);
            users.entry(need).or_default().push(node);
        }
    }
    let mut ready: BTreeSet<&str> = indegree.iter().filter(|(_, &d)| d == 0).map(|(&n, _)| n).collect();
    let mut order = Vec::with_capacity(indegree.len());
    while let Some(node) = ready.iter().next().copied() {
        ready.remove(node);
        order.push(node.to_string());
        for user in users.get(node).into_iter().flatten() {
            let d = indegree.get_mut(user).expect("every user has an indegree");
            *d -= 1;
            if *d == 0 {
                ready.insert(user);
            }
        }
    }
    if order.len() == indegree.len() {
        Ok(order)
    } else {
        Err(Cycle(indegree.into_iter().filter(|(_, d)| *d > 0).map(|(n, _)| n.to_string()).collect()))
    }
}""",
    {"order": ("topological_order", "build_order", "resolve")},
    ("std::collections::BTreeMap", "std::collections::BTreeSet", "std::fmt"),
)

INTERVALS = Unit(
    "spans",
    "merging of overlapping spans",
    """/// A closed span `[start, end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    pub start: i64,
    pub end: i64,
}

impl Span {
    pub fn new(start: i64, end: i64) -> Option<Self> {
        (start <= end).then_some(Self { start, end })
    }

    pub fn len(&self) -> u64 {
        self.end.abs_diff(self.start)
    }

    pub fn overlaps(&self, other: &Span) -> bool {
        self.start <= other.end && other.start <= self.end
    }
}

/// Sorts and merges overlapping spans in place.
pub fn {{merge}}(spans: &mut Vec<Span>) {
    spans.sort_unstable();
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans.drain(..) {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    *spans = merged;
}

/// The parts of `within` not covered by any span.
pub fn {{gaps}}(spans: &[Span], within: Span) -> Vec<Span> {
    let mut sorted = spans.to_vec();
    {{merge}}(&mut sorted);
    let mut out = Vec::new();
    let mut cursor = within.start;
    for s in sorted.iter().filter(|s| s.overlaps(&within)) {
        if s.start > cursor {
            out.push(Span { start: cursor, end: s.start - 1 });
        }
        cursor = cursor.max(s.end + 1);
    }
    if cursor <= within.end {
        out.push(Span { start: cursor, end: within.end });
    }
    out
}""",
    {"merge": ("merge", "coalesce", "merge_spans"), "gaps": ("gaps", "uncovered", "free_spans")},
)

UNITS = (EDIT, TRIE, LRU, TOPO, INTERVALS, BLOOM, CSV, ARGS, HISTOGRAM, RLE, DIJKSTRA, MATRIX)
BANK = Bank("rust", UNITS)


def use_lines(paths: tuple[str, ...]) -> str:
    """``use`` declarations, one per parent path: ``use std::ops::{Index, Mul};``."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        parent, _, name = path.rpartition("::")
        groups.setdefault(parent, []).append(name)
    lines = []
    for parent, names in sorted(groups.items()):
        names = sorted(set(names), key=lambda n: (n != "self", n))
        if names == ["self"]:
            lines.append(f"use {parent};\n")
        elif len(names) == 1:
            lines.append(f"use {parent}::{names[0]};\n")
        else:
            lines.append(f"use {parent}::{{{', '.join(names)}}};\n")
    return "".join(lines)


def render(ctx: RepoContext, f: Filled) -> str:
    """A module: inner doc comment, ``use`` declarations, then the code."""
    doc = block_comment(heading(ctx, f.summaries), "//!")
    uses = use_lines(f.imports)
    return doc + (f"\n{uses}" if uses else "") + "\n" + join_bodies(f.bodies)


def add_modules(
    ctx: RepoContext, out: Generated, folder: str, n_units: int | None = None
) -> list[str]:
    """Deal the bank into ``folder/<stem>.rs`` modules; returns the module names."""
    stems = []
    for f in filled(ctx, BANK, n_units):
        out.add_new(f"{folder}/{f.stem}.rs", render(ctx, f))
        stems.append(f.stem)
    return sorted(stems)
