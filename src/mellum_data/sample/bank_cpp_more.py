"""C++ units for the code bank, continued (written for this project)."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank import Unit

JSON = Unit(
    "json_writer",
    "a streaming JSON writer",
    """/// Writes JSON to a stream without building a tree; commas are inserted as needed.
class {{Writer}} {
public:
    explicit {{Writer}}(std::ostream& out) : out_(out) {}

    {{Writer}}& begin_object() { return open('{'); }
    {{Writer}}& end_object() { return close('}'); }
    {{Writer}}& begin_array() { return open('['); }
    {{Writer}}& end_array() { return close(']'); }

    {{Writer}}& key(std::string_view name) {
        comma();
        quote(name);
        out_ << ':';
        after_key_ = true;
        return *this;
    }

    {{Writer}}& value(std::string_view s) {
        comma();
        quote(s);
        return *this;
    }

    {{Writer}}& value(double d) {
        comma();
        if (std::isfinite(d)) {
            out_ << d;
        } else {
            out_ << "null"; // JSON has no NaN or infinity
        }
        return *this;
    }

    {{Writer}}& value(bool b) {
        comma();
        out_ << (b ? "true" : "false");
        return *this;
    }

private:
    {{Writer}}& open(char c) {
        comma();
        out_ << c;
        first_.push_back(true);
        return *this;
    }

    {{Writer}}& close(char c) {
        first_.pop_back();
        out_ << c;
        return *this;
    }

    void comma() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (!first_.empty()) {
            if (!first_.back()) {
                out_ << ',';
            }
            first_.back() = false;
        }
    }

    void quote(std::string_view s) {
        out_ << '"';
        for (char c : s) {
            switch (c) {
            case '"': out_ << "\\\\\\""; break;
            case '\\\\': out_ << "\\\\\\\\"; break;
            case '\\n': out_ << "\\\\n"; break;
            case '\\t': out_ << "\\\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\\\u%04x", c);
                    out_ << buf;
                } else {
                    out_ << c;
                }
            }
        }
        out_ << '"';
    }

    std::ostream& out_;
    std::vector<bool> first_;
    bool after_key_ = false;
};""",
    {"Writer": ("JsonWriter", "JsonStream", "Writer")},
    ("cmath", "cstdio", "ostream", "string_view", "vector"),
)


TOPO = Unit(
    "topo_sort",
    "topological sorting of dependency graphs",
    """/// Kahn's algorithm over nodes 0..n-1 and edges (before, after). Returns std::nullopt when
/// the edges contain a cycle. The smallest ready node goes first, so the order is stable.
inline std::optional<std::vector<std::size_t>> {{toposort}}(std::size_t n, const std::vector<std::pair<std::size_t, std::size_t>>& edges) {
    std::vector<std::vector<std::size_t>> out(n);
    std::vector<std::size_t> indegree(n, 0);
    for (const auto& [before, after] : edges) {
        if (before >= n || after >= n) {
            throw std::out_of_range("edge refers to an unknown node");
        }
        out[before].push_back(after);
        ++indegree[after];
    }
    std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
    for (std::size_t v = 0; v < n; ++v) {
        if (indegree[v] == 0) {
            ready.push(v);
        }
    }
    std::vector<std::size_t> order;
    order.reserve(n);
    while (!ready.empty()) {
        std::size_t v = ready.top();
        ready.pop();
        order.push_back(v);
        for (std::size_t w : out[v]) {
            if (--indegree[w] == 0) {
                ready.push(w);
            }
        }
    }
    if (order.size() != n) {
        return std::nullopt;
    }
    return order;
}

/// Convenience overload for named tasks: "compile" -> {"fetch", "configure"}.
inline std::optional<std::vector<std::string>> {{toposort}}(const std::map<std::string, std::vector<std::string>>& deps) {
    std::map<std::string, std::size_t> ids;
    std::vector<std::string> names;
    auto id = [&](const std::string& name) {
        auto [it, inserted] = ids.emplace(name, names.size());
        if (inserted) {
            names.push_back(name);
        }
        return it->second;
    };
    std::vector<std::pair<std::size_t, std::size_t>> edges;
    for (const auto& [task, needs] : deps) {
        std::size_t t = id(task);
        for (const auto& need : needs) {
            edges.emplace_back(id(need), t);
        }
    }
    auto order = {{toposort}}(names.size(), edges);
    if (!order) {
        return std::nullopt;
    }
    std::vector<std::string> out;
    for (std::size_t v : *order) {
        out.push_back(names[v]);
    }
    return out;
}""",
    {"toposort": ("topological_sort", "build_order", "toposort")},
    (
        "cstddef",
        "functional",
        "map",
        "optional",
        "queue",
        "stdexcept",
        "string",
        "utility",
        "vector",
    ),
)


STATS = Unit(
    "running_stats",
    "running mean and variance (Welford)",
    """/// Mean, variance, minimum and maximum of a stream in O(1) memory. Welford's update avoids
