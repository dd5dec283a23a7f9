"""Go repositories: a rate-limited record service and an expression calculator."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

import base64
import hashlib
import json

from mellum_data.sample.bank_go import add_packages
from mellum_data.sample.repo_context import Generated, RepoContext
from mellum_data.sample.special import binary_blob
from mellum_data.sample.templating import fill, pascal

GO_TYPES = {"str": "string", "int": "int", "float": "float64", "bool": "bool"}

BUCKET = """// Package ratelimit implements a token bucket that is safe for concurrent use.
package ratelimit

import (
	"sync"
	"time"
)

// Bucket allows bursts of up to Capacity events and Rate events per second on average.
type Bucket struct {
	mu       sync.Mutex
	rate     float64
	capacity float64
	{{tokens}}   float64
	last     time.Time
	now      func() time.Time
}

// New returns a full bucket.
func New(rate float64, capacity int) *Bucket {
	return &Bucket{rate: rate, capacity: float64(capacity), {{tokens}}: float64(capacity), last: time.Now(), now: time.Now}
}

func (b *Bucket) refill() {
	now := b.now()
	elapsed := now.Sub(b.last).Seconds()
	b.last = now
	b.{{tokens}} += elapsed * b.rate
	if b.{{tokens}} > b.capacity {
		b.{{tokens}} = b.capacity
	}
}

// Allow reports whether n events may happen now and takes their tokens if so.
func (b *Bucket) Allow(n int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill()
	if b.{{tokens}} >= float64(n) {
		b.{{tokens}} -= float64(n)
		return true
	}
	return false
}

// Wait blocks until one event is allowed.
func (b *Bucket) Wait() {
	for !b.Allow(1) {
		time.Sleep(time.Duration(float64(time.Second) / b.rate))
	}
}
"""

BUCKET_TEST = """package ratelimit

import (
	"testing"
	"time"
)

func TestBurstThenRefill(t *testing.T) {
	clock := time.Unix(0, 0)
	b := New(2, 3)
	b.now = func() time.Time { return clock }
	b.last = clock
	for i := 0; i < 3; i++ {
		if !b.Allow(1) {
			t.Fatalf("event %d should be allowed", i)
		}
	}
	if b.Allow(1) {
		t.Fatal("bucket should be empty")
	}
	clock = clock.Add(500 * time.Millisecond)
	if !b.Allow(1) {
		t.Fatal("one token should have been refilled")
	}
}
"""

STORE_GO = """package {{pkg}}

import (
	"encoding/json"
	"errors"
	"os"
	"sort"
	"sync"
)

// {{Cls}} is one record of the store.
type {{Cls}} struct {
	ID int `json:"id"`
{{fields}}
}

// ErrNotFound is returned for unknown IDs.
var ErrNotFound = errors.New("{{var}} not found")

// Store keeps {{plural}} in memory and persists them as JSON.
type Store struct {
	mu     sync.RWMutex
	items  map[int]{{Cls}}
	nextID int
}

func NewStore() *Store {
	return &Store{items: make(map[int]{{Cls}}), nextID: 1}
}

func (s *Store) Add(item {{Cls}}) {{Cls}} {
	s.mu.Lock()
	defer s.mu.Unlock()
	item.ID = s.nextID
	s.nextID++
	s.items[item.ID] = item
	return item
}

func (s *Store) Get(id int) ({{Cls}}, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	item, ok := s.items[id]
	if !ok {
		return {{Cls}}{}, ErrNotFound
	}
	return item, nil
}

