"""Rust repositories: a dual-licensed data-structures crate and a version/expression CLI."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

import hashlib

from mellum_data.sample.bank_rust import add_modules
from mellum_data.sample.repo_context import Generated, RepoContext
from mellum_data.sample.templating import fill

UNION_FIND = """//! Disjoint-set forest with union by rank and path compression.

/// Groups `0..n` into disjoint sets.
#[derive(Debug, Clone)]
pub struct {{UF}} {
    parent: Vec<usize>,
    rank: Vec<u8>,
    sets: usize,
}

impl {{UF}} {
    pub fn new(n: usize) -> Self {
        Self { parent: (0..n).collect(), rank: vec![0; n], sets: n }
    }

    pub fn find(&mut self, x: usize) -> usize {
        let mut root = x;
        while self.parent[root] != root {
            root = self.parent[root];
        }
        let mut node = x;
        while self.parent[node] != root {
            let next = self.parent[node];
            self.parent[node] = root;
            node = next;
        }
        root
    }

    /// Merges the sets of `a` and `b`; returns false if they were already one set.
    pub fn union(&mut self, a: usize, b: usize) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        match self.rank[ra].cmp(&self.rank[rb]) {
            std::cmp::Ordering::Less => self.parent[ra] = rb,
            std::cmp::Ordering::Greater => self.parent[rb] = ra,
            std::cmp::Ordering::Equal => {
                self.parent[rb] = ra;
                self.rank[ra] += 1;
            }
        }
        self.sets -= 1;
        true
    }

    pub fn sets(&self) -> usize {
        self.sets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_and_counts() {
        let mut uf = {{UF}}::new(5);
        assert!(uf.union(0, 1));
        assert!(uf.union(3, 4));
        assert!(!uf.union(1, 0));
        assert_eq!(uf.sets(), 3);
        assert_eq!(uf.find(0), uf.find(1));
    }
}
"""

STATS_RS = """//! Summary statistics over a sliding window of the last `N` samples.

use std::collections::VecDeque;

#[derive(Debug)]
pub struct {{Window}} {
    {{buf}}: VecDeque<f64>,
    capacity: usize,
    sum: f64,
}

impl {{Window}} {
    pub fn new(capacity: usize) -> Self {
        assert!(capacity > 0, "capacity must be positive");
        Self { {{buf}}: VecDeque::with_capacity(capacity), capacity, sum: 0.0 }
    }

    pub fn push(&mut self, x: f64) {
        if self.{{buf}}.len() == self.capacity {
            if let Some(old) = self.{{buf}}.pop_front() {
                self.sum -= old;
            }
        }
        self.{{buf}}.push_back(x);
        self.sum += x;
    }

    pub fn mean(&self) -> Option<f64> {
        if self.{{buf}}.is_empty() {
            None
        } else {
            Some(self.sum / self.{{buf}}.len() as f64)
        }
    }

    pub fn median(&self) -> Option<f64> {
        if self.{{buf}}.is_empty() {
            return None;
        }
        let mut sorted: Vec<f64> = self.{{buf}}.iter().copied().collect();
        sorted.sort_by(|a, b| a.partial_cmp(b).expect("NaN in window"));
        let mid = sorted.len() / 2;
        Some(if sorted.len() % 2 == 0 { (sorted[mid - 1] + sorted[mid]) / 2.0 } else { sorted[mid] })
    }
}
"""

LIB_RS = """//! {{name}}: small, dependency-free data structures.
#![forbid(unsafe_code)]

{{mods}}
pub use stats::{{Window}};
pub use union_find::{{UF}};
"""

BIN_RS = """use std::io::{self, BufRead};

use {{crate}}::{ {{UF}}, {{Window}} };

/// Reads "a b" pairs of node ids and reports connected components and a moving average of ids.
fn main() -> io::Result<()> {
    let stdin = io::stdin();
    let mut uf = {{UF}}::new({{nodes}});
    let mut window = {{Window}}::new({{win}});
    for line in stdin.lock().lines() {
        let line = line?;
        let mut parts = line.split_whitespace().filter_map(|p| p.parse::<usize>().ok());
        if let (Some(a), Some(b)) = (parts.next(), parts.next()) {
            if a < {{nodes}} && b < {{nodes}} {
                uf.union(a, b);
                window.push((a + b) as f64 / 2.0);
            }
        }
    }
    println!("components: {}", uf.sets());
    if let Some(mean) = window.mean() {
        println!("recent mean: {:.2}", mean);
    }
    Ok(())
}
"""

INTEGRATION = """use {{crate}}::{ {{UF}}, {{Window}} };

