"""C++ units for the code bank (written for this project): header-only, C++17."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank import Bank, Filled, Unit, block_comment, filled, heading, join_bodies
from mellum_data.sample.bank_cpp_more import (
    ARGS,
    BLOOM,
    EDIT,
    JSON,
    SCOPE,
    STATS,
    TOPO,
)
from mellum_data.sample.repo_context import Generated, RepoContext

STRINGS = Unit(
    "strings",
    "string splitting, trimming and joining",
    """/// Split on a single character; empty fields are kept ("a,,b" gives three fields).
inline std::vector<std::string> split(std::string_view text, char sep) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        std::size_t pos = text.find(sep, start);
        parts.emplace_back(text.substr(start, pos == std::string_view::npos ? pos : pos - start));
        if (pos == std::string_view::npos) {
            break;
        }
        start = pos + 1;
    }
    return parts;
}

inline std::string_view trim(std::string_view s) {
    auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

template <typename Range>
std::string join(const Range& items, std::string_view sep) {
    std::string out;
    bool first = true;
    for (const auto& item : items) {
        if (!first) {
            out += sep;
        }
        out += item;
        first = false;
    }
    return out;
}

inline bool {{starts}}(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

inline std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}""",
    {"starts": ("starts_with", "has_prefix")},
    ("algorithm", "cctype", "string", "string_view", "vector"),
)

LRU = Unit(
    "lru_cache",
    "a least-recently-used cache",
    """/// Fixed-capacity cache; a list keeps recency order and a map finds list nodes in O(1).
template <typename Key, typename Value>
class {{Lru}} {
public:
    explicit {{Lru}}(std::size_t capacity) : capacity_(capacity) {
        if (capacity_ == 0) {
            throw std::invalid_argument("{{Lru}}: capacity must be positive");
        }
    }

    std::optional<Value> get(const Key& key) {
        auto it = index_.find(key);
        if (it == index_.end()) {
            ++misses_;
            return std::nullopt;
        }
        order_.splice(order_.begin(), order_, it->second);
        ++hits_;
        return it->second->second;
    }

    void put(const Key& key, Value value) {
        if (auto it = index_.find(key); it != index_.end()) {
            it->second->second = std::move(value);
            order_.splice(order_.begin(), order_, it->second);
            return;
        }
        order_.emplace_front(key, std::move(value));
        index_[key] = order_.begin();
        if (index_.size() > capacity_) {
            index_.erase(order_.back().first);
            order_.pop_back();
        }
    }

    std::size_t size() const { return index_.size(); }
    double hit_rate() const {
        auto total = hits_ + misses_;
        return total ? static_cast<double>(hits_) / total : 0.0;
    }

private:
    using Entry = std::pair<Key, Value>;
    std::size_t capacity_;
    std::list<Entry> order_;
    std::unordered_map<Key, typename std::list<Entry>::iterator> index_;
    std::size_t hits_ = 0;
    std::size_t misses_ = 0;
};""",
    {"Lru": ("LruCache", "RecentCache", "BoundedCache")},
    ("cstddef", "list", "optional", "stdexcept", "unordered_map", "utility"),
)

QUEUE = Unit(
    "blocking_queue",
    "a bounded blocking queue for worker threads",
    """/// A multi-producer, multi-consumer queue. `close()` wakes every waiter: producers get
/// false from push, consumers drain what is left and then get std::nullopt.
template <typename T>
class {{Queue}} {
public:
    explicit {{Queue}}(std::size_t capacity = {{capacity}}) : capacity_(capacity) {}

    bool push(T item) {
        std::unique_lock<std::mutex> lock(mutex_);
        not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
        if (closed_) {
            return false;
        }
        items_.push_back(std::move(item));
        not_empty_.notify_one();
        return true;
    }

    std::optional<T> pop() {
        std::unique_lock<std::mutex> lock(mutex_);
        not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
        if (items_.empty()) {
            return std::nullopt;
        }
        T item = std::move(items_.front());
        items_.pop_front();
        not_full_.notify_one();
        return item;
    }

    std::optional<T> try_pop_for(std::chrono::milliseconds timeout) {
        std::unique_lock<std::mutex> lock(mutex_);
        if (!not_empty_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); }) || items_.empty()) {
            return std::nullopt;
        }
        T item = std::move(items_.front());
        items_.pop_front();
        not_full_.notify_one();
        return item;
    }

    void close() {
        std::lock_guard<std::mutex> lock(mutex_);
        closed_ = true;
        not_empty_.notify_all();
        not_full_.notify_all();
    }

