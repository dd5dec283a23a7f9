"""Java units for the code bank (written for this project).

Units are class members (static methods, nested classes and records); the renderer wraps a
file's units in a final utility class named after the file.
"""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank import Bank, Filled, Unit, block_comment, filled, heading
from mellum_data.sample.bank_java_more import (
    ARGS,
    INTERVALS,
    JSON,
    LIMITER,
    RETRY,
    ROMAN,
    STATS,
    TEXT,
)
from mellum_data.sample.repo_context import Generated, RepoContext
from mellum_data.sample.templating import pascal

EDIT = Unit(
    "edit_distances",
    "edit distance and spelling suggestions",
    """/** Levenshtein distance with two rolling rows, so memory is O(min(a, b)). */
public static int {{lev}}(String a, String b) {
    if (a.length() < b.length()) {
        String t = a;
        a = b;
        b = t;
    }
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
        previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
        current[0] = i;
        for (int j = 1; j <= b.length(); j++) {
            int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
            current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
        }
        int[] swap = previous;
        previous = current;
        current = swap;
    }
    return previous[b.length()];
}

/** Known words within {@code maxDistance} edits of {@code word}, nearest first. */
public static List<String> {{suggest}}(String word, Collection<String> known, int maxDistance) {
    List<String> hits = new ArrayList<>();
    Map<String, Integer> distances = new HashMap<>();
    for (String candidate : known) {
        int d = {{lev}}(word.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
        if (d <= maxDistance) {
            hits.add(candidate);
            distances.put(candidate, d);
        }
    }
    hits.sort(Comparator.comparing((String s) -> distances.get(s)).thenComparing(Comparator.naturalOrder()));
    return hits;
}
""",
    {"lev": ("levenshtein", "distance"), "suggest": ("suggestions", "closest", "didYouMean")},
    (
        "java.util.ArrayList",
        "java.util.Collection",
        "java.util.Comparator",
        "java.util.HashMap",
        "java.util.List",
        "java.util.Locale",
        "java.util.Map",
    ),
)

TOPO = Unit(
    "dependency_order",
    "ordering tasks after their dependencies",
    """/** Thrown when dependencies form a cycle; names the nodes left on it. */
public static final class CycleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CycleException(Collection<?> nodes) {
        super("dependency cycle among " + nodes);
    }
}

/**
 * Kahn's algorithm over a map from each node to the nodes it depends on. Ready nodes are
 * taken in natural order so that the result does not depend on hash iteration order.
 */
public static <T extends Comparable<T>> List<T> {{order}}(Map<T, ? extends Collection<T>> dependsOn) {
    Map<T, Integer> indegree = new TreeMap<>();
    Map<T, List<T>> dependents = new HashMap<>();
    dependsOn.forEach((node, deps) -> {
        indegree.merge(node, deps.size(), Integer::sum);
        for (T dep : deps) {
            indegree.putIfAbsent(dep, 0);
            dependents.computeIfAbsent(dep, k -> new ArrayList<>()).add(node);
        }
    });
    PriorityQueue<T> ready = new PriorityQueue<>();
    indegree.forEach((node, d) -> {
        if (d == 0) {
            ready.add(node);
        }
    });
    List<T> order = new ArrayList<>(indegree.size());
    while (!ready.isEmpty()) {
        T node = ready.poll();
        order.add(node);
        for (T next : dependents.getOrDefault(node, List.of())) {
            if (indegree.merge(next, -1, Integer::sum) == 0) {
                ready.add(next);
            }
        }
    }
    if (order.size() != indegree.size()) {
        List<T> left = new ArrayList<>(indegree.keySet());
        left.removeAll(order);
        throw new CycleException(left);
    }
    return order;
}
""",
    {"order": ("topologicalOrder", "buildOrder", "sortByDependencies")},
    (
        "java.util.ArrayList",
        "java.util.Collection",
        "java.util.HashMap",
        "java.util.List",
        "java.util.Map",
        "java.util.PriorityQueue",
        "java.util.TreeMap",
    ),
)

