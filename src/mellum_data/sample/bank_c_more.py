"""C units for the code bank, continued (written for this project)."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank import Unit

INTVEC = Unit(
    "intvec",
    "growable integer arrays with sorting and medians",
    """int intvec_push(struct intvec *v, long value)
{
    if (v->len == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : {{initial}};
        long *items = realloc(v->items, cap * sizeof *items);
        if (items == NULL) {
            return -1;
        }
        v->items = items;
        v->cap = cap;
    }
    v->items[v->len++] = value;
    return 0;
}

static int intvec_compare(const void *a, const void *b)
{
    long x = *(const long *)a;
    long y = *(const long *)b;
    return (x > y) - (x < y); /* not x - y: that overflows for large values */
}

void intvec_sort(struct intvec *v)
{
    qsort(v->items, v->len, sizeof *v->items, intvec_compare);
}

/* Median of the values (sorts them); 0 for an empty vector. */
double intvec_median(struct intvec *v)
{
    if (v->len == 0) {
        return 0.0;
    }
    intvec_sort(v);
    size_t mid = v->len / 2;
    if (v->len % 2) {
        return (double)v->items[mid];
    }
    return ((double)v->items[mid - 1] + (double)v->items[mid]) / 2.0;
}

/* Remove repeated values from a sorted vector, keeping the first of each run. */
size_t intvec_unique(struct intvec *v)
{
    size_t out = 0;
    for (size_t i = 0; i < v->len; i++) {
        if (out == 0 || v->items[out - 1] != v->items[i]) {
            v->items[out++] = v->items[i];
        }
    }
    v->len = out;
    return out;
}

void intvec_free(struct intvec *v)
{
    free(v->items);
    v->items = NULL;
    v->len = v->cap = 0;
}""",
    {"initial": ("8", "16", "32")},
    ("stddef.h", "stdlib.h"),
    (
        "struct intvec {\n    long *items;\n    size_t len;\n    size_t cap;\n};",
        "int intvec_push(struct intvec *v, long value);",
        "void intvec_sort(struct intvec *v);",
        "double intvec_median(struct intvec *v);",
        "size_t intvec_unique(struct intvec *v);",
        "void intvec_free(struct intvec *v);",
    ),
)


UTF8 = Unit(
    "utf8",
    "UTF-8 decoding and validation",
    """/*
 * Decode one code point from `s` (at most `n` bytes). Returns the number of bytes used, or
 * 0 for an invalid sequence: overlong forms, surrogates and values past U+10FFFF included.
 */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0) {
        return 0;
    }
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len;
    uint32_t min;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        min = 0x80;
        *cp = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        min = 0x800;
        *cp = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        min = 0x10000;
        *cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) {
        return 0;
    }
    return len;
}

/* Number of code points, or -1 with the offset of the first bad byte in `bad_at`. */
long utf8_length(const char *text, size_t n, size_t *bad_at)
{
    const unsigned char *s = (const unsigned char *)text;
    long count = 0;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t used = utf8_decode(s + i, n - i, &cp);
        if (used == 0) {
            if (bad_at) {
                *bad_at = i;
            }
            return -1;
        }
        i += used;
        count++;
    }
    return count;
}""",
    {},
    ("stddef.h", "stdint.h"),
    (
        "size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);",
        "long utf8_length(const char *text, size_t n, size_t *bad_at);",
    ),
)


BITSET = Unit(
    "bitset",
    "fixed-size bit sets",
    """#define WORD_BITS (8 * sizeof(unsigned long))

struct bitset *bitset_new(size_t nbits)
{
    size_t words = (nbits + WORD_BITS - 1) / WORD_BITS;
    struct bitset *b = malloc(sizeof *b + words * sizeof(unsigned long));
    if (b == NULL) {
        return NULL;
    }
    b->nbits = nbits;
    memset(b->words, 0, words * sizeof(unsigned long));
    return b;
}

void bitset_set(struct bitset *b, size_t i)
{
    b->words[i / WORD_BITS] |= 1ul << (i % WORD_BITS);
}

void bitset_clear(struct bitset *b, size_t i)
{
    b->words[i / WORD_BITS] &= ~(1ul << (i % WORD_BITS));
}

bool bitset_test(const struct bitset *b, size_t i)
{
    return (b->words[i / WORD_BITS] >> (i % WORD_BITS)) & 1ul;
}

/* Population count, with Kernighan's trick: each step clears the lowest set bit. */
size_t bitset_count(const struct bitset *b)
{
    size_t words = (b->nbits + WORD_BITS - 1) / WORD_BITS;
    size_t total = 0;
    for (size_t w = 0; w < words; w++) {
        for (unsigned long x = b->words[w]; x; x &= x - 1) {
            total++;
        }
    }
    return total;
}

