"""JavaScript and TypeScript repositories: a browser helper library, a Node CLI, a typed
collections library and a small HTTP server."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

import base64
import hashlib
import json

from mellum_data.sample.bank_js import add_modules
from mellum_data.sample.repo_context import Generated, RepoContext
from mellum_data.sample.special import minified_js, png_bytes
from mellum_data.sample.templating import camel, fill

DEBOUNCE = """/**
 * Delay calls to `fn` until `wait` ms have passed without another call.
 * The returned function has `cancel()` and `flush()` like most debounce helpers.
 */
export function debounce(fn, wait = {{wait}}) {
  let timer = null;
  let lastArgs = null;
  let lastThis = null;

  function invoke() {
    const args = lastArgs;
    const ctx = lastThis;
    lastArgs = lastThis = null;
    timer = null;
    return fn.apply(ctx, args);
  }

  function debounced(...args) {
    lastArgs = args;
    lastThis = this;
    clearTimeout(timer);
    timer = setTimeout(invoke, wait);
  }

  debounced.cancel = () => {
    clearTimeout(timer);
    timer = lastArgs = lastThis = null;
  };
  debounced.flush = () => (timer ? (clearTimeout(timer), invoke()) : undefined);
  return debounced;
}

export function throttle(fn, interval = {{wait}}) {
  let last = 0;
  return function throttled(...args) {
    const now = Date.now();
    if (now - last >= interval) {
      last = now;
      fn.apply(this, args);
    }
  };
}
"""

RINGBUFFER = """/**
 * Fixed-size FIFO that overwrites the oldest item when full.
 * Useful for "last N events" panels and moving averages.
 */
export class {{Ring}} {
  constructor(size) {
    if (!Number.isInteger(size) || size <= 0) {
      throw new RangeError(`size must be a positive integer, got ${size}`);
    }
    this.{{items}} = new Array(size);
    this.size = size;
    this.start = 0;
    this.length = 0;
  }

  push(value) {
    const end = (this.start + this.length) % this.size;
    this.{{items}}[end] = value;
    if (this.length < this.size) {
      this.length += 1;
    } else {
      this.start = (this.start + 1) % this.size;
    }
  }

  shift() {
    if (this.length === 0) return undefined;
    const value = this.{{items}}[this.start];
    this.{{items}}[this.start] = undefined;
    this.start = (this.start + 1) % this.size;
    this.length -= 1;
    return value;
  }

  *[Symbol.iterator]() {
    for (let i = 0; i < this.length; i += 1) {
      yield this.{{items}}[(this.start + i) % this.size];
    }
  }

  toArray() {
    return [...this];
  }

  average() {
    if (this.length === 0) return NaN;
    let sum = 0;
    for (const v of this) sum += v;
    return sum / this.length;
  }
}
"""

DOM = """const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function on(element, event, selector, handler) {
  element.addEventListener(event, (e) => {
    const target = e.target.closest(selector);
    if (target && element.contains(target)) handler.call(target, e);
  });
}

export function render{{Cls}}List(container, {{vars}}) {
  container.innerHTML = {{vars}}
    .map((item) => `<li data-id="${item.id}">${escapeHtml(item.{{label}})}</li>`)
    .join("");
}
"""

TEST_RING = """import assert from "node:assert/strict";
import { test } from "node:test";
import { {{Ring}} } from "../src/ringbuffer.js";

test("keeps the last N items", () => {
  const ring = new {{Ring}}(3);
  [1, 2, 3, 4, 5].forEach((x) => ring.push(x));
  assert.deepEqual(ring.toArray(), [3, 4, 5]);
  assert.equal(ring.average(), 4);
});

test("shift empties in order", () => {
  const ring = new {{Ring}}(2);
  ring.push("a");
  ring.push("b");
  assert.equal(ring.shift(), "a");
  assert.equal(ring.shift(), "b");
  assert.equal(ring.shift(), undefined);
});

