"""Go units for the code bank (written for this project).

Each file is its own package under ``internal/<stem>/``; the renderer writes the package
clause and the grouped import block.
"""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank import Bank, Filled, Unit, filled, heading, join_bodies
from mellum_data.sample.bank_go_more import (
    BACKOFF,
    CSVREC,
    HASHRING,
    JSONAPI,
    ROLLING,
    TEXT,
    TOPO,
)
from mellum_data.sample.repo_context import Generated, RepoContext

LRU = Unit(
    "lru",
    "a least-recently-used cache safe for concurrent use",
    """type entry[K comparable, V any] struct {
	key   K
	value V
}

// Cache holds at most Capacity entries and evicts the one used longest ago.
type Cache[K comparable, V any] struct {
	mu       sync.Mutex
	capacity int
	order    *list.List
	items    map[K]*list.Element
	OnEvict  func(key K, value V)
}

// New returns an empty cache; capacity must be positive.
func New[K comparable, V any](capacity int) *Cache[K, V] {
	if capacity <= 0 {
		panic("lru: capacity must be positive")
	}
	return &Cache[K, V]{capacity: capacity, order: list.New(), items: make(map[K]*list.Element)}
}

// Get returns the value for key and marks it as recently used.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*entry[K, V]).value, true
	}
	var zero V
	return zero, false
}

// Put adds or replaces a value, evicting the oldest entry when the cache is full.
func (c *Cache[K, V]) Put(key K, value V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		el.Value.(*entry[K, V]).value = value
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(&entry[K, V]{key, value})
	if c.order.Len() > c.capacity {
		oldest := c.order.Back()
		e := oldest.Value.(*entry[K, V])
		c.order.Remove(oldest)
		delete(c.items, e.key)
		if c.OnEvict != nil {
			c.OnEvict(e.key, e.value)
		}
	}
}

// Len reports the number of cached entries.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}""",
    {},
    ("container/list", "sync"),
)

POOL = Unit(
    "workpool",
    "a bounded worker pool",
    """// Result pairs an input index with its output or error.
type Result[T any] struct {
	Index int
	Value T
	Err   error
}

// Map runs fn over inputs with at most workers goroutines and returns results in input
// order. It stops handing out work once ctx is cancelled; unfinished items get ctx.Err().
func Map[In, Out any](ctx context.Context, inputs []In, workers int, fn func(context.Context, In) (Out, error)) []Result[Out] {
	if workers < 1 {
		workers = 1
	}
	results := make([]Result[Out], len(inputs))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out, err := fn(ctx, inputs[i])
				results[i] = Result[Out]{Index: i, Value: out, Err: err}
			}
		}()
	}
	for i := range inputs {
		select {
		case jobs <- i:
		case <-ctx.Done():
			for j := i; j < len(inputs); j++ {
				results[j] = Result[Out]{Index: j, Err: ctx.Err()}
			}
			close(jobs)
			wg.Wait()
			return results
		}
	}
	close(jobs)
	wg.Wait()
	return results
}

// FirstError returns the error of the lowest-index failed result, if any.
func FirstError[T any](results []Result[T]) error {
	for _, r := range results {
		if r.Err != nil {
			return fmt.Errorf("item %d: %w", r.Index, r.Err)
		}
	}
	return nil
}""",
    {},
    ("context", "fmt", "sync"),
)

MIDDLEWARE = Unit(
    "middleware",
    "HTTP middleware for logging, panics and request IDs",
    """type ctxKey int

const requestIDKey ctxKey = 0

// statusRecorder remembers the status code a handler wrote, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Logging writes one line per request: method, path, status, size and duration.
func Logging(logger *log.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		logger.Printf("%s %s %d %dB %s id=%s", r.Method, r.URL.Path, rec.status, rec.bytes, time.Since(start).Round(time.Microsecond), RequestID(r.Context()))
	})
}

// Recover turns a panic in a handler into a 500 response instead of a dropped connection.
func Recover(logger *log.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if err := recover(); err != nil {
				logger.Printf("panic serving %s: %v", r.URL.Path, err)
				http.Error(w, "internal server error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// WithRequestID takes X-Request-ID from the request or makes one up, and echoes it back.
func WithRequestID(next http.Handler) http.Handler {
	var counter uint64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if id == "" {
			id = strconv.FormatUint(atomic.AddUint64(&counter, 1), 36)
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

// RequestID returns the ID stored by WithRequestID, or "-".
func RequestID(ctx context.Context) string {
	if id, ok := ctx.Value(requestIDKey).(string); ok {
		return id
	}
	return "-"
}""",
    {},
    ("context", "log", "net/http", "strconv", "sync/atomic", "time"),
)

