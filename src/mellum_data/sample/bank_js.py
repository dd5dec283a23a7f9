"""JavaScript units for the code bank (written for this project).

Units are plain declarations; the renderer adds the exports as an ES module or CommonJS.
"""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank import Bank, Filled, Unit, block_comment, filled, heading, join_bodies
from mellum_data.sample.bank_js_more import (
    CALC,
    COLOR,
    LEVENSHTEIN,
    LRU,
    RETRY,
    SORTED,
    TABLE,
)
from mellum_data.sample.repo_context import Generated, RepoContext

QUERY = Unit(
    "query",
    "query string parsing and building",
    """/**
 * Parse "a=1&b=two&b=three&flag" into { a: "1", b: ["two", "three"], flag: "" }.
 * Repeated keys collect into arrays, which is what most servers do with them.
 */
function {{parse}}(query) {
  const result = Object.create(null);
  const text = query.startsWith("?") ? query.slice(1) : query;
  for (const part of text.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const rawKey = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? "" : part.slice(eq + 1);
    const key = decodeURIComponent(rawKey.replace(/\\+/g, " "));
    const value = decodeURIComponent(rawValue.replace(/\\+/g, " "));
    if (key in result) {
      const previous = result[key];
      result[key] = Array.isArray(previous) ? [...previous, value] : [previous, value];
    } else {
      result[key] = value;
    }
  }
  return result;
}

/** The inverse of parsing; keys are sorted so that equal objects give equal strings. */
function {{build}}(params) {
  const parts = [];
  for (const key of Object.keys(params).sort()) {
    const value = params[key];
    if (value === undefined || value === null) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(item))}`);
    }
  }
  return parts.length ? `?${parts.join("&")}` : "";
}
""",
    {
        "parse": ("parseQuery", "parseSearch", "decodeQuery"),
        "build": ("buildQuery", "stringifyQuery", "encodeQuery"),
    },
    exports=("{{parse}}", "{{build}}"),
)

DEEP = Unit(
    "objects",
    "deep equality and deep merging of plain objects",
    """function isPlainObject(value) {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Structural equality for JSON-like values: objects, arrays, dates and primitives. */
function {{equal}}(a, b) {
  if (Object.is(a, b)) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => {{equal}}(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keysA = Object.keys(a);
    const keysB = Object.keys(b);
    if (keysA.length !== keysB.length) return false;
    return keysA.every((key) => Object.prototype.hasOwnProperty.call(b, key) && {{equal}}(a[key], b[key]));
  }
  return false;
}

/**
 * Merge `source` into a copy of `target`: nested objects merge, everything else (arrays
 * included) is replaced. Neither argument is modified.
 */
function {{merge}}(target, source) {
  const out = { ...target };
  for (const [key, value] of Object.entries(source)) {
    if (key === "__proto__" || key === "constructor") continue; // prototype pollution
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? {{merge}}(out[key], value) : value;
  }
  return out;
}
""",
    {
        "equal": ("deepEqual", "isEqual", "sameValue"),
        "merge": ("deepMerge", "mergeDeep", "mergeOptions"),
    },
    exports=("{{equal}}", "{{merge}}", "isPlainObject"),
)

EMITTER = Unit(
    "events",
    "an event emitter with one-shot listeners",
    """class {{Emitter}} {
  constructor() {
    this.listeners = new Map();
  }

  on(event, listener) {
    if (typeof listener !== "function") {
      throw new TypeError(`listener for "${event}" must be a function`);
    }
    if (!this.listeners.has(event)) this.listeners.set(event, []);
    this.listeners.get(event).push(listener);
    return () => this.off(event, listener);
  }

  once(event, listener) {
    const wrapper = (...args) => {
      this.off(event, wrapper);
      listener.apply(this, args);
    };
    wrapper.original = listener;
    return this.on(event, wrapper);
  }

  off(event, listener) {
    const list = this.listeners.get(event);
    if (!list) return;
    const index = list.findIndex((l) => l === listener || l.original === listener);
    if (index !== -1) list.splice(index, 1);
    if (list.length === 0) this.listeners.delete(event);
  }

  emit(event, ...args) {
    // Copy first: a listener may remove itself (or others) while we iterate.
    const list = [...(this.listeners.get(event) || [])];
    for (const listener of list) listener.apply(this, args);
    return list.length > 0;
  }

  listenerCount(event) {
    return (this.listeners.get(event) || []).length;
  }
}

/**
 * Resolve with the arguments of the next `event`, or reject after `timeoutMs` so that a
 * test or a startup sequence waiting for "ready" cannot hang forever.
 */
function {{waitFor}}(emitter, event, timeoutMs = {{timeout}}) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for "${event}"`));
    }, timeoutMs);
    const off = emitter.once(event, (...args) => {
      clearTimeout(timer);
      resolve(args.length > 1 ? args : args[0]);
    });
  });
}
""",
    {
        "Emitter": ("Emitter", "EventBus", "TinyEmitter"),
        "waitFor": ("waitFor", "nextEvent", "once"),
        "timeout": ("5000", "2000", "10000"),
    },
    exports=("{{Emitter}}", "{{waitFor}}"),
)

