"""TypeScript units for the code bank (written for this project)."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank import Bank, Filled, Unit, block_comment, filled, heading, join_bodies
from mellum_data.sample.bank_ts_more import (
    CURSOR,
    INTERVALS,
    MATRIX,
    POINTER,
    TRIE,
    TYPED_EVENTS,
)
from mellum_data.sample.repo_context import Generated, RepoContext

RESULT = Unit(
    "result",
    "a Result type for errors as values",
    """export type {{Result}}<T, E = Error> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): {{Result}}<T, never> => ({ ok: true, value });
export const err = <E>(error: E): {{Result}}<never, E> => ({ ok: false, error });

/** Run `fn` and capture a thrown error instead of letting it propagate. */
export function {{attempt}}<T>(fn: () => T): {{Result}}<T> {
  try {
    return ok(fn());
  } catch (e) {
    return err(e instanceof Error ? e : new Error(String(e)));
  }
}

export function mapResult<T, U, E>(result: {{Result}}<T, E>, fn: (value: T) => U): {{Result}}<U, E> {
  return result.ok ? ok(fn(result.value)) : result;
}

/** The values of all results, or the first error among them. */
export function collect<T, E>(results: readonly {{Result}}<T, E>[]): {{Result}}<T[], E> {
  const values: T[] = [];
  for (const result of results) {
    if (!result.ok) return result;
    values.push(result.value);
  }
  return ok(values);
}

export function unwrapOr<T, E>(result: {{Result}}<T, E>, fallback: T): T {
  return result.ok ? result.value : fallback;
}

/** Await a promise and capture its rejection as an error value. */
export async function fromPromise<T>(promise: Promise<T>): Promise<{{Result}}<T>> {
  try {
    return ok(await promise);
  } catch (e) {
    return err(e instanceof Error ? e : new Error(String(e)));
  }
}

/** Split results into the successes and the failures, keeping their order. */
export function partition<T, E>(results: Iterable<{{Result}}<T, E>>): [values: T[], errors: E[]] {
  const values: T[] = [];
  const errors: E[] = [];
  for (const result of results) {
    if (result.ok) values.push(result.value);
    else errors.push(result.error);
  }
  return [values, errors];
}
""",
    {"Result": ("Result", "Outcome"), "attempt": ("attempt", "tryCatch", "safely")},
)

SCHEMA = Unit(
    "schema",
    "runtime validation of untrusted input",
    """export interface Issue {
  path: string;
  message: string;
}

export type Validator<T> = (value: unknown, path: string, issues: Issue[]) => T | undefined;

export const string = (opts: { min?: number; max?: number } = {}): Validator<string> => (value, path, issues) => {
  if (typeof value !== "string") {
    issues.push({ path, message: "expected a string" });
    return undefined;
  }
  if (opts.min !== undefined && value.length < opts.min) issues.push({ path, message: `shorter than ${opts.min}` });
  if (opts.max !== undefined && value.length > opts.max) issues.push({ path, message: `longer than ${opts.max}` });
  return value;
};

export const number = (opts: { integer?: boolean; min?: number } = {}): Validator<number> => (value, path, issues) => {
  if (typeof value !== "number" || Number.isNaN(value)) {
    issues.push({ path, message: "expected a number" });
    return undefined;
  }
  if (opts.integer && !Number.isInteger(value)) issues.push({ path, message: "expected an integer" });
  if (opts.min !== undefined && value < opts.min) issues.push({ path, message: `less than ${opts.min}` });
  return value;
};

export function object<T extends Record<string, unknown>>(shape: { [K in keyof T]: Validator<T[K]> }): Validator<T> {
  return (value, path, issues) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      issues.push({ path, message: "expected an object" });
      return undefined;
    }
    const out: Partial<T> = {};
    for (const key of Object.keys(shape) as (keyof T)[]) {
      const child = (value as Record<string, unknown>)[key as string];
      out[key] = shape[key](child, `${path}.${String(key)}`, issues);
    }
    return out as T;
  };
}

