"""Rust units for the code bank, continued (written for this project)."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank import Unit

BLOOM = Unit(
    "bloom",
    "a Bloom filter",
    """/// A Bloom filter over anything hashable, sized from the expected count and error rate.
pub struct {{Bloom}} {
    bits: Vec<u64>,
    nbits: u64,
    hashes: u32,
}

impl {{Bloom}} {
    pub fn new(expected: usize, error_rate: f64) -> Self {
        assert!(expected > 0 && error_rate > 0.0 && error_rate < 1.0, "bad sizing");
        let ln2 = std::f64::consts::LN_2;
        let nbits = (-(expected as f64) * error_rate.ln() / (ln2 * ln2)).ceil().max(64.0) as u64;
        let hashes = ((nbits as f64 / expected as f64) * ln2).round().max(1.0) as u32;
        Self { bits: vec![0; ((nbits + 63) / 64) as usize], nbits, hashes }
    }

    fn positions<T: Hash>(&self, item: &T) -> impl Iterator<Item = u64> + '_ {
        let mut first = DefaultHasher::new();
        item.hash(&mut first);
        let h1 = first.finish();
        let mut second = DefaultHasher::new();
        (h1, {{salt}}u64).hash(&mut second);
        let h2 = second.finish() | 1;
        (0..self.hashes as u64).map(move |i| h1.wrapping_add(i.wrapping_mul(h2)) % self.nbits)
    }

    pub fn insert<T: Hash>(&mut self, item: &T) {
        let positions: Vec<u64> = self.positions(item).collect();
        for p in positions {
            self.bits[(p / 64) as usize] |= 1 << (p % 64);
        }
    }

    /// `false` means definitely absent; `true` means probably present.
    pub fn contains<T: Hash>(&self, item: &T) -> bool {
        self.positions(item).all(|p| self.bits[(p / 64) as usize] & (1 << (p % 64)) != 0)
    }

    /// Fraction of bits set; the false-positive rate is about this to the power `hashes`.
    pub fn fill_ratio(&self) -> f64 {
        let set: u32 = self.bits.iter().map(|w| w.count_ones()).sum();
        f64::from(set) / self.nbits as f64
    }
}""",
    {"Bloom": ("BloomFilter", "Bloom"), "salt": ("0x9e37", "0x51ed", "0x2545")},
    ("std::collections::hash_map::DefaultHasher", "std::hash::Hash", "std::hash::Hasher"),
)


CSV = Unit(
    "csv",
    "parsing of quoted CSV lines",
    """/// Why a line could not be split.
#[derive(Debug, PartialEq, Eq)]
pub enum CsvError {
    UnterminatedQuote { column: usize },
    FieldCount { expected: usize, found: usize },
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CsvError::UnterminatedQuote { column } => write!(f, "unterminated quote starting at column {column}"),
            CsvError::FieldCount { expected, found } => write!(f, "expected {expected} fields, found {found}"),
        }
    }
}

/// Splits a line on `sep`; double quotes protect separators and `""` is a literal quote.
pub fn {{split}}(line: &str, sep: char) -> Result<Vec<String>, CsvError> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted_at: Option<usize> = None;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (quoted_at, c) {
            (Some(_), '"') if chars.peek().map(|&(_, n)| n) == Some('"') => {
                field.push('"');
                chars.next();
            }
            (Some(_), '"') => quoted_at = None,
            (Some(_), _) => field.push(c),
            (None, '"') => quoted_at = Some(i),
            (None, c) if c == sep => fields.push(std::mem::take(&mut field)),
            (None, _) => field.push(c),
        }
    }
    if let Some(column) = quoted_at {
        return Err(CsvError::UnterminatedQuote { column });
    }
    fields.push(field);
    Ok(fields)
}

/// Splits a line and checks it has as many fields as the header.
pub fn {{row}}(line: &str, sep: char, expected: usize) -> Result<Vec<String>, CsvError> {
    let fields = {{split}}(line, sep)?;
    if fields.len() != expected {
        return Err(CsvError::FieldCount { expected, found: fields.len() });
    }
    Ok(fields)
}""",
    {"split": ("split_line", "split_fields", "parse_line"), "row": ("parse_row", "checked_row")},
    ("std::fmt",),
)


ARGS = Unit(
    "args",
    "command-line argument parsing",
    """/// Options for the command line; unknown flags are reported rather than ignored.