ROUTER = Unit(
    "router",
    "request routing with path parameters",
    """function compile(pattern) {
  const names = [];
  const source = pattern
    .split("/")
    .map((segment) => {
      if (segment.startsWith(":")) {
        names.push(segment.slice(1));
        return "([^/]+)";
      }
      if (segment === "*") {
        names.push("rest");
        return "(.*)";
      }
      return segment.replace(/[.*+?^${}()|[\\]\\\\]/g, "\\\\$&");
    })
    .join("/");
  return { regex: new RegExp(`^${source}/?$`), names };
}

class {{Router}} {
  constructor() {
    this.routes = [];
  }

  add(method, pattern, handler) {
    this.routes.push({ method: method.toUpperCase(), handler, ...compile(pattern) });
    return this;
  }

  get(pattern, handler) {
    return this.add("GET", pattern, handler);
  }

  post(pattern, handler) {
    return this.add("POST", pattern, handler);
  }

  /** Find the handler for a request; `status` is 404 or 405 when there is none. */
  match(method, path) {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method.toUpperCase()) continue;
      const params = {};
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1]);
      });
      return { handler: route.handler, params, status: 200 };
    }
    return { handler: null, params: {}, status: pathMatched ? 405 : 404 };
  }
}
""",
    {"Router": ("Router", "RouteTable", "Routes")},
    exports=("{{Router}}",),
)

ARGV = Unit(
    "args",
    "command-line flag parsing",
    """/**
 * Parse process.argv-style arguments: `--name value`, `--name=value`, `-abc` (three boolean
 * flags), `--no-color` (false) and `--` (everything after it is positional).
 */
function {{parseArgs}}(argv, { booleans = [], aliases = {} } = {}) {
  const flags = {};
  const positional = [];
  const isBoolean = (name) => booleans.includes(name);
  const canonical = (name) => aliases[name] || name;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--no-")) {
      flags[canonical(arg.slice(5))] = false;
    } else if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = canonical(eq === -1 ? arg.slice(2) : arg.slice(2, eq));
      if (eq !== -1) {
        flags[name] = arg.slice(eq + 1);
      } else if (isBoolean(name) || i + 1 >= argv.length || argv[i + 1].startsWith("-")) {
        flags[name] = true;
      } else {
        flags[name] = argv[i + 1];
        i += 1;
      }
    } else if (arg.startsWith("-") && arg.length > 1) {
      for (const letter of arg.slice(1)) flags[canonical(letter)] = true;
    } else {
      positional.push(arg);
    }
  }
  return { flags, positional };
}

function {{usage}}(name, options) {
  const width = Math.max(...options.map((o) => o.flag.length));
  const lines = options.map((o) => `  ${o.flag.padEnd(width)}  ${o.help}`);
  return [`usage: ${name} [options] <files...>`, "", "options:", ...lines].join("\\n");
}
""",
    {"parseArgs": ("parseArgs", "parseArgv", "readFlags"), "usage": ("formatUsage", "usageText")},
    exports=("{{parseArgs}}", "{{usage}}"),
)

POOL = Unit(
    "pool",
    "running promises with a concurrency limit",
    """/**
 * Run `worker(item)` for every item with at most `limit` calls in flight; results keep the
 * order of `items`. The first rejection stops new work and rejects the returned promise.
 */
async function {{mapLimit}}(items, limit, worker) {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }
  const results = new Array(items.length);
  let next = 0;
  let failed = false;
  async function lane() {
    while (!failed && next < items.length) {
      const index = next;
      next += 1;
      try {
        results[index] = await worker(items[index], index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  }
  const lanes = [];
  for (let i = 0; i < Math.min(limit, items.length); i += 1) lanes.push(lane());
  await Promise.all(lanes);
  return results;
}

/** Resolve after `ms` milliseconds; rejects early when `signal` aborts. */
function {{sleep}}(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) {
      reject(new Error("aborted"));
      return;
    }
    const timer = setTimeout(resolve, ms);
    if (signal) {
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(new Error("aborted"));
      }, { once: true });
    }
  });
}
""",
    {"mapLimit": ("mapLimit", "pooledMap", "runLimited"), "sleep": ("sleep", "delay", "wait")},
    exports=("{{mapLimit}}", "{{sleep}}"),
)

UNITS = (
    QUERY,
    DEEP,
    EMITTER,
    ROUTER,
    ARGV,
    POOL,
    COLOR,
    TABLE,
    CALC,
    SORTED,
    LEVENSHTEIN,
    LRU,
    RETRY,
)
BANK = Bank("javascript", UNITS)


def render(ctx: RepoContext, f: Filled, module: str = "esm") -> str:
    """A module with a header comment; exports as ``export {...}`` or ``module.exports``."""
    head = block_comment(heading(ctx, f.summaries), "/**")
    names = ", ".join(f.exports)
    if module == "cjs":
        return (
            f'"use strict";\n\n{head}\n'
            + join_bodies(f.bodies)
            + f"\nmodule.exports = {{ {names} }};\n"
        )
    return f"{head}\n" + join_bodies(f.bodies) + f"\nexport {{ {names} }};\n"


def add_modules(
    ctx: RepoContext, out: Generated, folder: str, module: str = "esm", n_units: int | None = None
) -> dict[str, tuple[str, ...]]:
    """Deal the bank into ``folder/<stem>.js`` files; returns each stem's exported names."""
    exports = {}
    for f in filled(ctx, BANK, n_units):
        out.add_new(f"{folder}/{f.stem}.js", render(ctx, f, module))
        exports[f.stem] = f.exports
    return exports