/** Validate and return the typed value, or throw one error listing every problem found. */
export function {{parse}}<T>(validator: Validator<T>, value: unknown): T {
  const issues: Issue[] = [];
  const result = validator(value, "$", issues);
  if (issues.length > 0) {
    throw new TypeError(issues.map((i) => `${i.path}: ${i.message}`).join("; "));
  }
  return result as T;
}
""",
    {"parse": ("parse", "validate", "check")},
)

STORE = Unit(
    "store",
    "an observable state container",
    """export type Listener<S> = (state: S, previous: S) => void;
export type Reducer<S, A> = (state: S, action: A) => S;

/**
 * Holds one immutable state value; `dispatch` computes the next one with the reducer and
 * tells subscribers. Listeners added during a dispatch first hear the next one.
 */
export class {{Store}}<S, A> {
  private state: S;
  private listeners: Listener<S>[] = [];
  private dispatching = false;

  constructor(private readonly reducer: Reducer<S, A>, initial: S) {
    this.state = initial;
  }

  getState(): S {
    return this.state;
  }

  dispatch(action: A): void {
    if (this.dispatching) {
      throw new Error("reducers may not dispatch actions");
    }
    const previous = this.state;
    this.dispatching = true;
    try {
      this.state = this.reducer(previous, action);
    } finally {
      this.dispatching = false;
    }
    if (this.state !== previous) {
      for (const listener of [...this.listeners]) listener(this.state, previous);
    }
  }

  subscribe(listener: Listener<S>): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Subscribe to one derived value; the listener runs only when that value changes. */
  select<T>(selector: (state: S) => T, listener: (value: T) => void): () => void {
    let current = selector(this.state);
    return this.subscribe((state) => {
      const next = selector(state);
      if (!Object.is(next, current)) {
        current = next;
        listener(next);
      }
    });
  }
}
""",
    {"Store": ("Store", "StateContainer", "Atom")},
)

GRAPH = Unit(
    "graph",
    "breadth-first search over an adjacency list",
    """export class {{Graph}}<T> {
  private readonly edges = new Map<T, Set<T>>();

  addEdge(from: T, to: T, undirected = {{undirected}}): this {
    this.neighbours(from).add(to);
    this.neighbours(to);
    if (undirected) this.neighbours(to).add(from);
    return this;
  }

  private neighbours(node: T): Set<T> {
    let set = this.edges.get(node);
    if (!set) {
      set = new Set<T>();
      this.edges.set(node, set);
    }
    return set;
  }

  get size(): number {
    return this.edges.size;
  }

  /** Fewest-edges path from `start` to `goal`, both included; null when unreachable. */
  shortestPath(start: T, goal: T): T[] | null {
    if (!this.edges.has(start)) return null;
    const parent = new Map<T, T | null>([[start, null]]);
    const queue: T[] = [start];
    for (let head = 0; head < queue.length; head += 1) {
      const node = queue[head];
      if (node === goal) {
        const path: T[] = [];
        for (let at: T | null = node; at !== null; at = parent.get(at) ?? null) path.push(at);
        return path.reverse();
      }
      for (const next of this.edges.get(node) ?? []) {
        if (!parent.has(next)) {
          parent.set(next, node);
          queue.push(next);
        }
      }
    }
    return null;
  }

  /** Groups of nodes reachable from each other, treating every edge as undirected. */
  components(): T[][] {
    const undirected = new Map<T, T[]>();
    for (const [from, tos] of this.edges) {
      for (const to of tos) {
        undirected.set(from, [...(undirected.get(from) ?? []), to]);
        undirected.set(to, [...(undirected.get(to) ?? []), from]);
      }
    }
    const seen = new Set<T>();
    const groups: T[][] = [];
    for (const node of this.edges.keys()) {
      if (seen.has(node)) continue;
      const group: T[] = [];
      const stack = [node];
      seen.add(node);
      while (stack.length) {
        const current = stack.pop() as T;
        group.push(current);
        for (const next of undirected.get(current) ?? []) {
          if (!seen.has(next)) {
            seen.add(next);
            stack.push(next);
          }
        }
      }
      groups.push(group);
    }
    return groups;
  }
}
""",
    {"Graph": ("Graph", "AdjacencyGraph", "Network"), "undirected": ("false", "true")},
)

SLIDING = Unit(
    "window",
    "sliding-window rate limiting",
    """export interface LimitDecision {
  allowed: boolean;
  remaining: number;
  retryAfterMs: number;
}