#[test]
fn window_mean_and_median() {
    let mut w = {{Window}}::new(3);
    for x in [1.0, 2.0, 3.0, 10.0] {
        w.push(x);
    }
    assert_eq!(w.mean(), Some(5.0));
    assert_eq!(w.median(), Some(3.0));
}

#[test]
fn chain_is_one_set() {
    let mut uf = {{UF}}::new(4);
    uf.union(0, 1);
    uf.union(1, 2);
    uf.union(2, 3);
    assert_eq!(uf.sets(), 1);
}
"""

CARGO = """[package]
name = "{{name}}"
version = "0.{{minor}}.{{patch}}"
edition = "2021"
description = "{{description}}"
authors = ["{{owner}}"]
{{license_line}}repository = "https://github.com/{{handle}}/{{name}}"

[dependencies]
{{deps}}
"""


def cargo_lock(ctx: RepoContext, deps: list[tuple[str, str]]) -> str:
    parts = [
        "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 3\n"
    ]
    for name, version in sorted(deps + [(ctx.name, "0.1.0")]):
        block = f'\n[[package]]\nname = "{name}"\nversion = "{version}"\n'
        if name != ctx.name:
            checksum = hashlib.sha256(f"{name}-{version}".encode()).hexdigest()
            block += f'source = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "{checksum}"\n'
        else:
            block += "dependencies = [\n" + "".join(f' "{n}",\n' for n, _ in deps) + "]\n"
        parts.append(block)
    return "".join(parts)


def _cargo(ctx: RepoContext, license_line: str, deps: list[tuple[str, str]]) -> str:
    return fill(
        CARGO,
        {
            "name": ctx.name,
            "minor": str(ctx.rng.randint(1, 9)),
            "patch": str(ctx.rng.randint(0, 5)),
            "description": ctx.description,
            "owner": ctx.owner,
            "handle": ctx.handle,
            "license_line": license_line,
            "deps": "".join(f'{n} = "{v}"\n' for n, v in deps),
        },
    )


def rust_dual(ctx: RepoContext, out: Generated) -> None:
    rng = ctx.rng
    v = {
        "name": ctx.name,
        "crate": ctx.pkg,
        "UF": rng.choice(("UnionFind", "DisjointSets", "Dsu")),
        "Window": rng.choice(("Window", "SlidingWindow", "MovingStats")),
        "buf": rng.choice(("buf", "samples", "values")),
        "nodes": str(rng.choice((64, 128, 1024))),
        "win": str(rng.choice((8, 16, 32))),
    }
    ctx.description = "Union-find and sliding-window statistics without dependencies."
    out.add("Cargo.toml", _cargo(ctx, f'license = "{ctx.license}"\n', []))
    out.add("Cargo.lock", cargo_lock(ctx, []), "generated")
    out.add("src/union_find.rs", fill(UNION_FIND, v))
    out.add("src/stats.rs", fill(STATS_RS, v))
    out.add(f"src/bin/{ctx.name}.rs", fill(BIN_RS, v))
    out.add("tests/integration.rs", fill(INTEGRATION, v))
    out.add(".gitignore", "/target\n")
    # 6 of the 12 bank units: rust_cli takes the rest.
    mods = sorted(["stats", "union_find", *add_modules(ctx, out, "src", n_units=6)])
    out.add("src/lib.rs", fill(LIB_RS, v | {"mods": "".join(f"pub mod {m};\n" for m in mods)}))


SEMVER_RS = """use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: Vec<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct {{ParseErr}}(pub String);

impl fmt::Display for {{ParseErr}} {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid version: {}", self.0)
    }
}

impl FromStr for Version {
    type Err = {{ParseErr}};

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().trim_start_matches('v');
        let (core, pre) = match s.split_once('-') {
            Some((c, p)) => (c, p.split('.').map(str::to_owned).collect()),
            None => (s, Vec::new()),
        };
        let nums: Vec<u64> = core
            .split('.')
            .map(|p| p.parse().map_err(|_| {{ParseErr}}(s.to_owned())))
            .collect::<Result<_, _>>()?;
        match nums.as_slice() {
            [major, minor, patch] => Ok(Version { major: *major, minor: *minor, patch: *patch, pre }),
            _ => Err({{ParseErr}}(s.to_owned())),
        }
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.pre.cmp(&other.pre),
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
"""

LEXER_RS = """#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Num(f64),
    Op(char),
    LParen,
    RParen,
}

