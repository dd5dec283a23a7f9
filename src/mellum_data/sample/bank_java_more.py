"""Java units for the code bank, continued (written for this project)."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank import Unit

LIMITER = Unit(
    "throttling",
    "per-key request throttling",
    """/**
 * Fixed-window counters per key, with the previous window weighted in so that a burst at a
 * window boundary cannot double the allowed rate.
 */
public static final class {{Limiter}} {
    private final int limit;
    private final long windowMillis;
    private final LongSupplier clock;
    private final Map<String, long[]> windows = new ConcurrentHashMap<>();

    public {{Limiter}}(int limit, Duration window, LongSupplier clock) {
        this.limit = limit;
        this.windowMillis = window.toMillis();
        this.clock = clock;
    }

    public {{Limiter}}(int limit, Duration window) {
        this(limit, window, System::currentTimeMillis);
    }

    /** Records one request for {@code key} if it is allowed. */
    public boolean tryAcquire(String key) {
        long now = clock.getAsLong();
        long current = now / windowMillis;
        long[] state = windows.computeIfAbsent(key, k -> new long[] {current, 0, 0});
        synchronized (state) {
            if (state[0] != current) {
                state[2] = state[0] == current - 1 ? state[1] : 0;
                state[1] = 0;
                state[0] = current;
            }
            double elapsed = (double) (now % windowMillis) / windowMillis;
            double estimate = state[2] * (1 - elapsed) + state[1];
            if (estimate >= limit) {
                return false;
            }
            state[1]++;
            return true;
        }
    }

    public int trackedKeys() {
        return windows.size();
    }
}
""",
    {"Limiter": ("RateLimiter", "SlidingWindowLimiter", "Throttle")},
    (
        "java.time.Duration",
        "java.util.Map",
        "java.util.concurrent.ConcurrentHashMap",
        "java.util.function.LongSupplier",
    ),
)


STATS = Unit(
    "summary_statistics",
    "summary statistics over samples",
    """public static double mean(double[] values) {
    requireNonEmpty(values);
    double sum = 0;
    for (double v : values) {
        sum += v;
    }
    return sum / values.length;
}

/** Sample standard deviation (n - 1 in the denominator); 0 for a single value. */
public static double {{stddev}}(double[] values) {
    requireNonEmpty(values);
    if (values.length == 1) {
        return 0;
    }
    double m = mean(values);
    double squares = 0;
    for (double v : values) {
        squares += (v - m) * (v - m);
    }
    return Math.sqrt(squares / (values.length - 1));
}