private:
    std::size_t capacity_;
    std::deque<T> items_;
    std::mutex mutex_;
    std::condition_variable not_empty_;
    std::condition_variable not_full_;
    bool closed_ = false;
};""",
    {"Queue": ("BlockingQueue", "WorkQueue", "Channel"), "capacity": ("64", "256", "1024")},
    ("chrono", "condition_variable", "cstddef", "deque", "mutex", "optional", "utility"),
)

TRIE = Unit(
    "trie",
    "a trie for prefix queries",
    """class {{Trie}} {
public:
    void insert(std::string_view word) {
        Node* node = &root_;
        for (char c : word) {
            auto& child = node->children[c];
            if (!child) {
                child = std::make_unique<Node>();
            }
            node = child.get();
            ++node->passing;
        }
        if (!node->terminal) {
            node->terminal = true;
            ++size_;
        }
    }

    bool contains(std::string_view word) const {
        const Node* node = find(word);
        return node != nullptr && node->terminal;
    }

    /// Words stored with this prefix (a word counts once even if inserted twice).
    std::size_t count_prefix(std::string_view prefix) const {
        const Node* node = find(prefix);
        return node == nullptr ? 0 : (prefix.empty() ? size_ : node->passing);
    }

    std::vector<std::string> complete(std::string_view prefix, std::size_t limit = {{limit}}) const {
        std::vector<std::string> out;
        std::string path(prefix);
        if (const Node* node = find(prefix)) {
            collect(*node, path, out, limit);
        }
        return out;
    }

    std::size_t size() const { return size_; }

private:
    struct Node {
        std::map<char, std::unique_ptr<Node>> children;
        std::size_t passing = 0;
        bool terminal = false;
    };

    const Node* find(std::string_view prefix) const {
        const Node* node = &root_;
        for (char c : prefix) {
            auto it = node->children.find(c);
            if (it == node->children.end()) {
                return nullptr;
            }
            node = it->second.get();
        }
        return node;
    }

    static void collect(const Node& node, std::string& path, std::vector<std::string>& out, std::size_t limit) {
        if (out.size() >= limit) {
            return;
        }
        if (node.terminal) {
            out.push_back(path);
        }
        for (const auto& [c, child] : node.children) {
            path.push_back(c);
            collect(*child, path, out, limit);
            path.pop_back();
        }
    }

    Node root_;
    std::size_t size_ = 0;
};""",
    {"Trie": ("Trie", "PrefixTree"), "limit": ("10", "16")},
    ("cstddef", "map", "memory", "string", "string_view", "vector"),
)

INTERVALS = Unit(
    "intervals",
    "merging closed intervals",
    """template <typename T>
struct Interval {
    T lo;
    T hi;

    bool contains(T x) const { return lo <= x && x <= hi; }
    T length() const { return hi - lo; }
};

/// Merge overlapping intervals; the result is sorted by start.
template <typename T>
std::vector<Interval<T>> {{merge}}(std::vector<Interval<T>> items) {
    std::sort(items.begin(), items.end(), [](const Interval<T>& a, const Interval<T>& b) {
        return a.lo < b.lo || (a.lo == b.lo && a.hi < b.hi);
    });
    std::vector<Interval<T>> out;
    for (const auto& it : items) {
        if (it.hi < it.lo) {
            throw std::invalid_argument("interval with hi < lo");
        }
        if (!out.empty() && it.lo <= out.back().hi) {
            out.back().hi = std::max(out.back().hi, it.hi);
        } else {
            out.push_back(it);
        }
    }
    return out;
}