test("rejects bad sizes", () => {
  assert.throws(() => new {{Ring}}(0), RangeError);
});
"""

LOCK_PACKAGES = (
    "acorn",
    "ajv",
    "ansi-regex",
    "ansi-styles",
    "argparse",
    "balanced-match",
    "brace-expansion",
    "callsites",
    "chalk",
    "color-convert",
    "color-name",
    "concat-map",
    "cross-spawn",
    "debug",
    "deep-is",
    "escape-string-regexp",
    "eslint",
    "eslint-scope",
    "espree",
    "esquery",
    "esutils",
    "fast-deep-equal",
    "file-entry-cache",
    "find-up",
    "glob-parent",
    "globals",
    "has-flag",
    "ignore",
    "imurmurhash",
    "is-glob",
    "js-yaml",
    "json-schema-traverse",
    "levn",
    "lodash.merge",
    "minimatch",
    "ms",
    "optionator",
    "path-key",
    "prettier",
    "punycode",
    "shebang-command",
    "strip-json-comments",
    "supports-color",
    "type-check",
    "uri-js",
    "which",
    "word-wrap",
    "yocto-queue",
)


def package_lock(ctx: RepoContext, deps: dict[str, str]) -> str:
    rng = ctx.rng
    packages: dict[str, dict] = {
        "": {"name": ctx.name, "version": "1.0.0", "license": ctx.license, "devDependencies": deps}
    }
    for name in LOCK_PACKAGES:
        version = f"{rng.randint(0, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 12)}"
        digest = base64.b64encode(hashlib.sha512(f"{name}@{version}".encode()).digest()).decode()
        packages[f"node_modules/{name}"] = {
            "version": version,
            "resolved": f"https://registry.npmjs.org/{name}/-/{name.split('/')[-1]}-{version}.tgz",
            "integrity": f"sha512-{digest}",
            "dev": True,
        }
    lock = {
        "name": ctx.name,
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": True,
        "packages": packages,
    }
    return json.dumps(lock, indent=2) + "\n"


def package_json(ctx: RepoContext, extra: dict, license: str | None) -> str:
    pkg = {
        "name": ctx.name,
        "version": f"{ctx.rng.randint(0, 2)}.{ctx.rng.randint(0, 9)}.{ctx.rng.randint(0, 9)}",
        "description": ctx.description,
        "author": ctx.owner,
    }
    if license:
        pkg["license"] = license
    pkg.update(extra)
    return json.dumps(pkg, indent=2) + "\n"


def js_widget(ctx: RepoContext, out: Generated) -> None:
    rng, ent = ctx.rng, ctx.entity
    v = {
        "wait": str(rng.choice((100, 150, 200, 250))),
        "Ring": rng.choice(("RingBuffer", "CircularBuffer", "Ring")),
        "items": rng.choice(("items", "buf", "slots")),
        "Cls": ent.cls,
        "vars": camel(ent.plural),
        "label": camel(ent.fields[0][0]),
    }
    deps = {"eslint": "^8.57.0", "prettier": "^3.2.5"}
    ctx.description = "Tiny DOM, timing and buffer helpers for the browser."
    out.add(
        "package.json",
        package_json(
            ctx,
            {
                "type": "module",
                "main": "src/index.js",
                "scripts": {
                    "test": "node --test",
                    "build": "esbuild src/index.js --bundle --minify --outfile=dist/"
                    + ctx.name
                    + ".min.js",
                },
                "devDependencies": deps,
            },
            ctx.license,
        ),
    )
    out.add("package-lock.json", package_lock(ctx, deps), "generated")
    out.add("src/debounce.js", fill(DEBOUNCE, v))
    out.add("src/ringbuffer.js", fill(RINGBUFFER, v))
    out.add("src/dom.js", fill(DOM, v))
    out.add("test/ringbuffer.test.js", fill(TEST_RING, v))
    out.add(f"dist/{ctx.name}.min.js", minified_js(rng, ctx.Pkg, 30_000), "minified")
    out.add("assets/logo.png", png_bytes(rng, 48), "binary")
    out.add(
        ".eslintrc.json",
        json.dumps(
            {
                "env": {"browser": True, "es2022": True},
                "extends": "eslint:recommended",
                "parserOptions": {"sourceType": "module"},
            },
            indent=2,
        )
        + "\n",
    )
    exports = add_modules(ctx, out, "src", "esm", n_units=7)  # of 13: js_cli takes the rest
    out.add(
        "src/index.js",
        fill(
            'export { debounce, throttle } from "./debounce.js";\nexport { {{Ring}} } from "./ringbuffer.js";\n'
            'export { $, on, escapeHtml } from "./dom.js";\n',
            v,
        )
        + "".join(
            f'export {{ {", ".join(names)} }} from "./{stem}.js";\n'
            for stem, names in sorted(exports.items())
        ),
    )


INI = """"use strict";