/// the cancellation that sum-of-squares formulas suffer on large, close values.
class {{Stats}} {
public:
    void add(double x) {
        ++n_;
        double delta = x - mean_;
        mean_ += delta / static_cast<double>(n_);
        m2_ += delta * (x - mean_);
        min_ = std::min(min_, x);
        max_ = std::max(max_, x);
    }

    /// Combine with statistics gathered elsewhere (Chan et al.'s parallel formula).
    void merge(const {{Stats}}& other) {
        if (other.n_ == 0) {
            return;
        }
        if (n_ == 0) {
            *this = other;
            return;
        }
        std::size_t n = n_ + other.n_;
        double delta = other.mean_ - mean_;
        mean_ += delta * static_cast<double>(other.n_) / static_cast<double>(n);
        m2_ += other.m2_ + delta * delta * static_cast<double>(n_) * static_cast<double>(other.n_) / static_cast<double>(n);
        n_ = n;
        min_ = std::min(min_, other.min_);
        max_ = std::max(max_, other.max_);
    }

    std::size_t count() const { return n_; }
    double mean() const { return n_ ? mean_ : std::numeric_limits<double>::quiet_NaN(); }
    double variance() const { return n_ > 1 ? m2_ / static_cast<double>(n_ - 1) : 0.0; }
    double stddev() const { return std::sqrt(variance()); }
    double min() const { return min_; }
    double max() const { return max_; }

private:
    std::size_t n_ = 0;
    double mean_ = 0.0;
    double m2_ = 0.0;
    double min_ = std::numeric_limits<double>::infinity();
    double max_ = -std::numeric_limits<double>::infinity();
};

inline std::ostream& operator<<(std::ostream& os, const {{Stats}}& s) {
    return os << "n=" << s.count() << " mean=" << s.mean() << " sd=" << s.stddev()
              << " range=[" << s.min() << ", " << s.max() << "]";
}""",
    {"Stats": ("RunningStats", "Accumulator", "OnlineStats")},
    ("algorithm", "cmath", "cstddef", "limits", "ostream"),
)


BLOOM = Unit(
    "bloom_filter",
    "a Bloom filter",
    """class {{Bloom}} {
public:
    /// Sized for `expected` items at false-positive rate `p`.
    {{Bloom}}(std::size_t expected, double p) {
        if (expected == 0 || p <= 0.0 || p >= 1.0) {
            throw std::invalid_argument("{{Bloom}}: bad sizing");
        }
        const double ln2 = std::log(2.0);
        bits_.resize(static_cast<std::size_t>(std::ceil(-static_cast<double>(expected) * std::log(p) / (ln2 * ln2))));
        hashes_ = std::max<std::size_t>(1, static_cast<std::size_t>(std::round(static_cast<double>(bits_.size()) / expected * ln2)));
    }

    void add(std::string_view item) {
        for_each_position(item, [this](std::size_t i) { bits_[i] = true; });
        ++added_;
    }

    bool might_contain(std::string_view item) const {
        bool all = true;
        for_each_position(item, [&](std::size_t i) { all = all && bits_[i]; });
        return all;
    }

    std::size_t bit_count() const { return bits_.size(); }
    std::size_t hash_count() const { return hashes_; }

private:
    template <typename F>
    void for_each_position(std::string_view item, F&& f) const {
        // Kirsch-Mitzenmacher: two hashes are enough to simulate k of them.
        std::size_t h1 = std::hash<std::string_view>{}(item);
        std::size_t h2 = fnv1a(item) | 1;
        for (std::size_t i = 0; i < hashes_; ++i) {
            f((h1 + i * h2) % bits_.size());
        }
    }

    static std::size_t fnv1a(std::string_view s) {
        std::uint64_t h = 14695981039346656037ull;
        for (unsigned char c : s) {
            h = (h ^ c) * 1099511628211ull;
        }
        return static_cast<std::size_t>(h);
    }

    std::vector<bool> bits_;
    std::size_t hashes_ = 1;
    std::size_t added_ = 0;
};""",
    {"Bloom": ("BloomFilter", "Bloom")},
    (
        "algorithm",
        "cmath",
        "cstddef",
        "cstdint",
        "functional",
        "stdexcept",
        "string_view",
        "vector",
    ),
)


ARGS = Unit(
    "options",
    "command-line option parsing",
    """/// Parsed command line: "--key=value" and "--key value" options, "--flag"s and operands.
class {{Options}} {
public:
    {{Options}}(int argc, const char* const* argv, std::set<std::string> takes_value)
        : takes_value_(std::move(takes_value)) {
        for (int i = 1; i < argc; ++i) {
            std::string arg = argv[i];
            if (arg == "--") {
                for (++i; i < argc; ++i) {
                    operands_.emplace_back(argv[i]);
                }
                break;
            }
            if (arg.rfind("--", 0) != 0) {
                operands_.push_back(arg);
                continue;
            }
            auto eq = arg.find('=');
            std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
            if (eq != std::string::npos) {
                values_[name] = arg.substr(eq + 1);
            } else if (takes_value_.count(name)) {
                if (i + 1 >= argc) {
                    throw std::runtime_error("option --" + name + " needs a value");
                }
                values_[name] = argv[++i];
            } else {
                values_[name] = "true";
            }
        }
    }