#[derive(Debug, Default, PartialEq)]
pub struct Options {
    pub verbose: u8,
    pub output: Option<PathBuf>,
    pub jobs: usize,
    pub inputs: Vec<PathBuf>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum ArgError {
    MissingValue(String),
    BadNumber(String, String),
    Unknown(String),
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgError::MissingValue(flag) => write!(f, "{flag} needs a value"),
            ArgError::BadNumber(flag, v) => write!(f, "{flag}: '{v}' is not a number"),
            ArgError::Unknown(flag) => write!(f, "unknown option {flag} (try --help)"),
        }
    }
}

/// Parses `-v`, `-vv`, `-o FILE`, `--output=FILE`, `-j N`/`--jobs N` and input paths.
pub fn {{parse}}<I: IntoIterator<Item = String>>(args: I) -> Result<Options, ArgError> {
    let mut opts = Options { jobs: {{jobs}}, ..Options::default() };
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| inline.clone().or_else(|| it.next()).ok_or_else(|| ArgError::MissingValue(name.to_string()));
        match flag.as_str() {
            "-v" | "-vv" | "-vvv" => opts.verbose += (flag.len() - 1) as u8,
            "-o" | "--output" => opts.output = Some(PathBuf::from(value(&flag)?)),
            "-j" | "--jobs" => {
                let v = value(&flag)?;
                opts.jobs = v.parse().map_err(|_| ArgError::BadNumber(flag.clone(), v.clone()))?;
            }
            "--" => {
                opts.inputs.extend(it.by_ref().map(PathBuf::from));
                break;
            }
            f if f.starts_with('-') && f.len() > 1 => return Err(ArgError::Unknown(f.to_string())),
            _ => opts.inputs.push(PathBuf::from(arg)),
        }
    }
    Ok(opts)
}""",
    {"parse": ("parse_args", "parse", "from_args"), "jobs": ("1", "4")},
    ("std::fmt", "std::path::PathBuf"),
)


HISTOGRAM = Unit(
    "histogram",
    "histograms and percentiles of measurements",
    """/// Counts of samples in equal-width buckets between `min` and `max`; values outside the
/// range land in the first or last bucket so that nothing is silently dropped.
#[derive(Debug, Clone)]
pub struct {{Histogram}} {
    min: f64,
    width: f64,
    counts: Vec<u64>,
    total: u64,
}

impl {{Histogram}} {
    pub fn new(min: f64, max: f64, buckets: usize) -> Self {
        assert!(max > min && buckets > 0, "need max > min and at least one bucket");
        Self { min, width: (max - min) / buckets as f64, counts: vec![0; buckets], total: 0 }
    }

    pub fn record(&mut self, value: f64) {
        let last = self.counts.len() - 1;
        let index = ((value - self.min) / self.width).floor();
        let index = if index < 0.0 { 0 } else { (index as usize).min(last) };
        self.counts[index] += 1;
        self.total += 1;
    }

    /// Approximate quantile `q` in [0, 1]: the upper edge of the bucket where it falls.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let target = (q.clamp(0.0, 1.0) * self.total as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= target {
                return Some(self.min + self.width * (i + 1) as f64);
            }
        }
        None
    }

    /// One line per bucket with a bar scaled to `width` characters.
    pub fn render(&self, width: usize) -> String {
        let peak = self.counts.iter().copied().max().unwrap_or(0).max(1);
        let mut out = String::new();
        for (i, count) in self.counts.iter().enumerate() {
            let lo = self.min + self.width * i as f64;
            let bar = "#".repeat((*count as usize * width) / peak as usize);
            out.push_str(&format!("{lo:>10.{{digits}}} | {bar} {count}\\n"));
        }
        out
    }
}""",
    {"Histogram": ("Histogram", "Buckets", "Distribution"), "digits": ("2", "3")},
)


RLE = Unit(
    "rle",
    "run-length encoding of byte streams",
    """/// Encodes `data` as (count, byte) pairs with counts from 1 to 255.
pub fn {{encode}}(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 2);
    let mut i = 0;
    while i < data.len() {
        let byte = data[i];
        let run = data[i..].iter().take(255).take_while(|&&b| b == byte).count();
        out.push(run as u8);
        out.push(byte);
        i += run;
    }
    out
}

/// Decodes what `{{encode}}` produced; odd lengths and zero counts are errors.
pub fn {{decode}}(encoded: &[u8]) -> Result<Vec<u8>, String> {
    if encoded.len() % 2 != 0 {
        return Err(format!("odd length {}", encoded.len()));
    }
    let mut out = Vec::new();
    for (i, pair) in encoded.chunks_exact(2).enumerate() {
        if pair[0] == 0 {
            return Err(format!("zero-length run at pair {i}"));
        }
        out.extend(std::iter::repeat(pair[1]).take(pair[0] as usize));
    }
    Ok(out)
}