/**
 * Parse INI text into { section: { key: value } }. Keys before the first
 * section go into the "" section. Values keep inner spaces; quotes are removed.
 */
function parseIni(text) {
  const result = { "": {} };
  let section = "";
  text.split(/\\r?\\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#")) {
      return;
    }
    const header = line.match(/^\\[([^\\]]+)\\]$/);
    if (header) {
      section = header[1].trim();
      result[section] = result[section] || {};
      return;
    }
    const eq = line.indexOf("=");
    if (eq === -1) {
      throw new SyntaxError(`line ${index + 1}: expected key = value`);
    }
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if (/^".*"$/.test(value)) {
      value = value.slice(1, -1);
    }
    result[section][key] = value;
  });
  return result;
}

function getBool(config, section, key, fallback = false) {
  const value = (config[section] || {})[key];
  if (value === undefined) return fallback;
  return ["1", "true", "yes", "on"].includes(value.toLowerCase());
}

module.exports = { parseIni, getBool };
"""

SEMVER = """"use strict";

const PATTERN = /^v?(\\d+)\\.(\\d+)\\.(\\d+)(?:-([0-9A-Za-z.-]+))?(?:\\+[0-9A-Za-z.-]+)?$/;

function parse(version) {
  const m = PATTERN.exec(version.trim());
  if (!m) {
    throw new TypeError(`invalid version: ${version}`);
  }
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    prerelease: m[4] ? m[4].split(".") : [],
  };
}

function compareIdentifiers(a, b) {
  const an = /^\\d+$/.test(a);
  const bn = /^\\d+$/.test(b);
  if (an && bn) return Number(a) - Number(b);
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function {{cmp}}(a, b) {
  const x = parse(a);
  const y = parse(b);
  for (const key of ["major", "minor", "patch"]) {
    if (x[key] !== y[key]) return x[key] - y[key];
  }
  if (!x.prerelease.length || !y.prerelease.length) {
    return y.prerelease.length - x.prerelease.length;
  }
  const n = Math.max(x.prerelease.length, y.prerelease.length);
  for (let i = 0; i < n; i += 1) {
    if (x.prerelease[i] === undefined) return -1;
    if (y.prerelease[i] === undefined) return 1;
    const c = compareIdentifiers(x.prerelease[i], y.prerelease[i]);
    if (c !== 0) return c;
  }
  return 0;
}

function maxSatisfying(versions, minimum) {
  return versions
    .filter((v) => {{cmp}}(v, minimum) >= 0)
    .sort({{cmp}})
    .pop() || null;
}

module.exports = { parse, {{cmp}}, maxSatisfying };
"""

STORE_JS = """"use strict";

const fs = require("node:fs");
const path = require("node:path");

class {{Cls}}Store {
  constructor(file) {
    this.file = path.resolve(file);
    this.{{vars}} = fs.existsSync(this.file) ? JSON.parse(fs.readFileSync(this.file, "utf8")) : [];
  }

  add({{var}}) {
    const id = this.{{vars}}.reduce((max, x) => Math.max(max, x.id), 0) + 1;
    const record = { id, ...{{var}} };
    this.{{vars}}.push(record);
    return record;
  }

  find(predicate) {
    return this.{{vars}}.filter(predicate);
  }

  remove(id) {
    const before = this.{{vars}}.length;
    this.{{vars}} = this.{{vars}}.filter((x) => x.id !== id);
    return this.{{vars}}.length < before;
  }

  save() {
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.{{vars}}, null, 2));
    fs.renameSync(tmp, this.file);
  }
}

module.exports = { {{Cls}}Store };
"""

CLI_JS = """#!/usr/bin/env node
"use strict";

const { parseIni, getBool } = require("../lib/config");
const { {{cmp}} } = require("../lib/semver");
const { {{Cls}}Store } = require("../lib/store");
const fs = require("node:fs");

function usage() {
  console.error("usage: {{name}} <list|add|check-version> [options]");
  process.exit(2);
}