pub fn {{tokenize}}(input: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\\t' => i += 1,
            '0'..='9' | '.' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                let value = text.parse::<f64>().map_err(|e| format!("{}: {}", text, e))?;
                tokens.push(Token::Num(value));
            }
            '+' | '-' | '*' | '/' => {
                tokens.push(Token::Op(c));
                i += 1;
            }
            '(' => {
                tokens.push(Token::LParen);
                i += 1;
            }
            ')' => {
                tokens.push(Token::RParen);
                i += 1;
            }
            other => return Err(format!("unexpected character {:?} at {}", other, i)),
        }
    }
    Ok(tokens)
}

/// Recursive-descent evaluation: expr := term (('+'|'-') term)*, term := atom (('*'|'/') atom)*.
pub fn eval(tokens: &[Token]) -> Result<f64, String> {
    let mut pos = 0;
    let value = expr(tokens, &mut pos)?;
    if pos != tokens.len() {
        return Err(format!("trailing input at token {}", pos));
    }
    Ok(value)
}

fn expr(t: &[Token], pos: &mut usize) -> Result<f64, String> {
    let mut acc = term(t, pos)?;
    while let Some(Token::Op(op @ ('+' | '-'))) = t.get(*pos) {
        *pos += 1;
        let rhs = term(t, pos)?;
        acc = if *op == '+' { acc + rhs } else { acc - rhs };
    }
    Ok(acc)
}

fn term(t: &[Token], pos: &mut usize) -> Result<f64, String> {
    let mut acc = atom(t, pos)?;
    while let Some(Token::Op(op @ ('*' | '/'))) = t.get(*pos) {
        *pos += 1;
        let rhs = atom(t, pos)?;
        acc = if *op == '*' { acc * rhs } else { acc / rhs };
    }
    Ok(acc)
}

fn atom(t: &[Token], pos: &mut usize) -> Result<f64, String> {
    match t.get(*pos) {
        Some(Token::Num(v)) => {
            *pos += 1;
            Ok(*v)
        }
        Some(Token::Op('-')) => {
            *pos += 1;
            Ok(-atom(t, pos)?)
        }
        Some(Token::LParen) => {
            *pos += 1;
            let v = expr(t, pos)?;
            match t.get(*pos) {
                Some(Token::RParen) => {
                    *pos += 1;
                    Ok(v)
                }
                _ => Err("expected ')'".to_owned()),
            }
        }
        other => Err(format!("unexpected token {:?}", other)),
    }
}
"""

MAIN_RS = """{{mods}}
use std::env;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("calc") => match lexer::{{tokenize}}(&args[1..].join(" ")).and_then(|t| lexer::eval(&t)) {
            Ok(v) => {
                println!("{}", v);
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {}", e);
                ExitCode::FAILURE
            }
        },
        Some("newest") => {
            let mut versions: Vec<semver::Version> = args[1..].iter().filter_map(|s| s.parse().ok()).collect();
            versions.sort();
            match versions.last() {
                Some(v) => {
                    println!("{}.{}.{}", v.major, v.minor, v.patch);
                    ExitCode::SUCCESS
                }
                None => ExitCode::FAILURE,
            }
        }
        _ => {
            eprintln!("usage: {{name}} calc EXPR | newest VERSION...");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_precedence() {
        let tokens = lexer::{{tokenize}}("2 * (3 + 4) - 5").unwrap();
        assert_eq!(lexer::eval(&tokens), Ok(9.0));
    }

    #[test]
    fn orders_prereleases_first() {
        let a: semver::Version = "1.0.0-rc.1".parse().unwrap();
        let b: semver::Version = "1.0.0".parse().unwrap();
        assert!(a < b);
    }
}
"""


def rust_cli(ctx: RepoContext, out: Generated) -> None:
    rng = ctx.rng
    v = {
        "name": ctx.name,
        "tokenize": rng.choice(("tokenize", "lex", "scan")),
        "ParseErr": rng.choice(("ParseError", "VersionError", "BadVersion")),
    }
    ctx.description = "Evaluate arithmetic and compare semantic versions from the command line."
    # The license is declared only in Cargo.toml: the repository has no LICENSE file.
    out.add("Cargo.toml", _cargo(ctx, f'license = "{ctx.license}"\n', []))
    mods = sorted(["lexer", "semver", *add_modules(ctx, out, "src")])
    out.add("src/main.rs", fill(MAIN_RS, v | {"mods": "".join(f"mod {m};\n" for m in mods)}))
    out.add("src/lexer.rs", fill(LEXER_RS, v))
    out.add("src/semver.rs", fill(SEMVER_RS, v))
    out.add(".gitignore", "/target\n")
