"""Short code examples for tutorial pages (written for this project).

Each snippet names the tool it is about, its language (for ``class="language-…"``), an
English task phrase for titles, and a template whose ``{{slots}}`` take one of a few
identifier choices, so that pages on the same tool do not carry identical code.
"""
# ruff: noqa: E501  (code templates are kept verbatim)

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from mellum_data.sample.templating import fill


@dataclass(frozen=True)
class Snippet:
    tool: str
    lang: str
    task: str
    template: str
    choices: dict[str, tuple[str, ...]]

    def render(self, rng: Random) -> str:
        return fill(self.template, {k: rng.choice(v) for k, v in self.choices.items()})


SNIPPETS: tuple[Snippet, ...] = (
    Snippet(
        "Python",
        "python",
        "read a CSV file and sum a column",
        '''import csv
from collections import defaultdict


def {{fn}}(path):
    """Return the total of the {{col}} column for each {{key}}."""
    totals = defaultdict(float)
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            totals[row["{{key}}"]] += float(row["{{col}}"])
    return dict(totals)


if __name__ == "__main__":
    for name, total in sorted({{fn}}("{{file}}").items()):
        print(f"{name:<20} {total:>10.2f}")
''',
        {
            "fn": ("totals_by_key", "sum_column", "aggregate"),
            "col": ("amount", "price", "duration"),
            "key": ("region", "customer", "category"),
            "file": ("sales.csv", "orders.csv", "data/export.csv"),
        },
    ),
    Snippet(
        "Python",
        "python",
        "run HTTP requests concurrently",
        """import asyncio

import aiohttp


async def {{fn}}(session, url):
    async with session.get(url, timeout=aiohttp.ClientTimeout(total={{timeout}})) as resp:
        resp.raise_for_status()
        return await resp.json()


async def main(urls):
    async with aiohttp.ClientSession() as session:
        results = await asyncio.gather(*({{fn}}(session, u) for u in urls), return_exceptions=True)
    for url, result in zip(urls, results):
        status = "error" if isinstance(result, Exception) else "ok"
        print(status, url)


asyncio.run(main(["https://example.com/api/{{res}}/1", "https://example.com/api/{{res}}/2"]))
""",
        {
            "fn": ("fetch_json", "get_one", "fetch"),
            "timeout": ("5", "10", "30"),
            "res": ("users", "items", "posts"),
        },
    ),
    Snippet(
        "Python",
        "python",
        "use dataclasses for plain data",
        """from dataclasses import dataclass, field


@dataclass(order=True)
class {{cls}}:
    priority: int
    name: str = field(compare=False)
    tags: list[str] = field(default_factory=list, compare=False)


items = [{{cls}}(3, "write docs"), {{cls}}(1, "fix login bug", ["urgent"]), {{cls}}(2, "review PR")]
for item in sorted(items):
    print(item.priority, item.name, ",".join(item.tags))
""",
        {"cls": ("Task", "Job", "WorkItem")},
    ),
    Snippet(
        "Python",
        "python",
        "write a command-line tool with argparse",
        """import argparse
import sys


def build_parser():
    parser = argparse.ArgumentParser(description="Count lines in text files.")
    parser.add_argument("paths", nargs="+", help="files to read")
    parser.add_argument("--{{flag}}", action="store_true", help="skip blank lines")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    total = 0
    for path in args.paths:
        with open(path, encoding="utf-8") as f:
            n = sum(1 for line in f if line.strip() or not args.{{attr}})
        print(f"{n:8d} {path}")
        total += n
    print(f"{total:8d} total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
""",
        {"flag": ("skip-blank",), "attr": ("skip_blank",)},
    ),
    Snippet(
        "JavaScript",
        "javascript",
        "debounce an event handler",
        """function {{fn}}(callback, wait = {{wait}}) {
  let timer = null;
  return function (...args) {
    clearTimeout(timer);
    timer = setTimeout(() => callback.apply(this, args), wait);
  };
}

const input = document.querySelector("#{{id}}");
input.addEventListener("input", {{fn}}((event) => {
  console.log("searching for", event.target.value);
}));
""",
        {
            "fn": ("debounce", "debounced"),
            "wait": ("200", "300", "250"),
            "id": ("search", "query", "filter"),
        },
    ),
    Snippet(
        "JavaScript",
        "javascript",
        "fetch JSON with async/await",
        """async function {{fn}}(id) {
  const response = await fetch(`/api/{{res}}/${id}`, {
    headers: { Accept: "application/json" },
  });
  if (!response.ok) {
    throw new Error(`request failed with status ${response.status}`);
  }
  return response.json();
}

{{fn}}(42)
  .then((data) => console.log(data.name))
  .catch((err) => console.error(err.message));
""",
        {"fn": ("loadUser", "getItem", "fetchRecord"), "res": ("users", "items", "records")},
    ),
    Snippet(
        "JavaScript",
        "javascript",
        "group an array by a key",
        """const {{var}} = [
  { name: "Ada", team: "core" },
  { name: "Linus", team: "kernel" },
  { name: "Grace", team: "core" },
];

const byTeam = {{var}}.reduce((groups, person) => {
  (groups[person.team] ||= []).push(person.name);
  return groups;
}, {});

console.log(byTeam); // { core: ["Ada", "Grace"], kernel: ["Linus"] }
""",
        {"var": ("people", "members", "staff")},
    ),
    Snippet(
        "TypeScript",
        "typescript",
        "write a generic function",
        """interface {{iface}}<T> {
  ok: boolean;
  value?: T;
  error?: string;
}

function {{fn}}<T>(fn: () => T): {{iface}}<T> {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

const parsed = {{fn}}(() => JSON.parse('{"port": 8080}'));
if (parsed.ok) {
  console.log("port", parsed.value.port);
}
""",
        {"iface": ("Result", "Outcome"), "fn": ("attempt", "safely", "tryRun")},
    ),
    Snippet(
        "Rust",
        "rust",
        "handle errors with Result",
        """use std::fs;
use std::num::ParseIntError;

#[derive(Debug)]
enum {{err}} {
    Io(std::io::Error),
    Parse(ParseIntError),
}

fn {{fn}}(path: &str) -> Result<i64, {{err}}> {
    let text = fs::read_to_string(path).map_err({{err}}::Io)?;
    let mut total = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        total += line.trim().parse::<i64>().map_err({{err}}::Parse)?;
    }
    Ok(total)
}

fn main() {
    match {{fn}}("numbers.txt") {
        Ok(total) => println!("total: {}", total),
        Err(e) => eprintln!("failed: {:?}", e),
    }
}
""",
        {
            "err": ("SumError", "AppError", "LoadError"),
            "fn": ("sum_file", "read_total", "load_sum"),
        },
    ),
    Snippet(
        "Rust",
        "rust",
        "chain iterators",
        """fn main() {
    let {{var}} = vec!["apple", "banana", "cherry", "date", "elderberry"];
    let long_names: Vec<String> = {{var}}
        .iter()
        .filter(|w| w.len() > 5)
        .map(|w| w.to_uppercase())
        .collect();
    let total: usize = {{var}}.iter().map(|w| w.len()).sum();
    println!("{:?} ({} letters in all)", long_names, total);
}
""",
        {"var": ("words", "fruits", "names")},
    ),
    Snippet(
        "Go",
        "go",
        "write an HTTP handler",
        """package main

import (
	"encoding/json"
	"log"
	"net/http"
)

type {{typ}} struct {
	Status  string `json:"status"`
	Version string `json:"version"`
}

func {{fn}}(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode({{typ}}{Status: "ok", Version: "1.4.2"}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func main() {
	http.HandleFunc("/{{path}}", {{fn}})
	log.Fatal(http.ListenAndServe(":8080", nil))
}
""",
        {
            "typ": ("health", "statusReply"),
            "fn": ("healthHandler", "handleStatus"),
            "path": ("healthz", "status"),
        },
    ),
    Snippet(
        "Go",
        "go",
        "process jobs with a worker pool",
        """package main

import (
	"fmt"
	"sync"
)

func {{fn}}(id int, jobs <-chan int, results chan<- int, wg *sync.WaitGroup) {
	defer wg.Done()
	for n := range jobs {
		results <- n * n
	}
}

func main() {
	jobs := make(chan int, 100)
	results := make(chan int, 100)
	var wg sync.WaitGroup
	for w := 1; w <= {{workers}}; w++ {
		wg.Add(1)
		go {{fn}}(w, jobs, results, &wg)
	}
	for i := 1; i <= 20; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(results)
	sum := 0
	for r := range results {
		sum += r
	}
	fmt.Println("sum of squares:", sum)
}
""",
        {"fn": ("worker", "square"), "workers": ("3", "4", "8")},
    ),
    Snippet(
        "PostgreSQL",
        "sql",
        "join two tables",
        """CREATE TABLE {{a}} (
    id          SERIAL PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE orders (
    id          SERIAL PRIMARY KEY,
    {{fk}}      INTEGER NOT NULL REFERENCES {{a}}(id),
    total_cents INTEGER NOT NULL CHECK (total_cents >= 0)
);

SELECT c.name, count(o.id) AS n_orders, sum(o.total_cents) / 100.0 AS revenue
FROM {{a}} c
LEFT JOIN orders o ON o.{{fk}} = c.id
GROUP BY c.name
ORDER BY revenue DESC NULLS LAST
LIMIT 10;
""",
        {"a": ("customers", "accounts"), "fk": ("customer_id", "account_id")},
    ),
    Snippet(
        "Bash",
        "bash",
        "back up a folder with a script",
        """#!/usr/bin/env bash
set -euo pipefail

src="${1:-$HOME/{{dir}}}"
dest="/var/backups/$(basename "$src")-$(date +%Y%m%d).tar.gz"

if [[ ! -d "$src" ]]; then
    echo "no such directory: $src" >&2
    exit 1
fi

tar --exclude='*.tmp' -czf "$dest" -C "$(dirname "$src")" "$(basename "$src")"
find /var/backups -name '*.tar.gz' -mtime +{{days}} -delete
echo "wrote $dest"
""",
        {"dir": ("documents", "projects", "notes"), "days": ("14", "30")},
    ),
    Snippet(
        "Docker",
        "dockerfile",
        "package an application in a container",
        """FROM python:3.12-slim AS base

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
RUN useradd --create-home {{user}}
USER {{user}}

EXPOSE {{port}}
CMD ["gunicorn", "--bind", "0.0.0.0:{{port}}", "app:create_app()"]
""",
        {"user": ("app", "web", "runner"), "port": ("8000", "8080")},
    ),
    Snippet(
        "Git",
        "bash",
        "undo the last commit safely",
        """# see what you are about to change
git log --oneline -n 5

# keep the changes in the working tree, drop the commit
git reset --soft HEAD~1

# or create a new commit that reverts it (safe on shared branches)
git revert --no-edit HEAD

# recover a commit you thought was lost
git reflog | head -n {{n}}
git checkout -b {{branch}} HEAD@{1}
""",
        {"n": ("10", "20"), "branch": ("rescue", "recovered-work")},
    ),
    Snippet(
        "C",
        "c",
        "count lines in a file",
        """#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\\n", argv[0]);
        return EXIT_FAILURE;
    }
    FILE *{{fp}} = fopen(argv[1], "r");
    if ({{fp}} == NULL) {
        perror("fopen");
        return EXIT_FAILURE;
    }
    long lines = 0;
    int c;
    while ((c = fgetc({{fp}})) != EOF) {
        if (c == '\\n') {
            lines++;
        }
    }
    fclose({{fp}});
    printf("%ld\\n", lines);
    return EXIT_SUCCESS;
}
""",
        {"fp": ("fp", "in", "file")},
    ),
)

