"""TypeScript repositories: a typed collections library and a small HTTP API server."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

import json

from mellum_data.sample.bank_ts import add_modules
from mellum_data.sample.code_js import package_json
from mellum_data.sample.repo_context import Generated, RepoContext
from mellum_data.sample.templating import camel, fill

TS_TYPES = {"str": "string", "int": "number", "float": "number", "bool": "boolean"}

TSCONFIG = (
    json.dumps(
        {
            "compilerOptions": {
                "target": "ES2022",
                "module": "NodeNext",
                "moduleResolution": "NodeNext",
                "strict": True,
                "declaration": True,
                "outDir": "dist",
                "rootDir": "src",
                "esModuleInterop": True,
                "skipLibCheck": True,
            },
            "include": ["src"],
        },
        indent=2,
    )
    + "\n"
)

HEAP = """/**
 * Binary min-heap ordered by a comparator. push/pop are O(log n), peek is O(1).
 */
export type Comparator<T> = (a: T, b: T) => number;

export class {{Heap}}<T> {
  private readonly {{data}}: T[] = [];

  constructor(private readonly compare: Comparator<T>) {}

  get size(): number {
    return this.{{data}}.length;
  }

  peek(): T | undefined {
    return this.{{data}}[0];
  }

  push(value: T): void {
    this.{{data}}.push(value);
    this.siftUp(this.{{data}}.length - 1);
  }

  pop(): T | undefined {
    const top = this.{{data}}[0];
    const last = this.{{data}}.pop();
    if (this.{{data}}.length > 0 && last !== undefined) {
      this.{{data}}[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(this.{{data}}[i], this.{{data}}[parent]) >= 0) break;
      [this.{{data}}[i], this.{{data}}[parent]] = [this.{{data}}[parent], this.{{data}}[i]];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.{{data}}.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && this.compare(this.{{data}}[left], this.{{data}}[smallest]) < 0) smallest = left;
      if (right < n && this.compare(this.{{data}}[right], this.{{data}}[smallest]) < 0) smallest = right;
      if (smallest === i) return;
      [this.{{data}}[i], this.{{data}}[smallest]] = [this.{{data}}[smallest], this.{{data}}[i]];
      i = smallest;
    }
  }
}

export function topK<T>(items: Iterable<T>, k: number, compare: Comparator<T>): T[] {
  const heap = new {{Heap}}<T>(compare);
  for (const item of items) {
    heap.push(item);
    if (heap.size > k) heap.pop();
  }
  const out: T[] = [];
  while (heap.size > 0) out.push(heap.pop() as T);
  return out.reverse();
}
"""

EMITTER = """type Listener<T> = (payload: T) => void;

/** A typed event emitter: the event map fixes each event's payload type. */
export class Emitter<Events extends Record<string, unknown>> {
  private listeners: { [K in keyof Events]?: Set<Listener<Events[K]>> } = {};

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const set = (this.listeners[event] ??= new Set());
    set.add(listener);
    return () => set.delete(listener);
  }

  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    const off = this.on(event, (payload) => {
      off();
      listener(payload);
    });
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): number {
    const set = this.listeners[event];
    if (!set) return 0;
    for (const listener of [...set]) listener(payload);
    return set.size;
  }
}
"""

TYPES = """export interface {{Cls}} {
  id: number;
{{fields}}
}

export type New{{Cls}} = Omit<{{Cls}}, "id">;

export interface {{Cls}}Events {
  added: {{Cls}};
  removed: { id: number };
  cleared: undefined;
}
"""

TEST_HEAP = """import { describe, expect, it } from "vitest";
import { {{Heap}}, topK } from "../src/heap";