    bool has(const std::string& name) const { return values_.count(name) != 0; }

    std::string get(const std::string& name, const std::string& fallback = "") const {
        auto it = values_.find(name);
        return it == values_.end() ? fallback : it->second;
    }

    long get_long(const std::string& name, long fallback) const {
        auto it = values_.find(name);
        if (it == values_.end()) {
            return fallback;
        }
        std::size_t used = 0;
        long value = std::stol(it->second, &used);
        if (used != it->second.size()) {
            throw std::runtime_error("--" + name + ": not a number: " + it->second);
        }
        return value;
    }

    const std::vector<std::string>& operands() const { return operands_; }

private:
    std::set<std::string> takes_value_;
    std::map<std::string, std::string> values_;
    std::vector<std::string> operands_;
};""",
    {"Options": ("Options", "CommandLine", "Args")},
    ("cstddef", "map", "set", "stdexcept", "string", "utility", "vector"),
)


SCOPE = Unit(
    "scope_guard",
    "scope guards and timing helpers",
    """/// Runs a callable when the scope ends, unless dismissed: cleanup that survives early returns
/// and exceptions without a dedicated RAII class per resource.
template <typename F>
class ScopeGuard {
public:
    explicit ScopeGuard(F f) : f_(std::move(f)) {}
    ScopeGuard(const ScopeGuard&) = delete;
    ScopeGuard& operator=(const ScopeGuard&) = delete;
    ScopeGuard(ScopeGuard&& other) noexcept : f_(std::move(other.f_)), active_(other.active_) {
        other.active_ = false;
    }
    ~ScopeGuard() {
        if (active_) {
            f_();
        }
    }
    void dismiss() { active_ = false; }

private:
    F f_;
    bool active_ = true;
};

template <typename F>
ScopeGuard<F> on_exit(F f) {
    return ScopeGuard<F>(std::move(f));
}

/// Measures wall time from construction; `lap()` returns the seconds since the last lap.
class {{Timer}} {
public:
    using Clock = std::chrono::steady_clock;

    {{Timer}}() : start_(Clock::now()), last_(start_) {}

    double lap() {
        auto now = Clock::now();
        std::chrono::duration<double> d = now - last_;
        last_ = now;
        return d.count();
    }

    double elapsed() const {
        return std::chrono::duration<double>(Clock::now() - start_).count();
    }

    /// Time one call of `f`, in milliseconds.
    template <typename F>
    static double measure_ms(F&& f) {
        auto t0 = Clock::now();
        std::forward<F>(f)();
        return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    }

private:
    Clock::time_point start_;
    Clock::time_point last_;
};""",
    {"Timer": ("Timer", "Stopwatch")},
    ("chrono", "utility"),
)


EDIT = Unit(
    "edit_distance",
    "edit distance and nearest-word lookup",
    """/// Levenshtein distance in O(|a| * |b|) time and O(|b|) memory.
inline std::size_t {{lev}}(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
            row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
            diagonal = above;
        }
    }
    return row[b.size()];
}

/// The word of `dictionary` nearest to `word`, if within `max_distance` edits.
template <typename Range>
std::optional<std::string> {{nearest}}(std::string_view word, const Range& dictionary, std::size_t max_distance = {{maxd}}) {
    std::optional<std::string> best;
    std::size_t best_distance = max_distance + 1;
    for (const auto& candidate : dictionary) {
        std::size_t d = {{lev}}(word, candidate);
        if (d < best_distance || (d == best_distance && best && candidate < *best)) {
            best = std::string(candidate);
            best_distance = d;
        }
    }
    if (best_distance > max_distance) {
        return std::nullopt;
    }
    return best;
}

/// Every dictionary word within `max_distance` edits, nearest first, ties in alphabetical order.
template <typename Range>
std::vector<std::pair<std::size_t, std::string>> ranked_matches(std::string_view word, const Range& dictionary, std::size_t max_distance) {
    std::vector<std::pair<std::size_t, std::string>> matches;
    for (const auto& candidate : dictionary) {
        // The length difference is a lower bound on the distance: skip hopeless words cheaply.
        std::size_t length_gap = candidate.size() > word.size() ? candidate.size() - word.size() : word.size() - candidate.size();
        if (length_gap > max_distance) {
            continue;
        }
        if (std::size_t d = {{lev}}(word, candidate); d <= max_distance) {
            matches.emplace_back(d, std::string(candidate));
        }
    }
    std::sort(matches.begin(), matches.end());
    return matches;
}""",
    {
        "lev": ("levenshtein", "edit_distance"),
        "nearest": ("nearest", "closest_word", "suggest"),
        "maxd": ("2", "3"),
    },
    ("algorithm", "cstddef", "optional", "string", "string_view", "utility", "vector"),
)
