"""JavaScript units for the code bank, continued (written for this project)."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank import Unit

COLOR = Unit(
    "color",
    "colour conversions between hex, RGB and HSL",
    """function {{hexToRgb}}(hex) {
  let text = hex.trim().replace(/^#/, "");
  if (text.length === 3) text = [...text].map((c) => c + c).join("");
  if (!/^[0-9a-f]{6}$/i.test(text)) {
    throw new Error(`not a colour: ${hex}`);
  }
  const value = parseInt(text, 16);
  return { r: (value >> 16) & 255, g: (value >> 8) & 255, b: value & 255 };
}

function {{rgbToHex}}({ r, g, b }) {
  const part = (n) => Math.round(Math.min(255, Math.max(0, n))).toString(16).padStart(2, "0");
  return `#${part(r)}${part(g)}${part(b)}`;
}

/** Hue in degrees, saturation and lightness in [0, 1]. */
function {{rgbToHsl}}({ r, g, b }) {
  const [rn, gn, bn] = [r / 255, g / 255, b / 255];
  const max = Math.max(rn, gn, bn);
  const min = Math.min(rn, gn, bn);
  const l = (max + min) / 2;
  if (max === min) return { h: 0, s: 0, l };
  const d = max - min;
  const s = l > 0.5 ? d / (2 - max - min) : d / (max + min);
  let h;
  if (max === rn) h = (gn - bn) / d + (gn < bn ? 6 : 0);
  else if (max === gn) h = (bn - rn) / d + 2;
  else h = (rn - gn) / d + 4;
  return { h: h * 60, s, l };
}

/** Lighten (amount > 0) or darken (amount < 0) a hex colour by changing its lightness. */
function {{shade}}(hex, amount) {
  const { h, s, l } = {{rgbToHsl}}({{hexToRgb}}(hex));
  const target = Math.min(1, Math.max(0, l + amount));
  const c = (1 - Math.abs(2 * target - 1)) * s;
  const x = c * (1 - Math.abs(((h / 60) % 2) - 1));
  const m = target - c / 2;
  const [r1, g1, b1] = h < 60 ? [c, x, 0] : h < 120 ? [x, c, 0] : h < 180 ? [0, c, x] : h < 240 ? [0, x, c] : h < 300 ? [x, 0, c] : [c, 0, x];
  return {{rgbToHex}}({ r: (r1 + m) * 255, g: (g1 + m) * 255, b: (b1 + m) * 255 });
}
""",
    {
        "hexToRgb": ("hexToRgb", "parseHex"),
        "rgbToHex": ("rgbToHex", "toHex"),
        "rgbToHsl": ("rgbToHsl", "toHsl"),
        "shade": ("shade", "adjustLightness"),
    },
    exports=("{{hexToRgb}}", "{{rgbToHex}}", "{{rgbToHsl}}", "{{shade}}"),
)


TABLE = Unit(
    "table",
    "plain-text and Markdown tables",
    """/**
 * Render rows (arrays of cells) as an aligned text table. Numbers are right-aligned,
 * everything else left-aligned; `markdown: true` adds pipes and the separator row.
 */
function {{formatTable}}(header, rows, { markdown = false } = {}) {
  const all = [header, ...rows].map((row) => row.map((cell) => (cell === null || cell === undefined ? "" : String(cell))));
  const widths = header.map((_, col) => Math.max(...all.map((row) => (row[col] || "").length)));
  const numeric = header.map((_, col) => rows.length > 0 && rows.every((row) => typeof row[col] === "number"));
  const line = (row) => {
    const cells = row.map((cell, col) => (numeric[col] ? cell.padStart(widths[col]) : cell.padEnd(widths[col])));
    return markdown ? `| ${cells.join(" | ")} |` : cells.join("  ").trimEnd();
  };
  const out = [line(all[0])];
  if (markdown) {
    out.push(`|${widths.map((w, col) => (numeric[col] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`);
  } else {
    out.push(widths.map((w) => "-".repeat(w)).join("  "));
  }
  for (const row of all.slice(1)) out.push(line(row));
  return out.join("\\n");
}

/** Group records by the value of `key`, keeping first-seen order of the groups. */
function {{groupBy}}(records, key) {
  const groups = new Map();
  for (const record of records) {
    const value = typeof key === "function" ? key(record) : record[key];
    if (!groups.has(value)) groups.set(value, []);
    groups.get(value).push(record);
  }
  return groups;
}
""",
    {
        "formatTable": ("formatTable", "renderTable", "textTable"),
        "groupBy": ("groupBy", "bucketBy"),
    },
    exports=("{{formatTable}}", "{{groupBy}}"),
)


CALC = Unit(
    "calc",
    "an arithmetic expression evaluator",
    """const PRECEDENCE = { "+": 1, "-": 1, "*": 2, "/": 2, "%": 2, "^": 3 };
const RIGHT_ASSOCIATIVE = new Set(["^"]);

function tokenize(expression) {
  const tokens = [];
  const pattern = /\\s*(?:(\\d+\\.?\\d*|\\.\\d+)|(.))/gy;
  let match;
  while ((match = pattern.exec(expression)) !== null) {
    if (match[1] !== undefined) tokens.push({ type: "num", value: parseFloat(match[1]) });
    else if (match[2] !== undefined) tokens.push({ type: "op", value: match[2] });
    if (pattern.lastIndex >= expression.length) break;
  }
  return tokens;
}

/** Shunting-yard: infix tokens to reverse Polish notation. */
function toRpn(tokens) {
  const output = [];
  const ops = [];
  for (const token of tokens) {
    if (token.type === "num") {
      output.push(token);
    } else if (token.value === "(") {
      ops.push(token);
    } else if (token.value === ")") {
      while (ops.length && ops[ops.length - 1].value !== "(") output.push(ops.pop());
      if (!ops.length) throw new SyntaxError("unbalanced ')'");
      ops.pop();
    } else if (token.value in PRECEDENCE) {
      const p = PRECEDENCE[token.value];
      while (ops.length) {
        const top = ops[ops.length - 1].value;
        if (!(top in PRECEDENCE)) break;
        const q = PRECEDENCE[top];
        if (q > p || (q === p && !RIGHT_ASSOCIATIVE.has(token.value))) output.push(ops.pop());
        else break;
      }
      ops.push(token);
    } else {
      throw new SyntaxError(`unexpected character '${token.value}'`);
    }
  }
  while (ops.length) {
    const op = ops.pop();
    if (op.value === "(") throw new SyntaxError("unbalanced '('");
    output.push(op);
  }
  return output;
}

function {{evaluate}}(expression) {
  const stack = [];
  for (const token of toRpn(tokenize(expression))) {
    if (token.type === "num") {
      stack.push(token.value);
      continue;
    }
    const b = stack.pop();
    const a = stack.pop();
    if (a === undefined || b === undefined) throw new SyntaxError("missing operand");
    switch (token.value) {
      case "+": stack.push(a + b); break;
      case "-": stack.push(a - b); break;
      case "*": stack.push(a * b); break;
      case "/": stack.push(a / b); break;
      case "%": stack.push(a % b); break;
      default: stack.push(a ** b);
    }
  }
  if (stack.length !== 1) throw new SyntaxError("malformed expression");
  return stack[0];
}
""",
    {"evaluate": ("evaluate", "calc", "evalExpression")},
    exports=("{{evaluate}}", "tokenize", "toRpn"),
)


SORTED = Unit(
    "sorted",
    "binary search helpers for sorted arrays",
    """/** First index at which `value` could be inserted keeping `array` sorted (like bisect_left). */
function {{lowerBound}}(array, value, compare = (a, b) => (a < b ? -1 : a > b ? 1 : 0)) {
  let lo = 0;
  let hi = array.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(array[mid], value) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Last such index (like bisect_right): after any elements equal to `value`. */
function {{upperBound}}(array, value, compare = (a, b) => (a < b ? -1 : a > b ? 1 : 0)) {
  let lo = 0;
  let hi = array.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(array[mid], value) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function {{insertSorted}}(array, value, compare) {
  array.splice({{upperBound}}(array, value, compare), 0, value);
  return array;
}

/** How many elements fall in [low, high]; O(log n) on a sorted array. */
function {{countRange}}(array, low, high) {
  return Math.max(0, {{upperBound}}(array, high) - {{lowerBound}}(array, low));
}

/** Merge two sorted arrays into a new sorted array in linear time; equal items keep `a` first. */
function {{mergeSorted}}(a, b, compare = (x, y) => (x < y ? -1 : x > y ? 1 : 0)) {
  const out = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    out[k++] = compare(b[j], a[i]) < 0 ? b[j++] : a[i++];
  }
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/** Index of `value` in the sorted array, or -1 when it is absent. */
function {{indexOfSorted}}(array, value) {
  const i = {{lowerBound}}(array, value);
  return i < array.length && array[i] === value ? i : -1;
}
""",
    {
        "lowerBound": ("lowerBound", "bisectLeft"),
        "upperBound": ("upperBound", "bisectRight"),
        "insertSorted": ("insertSorted", "sortedInsert"),
        "countRange": ("countRange", "countBetween"),
        "mergeSorted": ("mergeSorted", "mergeArrays"),
        "indexOfSorted": ("indexOfSorted", "binarySearch"),
    },
    exports=(
        "{{lowerBound}}",
        "{{upperBound}}",
        "{{insertSorted}}",
        "{{countRange}}",
        "{{mergeSorted}}",
        "{{indexOfSorted}}",
    ),
)


LEVENSHTEIN = Unit(
    "suggest",
    "typo-tolerant suggestions for unknown names",
    """function {{distance}}(a, b) {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * "Did you mean ...?" for an unknown command or option: the known names within a distance
 * that grows with the word's length, best first.
 */
function {{suggest}}(word, known) {
  const limit = Math.max(1, Math.floor(word.length / {{divisor}}));
  return known
    .map((name) => ({ name, d: {{distance}}(word.toLowerCase(), name.toLowerCase()) }))
    .filter(({ d }) => d <= limit)
    .sort((x, y) => x.d - y.d || x.name.localeCompare(y.name))
    .map(({ name }) => name);
}

function {{unknownMessage}}(kind, word, known) {
  const hints = {{suggest}}(word, known);
  const tail = hints.length ? ` Did you mean ${hints.slice(0, 3).map((h) => `'${h}'`).join(" or ")}?` : "";
  return `Unknown ${kind} '${word}'.${tail}`;
}
""",
    {
        "distance": ("levenshtein", "editDistance"),
        "suggest": ("suggest", "closestNames", "didYouMean"),
        "unknownMessage": ("unknownMessage", "explainUnknown"),
        "divisor": ("3", "4"),
    },
    exports=("{{distance}}", "{{suggest}}", "{{unknownMessage}}"),
)


LRU = Unit(
    "memo",
    "memoization with a bounded cache",
    """/**
 * A Map-backed least-recently-used cache. Map keeps insertion order, so re-inserting a key
 * on every read moves it to the end and the first key is always the oldest.
 */
class {{Cache}} {
  constructor(max = {{max}}) {
    if (max < 1) throw new RangeError("max must be at least 1");
    this.max = max;
    this.map = new Map();
  }

  get(key) {
    if (!this.map.has(key)) return undefined;
    const value = this.map.get(key);
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  set(key, value) {
    if (this.map.has(key)) this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value);
    return this;
  }

  has(key) {
    return this.map.has(key);
  }

  get size() {
    return this.map.size;
  }
}

/** Cache a one-argument function's results; `keyOf` maps arguments to cache keys. */
function {{memoize}}(fn, { max = {{max}}, keyOf = (arg) => arg } = {}) {
  const cache = new {{Cache}}(max);
  const memoized = (arg) => {
    const key = keyOf(arg);
    if (cache.has(key)) return cache.get(key);
    const value = fn(arg);
    cache.set(key, value);
    return value;
  };
  memoized.cache = cache;
  return memoized;
}

/**
 * Like memoizing, for async functions: concurrent calls with the same key share one
 * in-flight promise, results expire after `ttlMs`, and rejections are not cached.
 */
function {{memoizeAsync}}(fn, { ttlMs = {{ttl}}, keyOf = (arg) => arg, now = Date.now } = {}) {
  const entries = new Map();
  return async (arg) => {
    const key = keyOf(arg);
    const hit = entries.get(key);
    if (hit && hit.expires > now()) return hit.promise;
    const promise = Promise.resolve()
      .then(() => fn(arg))
      .catch((error) => {
        entries.delete(key);
        throw error;
      });
    entries.set(key, { promise, expires: now() + ttlMs });
    return promise;
  };
}
""",
    {
        "Cache": ("LruMap", "BoundedMap", "RecentCache"),
        "memoize": ("memoize", "cached"),
        "memoizeAsync": ("memoizeAsync", "cachedAsync", "dedupeAsync"),
        "max": ("100", "256", "500"),
        "ttl": ("30000", "60000", "5000"),
    },
    exports=("{{Cache}}", "{{memoize}}", "{{memoizeAsync}}"),
)


RETRY = Unit(
    "retry",
    "retries with exponential backoff for flaky calls",
    """const TRANSIENT = new Set(["ECONNRESET", "ETIMEDOUT", "EAI_AGAIN", "ECONNREFUSED"]);

function {{isTransient}}(error) {
  if (error && TRANSIENT.has(error.code)) return true;
  const status = error && (error.status || error.statusCode);
  return status === 429 || (status >= 500 && status < 600);
}

/**
 * Call `fn` until it resolves, at most `attempts` times. Waits grow exponentially with
 * random jitter; errors that are not transient are thrown at once.
 */
async function {{retry}}(fn, { attempts = {{attempts}}, baseMs = {{base}}, maxMs = 10000, onRetry } = {}) {
  let lastError;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (error) {
      lastError = error;
      if (attempt === attempts || !{{isTransient}}(error)) break;
      const wait = Math.min(maxMs, baseMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      if (onRetry) onRetry(error, attempt, wait);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  throw lastError;
}
""",
    {
        "retry": ("retry", "withRetry", "retryAsync"),
        "isTransient": ("isTransient", "shouldRetry"),
        "attempts": ("3", "5"),
        "base": ("200", "250", "100"),
    },
    exports=("{{retry}}", "{{isTransient}}"),
)