describe("{{Heap}}", () => {
  it("pops in ascending order", () => {
    const heap = new {{Heap}}<number>((a, b) => a - b);
    [5, 1, 4, 2, 3].forEach((x) => heap.push(x));
    const out: number[] = [];
    while (heap.size) out.push(heap.pop()!);
    expect(out).toEqual([1, 2, 3, 4, 5]);
  });

  it("keeps the k largest", () => {
    expect(topK([3, 9, 1, 7, 5], 2, (a, b) => a - b)).toEqual([9, 7]);
  });
});
"""


def ts_lib(ctx: RepoContext, out: Generated) -> None:
    rng, ent = ctx.rng, ctx.entity
    v = {
        "Heap": rng.choice(("MinHeap", "PriorityQueue", "BinaryHeap")),
        "data": rng.choice(("data", "nodes", "heap")),
        "Cls": ent.cls,
        "fields": "\n".join(f"  {camel(f)}: {TS_TYPES[t]};" for f, t in ent.fields),
    }
    ctx.description = "Typed heaps and event emitters for TypeScript."
    out.add(
        "package.json",
        package_json(
            ctx,
            {
                "type": "module",
                "main": "dist/index.js",
                "types": "dist/index.d.ts",
                "scripts": {"build": "tsc", "test": "vitest run"},
                "devDependencies": {
                    "@types/node": "^20.12.0",
                    "typescript": "^5.4.0",
                    "vitest": "^1.5.0",
                },
            },
            ctx.license,
        ),
    )
    out.add("tsconfig.json", TSCONFIG)
    out.add("src/heap.ts", fill(HEAP, v))
    out.add("src/emitter.ts", EMITTER)
    out.add("src/types.ts", fill(TYPES, v))
    out.add("tests/heap.test.ts", fill(TEST_HEAP, v))
    out.add(".gitignore", "node_modules/\ndist/\n")
    stems = add_modules(ctx, out, "src")
    out.add(
        "src/index.ts",
        fill(
            'export { {{Heap}}, topK } from "./heap";\nexport type { Comparator } from "./heap";\n'
            'export { Emitter } from "./emitter";\nexport type { {{Cls}}, New{{Cls}} } from "./types";\n',
            v,
        )
        + "".join(f'export * from "./{stem}";\n' for stem in sorted(stems)),
    )


RETRY = """export interface RetryOptions {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  retryOn?: (error: unknown) => boolean;
}

const DEFAULTS: RetryOptions = { retries: {{retries}}, baseDelayMs: {{base}}, maxDelayMs: 5_000 };

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with full jitter: delay = random(0, min(max, base * 2^attempt)). */
export function backoffDelay(attempt: number, opts: RetryOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

export async function {{retry}}<T>(fn: () => Promise<T>, options: Partial<RetryOptions> = {}): Promise<T> {
  const opts = { ...DEFAULTS, ...options };
  let lastError: unknown;
  for (let attempt = 0; attempt <= opts.retries; attempt++) {
    try {
      return await fn();
    } catch (error) {
      lastError = error;
      if (attempt === opts.retries || (opts.retryOn && !opts.retryOn(error))) break;
      await sleep(backoffDelay(attempt, opts));
    }
  }
  throw lastError;
}
"""

VALIDATION = """export type Check<T> = (value: unknown) => value is T;

export const isString: Check<string> = (v): v is string => typeof v === "string" && v.trim() !== "";
export const isNumber: Check<number> = (v): v is number => typeof v === "number" && Number.isFinite(v);
export const isBoolean: Check<boolean> = (v): v is boolean => typeof v === "boolean";

export function validate(body: unknown, schema: Record<string, Check<unknown>>): string[] {
  if (typeof body !== "object" || body === null) return ["body must be a JSON object"];
  const record = body as Record<string, unknown>;
  return Object.entries(schema)
    .filter(([key, check]) => !check(record[key]))
    .map(([key]) => `invalid or missing field: ${key}`);
}
"""

ROUTES = """import type { IncomingMessage, ServerResponse } from "node:http";
import { isBoolean, isNumber, isString, validate } from "../validation";

interface {{Cls}} {
  id: number;
{{fields}}
}

const {{vars}} = new Map<number, {{Cls}}>();
let nextId = 1;

const schema = {
{{schema}}
};

function send(res: ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(payload));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "null");
}