/* Index of the first set bit at or after `from`, or `nbits` when there is none. */
size_t bitset_next(const struct bitset *b, size_t from)
{
    for (size_t i = from; i < b->nbits; i++) {
        if (bitset_test(b, i)) {
            return i;
        }
    }
    return b->nbits;
}""",
    {},
    ("stdbool.h", "stddef.h", "stdlib.h", "string.h"),
    (
        "struct bitset {\n    size_t nbits;\n    unsigned long words[];\n};",
        "struct bitset *bitset_new(size_t nbits);",
        "void bitset_set(struct bitset *b, size_t i);",
        "void bitset_clear(struct bitset *b, size_t i);",
        "bool bitset_test(const struct bitset *b, size_t i);",
        "size_t bitset_count(const struct bitset *b);",
        "size_t bitset_next(const struct bitset *b, size_t from);",
    ),
)


LEVENSHTEIN = Unit(
    "fuzzy",
    "fuzzy matching of command names",
    """/* Levenshtein distance; returns -1 if the strings are longer than the work buffer. */
int {{prefix}}_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int row[{{maxlen}} + 1];
    if (lb > {{maxlen}}) {
        return -1;
    }
    for (size_t j = 0; j <= lb; j++) {
        row[j] = (int)j;
    }
    for (size_t i = 1; i <= la; i++) {
        int diagonal = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int above = row[j];
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int best = diagonal + cost;
            if (above + 1 < best) {
                best = above + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            diagonal = above;
        }
    }
    return row[lb];
}

/* The closest of `names` to `word` within `limit` edits, or NULL. */
const char *{{prefix}}_closest(const char *word, const char *const *names, size_t count, int limit)
{
    const char *best = NULL;
    int best_distance = limit + 1;
    for (size_t i = 0; i < count; i++) {
        int d = {{prefix}}_distance(word, names[i]);
        if (d >= 0 && d < best_distance) {
            best = names[i];
            best_distance = d;
        }
    }
    return best;
}

/* Print "unknown command" with a suggestion when one is close enough. */
void {{prefix}}_report_unknown(FILE *out, const char *kind, const char *word, const char *const *names, size_t count)
{
    const char *hint = {{prefix}}_closest(word, names, count, {{limit}});
    if (hint != NULL) {
        fprintf(out, "unknown %s '%s'; did you mean '%s'?\\n", kind, word, hint);
    } else {
        fprintf(out, "unknown %s '%s'\\n", kind, word);
    }
}""",
    {"maxlen": ("64", "128"), "limit": ("2", "3")},
    ("ctype.h", "stddef.h", "stdio.h", "string.h"),
    (
        "int {{prefix}}_distance(const char *a, const char *b);",
        "const char *{{prefix}}_closest(const char *word, const char *const *names, size_t count, int limit);",
        "void {{prefix}}_report_unknown(FILE *out, const char *kind, const char *word, const char *const *names, size_t count);",
    ),
)


WC = Unit(
    "counts",
    "line, word and byte counts of streams",
    """/* Counts of one stream, as wc(1) prints them. */
int {{prefix}}_count_stream(FILE *fp, struct counts *c)
{
    int ch;
    bool in_word = false;
    c->lines = c->words = c->bytes = 0;
    c->longest = 0;
    size_t line_length = 0;
    while ((ch = getc(fp)) != EOF) {
        c->bytes++;
        if (ch == '\\n') {
            c->lines++;
            if (line_length > c->longest) {
                c->longest = line_length;
            }
            line_length = 0;
        } else {
            line_length++;
        }
        if (isspace(ch)) {
            in_word = false;
        } else if (!in_word) {
            in_word = true;
            c->words++;
        }
    }
    if (line_length > c->longest) {
        c->longest = line_length;
    }
    return ferror(fp) ? -1 : 0;
}

void {{prefix}}_print_counts(FILE *out, const struct counts *c, const char *name)
{
    fprintf(out, "%{{width}}zu %{{width}}zu %{{width}}zu", c->lines, c->words, c->bytes);
    if (name != NULL) {
        fprintf(out, " %s", name);
    }
    fputc('\\n', out);
}