MORE_SNIPPETS: tuple[Snippet, ...] = (
    Snippet(
        "TypeScript",
        "typescript",
        "cache results in a Map",
        """export class {{cls}}<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();

  constructor(private readonly ttlMs: number = {{ttl}}) {}

  get(key: K): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires < Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: K, value: V): void {
    this.entries.set(key, { value, expires: Date.now() + this.ttlMs });
  }
}

const {{var}} = new {{cls}}<string, number>();
{{var}}.set("answer", 42);
console.log({{var}}.get("answer"));
""",
        {
            "cls": ("TtlCache", "ExpiringMap", "MemoCache"),
            "ttl": ("60_000", "5_000", "30_000"),
            "var": ("cache", "memo", "store"),
        },
    ),
    Snippet(
        "PostgreSQL",
        "sql",
        "rank rows with a window function",
        """SELECT {{who}},
       {{what}},
       amount,
       rank() OVER (PARTITION BY {{who}} ORDER BY amount DESC) AS position,
       sum(amount) OVER (PARTITION BY {{who}}) AS {{who}}_total
FROM {{table}}
WHERE created_at >= date_trunc('month', now()) - interval '{{months}} months'
ORDER BY {{who}}, position;

CREATE INDEX CONCURRENTLY IF NOT EXISTS {{table}}_{{who}}_created_idx
    ON {{table}} ({{who}}, created_at);

EXPLAIN (ANALYZE, BUFFERS)
SELECT count(*) FROM {{table}} WHERE {{who}} = 'north';
""",
        {
            "who": ("region", "team", "store"),
            "what": ("product", "category"),
            "table": ("sales", "payments", "invoices"),
            "months": ("3", "6", "12"),
        },
    ),
    Snippet(
        "Bash",
        "bash",
        "parse options with getopts",
        """#!/usr/bin/env bash
set -euo pipefail

usage() {
    echo "usage: $(basename "$0") [-v] [-n COUNT] FILE..." >&2
    exit 2
}

verbose=0
count={{count}}
while getopts "vn:h" opt; do
    case "$opt" in
        v) verbose=1 ;;
        n) count="$OPTARG" ;;
        *) usage ;;
    esac
done
shift $((OPTIND - 1))
[[ $# -ge 1 ]] || usage

for {{var}} in "$@"; do
    (( verbose )) && echo "== ${{var}} ==" >&2
    head -n "$count" -- "${{var}}"
done
""",
        {"count": ("10", "5", "20"), "var": ("file", "path", "f")},
    ),
    Snippet(
        "Docker",
        "yaml",
        "run several services with Compose",
        """services:
  {{app}}:
    build: .
    ports:
      - "{{port}}:{{port}}"
    environment:
      DATABASE_URL: postgres://app:secret@db:5432/app
    depends_on:
      db:
        condition: service_healthy
  db:
    image: postgres:16
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: secret
    volumes:
      - {{volume}}:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U app"]
      interval: 5s
      retries: 10
volumes:
  {{volume}}:
""",
        {
            "app": ("web", "api", "app"),
            "port": ("8000", "8080", "3000"),
            "volume": ("pgdata", "db-data"),
        },
    ),
    Snippet(
        "Git",
        "bash",
        "find a bad commit with bisect",
        """git bisect start
git bisect bad                 # the current commit is broken
git bisect good {{tag}}         # this release was fine

# let git run the test on each step: exit code 0 means good
git bisect run {{cmd}}

git bisect log > bisect-{{tag}}.txt
git bisect reset
""",
        {
            "tag": ("v1.4.0", "v2.0.1", "release-23"),
            "cmd": ("make test", "pytest -x tests/test_api.py", "./run-checks.sh"),
        },
    ),
    Snippet(
        "C",
        "c",
        "grow a dynamic array",
        """#include <stdio.h>
#include <stdlib.h>

typedef struct {
    int *data;
    size_t len;
    size_t cap;
} {{typ}};

static int {{push}}({{typ}} *v, int x) {
    if (v->len == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : {{initial}};
        int *p = realloc(v->data, cap * sizeof *p);
        if (p == NULL) {
            return -1;
        }
        v->data = p;
        v->cap = cap;
    }
    v->data[v->len++] = x;
    return 0;
}

int main(void) {
    {{typ}} v = {0};
    for (int i = 0; i < 100; i++) {
        if ({{push}}(&v, i * i) != 0) {
            perror("realloc");
            return 1;
        }
    }
    printf("%zu items, capacity %zu, last %d\\n", v.len, v.cap, v.data[v.len - 1]);
    free(v.data);
    return 0;
}
""",
        {
            "typ": ("IntVec", "vec_int", "Buffer"),
            "push": ("vec_push", "push_back", "append"),
            "initial": ("4", "8", "16"),
        },
    ),
)

ALL_SNIPPETS = SNIPPETS + MORE_SNIPPETS
TOOLS: tuple[str, ...] = tuple(sorted({s.tool for s in ALL_SNIPPETS}))


def snippets_for(tool: str) -> list[Snippet]:
    return [s for s in ALL_SNIPPETS if s.tool == tool]