ENVCONF = Unit(
    "envconfig",
    "configuration from environment variables",
    """// Config is the service configuration; every field can be set from the environment.
type Config struct {
	Addr         string
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	MaxBodyBytes int64
	Debug        bool
	AllowOrigins []string
}

// Default returns the configuration used when no variable is set.
func Default() Config {
	return Config{
		Addr:         ":{{port}}",
		ReadTimeout:  5 * time.Second,
		WriteTimeout: 10 * time.Second,
		MaxBodyBytes: 1 << 20,
	}
}

// FromEnv reads {{PREFIX}}_ADDR, {{PREFIX}}_READ_TIMEOUT and so on over the defaults. All bad
// values are reported together, so that one restart fixes them all.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Default()
	var errs []string
	str := func(name string, dst *string) {
		if v := getenv("{{PREFIX}}_" + name); v != "" {
			*dst = v
		}
	}
	dur := func(name string, dst *time.Duration) {
		if v := getenv("{{PREFIX}}_" + name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Sprintf("{{PREFIX}}_%s: %v", name, err))
				return
			}
			*dst = d
		}
	}
	str("ADDR", &c.Addr)
	dur("READ_TIMEOUT", &c.ReadTimeout)
	dur("WRITE_TIMEOUT", &c.WriteTimeout)
	if v := getenv("{{PREFIX}}_MAX_BODY_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, "{{PREFIX}}_MAX_BODY_BYTES: want a positive integer, got "+strconv.Quote(v))
		} else {
			c.MaxBodyBytes = n
		}
	}
	if v := getenv("{{PREFIX}}_DEBUG"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, "{{PREFIX}}_DEBUG: "+err.Error())
		}
		c.Debug = b
	}
	if v := getenv("{{PREFIX}}_ALLOW_ORIGINS"); v != "" {
		for _, origin := range strings.Split(v, ",") {
			c.AllowOrigins = append(c.AllowOrigins, strings.TrimSpace(origin))
		}
	}
	if len(errs) > 0 {
		return c, errors.New("config: " + strings.Join(errs, "; "))
	}
	return c, nil
}""",
    {"port": ("8080", "8000", "9090")},
    ("errors", "fmt", "strconv", "strings", "time"),
)

TRIE = Unit(
    "prefix",
    "a prefix tree for autocompletion",
    """// Tree stores words by their runes; each node counts the words below it.
type Tree struct {
	children map[rune]*Tree
	word     bool
	count    int
}

// NewTree returns an empty tree.
func NewTree() *Tree {
	return &Tree{children: make(map[rune]*Tree)}
}

// Insert adds a word and reports whether it was new.
func (t *Tree) Insert(word string) bool {
	if t.Contains(word) {
		return false
	}
	node := t
	node.count++
	for _, r := range word {
		next, ok := node.children[r]
		if !ok {
			next = NewTree()
			node.children[r] = next
		}
		next.count++
		node = next
	}
	node.word = true
	return true
}

func (t *Tree) find(prefix string) *Tree {
	node := t
	for _, r := range prefix {
		next, ok := node.children[r]
		if !ok {
			return nil
		}
		node = next
	}
	return node
}

// Contains reports whether word was inserted.
func (t *Tree) Contains(word string) bool {
	n := t.find(word)
	return n != nil && n.word
}

// Complete returns up to limit words starting with prefix, sorted.
func (t *Tree) Complete(prefix string, limit int) []string {
	start := t.find(prefix)
	if start == nil {
		return nil
	}
	var out []string
	var walk func(n *Tree, path []rune)
	walk = func(n *Tree, path []rune) {
		if len(out) >= limit {
			return
		}
		if n.word {
			out = append(out, string(path))
		}
		keys := make([]rune, 0, len(n.children))
		for r := range n.children {
			keys = append(keys, r)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		for _, r := range keys {
			walk(n.children[r], append(path, r))
		}
	}
	walk(start, []rune(prefix))
	return out
}""",
    {},
    ("sort",),
)

UNITS = (
    LRU,
    POOL,
    MIDDLEWARE,
    ENVCONF,
    TRIE,
    TOPO,
    CSVREC,
    BACKOFF,
    ROLLING,
    HASHRING,
    JSONAPI,
    TEXT,
)
BANK = Bank("go", UNITS)


def render(ctx: RepoContext, f: Filled) -> str:
    """``// Package stem ...``, the package clause, a grouped import block and the code."""
    pkg = f.stem.replace("_", "")
    doc = heading(ctx, f.summaries).split("\n")
    doc[0] = f"Package {pkg} provides {doc[0][0].lower()}{doc[0][1:]}"
    comment = "".join(f"// {line}".rstrip() + "\n" for line in doc)
    std = [i for i in f.imports if "." not in i.split("/")[0]]
    imports = (
        f'import "{std[0]}"\n'
        if len(std) == 1
        else "import (\n" + "".join(f'\t"{i}"\n' for i in std) + ")\n"
    )
    return f"{comment}package {pkg}\n\n{imports}\n" + join_bodies(f.bodies)


def add_packages(
    ctx: RepoContext, out: Generated, folder: str, n_units: int | None = None
) -> list[str]:
    """Deal the bank into ``folder/<pkg>/<pkg>.go`` packages; returns the package names."""
    names = []
    for f in filled(ctx, BANK, n_units):
        pkg = f.stem.replace("_", "")
        out.add_new(f"{folder}/{pkg}/{pkg}.go", render(ctx, f))
        names.append(pkg)
    return names