function main(argv) {
  const [command, ...rest] = argv;
  const config = fs.existsSync(".{{name}}rc") ? parseIni(fs.readFileSync(".{{name}}rc", "utf8")) : { "": {} };
  const store = new {{Cls}}Store(config[""].data || "{{vars}}.json");
  switch (command) {
    case "list":
      for (const item of store.find(() => true)) {
        console.log(JSON.stringify(item));
      }
      break;
    case "add":
      console.log(store.add(JSON.parse(rest[0] || "{}")));
      store.save();
      break;
    case "check-version": {
      const [have, want] = rest;
      const ok = {{cmp}}(have, want) >= 0;
      if (getBool(config, "output", "verbose")) {
        console.log(`${have} ${ok ? ">=" : "<"} ${want}`);
      }
      process.exit(ok ? 0 : 1);
      break;
    }
    default:
      usage();
  }
}

main(process.argv.slice(2));
"""

# A report module whose last function lost its closing brace in a bad merge.
REPORT_BROKEN = """"use strict";

function formatRow(record, columns) {
  return columns.map((c) => String(record[c] ?? "")).join("\\t");
}

function report(records, columns) {
  const lines = [columns.join("\\t")];
  for (const record of records) {
    if (record.hidden) {
      continue;
    }
    lines.push(formatRow(record, columns));
  return lines.join("\\n");
}

module.exports = { report };
"""

TEST_SEMVER = """"use strict";

const assert = require("node:assert/strict");
const { test } = require("node:test");
const { parse, {{cmp}}, maxSatisfying } = require("../lib/semver");

test("parses prerelease", () => {
  assert.deepEqual(parse("1.2.3-beta.2").prerelease, ["beta", "2"]);
});

test("orders releases", () => {
  assert.ok({{cmp}}("1.10.0", "1.9.9") > 0);
  assert.ok({{cmp}}("2.0.0-rc.1", "2.0.0") < 0);
  assert.equal({{cmp}}("v3.1.4", "3.1.4"), 0);
});

test("picks the newest matching version", () => {
  assert.equal(maxSatisfying(["1.0.0", "1.4.2", "0.9.0"], "1.0.0"), "1.4.2");
  assert.equal(maxSatisfying(["0.1.0"], "1.0.0"), null);
});
"""


def fixtures_json(ctx: RepoContext, n: int) -> str:
    rng, ent = ctx.rng, ctx.entity
    rows = []
    for i in range(1, n + 1):
        row: dict[str, object] = {"id": i}
        for f, t in ent.fields:
            key = camel(f)
            if t == "str":
                row[key] = f"{f.replace(' ', '-')}-{rng.randint(1000, 99999)}"
            elif t == "int":
                row[key] = rng.randint(0, 5000)
            elif t == "float":
                row[key] = round(rng.uniform(0, 1000), 3)
            else:
                row[key] = rng.random() < 0.5
        row["tags"] = rng.sample(
            ["new", "sale", "archived", "featured", "draft", "imported"], k=rng.randint(0, 3)
        )
        rows.append(row)
    return json.dumps(rows, indent=2) + "\n"


def js_cli(ctx: RepoContext, out: Generated) -> None:
    rng, ent = ctx.rng, ctx.entity
    v = {
        "cmp": rng.choice(("compare", "compareVersions", "semverCompare")),
        "Cls": ent.cls,
        "vars": camel(ent.plural),
        "var": camel(ent.name) + "Data",  # "package" is reserved in strict mode
        "name": ctx.name,
    }
    ctx.description = f"Command-line tool to keep a list of {ent.plural} in a JSON file."
    # The license is declared only here: the repository has no LICENSE file.
    out.add(
        "package.json",
        package_json(
            ctx,
            {
                "bin": {ctx.name: f"bin/{ctx.name}.js"},
                "main": "lib/store.js",
                "scripts": {"test": "node --test test/"},
                "engines": {"node": ">=18"},
            },
            ctx.license,
        ),
    )
    out.add(f"bin/{ctx.name}.js", fill(CLI_JS, v))
    out.add("lib/config.js", INI)
    out.add("lib/semver.js", fill(SEMVER, v))
    out.add("lib/store.js", fill(STORE_JS, v))
    out.add("lib/legacy/report.js", REPORT_BROKEN, "syntax_error")
    out.add("test/semver.test.js", fill(TEST_SEMVER, v))
    out.add(f"fixtures/{ent.vars}.json", fixtures_json(ctx, 600), "data")
    out.add(".gitignore", "node_modules/\n*.log\ncoverage/\n")
    add_modules(ctx, out, "lib", "cjs")