/** Percentile p in [0, 100], interpolating between the two nearest ranks. */
public static double {{percentile}}(double[] values, double p) {
    requireNonEmpty(values);
    if (p < 0 || p > 100) {
        throw new IllegalArgumentException("p out of range: " + p);
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double rank = (sorted.length - 1) * p / 100.0;
    int lo = (int) Math.floor(rank);
    int hi = (int) Math.ceil(rank);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

public static String describe(double[] values) {
    return String.format(Locale.ROOT, "n=%d mean=%.{{digits}}f sd=%.{{digits}}f p50=%.{{digits}}f p95=%.{{digits}}f",
            values.length, mean(values), {{stddev}}(values), {{percentile}}(values, 50), {{percentile}}(values, 95));
}

private static void requireNonEmpty(double[] values) {
    if (values == null || values.length == 0) {
        throw new IllegalArgumentException("no values");
    }
}
""",
    {
        "stddev": ("stddev", "standardDeviation"),
        "percentile": ("percentile", "quantile"),
        "digits": ("2", "3"),
    },
    ("java.util.Arrays", "java.util.Locale"),
)


TEXT = Unit(
    "text_utils",
    "slugs and word wrapping",
    """private static final Pattern NON_ALNUM = Pattern.compile("[^a-z0-9]+");
private static final Pattern MARKS = Pattern.compile("\\\\p{M}+");

/** Lower-case ASCII words joined by hyphens, for URLs and file names. */
public static String {{slug}}(String title) {
    String plain = MARKS.matcher(Normalizer.normalize(title, Normalizer.Form.NFD)).replaceAll("");
    String slug = NON_ALNUM.matcher(plain.toLowerCase(Locale.ROOT)).replaceAll("-");
    slug = slug.replaceAll("^-+|-+$", "");
    return slug.isEmpty() ? "{{fallback}}" : slug;
}

/** Greedy word wrap at {@code width} columns; long words are not broken. */
public static List<String> {{wrap}}(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.trim().split("\\\\s+")) {
        if (word.isEmpty()) {
            continue;
        }
        if (line.length() > 0 && line.length() + 1 + word.length() > width) {
            lines.add(line.toString());
            line.setLength(0);
        }
        if (line.length() > 0) {
            line.append(' ');
        }
        line.append(word);
    }
    if (line.length() > 0) {
        lines.add(line.toString());
    }
    return lines;
}

public static String abbreviate(String text, int max) {
    if (text.length() <= max) {
        return text;
    }
    int cut = text.lastIndexOf(' ', max - 1);
    return (cut > 0 ? text.substring(0, cut) : text.substring(0, max - 1)) + "\\u2026";
}
""",
    {
        "slug": ("slugify", "toSlug"),
        "wrap": ("wrap", "wordWrap"),
        "fallback": ("untitled", "item", "n-a"),
    },
    (
        "java.text.Normalizer",
        "java.util.ArrayList",
        "java.util.List",
        "java.util.Locale",
        "java.util.regex.Pattern",
    ),
)


INTERVALS = Unit(
    "time_ranges",
    "merging booked time ranges",
    """/** A half-open range [start, end) of epoch seconds. */
public record Range(long start, long end) implements Comparable<Range> {
    public Range {
        if (end < start) {
            throw new IllegalArgumentException("end before start: " + start + ".." + end);
        }
    }

    public long length() {
        return end - start;
    }

    public boolean overlaps(Range other) {
        return start < other.end && other.start < end;
    }

    @Override
    public int compareTo(Range other) {
        return start != other.start ? Long.compare(start, other.start) : Long.compare(end, other.end);
    }
}

/** Merge overlapping or touching ranges; the input list is not modified. */
public static List<Range> {{merge}}(List<Range> ranges) {
    List<Range> sorted = new ArrayList<>(ranges);
    Collections.sort(sorted);
    List<Range> merged = new ArrayList<>();
    for (Range r : sorted) {
        int last = merged.size() - 1;
        if (last >= 0 && r.start() <= merged.get(last).end()) {
            Range prev = merged.get(last);
            merged.set(last, new Range(prev.start(), Math.max(prev.end(), r.end())));
        } else {
            merged.add(r);
        }
    }
    return merged;
}

/** Free ranges inside [from, to) that no booking covers. */
public static List<Range> {{free}}(List<Range> booked, long from, long to) {
    List<Range> free = new ArrayList<>();
    long cursor = from;
    for (Range r : {{merge}}(booked)) {
        if (r.end() <= from || r.start() >= to) {
            continue;
        }
        if (r.start() > cursor) {
            free.add(new Range(cursor, r.start()));
        }
        cursor = Math.max(cursor, r.end());
    }
    if (cursor < to) {
        free.add(new Range(cursor, to));
    }
    return free;
}
""",
    {"merge": ("merge", "coalesce"), "free": ("freeSlots", "gaps", "available")},
    ("java.util.ArrayList", "java.util.Collections", "java.util.List"),
)


ROMAN = Unit(
    "roman_numerals",
    "Roman numeral conversion",
    """private static final int[] VALUES = {1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1};
private static final String[] SYMBOLS = {"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"};

/** 1..3999 to Roman numerals, e.g. 1994 to MCMXCIV. */
public static String {{to}}(int number) {
    if (number < 1 || number > 3999) {
        throw new IllegalArgumentException("out of range: " + number);
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < VALUES.length; i++) {
        while (number >= VALUES[i]) {
            number -= VALUES[i];
            out.append(SYMBOLS[i]);
        }
    }
    return out.toString();
}

/** Parses canonical numerals only: the result must convert back to the same text. */
public static int {{from}}(String text) {
    String upper = text.trim().toUpperCase(Locale.ROOT);
    int total = 0;
    int pos = 0;
    for (int i = 0; i < VALUES.length; i++) {
        while (upper.startsWith(SYMBOLS[i], pos)) {
            total += VALUES[i];
            pos += SYMBOLS[i].length();
        }
    }
    if (pos != upper.length() || total == 0 || !{{to}}(total).equals(upper)) {
        throw new NumberFormatException("not a Roman numeral: " + text);
    }
    return total;
}
""",
    {"to": ("toRoman", "format"), "from": ("fromRoman", "parse")},
    ("java.util.Locale",),
)


ARGS = Unit(
    "command_line",
    "command-line option parsing",
    """/** Parsed arguments: options by name (without dashes) and the remaining operands. */
public record Parsed(Map<String, String> options, List<String> operands) {
    public boolean flag(String name) {
        return Boolean.parseBoolean(options.getOrDefault(name, "false"));
    }

    public int intOption(String name, int fallback) {
        String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " expects a number, got " + value, e);
        }
    }
}

