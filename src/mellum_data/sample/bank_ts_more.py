"""TypeScript units for the code bank, continued (written for this project)."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank import Unit

CURSOR = Unit(
    "paging",
    "cursor-based pagination",
    """export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface CursorState {
  key: string | number;
  id: string;
}

function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state), "utf8").toString("base64url");
}

function decodeCursor(cursor: string): CursorState {
  try {
    const state = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (typeof state.id !== "string") throw new Error("missing id");
    return state as CursorState;
  } catch {
    throw new RangeError(`invalid cursor: ${cursor.slice(0, 16)}`);
  }
}

/**
 * One page of `items` sorted by `sortKey` then `id`. Unlike offsets, a cursor stays correct
 * when rows are inserted before it between two requests.
 */
export function {{paginate}}<T extends { id: string }>(
  items: readonly T[],
  sortKey: (item: T) => string | number,
  limit = {{limit}},
  cursor?: string,
): Page<T> {
  const sorted = [...items].sort((a, b) => {
    const ka = sortKey(a);
    const kb = sortKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : a.id.localeCompare(b.id);
  });
  let start = 0;
  if (cursor) {
    const after = decodeCursor(cursor);
    start = sorted.findIndex((item) => {
      const k = sortKey(item);
      return k > after.key || (k === after.key && item.id > after.id);
    });
    if (start === -1) start = sorted.length;
  }
  const pageItems = sorted.slice(start, start + limit);
  const last = pageItems[pageItems.length - 1];
  const more = start + limit < sorted.length;
  return { items: pageItems, nextCursor: more && last ? encodeCursor({ key: sortKey(last), id: last.id }) : null };
}
""",
    {"paginate": ("paginate", "pageOf", "listPage"), "limit": ("20", "25", "50")},
)


POINTER = Unit(
    "pointer",
    "JSON Pointer lookups and updates",
    """export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Split an RFC 6901 pointer such as "/items/0/name" into unescaped segments. */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new SyntaxError(`pointer must start with '/': ${pointer}`);
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export function {{get}}(doc: Json, pointer: string): Json | undefined {
  let node: Json | undefined = doc;
  for (const segment of parsePointer(pointer)) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9][0-9]*)$/.test(segment)) return undefined;
      node = node[Number(segment)];
    } else if (node !== null && typeof node === "object") {
      node = Object.prototype.hasOwnProperty.call(node, segment) ? node[segment] : undefined;
    } else {
      return undefined;
    }
  }
  return node;
}