func (s *Store) List() []{{Cls}} {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]{{Cls}}, 0, len(s.items))
	for _, item := range s.items {
		out = append(out, item)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (s *Store) Save(path string) error {
	data, err := json.MarshalIndent(s.List(), "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
"""

MAIN_GO = """package main

import (
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"strconv"
	"strings"

	"{{module}}/internal/{{pkg}}"
	"{{module}}/internal/ratelimit"
)

func main() {
	addr := flag.String("addr", ":{{port}}", "listen address")
	rate := flag.Float64("rate", {{rate}}, "requests per second")
	flag.Parse()

	store := {{pkg}}.NewStore()
	limiter := ratelimit.New(*rate, int(*rate)*2)

	http.HandleFunc("/{{plural}}/", func(w http.ResponseWriter, r *http.Request) {
		if !limiter.Allow(1) {
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		idPart := strings.TrimPrefix(r.URL.Path, "/{{plural}}/")
		switch {
		case r.Method == http.MethodGet && idPart == "":
			_ = json.NewEncoder(w).Encode(store.List())
		case r.Method == http.MethodGet:
			id, err := strconv.Atoi(idPart)
			if err != nil {
				http.Error(w, "bad id", http.StatusBadRequest)
				return
			}
			item, err := store.Get(id)
			if err != nil {
				http.Error(w, err.Error(), http.StatusNotFound)
				return
			}
			_ = json.NewEncoder(w).Encode(item)
		case r.Method == http.MethodPost:
			var item {{pkg}}.{{Cls}}
			if err := json.NewDecoder(r.Body).Decode(&item); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusCreated)
			_ = json.NewEncoder(w).Encode(store.Add(item))
		default:
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
	log.Printf("listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, nil))
}
"""


def go_sum(ctx: RepoContext, modules: list[tuple[str, str]]) -> str:
    lines = []
    for mod, version in modules:
        for suffix in ("", "/go.mod"):
            digest = hashlib.sha256(f"{mod}{version}{suffix}".encode()).digest()
            lines.append(f"{mod} {version}{suffix} h1:{base64.b64encode(digest).decode()}")
    return "\n".join(lines) + "\n"


def go_service(ctx: RepoContext, out: Generated) -> None:
    rng, ent = ctx.rng, ctx.entity
    module = f"github.com/{ctx.handle}/{ctx.name}"
    pkg = ent.vars.replace("_", "")  # plural: "package" is a Go keyword, "packages" is not
    fields = "\n".join(
        f'\t{pascal(f)} {GO_TYPES[t]} `json:"{f.replace(" ", "_")}"`' for f, t in ent.fields
    )
    v = {
        "module": module,
        "pkg": pkg,
        "Cls": ent.cls,
        "var": ent.name,
        "plural": ent.vars,
        "fields": fields,
        "port": str(rng.choice((8080, 8000, 9000))),
        "rate": str(rng.choice((5, 10, 20))),
        "tokens": rng.choice(("tokens", "level", "avail")),
    }
    ctx.description = f"A rate-limited JSON API for {ent.plural}."
    deps = [
        ("github.com/google/go-cmp", "v0.6.0"),
        ("golang.org/x/time", "v0.5.0"),
        ("golang.org/x/sync", "v0.7.0"),
    ]
    out.add(
        "go.mod",
        f"module {module}\n\ngo 1.22\n\nrequire (\n"
        + "".join(f"\t{m} {ver}\n" for m, ver in deps)
        + ")\n",
    )
    out.add("go.sum", go_sum(ctx, deps), "generated")
    out.add(f"cmd/{ctx.name}/main.go", fill(MAIN_GO, v))
    out.add("internal/ratelimit/bucket.go", fill(BUCKET, v))
    out.add("internal/ratelimit/bucket_test.go", BUCKET_TEST)
    out.add(f"internal/{pkg}/store.go", fill(STORE_GO, v))
    cases = [
        {
            "name": f"case-{i}",
            "rate": rng.randint(1, 50),
            "burst": rng.randint(1, 20),
            "events": [round(rng.uniform(0, 10), 3) for _ in range(rng.randint(20, 60))],
        }
        for i in range(120)
    ]
    out.add("testdata/cases.json", json.dumps(cases, indent=1) + "\n", "data")
    out.add("testdata/blob.bin", binary_blob(rng, 400), "binary")
    add_packages(ctx, out, "internal")


LEXER = """// Package lexer turns arithmetic expressions into tokens and evaluates them.
package lexer

import (
	"fmt"
	"strconv"
	"unicode"
)

// Kind is the type of a token.
type Kind int

const (
	Number Kind = iota
	Operator
	LParen
	RParen
)

// Token is one lexeme with its position in the input.
type Token struct {
	Kind  Kind
	Text  string
	Value float64
	Pos   int
}

// {{Lex}} splits the input into tokens.
func {{Lex}}(input string) ([]Token, error) {
	var tokens []Token
	runes := []rune(input)
	for i := 0; i < len(runes); {
		r := runes[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case unicode.IsDigit(r) || r == '.':
			start := i
			for i < len(runes) && (unicode.IsDigit(runes[i]) || runes[i] == '.') {
				i++
			}
			text := string(runes[start:i])
			v, err := strconv.ParseFloat(text, 64)
			if err != nil {
				return nil, fmt.Errorf("bad number %q at %d", text, start)
			}
			tokens = append(tokens, Token{Kind: Number, Text: text, Value: v, Pos: start})
		case r == '+' || r == '-' || r == '*' || r == '/':
			tokens = append(tokens, Token{Kind: Operator, Text: string(r), Pos: i})
			i++
		case r == '(':
			tokens = append(tokens, Token{Kind: LParen, Text: "(", Pos: i})
			i++
		case r == ')':
			tokens = append(tokens, Token{Kind: RParen, Text: ")", Pos: i})
			i++
		default:
			return nil, fmt.Errorf("unexpected %q at %d", r, i)
		}
	}
	return tokens, nil
}

var precedence = map[string]int{"+": 1, "-": 1, "*": 2, "/": 2}

// Eval evaluates tokens with the shunting-yard algorithm.
func Eval(tokens []Token) (float64, error) {
	var values []float64
	var ops []Token
	apply := func() error {
		if len(values) < 2 {
			return fmt.Errorf("missing operand")
		}
		b, a := values[len(values)-1], values[len(values)-2]
		values = values[:len(values)-2]
		op := ops[len(ops)-1]
		ops = ops[:len(ops)-1]
		switch op.Text {
		case "+":
			values = append(values, a+b)
		case "-":
			values = append(values, a-b)
		case "*":
			values = append(values, a*b)
		case "/":
			if b == 0 {
				return fmt.Errorf("division by zero at %d", op.Pos)
			}
			values = append(values, a/b)
		}
		return nil
	}
	for _, t := range tokens {
		switch t.Kind {
		case Number:
			values = append(values, t.Value)
		case LParen:
			ops = append(ops, t)
		case RParen:
			for len(ops) > 0 && ops[len(ops)-1].Kind != LParen {
				if err := apply(); err != nil {
					return 0, err
				}
			}
			if len(ops) == 0 {
				return 0, fmt.Errorf("unbalanced ')' at %d", t.Pos)
			}
			ops = ops[:len(ops)-1]
		case Operator:
			for len(ops) > 0 && ops[len(ops)-1].Kind == Operator && precedence[ops[len(ops)-1].Text] >= precedence[t.Text] {
				if err := apply(); err != nil {
					return 0, err
				}
			}
			ops = append(ops, t)
		}
	}
	for len(ops) > 0 {
		if ops[len(ops)-1].Kind == LParen {
			return 0, fmt.Errorf("unbalanced '('")
		}
		if err := apply(); err != nil {
			return 0, err
		}
	}
	if len(values) != 1 {
		return 0, fmt.Errorf("malformed expression")
	}
	return values[0], nil
}
"""

LEXER_TEST = """package lexer

import "testing"

func TestEval(t *testing.T) {
	cases := map[string]float64{
		"1 + 2 * 3":     7,
		"(1 + 2) * 3":   9,
		"10 / 4":        2.5,
		"2 * (3 + 4) - 5": 9,
	}
	for expr, want := range cases {
		tokens, err := {{Lex}}(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		got, err := Eval(tokens)
		if err != nil || got != want {
			t.Errorf("%s = %v (%v), want %v", expr, got, err, want)
		}
	}
}
"""

RETRY_GO = """// Package retry runs an operation again with exponential backoff.
package retry

import (
	"context"
	"math/rand"
	"time"
)

// Do calls fn until it succeeds, attempts run out, or ctx is done.
func Do(ctx context.Context, attempts int, base time.Duration, fn func() error) error {
	var err error
	for i := 0; i < attempts; i++ {
		if err = fn(); err == nil {
			return nil
		}
		delay := base << i
		jitter := time.Duration(rand.Int63n(int64(delay)/2 + 1))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay/2 + jitter):
		}
	}
	return err
}
"""

MAIN_CALC = """package main

import (
	"bufio"
	"fmt"
	"os"

	"{{module}}/pkg/lexer"
)

func main() {
	scanner := bufio.NewScanner(os.Stdin)
	fmt.Print("> ")
	for scanner.Scan() {
		line := scanner.Text()
		tokens, err := lexer.{{Lex}}(line)
		if err == nil {
			var v float64
			if v, err = lexer.Eval(tokens); err == nil {
				fmt.Println(v)
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
		}
		fmt.Print("> ")
	}
}
"""

# A converter whose if-block lost its closing brace.
CONVERT_BROKEN = """package legacy

import "strings"

// Convert rewrites the old "key: value" format into "key=value" lines.
func Convert(input string) string {
	var b strings.Builder
	for _, line := range strings.Split(input, "\\n") {
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		b.WriteString(strings.TrimSpace(key))
		b.WriteString("=")
		b.WriteString(strings.TrimSpace(value))
		b.WriteString("\\n")
	}
	return b.String()
}
"""


def go_calc(ctx: RepoContext, out: Generated) -> None:
    rng = ctx.rng
    module = f"github.com/{ctx.handle}/{ctx.name}"
    v = {"module": module, "Lex": rng.choice(("Lex", "Tokenize", "Scan"))}
    ctx.description = "An arithmetic expression calculator with a hand-written lexer."
    out.add("go.mod", f"module {module}\n\ngo 1.21\n")
    out.add("main.go", fill(MAIN_CALC, v))
    out.add("pkg/lexer/lexer.go", fill(LEXER, v))
    out.add("pkg/lexer/lexer_test.go", fill(LEXER_TEST, v))
    out.add("pkg/retry/retry.go", RETRY_GO)
    out.add("internal/legacy/convert.go", CONVERT_BROKEN, "syntax_error")