TRIE = Unit(
    "prefix_index",
    "a prefix index for completion",
    """/** A trie over characters; each node counts the words below it for quick prefix counts. */
public static final class {{Trie}} {
    private final Map<Character, {{Trie}}> children = new TreeMap<>();
    private boolean word;
    private int below;

    public boolean add(String text) {
        if (contains(text)) {
            return false;
        }
        {{Trie}} node = this;
        node.below++;
        for (char c : text.toCharArray()) {
            node = node.children.computeIfAbsent(c, k -> new {{Trie}}());
            node.below++;
        }
        node.word = true;
        return true;
    }

    private {{Trie}} find(String prefix) {
        {{Trie}} node = this;
        for (int i = 0; i < prefix.length() && node != null; i++) {
            node = node.children.get(prefix.charAt(i));
        }
        return node;
    }

    public boolean contains(String text) {
        {{Trie}} node = find(text);
        return node != null && node.word;
    }

    public int countWithPrefix(String prefix) {
        {{Trie}} node = find(prefix);
        return node == null ? 0 : node.below;
    }

    /** Up to {@code limit} words with the prefix, in alphabetical order. */
    public List<String> complete(String prefix, int limit) {
        List<String> out = new ArrayList<>();
        collect(find(prefix), new StringBuilder(prefix), out, limit);
        return out;
    }

    private static void collect({{Trie}} node, StringBuilder path, List<String> out, int limit) {
        if (node == null || out.size() >= limit) {
            return;
        }
        if (node.word) {
            out.add(path.toString());
        }
        for (Map.Entry<Character, {{Trie}}> e : node.children.entrySet()) {
            path.append(e.getKey());
            collect(e.getValue(), path, out, limit);
            path.setLength(path.length() - 1);
        }
    }
}
""",
    {"Trie": ("Trie", "PrefixTree", "WordTrie")},
    ("java.util.ArrayList", "java.util.List", "java.util.Map", "java.util.TreeMap"),
)

CSV = Unit(
    "csv_records",
    "reading CSV records with quoted fields",
    """/** Split one line on {@code sep}; fields may be quoted, with "" standing for a quote. */
public static List<String> {{split}}(String line, char sep) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (quoted) {
            if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                field.append('"');
                i++;
            } else if (c == '"') {
                quoted = false;
            } else {
                field.append(c);
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == sep) {
            fields.add(field.toString());
            field.setLength(0);
        } else {
            field.append(c);
        }
    }
    if (quoted) {
        throw new IllegalArgumentException("unterminated quote: " + line);
    }
    fields.add(field.toString());
    return fields;
}

/** Every row after the header as a map from column name to value, in column order. */
public static List<Map<String, String>> {{read}}(BufferedReader reader, char sep) throws IOException {
    String headerLine = reader.readLine();
    if (headerLine == null) {
        return List.of();
    }
    List<String> header = {{split}}(headerLine, sep);
    List<Map<String, String>> rows = new ArrayList<>();
    String line;
    int number = 1;
    while ((line = reader.readLine()) != null) {
        number++;
        if (line.isBlank()) {
            continue;
        }
        List<String> values = {{split}}(line, sep);
        if (values.size() != header.size()) {
            throw new IOException("line " + number + ": expected " + header.size() + " fields, got " + values.size());
        }
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 0; i < header.size(); i++) {
            row.put(header.get(i), values.get(i));
        }
        rows.add(row);
    }
    return rows;
}
""",
    {"split": ("splitLine", "fields", "parseLine"), "read": ("readAll", "records", "readRows")},
    (
        "java.io.BufferedReader",
        "java.io.IOException",
        "java.util.ArrayList",
        "java.util.LinkedHashMap",
        "java.util.List",
        "java.util.Map",
    ),
)

DIJKSTRA = Unit(
    "route_planner",
    "shortest routes in a weighted graph",
    """/** A directed edge with a non-negative cost. */
public record Edge(String from, String to, double cost) {
    public Edge {
        if (cost < 0 || Double.isNaN(cost)) {
            throw new IllegalArgumentException("cost must be >= 0: " + cost);
        }
    }
}

/** The cheapest route from {@code start} to {@code goal}, or an empty list if there is none. */
public static List<String> {{route}}(Collection<Edge> edges, String start, String goal) {
    Map<String, List<Edge>> out = new HashMap<>();
    for (Edge e : edges) {
        out.computeIfAbsent(e.from(), k -> new ArrayList<>()).add(e);
    }
    Map<String, Double> best = new HashMap<>(Map.of(start, 0.0));
    Map<String, String> previous = new HashMap<>();
    PriorityQueue<Map.Entry<String, Double>> queue = new PriorityQueue<>(Map.Entry.comparingByValue());
    queue.add(Map.entry(start, 0.0));
    while (!queue.isEmpty()) {
        Map.Entry<String, Double> head = queue.poll();
        String node = head.getKey();
        if (head.getValue() > best.getOrDefault(node, Double.POSITIVE_INFINITY)) {
            continue; // stale entry: a cheaper one was already processed
        }
        if (node.equals(goal)) {
            break;
        }
        for (Edge e : out.getOrDefault(node, List.of())) {
            double cost = head.getValue() + e.cost();
            if (cost < best.getOrDefault(e.to(), Double.POSITIVE_INFINITY)) {
                best.put(e.to(), cost);
                previous.put(e.to(), node);
                queue.add(Map.entry(e.to(), cost));
            }
        }
    }
    if (!best.containsKey(goal)) {
        return List.of();
    }
    Deque<String> path = new ArrayDeque<>();
    for (String at = goal; at != null; at = previous.get(at)) {
        path.addFirst(at);
    }
    return new ArrayList<>(path);
}
""",
    {"route": ("cheapestRoute", "shortestPath", "findRoute")},
    (
        "java.util.ArrayDeque",
        "java.util.ArrayList",
        "java.util.Collection",
        "java.util.Deque",
        "java.util.HashMap",
        "java.util.List",
        "java.util.Map",
        "java.util.PriorityQueue",
    ),
)