/* Count every named file (or stdin for "-"); keeps going after errors, like wc. */
int {{prefix}}_count_files(char **names, int n, struct counts *total)
{
    int status = 0;
    memset(total, 0, sizeof *total);
    for (int i = 0; i < n; i++) {
        FILE *fp = strcmp(names[i], "-") == 0 ? stdin : fopen(names[i], "rb");
        struct counts c;
        if (fp == NULL || {{prefix}}_count_stream(fp, &c) != 0) {
            fprintf(stderr, "%s: %s\\n", names[i], strerror(errno));
            status = 1;
        } else {
            {{prefix}}_print_counts(stdout, &c, names[i]);
            total->lines += c.lines;
            total->words += c.words;
            total->bytes += c.bytes;
        }
        if (fp != NULL && fp != stdin) {
            fclose(fp);
        }
    }
    return status;
}""",
    {"width": ("7", "8")},
    ("ctype.h", "errno.h", "stdbool.h", "stddef.h", "stdio.h", "string.h"),
    (
        "struct counts {\n    size_t lines;\n    size_t words;\n    size_t bytes;\n    size_t longest;\n};",
        "int {{prefix}}_count_stream(FILE *fp, struct counts *c);",
        "void {{prefix}}_print_counts(FILE *out, const struct counts *c, const char *name);",
        "int {{prefix}}_count_files(char **names, int n, struct counts *total);",
    ),
)


ARENA = Unit(
    "arena",
    "an arena allocator for short-lived objects",
    """/*
 * Bump allocation from large blocks, all freed at once: parsers allocate many small nodes
 * that live exactly as long as the parse, and free() per node would dominate.
 */
static struct arena_block *arena_block_new(size_t size)
{
    struct arena_block *b = malloc(sizeof *b + size);
    if (b != NULL) {
        b->next = NULL;
        b->used = 0;
        b->size = size;
    }
    return b;
}

void *arena_alloc(struct arena *a, size_t size)
{
    size = (size + {{align}} - 1) & ~(size_t)({{align}} - 1);
    if (a->head == NULL || a->head->used + size > a->head->size) {
        size_t want = size > {{blocksize}} ? size : {{blocksize}};
        struct arena_block *b = arena_block_new(want);
        if (b == NULL) {
            return NULL;
        }
        b->next = a->head;
        a->head = b;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += size;
    a->total += size;
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = arena_alloc(a, n);
    if (copy != NULL) {
        memcpy(copy, s, n);
    }
    return copy;
}

void arena_free(struct arena *a)
{
    struct arena_block *b = a->head;
    while (b != NULL) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}""",
    {"align": ("8", "16"), "blocksize": ("4096", "65536", "16384")},
    ("stddef.h", "stdlib.h", "string.h"),
    (
        "struct arena_block {\n    struct arena_block *next;\n    size_t used;\n    size_t size;\n    unsigned char data[];\n};",
        "struct arena {\n    struct arena_block *head;\n    size_t total;\n};",
        "void *arena_alloc(struct arena *a, size_t size);",
        "char *arena_strdup(struct arena *a, const char *s);",
        "void arena_free(struct arena *a);",
    ),
)


NUMBERS = Unit(
    "parse_num",
    "strict number and size parsing",
    """/* strtol with every error reported: empty input, junk after the digits, overflow. */
int parse_long(const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (end == text || *end != '\\0') {
        return -1;
    }
    if (errno == ERANGE || value < min || value > max) {
        return -2;
    }
    *out = value;
    return 0;
}

/* Parse sizes like "512", "64k", "10M" or "2G" (powers of 1024) into bytes. */
int parse_size(const char *text, unsigned long long *bytes)
{
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (end == text || errno == ERANGE) {
        return -1;
    }
    unsigned shift = 0;
    switch (toupper((unsigned char)*end)) {
    case '\\0':
        break;
    case 'K':
        shift = 10;
        break;
    case 'M':
        shift = 20;
        break;
    case 'G':
        shift = 30;
        break;
    default:
        return -1;
    }
    if (*end != '\\0' && end[1] != '\\0' && !(toupper((unsigned char)end[1]) == 'B' && end[2] == '\\0')) {
        return -1;
    }
    if (shift && value > (ULLONG_MAX >> shift)) {
        return -2;
    }
    *bytes = value << shift;
    return 0;
}

/* Format a byte count for people: 1536 gives "1.5 KiB". */
void format_size(unsigned long long bytes, char *out, size_t size)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = (double)bytes;
    int unit = 0;
    while (value >= 1024.0 && unit < 4) {
        value /= 1024.0;
        unit++;
    }
    snprintf(out, size, unit ? "%.1f %s" : "%.0f %s", value, units[unit]);
}""",
    {},
    ("ctype.h", "errno.h", "limits.h", "stddef.h", "stdio.h", "stdlib.h"),
    (
        "int parse_long(const char *text, long min, long max, long *out);",
        "int parse_size(const char *text, unsigned long long *bytes);",
        "void format_size(unsigned long long bytes, char *out, size_t size);",
    ),
)