/** Set the value at `pointer`, creating objects on the way; "-" appends to an array. */
export function {{set}}(doc: Json, pointer: string, value: Json): Json {
  const segments = parsePointer(pointer);
  if (segments.length === 0) return value;
  let node: Json = doc;
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    if (Array.isArray(node)) {
      const index = segment === "-" ? node.length : Number(segment);
      if (!Number.isInteger(index) || index > node.length) throw new RangeError(`bad index ${segment}`);
      if (last) node[index] = value;
      else node = node[index] ?? (node[index] = {});
    } else if (node !== null && typeof node === "object") {
      if (last) node[segment] = value;
      else node = node[segment] ?? (node[segment] = {});
    } else {
      throw new TypeError(`cannot descend into a ${typeof node} at ${segment}`);
    }
  }
  return doc;
}
""",
    {"get": ("getPointer", "resolve", "lookup"), "set": ("setPointer", "assign", "put")},
)


MATRIX = Unit(
    "matrix",
    "small dense matrices",
    """export class {{Matrix}} {
  readonly data: Float64Array;

  constructor(readonly rows: number, readonly cols: number, values?: ArrayLike<number>) {
    if (values && values.length !== rows * cols) {
      throw new RangeError(`expected ${rows * cols} values, got ${values.length}`);
    }
    this.data = values ? Float64Array.from(values) : new Float64Array(rows * cols);
  }

  static identity(n: number): {{Matrix}} {
    const m = new {{Matrix}}(n, n);
    for (let i = 0; i < n; i += 1) m.set(i, i, 1);
    return m;
  }

  get(r: number, c: number): number {
    return this.data[r * this.cols + c];
  }

  set(r: number, c: number, value: number): void {
    this.data[r * this.cols + c] = value;
  }

  multiply(other: {{Matrix}}): {{Matrix}} {
    if (this.cols !== other.rows) {
      throw new RangeError(`cannot multiply ${this.rows}x${this.cols} by ${other.rows}x${other.cols}`);
    }
    const out = new {{Matrix}}(this.rows, other.cols);
    for (let i = 0; i < this.rows; i += 1) {
      for (let k = 0; k < this.cols; k += 1) {
        const a = this.get(i, k);
        if (a === 0) continue;
        for (let j = 0; j < other.cols; j += 1) {
          out.data[i * other.cols + j] += a * other.get(k, j);
        }
      }
    }
    return out;
  }

  add(other: {{Matrix}}): {{Matrix}} {
    if (this.rows !== other.rows || this.cols !== other.cols) {
      throw new RangeError("matrix sizes differ");
    }
    const out = new {{Matrix}}(this.rows, this.cols);
    out.data.set(this.data.map((value, i) => value + other.data[i]));
    return out;
  }

  scale(factor: number): {{Matrix}} {
    return new {{Matrix}}(this.rows, this.cols, this.data.map((value) => value * factor));
  }

  static fromRows(rows: number[][]): {{Matrix}} {
    const width = rows[0]?.length ?? 0;
    if (rows.some((row) => row.length !== width)) {
      throw new RangeError("rows have different lengths");
    }
    return new {{Matrix}}(rows.length, width, rows.flat());
  }

  transpose(): {{Matrix}} {
    const out = new {{Matrix}}(this.cols, this.rows);
    for (let r = 0; r < this.rows; r += 1) {
      for (let c = 0; c < this.cols; c += 1) out.set(c, r, this.get(r, c));
    }
    return out;
  }

  toString(): string {
    const lines: string[] = [];
    for (let r = 0; r < this.rows; r += 1) {
      lines.push(Array.from({ length: this.cols }, (_, c) => this.get(r, c).toFixed({{digits}})).join(" "));
    }
    return lines.join("\\n");
  }
}
""",
    {"Matrix": ("Matrix", "Mat", "DenseMatrix"), "digits": ("2", "3", "4")},
)


TYPED_EVENTS = Unit(
    "bus",
    "a typed publish/subscribe bus",
    """type Handler<P> = (payload: P) => void | Promise<void>;

/**
 * Events are declared once as a map from name to payload type, so that publishing the
 * wrong payload is a compile error rather than a bug report.
 */
export class {{Bus}}<Events extends Record<string, unknown>> {
  private handlers: { [K in keyof Events]?: Handler<Events[K]>[] } = {};

  subscribe<K extends keyof Events>(event: K, handler: Handler<Events[K]>): () => void {
    const list = (this.handlers[event] ??= []);
    list.push(handler);
    return () => {
      this.handlers[event] = (this.handlers[event] ?? []).filter((h) => h !== handler);
    };
  }

  /** Call every handler; resolves when all have finished, collecting their failures. */
  async publish<K extends keyof Events>(event: K, payload: Events[K]): Promise<Error[]> {
    const list = [...(this.handlers[event] ?? [])];
    const outcomes = await Promise.allSettled(list.map(async (handler) => handler(payload)));
    return outcomes
      .filter((o): o is PromiseRejectedResult => o.status === "rejected")
      .map((o) => (o.reason instanceof Error ? o.reason : new Error(String(o.reason))));
  }

  count<K extends keyof Events>(event: K): number {
    return this.handlers[event]?.length ?? 0;
  }
}