BLOOM = Unit(
    "membership",
    "a Bloom filter for fast negative lookups",
    """/** A Bloom filter over strings: no false negatives, a tunable rate of false positives. */
public static final class {{Bloom}} {
    private final BitSet bits;
    private final int size;
    private final int hashes;
    private int added;

    public {{Bloom}}(int expectedItems, double falsePositiveRate) {
        if (expectedItems <= 0 || falsePositiveRate <= 0 || falsePositiveRate >= 1) {
            throw new IllegalArgumentException("bad sizing: " + expectedItems + ", " + falsePositiveRate);
        }
        this.size = (int) Math.ceil(-expectedItems * Math.log(falsePositiveRate) / (Math.log(2) * Math.log(2)));
        this.hashes = Math.max(1, (int) Math.round((double) size / expectedItems * Math.log(2)));
        this.bits = new BitSet(size);
    }

    private int[] positions(String item) {
        byte[] data = item.getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(data);
        int h1 = (int) crc.getValue();
        int h2 = Arrays.hashCode(data) | 1;
        int[] out = new int[hashes];
        for (int i = 0; i < hashes; i++) {
            out[i] = Math.floorMod(h1 + i * h2, size);
        }
        return out;
    }

    public void add(String item) {
        for (int p : positions(item)) {
            bits.set(p);
        }
        added++;
    }

    public boolean mightContain(String item) {
        for (int p : positions(item)) {
            if (!bits.get(p)) {
                return false;
            }
        }
        return true;
    }

    public double expectedFalsePositiveRate() {
        return Math.pow(1 - Math.exp(-(double) hashes * added / size), hashes);
    }
}
""",
    {"Bloom": ("BloomFilter", "Bloom", "ProbabilisticSet")},
    (
        "java.nio.charset.StandardCharsets",
        "java.util.Arrays",
        "java.util.BitSet",
        "java.util.zip.CRC32",
    ),
)

UNITS = (
    EDIT,
    TOPO,
    TRIE,
    CSV,
    DIJKSTRA,
    BLOOM,
    LIMITER,
    STATS,
    TEXT,
    INTERVALS,
    ROMAN,
    ARGS,
    JSON,
    RETRY,
)
BANK = Bank("java", UNITS)


def class_name(stem: str) -> str:
    return pascal(stem.replace("_", " "))


def render(ctx: RepoContext, f: Filled, package: str) -> str:
    """``package``, imports, and the units as members of a final class named after the file."""
    cls = class_name(f.stem)
    imports = "".join(f"import {i};\n" for i in f.imports)
    members = "\n\n".join(f.bodies).split("\n")
    body = "\n".join(f"    {line}" if line else "" for line in members)
    doc = block_comment(heading(ctx, f.summaries), "/**")
    return (
        f"package {package};\n\n{imports}\n{doc}public final class {cls} {{\n"
        f"    private {cls}() {{\n    }}\n\n{body}\n}}\n"
    )


def add_classes(
    ctx: RepoContext,
    out: Generated,
    folder: str,
    package: str,
    header: str = "",
    n_units: int | None = None,
) -> list[str]:
    """Deal the bank into ``folder/<Class>.java`` files; returns the class names."""
    names = []
    for f in filled(ctx, BANK, n_units):
        out.add_new(f"{folder}/{class_name(f.stem)}.java", header + render(ctx, f, package))
        names.append(class_name(f.stem))
    return names