/**
 * Accepts --name=value, --name value (when name takes a value), --flag and -- to end the
 * options. Unknown options are an error so that typos do not pass silently.
 */
public static Parsed {{parse}}(String[] args, Set<String> withValue, Set<String> flags) {
    Map<String, String> options = new LinkedHashMap<>();
    List<String> operands = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (arg.equals("--")) {
            operands.addAll(Arrays.asList(args).subList(i + 1, args.length));
            break;
        }
        if (!arg.startsWith("--")) {
            operands.add(arg);
            continue;
        }
        int eq = arg.indexOf('=');
        String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
        if (withValue.contains(name)) {
            if (eq >= 0) {
                options.put(name, arg.substring(eq + 1));
            } else if (i + 1 < args.length) {
                options.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
        } else if (flags.contains(name) && eq < 0) {
            options.put(name, "true");
        } else {
            throw new IllegalArgumentException("unknown option --" + name);
        }
    }
    return new Parsed(options, operands);
}
""",
    {"parse": ("parse", "parseArgs", "readCommandLine")},
    (
        "java.util.ArrayList",
        "java.util.Arrays",
        "java.util.LinkedHashMap",
        "java.util.List",
        "java.util.Map",
        "java.util.Set",
    ),
)


JSON = Unit(
    "json_output",
    "writing JSON without a library",
    """/** A JSON string literal for {@code s}, escaping quotes, backslashes and control characters. */
public static String {{quote}}(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
            case '"' -> out.append("\\\\\\"");
            case '\\\\' -> out.append("\\\\\\\\");
            case '\\n' -> out.append("\\\\n");
            case '\\r' -> out.append("\\\\r");
            case '\\t' -> out.append("\\\\t");
            default -> {
                if (c < 0x20) {
                    out.append(String.format("\\\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
    }
    return out.append('"').toString();
}

/** Serializes maps, lists, strings, numbers, booleans and null; anything else is an error. */
public static String {{write}}(Object value) {
    if (value == null) {
        return "null";
    }
    if (value instanceof String s) {
        return {{quote}}(s);
    }
    if (value instanceof Number || value instanceof Boolean) {
        return value.toString();
    }
    if (value instanceof Map<?, ?> map) {
        StringJoiner joiner = new StringJoiner(",", "{", "}");
        map.forEach((k, v) -> joiner.add({{quote}}(String.valueOf(k)) + ":" + {{write}}(v)));
        return joiner.toString();
    }
    if (value instanceof Iterable<?> items) {
        StringJoiner joiner = new StringJoiner(",", "[", "]");
        for (Object item : items) {
            joiner.add({{write}}(item));
        }
        return joiner.toString();
    }
    throw new IllegalArgumentException("cannot serialize " + value.getClass().getName());
}
""",
    {"quote": ("quote", "jsonString"), "write": ("toJson", "write", "serialize")},
    ("java.util.Map", "java.util.StringJoiner"),
)


RETRY = Unit(
    "retries",
    "retrying failed calls with backoff",
    """/**
 * Calls {@code action} up to {@code attempts} times, sleeping base * 2^n (capped, with
 * jitter) between tries. Interrupts are honoured: the thread's flag is restored.
 */
public static <T> T {{retry}}(Callable<T> action, int attempts, Duration base) throws Exception {
    if (attempts < 1) {
        throw new IllegalArgumentException("attempts must be >= 1");
    }
    Exception last = null;
    for (int attempt = 0; attempt < attempts; attempt++) {
        try {
            return action.call();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw e;
        } catch (Exception e) {
            last = e;
            if (attempt + 1 < attempts) {
                long cap = Math.min({{cap}}L, base.toMillis() << Math.min(attempt, 20));
                long sleep = ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
                LOG.log(Level.FINE, "attempt {0} failed, retrying in {1} ms", new Object[] {attempt + 1, sleep});
                Thread.sleep(sleep);
            }
        }
    }
    throw last;
}

private static final Logger LOG = Logger.getLogger("{{pkg}}.retry");
""",
    {"retry": ("withRetry", "retry", "callWithRetries"), "cap": ("30000", "10000", "60000")},
    (
        "java.time.Duration",
        "java.util.concurrent.Callable",
        "java.util.concurrent.ThreadLocalRandom",
        "java.util.logging.Level",
        "java.util.logging.Logger",
    ),
)