export interface {{Pkg}}Events extends Record<string, unknown> {
  saved: { id: string; at: number };
  removed: { id: string };
  failed: { id: string; reason: string };
}
""",
    {"Bus": ("EventBus", "TypedBus", "Channel")},
)


INTERVALS = Unit(
    "ranges",
    "merging and intersecting numeric ranges",
    """export type Range = readonly [start: number, end: number];

/** Merge overlapping or adjacent ranges; the input may be in any order. */
export function {{merge}}(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  for (const [start, end] of sorted) {
    if (end < start) throw new RangeError(`range ends before it starts: [${start}, ${end}]`);
    const last = out[out.length - 1];
    if (last && start <= last[1] + {{gap}}) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

/** Parts covered by both lists (each list is merged first). */
export function {{intersect}}(a: readonly Range[], b: readonly Range[]): Range[] {
  const xs = {{merge}}(a);
  const ys = {{merge}}(b);
  const out: Range[] = [];
  let i = 0;
  let j = 0;
  while (i < xs.length && j < ys.length) {
    const start = Math.max(xs[i][0], ys[j][0]);
    const end = Math.min(xs[i][1], ys[j][1]);
    if (start <= end) out.push([start, end]);
    if (xs[i][1] < ys[j][1]) i += 1;
    else j += 1;
  }
  return out;
}

/** Parse "1-5,8,10-12" (as in page selections) into merged ranges. */
export function parseRanges(text: string): Range[] {
  const ranges: Range[] = [];
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\\d+)(?:-(\\d+))?$/.exec(part);
    if (!m) throw new SyntaxError(`bad range '${part}'`);
    const start = Number(m[1]);
    ranges.push([start, m[2] === undefined ? start : Number(m[2])]);
  }
  return {{merge}}(ranges);
}
""",
    {
        "merge": ("mergeRanges", "normalize", "coalesce"),
        "intersect": ("intersectRanges", "overlap"),
        "gap": ("0", "1"),
    },
)


TRIE = Unit(
    "completion",
    "prefix completion over a word list",
    """interface TrieNode {
  children: Map<string, TrieNode>;
  word: string | null;
  weight: number;
}

const node = (): TrieNode => ({ children: new Map(), word: null, weight: 0 });

/** Weighted autocompletion: the heaviest words that start with what the user typed. */
export class {{Completer}} {
  private readonly root = node();
  private count = 0;

  add(word: string, weight = 1): void {
    let current = this.root;
    for (const ch of word.toLowerCase()) {
      let next = current.children.get(ch);
      if (!next) {
        next = node();
        current.children.set(ch, next);
      }
      current = next;
    }
    if (current.word === null) this.count += 1;
    current.word = word;
    current.weight += weight;
  }

  get size(): number {
    return this.count;
  }

  has(word: string): boolean {
    let current: TrieNode | undefined = this.root;
    for (const ch of word.toLowerCase()) {
      current = current.children.get(ch);
      if (!current) return false;
    }
    return current.word !== null;
  }

  /** Build a completer from a word list; repeated words add up their weight. */
  static from(words: Iterable<string>): {{Completer}} {
    const completer = new {{Completer}}();
    for (const word of words) completer.add(word);
    return completer;
  }

  complete(prefix: string, limit = {{limit}}): string[] {
    let current: TrieNode | undefined = this.root;
    for (const ch of prefix.toLowerCase()) {
      current = current.children.get(ch);
      if (!current) return [];
    }
    const found: TrieNode[] = [];
    const stack: TrieNode[] = [current];
    while (stack.length) {
      const n = stack.pop() as TrieNode;
      if (n.word !== null) found.push(n);
      stack.push(...n.children.values());
    }
    return found
      .sort((a, b) => b.weight - a.weight || (a.word as string).localeCompare(b.word as string))
      .slice(0, limit)
      .map((n) => n.word as string);
  }
}
""",
    {"Completer": ("Completer", "Autocomplete", "PrefixIndex"), "limit": ("5", "8", "10")},
)