/// Total length covered, counting overlapping parts once.
template <typename T>
T covered(const std::vector<Interval<T>>& items) {
    T total{};
    for (const auto& it : {{merge}}(items)) {
        total += it.length();
    }
    return total;
}

/// Index of the merged interval holding `x`, by binary search; -1 when none does.
template <typename T>
long find_interval(const std::vector<Interval<T>>& merged, T x) {
    auto it = std::upper_bound(merged.begin(), merged.end(), x,
                               [](T value, const Interval<T>& iv) { return value < iv.lo; });
    if (it == merged.begin()) {
        return -1;
    }
    --it;
    return it->contains(x) ? static_cast<long>(it - merged.begin()) : -1;
}""",
    {"merge": ("merge", "merge_intervals", "coalesce")},
    ("algorithm", "stdexcept", "vector"),
)

RING = Unit(
    "ring",
    "a fixed-capacity ring buffer that overwrites the oldest item",
    """template <typename T, std::size_t N>
class {{Ring}} {
    static_assert(N > 0, "capacity must be positive");

public:
    /// Append; when full, the oldest element is dropped and returned.
    std::optional<T> push(T value) {
        std::optional<T> dropped;
        if (size_ == N) {
            dropped = std::move(data_[head_]);
            head_ = (head_ + 1) % N;
            --size_;
        }
        data_[(head_ + size_) % N] = std::move(value);
        ++size_;
        return dropped;
    }

    std::optional<T> pop_front() {
        if (size_ == 0) {
            return std::nullopt;
        }
        T value = std::move(data_[head_]);
        head_ = (head_ + 1) % N;
        --size_;
        return value;
    }

    const T& operator[](std::size_t i) const {
        if (i >= size_) {
            throw std::out_of_range("{{Ring}} index");
        }
        return data_[(head_ + i) % N];
    }

    std::size_t size() const { return size_; }
    bool full() const { return size_ == N; }
    static constexpr std::size_t capacity() { return N; }

    template <typename F>
    void for_each(F&& f) const {
        for (std::size_t i = 0; i < size_; ++i) {
            f(data_[(head_ + i) % N]);
        }
    }

private:
    std::array<T, N> data_{};
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

/// Mean of the buffered values; handy for a moving average over the last N samples.
template <typename T, std::size_t N>
double average(const {{Ring}}<T, N>& ring) {
    double sum = 0;
    ring.for_each([&](const T& v) { sum += static_cast<double>(v); });
    return ring.size() ? sum / static_cast<double>(ring.size()) : 0.0;
}""",
    {"Ring": ("RingBuffer", "CircularBuffer", "History")},
    ("array", "cstddef", "optional", "stdexcept", "utility"),
)

UNITS = (STRINGS, LRU, QUEUE, TRIE, INTERVALS, RING, JSON, TOPO, STATS, BLOOM, ARGS, SCOPE, EDIT)
BANK = Bank("cpp", UNITS)


def render(ctx: RepoContext, f: Filled) -> str:
    """A header-only file: doc comment, ``#pragma once``, includes, the units in a namespace."""
    doc = block_comment(heading(ctx, f.summaries), "//")
    includes = "".join(f"#include <{h}>\n" for h in f.imports)
    return (
        f"{doc}\n#pragma once\n\n{includes}\nnamespace {ctx.pkg} {{\n\n"
        + join_bodies(f.bodies, "\n\n")
        + f"\n}}  // namespace {ctx.pkg}\n"
    )


def add_headers(
    ctx: RepoContext, out: Generated, folder: str, header: str = "", n_units: int | None = None
) -> list[str]:
    """Deal the bank into ``folder/<stem>.hpp`` files; returns the stems."""
    stems = []
    for f in filled(ctx, BANK, n_units):
        out.add_new(f"{folder}/{f.stem}.hpp", header + render(ctx, f))
        stems.append(f.stem)
    return stems
