"""Go units for the code bank, continued (written for this project)."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank import Unit

TOPO = Unit(
    "deps",
    "dependency resolution in topological order",
    """// ErrCycle is returned when dependencies form a loop.
var ErrCycle = errors.New("dependency cycle")

// Order returns the names in an order where every name comes after its dependencies.
// Ties are broken alphabetically so that the output is the same on every run.
func Order(deps map[string][]string) ([]string, error) {
	indegree := make(map[string]int)
	users := make(map[string][]string)
	for name, needs := range deps {
		if _, ok := indegree[name]; !ok {
			indegree[name] = 0
		}
		for _, need := range needs {
			if _, ok := indegree[need]; !ok {
				indegree[need] = 0
			}
			indegree[name]++
			users[need] = append(users[need], name)
		}
	}
	var ready []string
	for name, d := range indegree {
		if d == 0 {
			ready = append(ready, name)
		}
	}
	sort.Strings(ready)
	order := make([]string, 0, len(indegree))
	for len(ready) > 0 {
		name := ready[0]
		ready = ready[1:]
		order = append(order, name)
		next := users[name]
		sort.Strings(next)
		for _, user := range next {
			indegree[user]--
			if indegree[user] == 0 {
				ready = append(ready, user)
			}
		}
		sort.Strings(ready)
	}
	if len(order) != len(indegree) {
		var stuck []string
		for name, d := range indegree {
			if d > 0 {
				stuck = append(stuck, name)
			}
		}
		sort.Strings(stuck)
		return nil, fmt.Errorf("%w among %s", ErrCycle, strings.Join(stuck, ", "))
	}
	return order, nil
}""",
    {},
    ("errors", "fmt", "sort", "strings"),
)


CSVREC = Unit(
    "records",
    "reading typed records from CSV",
    """// Record is one row of the input file.
type Record struct {
	Name     string
	Quantity int
	Price    float64
	Tags     []string
}