/// Groups equal neighbours: `"aaab"` gives `[('a', 3), ('b', 1)]`.
pub fn runs<T: PartialEq + Copy>(items: &[T]) -> Vec<(T, usize)> {
    let mut out: Vec<(T, usize)> = Vec::new();
    for &item in items {
        match out.last_mut() {
            Some((last, n)) if *last == item => *n += 1,
            _ => out.push((item, 1)),
        }
    }
    out
}""",
    {"encode": ("rle_encode", "encode"), "decode": ("rle_decode", "decode")},
)


DIJKSTRA = Unit(
    "paths",
    "shortest paths with Dijkstra's algorithm",
    """/// A weighted directed graph as adjacency lists of `(target, cost)`.
pub type Graph = Vec<Vec<(usize, u64)>>;

/// Shortest distances from `source`; `None` marks unreachable nodes. `Reverse` turns the
/// max-heap `BinaryHeap` into the min-heap the algorithm needs.
pub fn {{dijkstra}}(graph: &Graph, source: usize) -> (Vec<Option<u64>>, Vec<Option<usize>>) {
    let mut dist: Vec<Option<u64>> = vec![None; graph.len()];
    let mut prev: Vec<Option<usize>> = vec![None; graph.len()];
    let mut heap = BinaryHeap::new();
    dist[source] = Some(0);
    heap.push(Reverse((0u64, source)));
    while let Some(Reverse((d, node))) = heap.pop() {
        if dist[node].map_or(false, |best| d > best) {
            continue;
        }
        for &(next, cost) in &graph[node] {
            let candidate = d + cost;
            if dist[next].map_or(true, |best| candidate < best) {
                dist[next] = Some(candidate);
                prev[next] = Some(node);
                heap.push(Reverse((candidate, next)));
            }
        }
    }
    (dist, prev)
}

/// The node sequence ending at `target`, following `prev` links back to the source.
pub fn {{path}}(prev: &[Option<usize>], target: usize) -> Vec<usize> {
    let mut path = vec![target];
    let mut at = target;
    while let Some(p) = prev[at] {
        path.push(p);
        at = p;
    }
    path.reverse();
    path
}""",
    {"dijkstra": ("dijkstra", "shortest_paths"), "path": ("path_to", "walk_back", "route")},
    ("std::cmp::Reverse", "std::collections::BinaryHeap"),
)


MATRIX = Unit(
    "matrix",
    "dense matrices with the usual operators",
    """/// A row-major matrix of `f64`.
#[derive(Debug, Clone, PartialEq)]
pub struct {{Matrix}} {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl {{Matrix}} {
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self { rows, cols, data: vec![0.0; rows * cols] }
    }

    pub fn identity(n: usize) -> Self {
        let mut m = Self::zeros(n, n);
        for i in 0..n {
            m[(i, i)] = 1.0;
        }
        m
    }

    pub fn from_rows(rows: &[Vec<f64>]) -> Option<Self> {
        let cols = rows.first().map_or(0, |r| r.len());
        if rows.iter().any(|r| r.len() != cols) {
            return None;
        }
        Some(Self { rows: rows.len(), cols, data: rows.concat() })
    }

    pub fn transpose(&self) -> Self {
        let mut t = Self::zeros(self.cols, self.rows);
        for r in 0..self.rows {
            for c in 0..self.cols {
                t[(c, r)] = self[(r, c)];
            }
        }
        t
    }
}

impl Index<(usize, usize)> for {{Matrix}} {
    type Output = f64;

    fn index(&self, (r, c): (usize, usize)) -> &f64 {
        &self.data[r * self.cols + c]
    }
}

impl IndexMut<(usize, usize)> for {{Matrix}} {
    fn index_mut(&mut self, (r, c): (usize, usize)) -> &mut f64 {
        &mut self.data[r * self.cols + c]
    }
}

impl Mul for &{{Matrix}} {
    type Output = {{Matrix}};

    fn mul(self, rhs: &{{Matrix}}) -> {{Matrix}} {
        assert_eq!(self.cols, rhs.rows, "dimension mismatch");
        let mut out = {{Matrix}}::zeros(self.rows, rhs.cols);
        for i in 0..self.rows {
            for k in 0..self.cols {
                let a = self[(i, k)];
                for j in 0..rhs.cols {
                    out[(i, j)] += a * rhs[(k, j)];
                }
            }
        }
        out
    }
}""",
    {"Matrix": ("Matrix", "Mat", "Dense")},
    ("std::ops::Index", "std::ops::IndexMut", "std::ops::Mul"),
)