export async function handle{{Cls}}s(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === "GET") {
    send(res, 200, [...{{vars}}.values()]);
    return;
  }
  if (req.method === "POST") {
    const body = await readJson(req);
    const errors = validate(body, schema);
    if (errors.length > 0) {
      send(res, 400, { errors });
      return;
    }
    const item = { ...(body as Omit<{{Cls}}, "id">), id: nextId++ };
    {{vars}}.set(item.id, item);
    send(res, 201, item);
    return;
  }
  send(res, 405, { error: "method not allowed" });
}
"""

SERVER = """import { createServer } from "node:http";
import { handle{{Cls}}s } from "./routes/{{vars}}";
import { {{retry}} } from "./retry";

const PORT = Number(process.env.PORT ?? {{port}});

const server = createServer(async (req, res) => {
  const started = Date.now();
  try {
    if (req.url?.startsWith("/{{vars}}")) {
      await handle{{Cls}}s(req, res);
    } else if (req.url === "/healthz") {
      res.writeHead(200).end("ok");
    } else {
      res.writeHead(404).end();
    }
  } catch (err) {
    console.error(err);
    res.writeHead(500).end();
  } finally {
    console.log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`);
  }
});

{{retry}}(
  () =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(PORT, () => resolve());
    }),
  { retries: 3 },
).then(() => console.log(`listening on :${PORT}`));
"""

TEST_RETRY = """import { describe, expect, it } from "vitest";
import { backoffDelay, {{retry}} } from "../src/retry";

describe("{{retry}}", () => {
  it("returns after transient failures", async () => {
    let calls = 0;
    const value = await {{retry}}(async () => {
      calls += 1;
      if (calls < 3) throw new Error("flaky");
      return "done";
    }, { baseDelayMs: 1 });
    expect(value).toBe("done");
    expect(calls).toBe(3);
  });

  it("caps the delay", () => {
    const opts = { retries: 5, baseDelayMs: 100, maxDelayMs: 300 };
    expect(backoffDelay(10, opts, () => 0.999)).toBeLessThan(300);
  });
});
"""


def ts_server(ctx: RepoContext, out: Generated) -> None:
    rng, ent = ctx.rng, ctx.entity
    checks = {"str": "isString", "int": "isNumber", "float": "isNumber", "bool": "isBoolean"}
    v = {
        "retry": rng.choice(("retry", "withRetry", "retryAsync")),
        "retries": str(rng.randint(3, 6)),
        "base": str(rng.choice((50, 100, 200))),
        "Cls": ent.cls,
        "vars": camel(ent.plural),
        "port": str(rng.choice((3000, 8080, 4000))),
        "fields": "\n".join(f"  {camel(f)}: {TS_TYPES[t]};" for f, t in ent.fields),
        "schema": "\n".join(f"  {camel(f)}: {checks[t]}," for f, t in ent.fields),
    }
    ctx.description = f"A small HTTP API for {ent.plural}, with retries and validation."
    out.add(
        "package.json",
        package_json(
            ctx,
            {
                "type": "module",
                "scripts": {"start": "tsx src/server.ts", "test": "vitest run"},
                "devDependencies": {
                    "@types/node": "^20.12.0",
                    "tsx": "^4.7.0",
                    "typescript": "^5.4.0",
                    "vitest": "^1.5.0",
                },
            },
            ctx.license,
        ),
    )
    out.add("tsconfig.json", TSCONFIG)
    out.add("src/server.ts", fill(SERVER, v))
    out.add(f"src/routes/{camel(ent.plural)}.ts", fill(ROUTES, v))
    out.add("src/retry.ts", fill(RETRY, v))
    out.add("src/validation.ts", VALIDATION)
    out.add("tests/retry.test.ts", fill(TEST_RETRY, v))
    out.add(".gitignore", "node_modules/\ndist/\n.env\n")