// ParseError names the line and column of a bad value.
type ParseError struct {
	Line   int
	Column string
	Err    error
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("line %d, column %q: %v", e.Line, e.Column, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Read parses CSV with the header name,quantity,price,tags (tags separated by "|").
func Read(r io.Reader) ([]Record, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 4
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading header: %w", err)
	}
	if strings.Join(header, ",") != "name,quantity,price,tags" {
		return nil, fmt.Errorf("unexpected header %q", header)
	}
	var out []Record
	for line := 2; ; line++ {
		row, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		qty, err := strconv.Atoi(row[1])
		if err != nil {
			return nil, &ParseError{line, "quantity", err}
		}
		price, err := strconv.ParseFloat(row[2], 64)
		if err != nil {
			return nil, &ParseError{line, "price", err}
		}
		var tags []string
		if row[3] != "" {
			tags = strings.Split(row[3], "|")
		}
		out = append(out, Record{Name: row[0], Quantity: qty, Price: price, Tags: tags})
	}
}

// Total is the sum of quantity times price over all records.
func Total(records []Record) float64 {
	sum := 0.0
	for _, r := range records {
		sum += float64(r.Quantity) * r.Price
	}
	return sum
}""",
    {},
    ("encoding/csv", "fmt", "io", "strconv", "strings"),
)


BACKOFF = Unit(
    "backoff",
    "retries with exponential backoff and context cancellation",
    """// Policy describes how often and how long to retry.
type Policy struct {
	Attempts int
	Base     time.Duration
	Max      time.Duration
}

// DefaultPolicy suits calls to other services on the same network.
var DefaultPolicy = Policy{Attempts: {{attempts}}, Base: {{base}} * time.Millisecond, Max: 5 * time.Second}

// Permanent wraps an error that must not be retried.
type Permanent struct{ Err error }

func (p Permanent) Error() string { return p.Err.Error() }
func (p Permanent) Unwrap() error { return p.Err }

// Do calls op until it succeeds, returns a Permanent error, runs out of attempts or ctx is
// done. Sleeps use full jitter: a random duration up to the exponential bound.
func Do(ctx context.Context, p Policy, op func(context.Context) error) error {
	var err error
	for attempt := 0; attempt < p.Attempts; attempt++ {
		if err = op(ctx); err == nil {
			return nil
		}
		var perm Permanent
		if errors.As(err, &perm) {
			return perm.Err
		}
		if attempt == p.Attempts-1 {
			break
		}
		bound := p.Base << attempt
		if bound > p.Max || bound <= 0 {
			bound = p.Max
		}
		timer := time.NewTimer(time.Duration(rand.Int63n(int64(bound) + 1)))
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
	}
	return fmt.Errorf("after %d attempts: %w", p.Attempts, err)
}""",
    {"attempts": ("3", "4", "5"), "base": ("100", "200", "50")},
    ("context", "errors", "fmt", "math/rand", "time"),
)


ROLLING = Unit(
    "rolling",
    "rolling statistics over the last N samples",
    """// Window keeps the last Size samples and their running sum.
type Window struct {
	buf  []float64
	next int
	full bool
	sum  float64
}

// NewWindow returns a window of the given size (at least 1).
func NewWindow(size int) *Window {
	if size < 1 {
		size = 1
	}
	return &Window{buf: make([]float64, size)}
}

// Add records a sample, dropping the oldest one when the window is full.
func (w *Window) Add(x float64) {
	w.sum += x - w.buf[w.next]
	w.buf[w.next] = x
	w.next = (w.next + 1) % len(w.buf)
	if w.next == 0 {
		w.full = true
	}
}

// Len returns how many samples the window holds.
func (w *Window) Len() int {
	if w.full {
		return len(w.buf)
	}
	return w.next
}

// Mean returns the average of the held samples, or NaN when there are none.
func (w *Window) Mean() float64 {
	if w.Len() == 0 {
		return math.NaN()
	}
	return w.sum / float64(w.Len())
}

// Percentile returns the p-th percentile (0-100) of the held samples.
func (w *Window) Percentile(p float64) float64 {
	n := w.Len()
	if n == 0 {
		return math.NaN()
	}
	sorted := append([]float64(nil), w.buf[:n]...)
	sort.Float64s(sorted)
	rank := p / 100 * float64(n-1)
	lo, hi := int(math.Floor(rank)), int(math.Ceil(rank))
	return sorted[lo] + (sorted[hi]-sorted[lo])*(rank-float64(lo))
}""",
    {},
    ("math", "sort"),
)


HASHRING = Unit(
    "ring",
    "consistent hashing for sharding keys",
    """// Ring maps keys to nodes; adding a node moves only about 1/n of the keys.
type Ring struct {
	replicas int
	points   []uint32
	owners   map[uint32]string
}

// NewRing places every node at `replicas` points on the ring.
func NewRing(replicas int, nodes ...string) *Ring {
	r := &Ring{replicas: replicas, owners: make(map[uint32]string)}
	for _, n := range nodes {
		r.Add(n)
	}
	return r
}

func hashKey(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// Add puts a node on the ring.
func (r *Ring) Add(node string) {
	for i := 0; i < r.replicas; i++ {
		p := hashKey(node + "#" + strconv.Itoa(i))
		if _, taken := r.owners[p]; taken {
			continue
		}
		r.owners[p] = node
		r.points = append(r.points, p)
	}
	sort.Slice(r.points, func(i, j int) bool { return r.points[i] < r.points[j] })
}

// Remove takes a node off the ring.
func (r *Ring) Remove(node string) {
	kept := r.points[:0]
	for _, p := range r.points {
		if r.owners[p] == node {
			delete(r.owners, p)
			continue
		}
		kept = append(kept, p)
	}
	r.points = kept
}

// Get returns the node that owns key, or "" when the ring is empty.
func (r *Ring) Get(key string) string {
	if len(r.points) == 0 {
		return ""
	}
	h := hashKey(key)
	i := sort.Search(len(r.points), func(i int) bool { return r.points[i] >= h })
	if i == len(r.points) {
		i = 0
	}
	return r.owners[r.points[i]]
}""",
    {},
    ("hash/fnv", "sort", "strconv"),
)


JSONAPI = Unit(
    "respond",
    "JSON request decoding and response helpers",
    """// Problem is an RFC 7807 error body.
type Problem struct {
	Type   string `json:"type,omitempty"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// JSON writes v with the given status; encoding errors are logged, not sent.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		log.Printf("respond: encoding %T: %v", v, err)
	}
}

// Error writes a problem document for status with a human-readable detail.
func Error(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Problem{Title: http.StatusText(status), Status: status, Detail: detail})
}

// Decode reads a JSON body of at most maxBytes into dst, rejecting unknown fields and
// trailing data, and returns an error that is safe to show to the client.
func Decode(w http.ResponseWriter, r *http.Request, dst any, maxBytes int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("content type %q is not application/json", ct)
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var syntax *json.SyntaxError
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syntax):
			return fmt.Errorf("malformed JSON at byte %d", syntax.Offset)
		case errors.As(err, &typeErr):
			return fmt.Errorf("field %q has the wrong type", typeErr.Field)
		case errors.Is(err, io.EOF):
			return errors.New("request body is empty")
		default:
			return err
		}
	}
	if dec.More() {
		return errors.New("request body must hold a single JSON value")
	}
	return nil
}""",
    {},
    ("encoding/json", "errors", "fmt", "io", "log", "net/http", "strings"),
)


TEXT = Unit(
    "textutil",
    "slugs, truncation and word wrapping",
    """var nonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

// Slug lower-cases s and joins its ASCII words with hyphens.
func Slug(s string) string {
	slug := strings.Trim(nonAlnum.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if slug == "" {
		return "{{fallback}}"
	}
	return slug
}

// Truncate shortens s to at most n runes, ending in an ellipsis when it cut anything.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	cut := n - 1
	for i := cut; i > n/2; i-- {
		if unicode.IsSpace(runes[i]) {
			cut = i
			break
		}
	}
	return strings.TrimRightFunc(string(runes[:cut]), unicode.IsSpace) + "…"
}

// Wrap breaks text into lines of at most width runes at word boundaries.
func Wrap(text string, width int) []string {
	var lines []string
	var line strings.Builder
	for _, word := range strings.Fields(text) {
		if line.Len() > 0 && utf8.RuneCountInString(line.String())+1+utf8.RuneCountInString(word) > width {
			lines = append(lines, line.String())
			line.Reset()
		}
		if line.Len() > 0 {
			line.WriteByte(' ')
		}
		line.WriteString(word)
	}
	if line.Len() > 0 {
		lines = append(lines, line.String())
	}
	return lines
}""",
    {"fallback": ("untitled", "item", "page")},
    ("regexp", "strings", "unicode", "unicode/utf8"),
)