/**
 * Allows `limit` events per `windowMs` for each key, counting exact timestamps (a sliding
 * log). Memory grows with the limit, which is fine for the per-user limits of a small API.
 */
export class {{Limiter}} {
  private readonly log = new Map<string, number[]>();

  constructor(
    private readonly limit: number = {{limit}},
    private readonly windowMs: number = {{window}},
    private readonly now: () => number = Date.now,
  ) {
    if (limit < 1) throw new RangeError("limit must be at least 1");
  }

  check(key: string): LimitDecision {
    const t = this.now();
    const since = t - this.windowMs;
    const stamps = (this.log.get(key) ?? []).filter((s) => s > since);
    if (stamps.length >= this.limit) {
      this.log.set(key, stamps);
      return { allowed: false, remaining: 0, retryAfterMs: stamps[0] + this.windowMs - t };
    }
    stamps.push(t);
    this.log.set(key, stamps);
    return { allowed: true, remaining: this.limit - stamps.length, retryAfterMs: 0 };
  }

  /** Drop keys with no recent events; call it from a timer to bound memory. */
  sweep(): number {
    const since = this.now() - this.windowMs;
    let removed = 0;
    for (const [key, stamps] of this.log) {
      if (stamps.every((s) => s <= since)) {
        this.log.delete(key);
        removed += 1;
      }
    }
    return removed;
  }
}
""",
    {
        "Limiter": ("SlidingWindowLimiter", "RateLimiter", "Throttle"),
        "limit": ("60", "100", "30"),
        "window": ("60_000", "1000", "10_000"),
    },
)

RELATIVE = Unit(
    "time",
    "relative time formatting and date arithmetic",
    """const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

/** "3 hours ago", "in 2 days": the largest unit that fits, rounded toward zero. */
export function {{relative}}(date: Date, now: Date = new Date(), locale = "{{locale}}"): string {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "second") {
      return format.format(Math.trunc(seconds / size), unit);
    }
  }
  return format.format(0, "second");
}

export function addDays(date: Date, days: number): Date {
  const copy = new Date(date.getTime());
  copy.setUTCDate(copy.getUTCDate() + days);
  return copy;
}

/** Calendar days between two dates in UTC, ignoring the time of day. */
export function daysBetween(a: Date, b: Date): number {
  const day = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return Math.round((day(b) - day(a)) / 86_400_000);
}

/** ISO 8601 week number: weeks start on Monday and week 1 holds the first Thursday. */
export function isoWeek(date: Date): number {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const dayNumber = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - dayNumber);
  const yearStart = new Date(Date.UTC(d.getUTCFullYear(), 0, 1));
  return Math.ceil(((d.getTime() - yearStart.getTime()) / 86_400_000 + 1) / 7);
}
""",
    {"relative": ("timeAgo", "relativeTime", "formatRelative"), "locale": ("en", "en-GB", "en-US")},
)

UNITS = (
    RESULT,
    SCHEMA,
    STORE,
    GRAPH,
    SLIDING,
    RELATIVE,
    CURSOR,
    POINTER,
    MATRIX,
    TYPED_EVENTS,
    INTERVALS,
    TRIE,
)
BANK = Bank("typescript", UNITS)


def render(ctx: RepoContext, f: Filled) -> str:
    return block_comment(heading(ctx, f.summaries), "/**") + "\n" + join_bodies(f.bodies)


def add_modules(
    ctx: RepoContext, out: Generated, folder: str, n_units: int | None = None
) -> list[str]:
    """Deal the bank into ``folder/<stem>.ts`` files; returns the stems."""
    stems = []
    for f in filled(ctx, BANK, n_units):
        out.add_new(f"{folder}/{f.stem}.ts", render(ctx, f))
        stems.append(f.stem)
    return stems
