"""C units for the code bank (written for this project).

A unit's ``exports`` are its header declarations (types and prototypes); the renderer writes
``stem.c`` and the matching ``stem.h``.
"""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank import Bank, Filled, Unit, block_comment, filled, heading, join_bodies
from mellum_data.sample.bank_c_more import (
    ARENA,
    BITSET,
    INTVEC,
    LEVENSHTEIN,
    NUMBERS,
    UTF8,
    WC,
)
from mellum_data.sample.repo_context import Generated, RepoContext

CRC32 = Unit(
    "crc32",
    "CRC-32 checksums",
    """static uint32_t crc_table[256];
static int crc_table_ready = 0;

/* The reflected polynomial 0xEDB88320, as used by zip, PNG and Ethernet. */
static void crc_init_table(void)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        crc_table[n] = c;
    }
    crc_table_ready = 1;
}

uint32_t {{prefix}}_crc32_update(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = data;
    if (!crc_table_ready) {
        crc_init_table();
    }
    crc ^= 0xFFFFFFFFu;
    while (len--) {
        crc = crc_table[(crc ^ *p++) & 0xFFu] ^ (crc >> 8);
    }
    return crc ^ 0xFFFFFFFFu;
}

/* Checksum of a whole stream, read in blocks; returns -1 on a read error. */
int {{prefix}}_crc32_file(FILE *fp, uint32_t *out)
{
    unsigned char block[{{block}}];
    uint32_t crc = 0;
    size_t n;
    while ((n = fread(block, 1, sizeof block, fp)) > 0) {
        crc = {{prefix}}_crc32_update(crc, block, n);
    }
    if (ferror(fp)) {
        return -1;
    }
    *out = crc;
    return 0;
}""",
    {"block": ("4096", "8192", "16384")},
    ("stddef.h", "stdint.h", "stdio.h"),
    (
        "uint32_t {{prefix}}_crc32_update(uint32_t crc, const void *data, size_t len);",
        "int {{prefix}}_crc32_file(FILE *fp, uint32_t *out);",
    ),
)

STRBUF = Unit(
    "strbuf",
    "growable string buffers",
    """static int strbuf_reserve(struct strbuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap) {
        return 0;
    }
    size_t cap = sb->cap ? sb->cap : {{initial}};
    while (cap < need) {
        cap *= 2;
    }
    char *data = realloc(sb->data, cap);
    if (data == NULL) {
        return -1;
    }
    sb->data = data;
    sb->cap = cap;
    return 0;
}

void strbuf_init(struct strbuf *sb)
{
    sb->data = NULL;
    sb->len = 0;
    sb->cap = 0;
}

int strbuf_append(struct strbuf *sb, const char *text, size_t n)
{
    if (strbuf_reserve(sb, n) != 0) {
        return -1;
    }
    memcpy(sb->data + sb->len, text, n);
    sb->len += n;
    sb->data[sb->len] = '\\0';
    return 0;
}

/* printf into the buffer; vsnprintf is called twice when the first try does not fit. */
int strbuf_appendf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || strbuf_reserve(sb, (size_t)n) != 0) {
        return -1;
    }
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
    return 0;
}

/* Hand the string to the caller, who frees it; the buffer is left empty. */
char *strbuf_detach(struct strbuf *sb)
{
    char *out = sb->data ? sb->data : calloc(1, 1);
    strbuf_init(sb);
    return out;
}

void strbuf_free(struct strbuf *sb)
{
    free(sb->data);
    strbuf_init(sb);
}""",
    {"initial": ("16", "32", "64")},
    ("stdarg.h", "stddef.h", "stdio.h", "stdlib.h", "string.h"),
    (
        "struct strbuf {\n    char *data;\n    size_t len;\n    size_t cap;\n};",
        "void strbuf_init(struct strbuf *sb);",
        "int strbuf_append(struct strbuf *sb, const char *text, size_t n);",
        "int strbuf_appendf(struct strbuf *sb, const char *fmt, ...);",
        "char *strbuf_detach(struct strbuf *sb);",
        "void strbuf_free(struct strbuf *sb);",
    ),
)

HASHMAP = Unit(
    "strmap",
    "a string-keyed hash map with open addressing",
    """static uint64_t strmap_hash(const char *key)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a, 64-bit */
    for (; *key; key++) {
        h ^= (unsigned char)*key;
        h *= 1099511628211ull;
    }
    return h;
}

int strmap_init(struct strmap *m, size_t capacity)
{
    size_t cap = 8;
    while (cap < capacity * 2) {
        cap <<= 1; /* power of two: the index is a mask, not a modulo */
    }
    m->slots = calloc(cap, sizeof *m->slots);
    m->cap = m->slots ? cap : 0;
    m->count = 0;
    return m->slots ? 0 : -1;
}

static struct strmap_slot *strmap_find(const struct strmap *m, const char *key)
{
    size_t i = (size_t)strmap_hash(key) & (m->cap - 1);
    while (m->slots[i].key != NULL && strcmp(m->slots[i].key, key) != 0) {
        i = (i + 1) & (m->cap - 1);
    }
    return &m->slots[i];
}

static int strmap_grow(struct strmap *m)
{
    struct strmap old = *m;
    if (strmap_init(m, old.cap) != 0) {
        *m = old;
        return -1;
    }
    for (size_t i = 0; i < old.cap; i++) {
        if (old.slots[i].key != NULL) {
            *strmap_find(m, old.slots[i].key) = old.slots[i];
            m->count++;
        }
    }
    free(old.slots);
    return 0;
}

/* Insert or replace; the map keeps its own copy of the key. */
int strmap_put(struct strmap *m, const char *key, void *value)
{
    if ((m->count + 1) * 4 > m->cap * 3 && strmap_grow(m) != 0) {
        return -1;
    }
    struct strmap_slot *slot = strmap_find(m, key);
    if (slot->key == NULL) {
        size_t n = strlen(key) + 1;
        if ((slot->key = malloc(n)) == NULL) {
            return -1;
        }
        memcpy(slot->key, key, n);
        m->count++;
    }
    slot->value = value;
    return 0;
}

void *strmap_get(const struct strmap *m, const char *key)
{
    struct strmap_slot *slot = strmap_find(m, key);
    return slot->key ? slot->value : NULL;
}

void strmap_free(struct strmap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->slots[i].key);
    }
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}""",
    {},
    ("stddef.h", "stdint.h", "stdlib.h", "string.h"),
    (
        "struct strmap_slot {\n    char *key;\n    void *value;\n};",
        "struct strmap {\n    struct strmap_slot *slots;\n    size_t cap;\n    size_t count;\n};",
        "int strmap_init(struct strmap *m, size_t capacity);",
        "int strmap_put(struct strmap *m, const char *key, void *value);",
        "void *strmap_get(const struct strmap *m, const char *key);",
        "void strmap_free(struct strmap *m);",
    ),
)

SPLIT = Unit(
    "fields",
    "splitting and trimming of text fields",
    """/* Strip leading and trailing white space in place; returns the new start. */
char *{{prefix}}_trim(char *s)
{
    while (isspace((unsigned char)*s)) {
        s++;
    }
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1])) {
        end--;
    }
    *end = '\\0';
    return s;
}

/*
 * Split `line` in place at every `sep`, storing up to `max` field pointers. Returns the
 * number of fields found, which may exceed `max`: the caller can then report the line.
 */
size_t {{prefix}}_split(char *line, char sep, char **fields, size_t max)
{
    size_t n = 0;
    char *start = line;
    for (char *p = line;; p++) {
        if (*p == sep || *p == '\\0') {
            int last = (*p == '\\0');
            *p = '\\0';
            if (n < max) {
                fields[n] = {{prefix}}_trim(start);
            }
            n++;
            if (last) {
                break;
            }
            start = p + 1;
        }
    }
    return n;
}

/* Parse "key = value" lines; comments start with '#' or ';'. Returns 1, 0 (skip) or -1. */
int {{prefix}}_key_value(char *line, char **key, char **value)
{
    char *s = {{prefix}}_trim(line);
    if (*s == '\\0' || *s == '#' || *s == ';') {
        return 0;
    }
    char *eq = strchr(s, '=');
    if (eq == NULL) {
        return -1;
    }
    *eq = '\\0';
    *key = {{prefix}}_trim(s);
    *value = {{prefix}}_trim(eq + 1);
    return **key ? 1 : -1;
}""",
    {},
    ("ctype.h", "stddef.h", "string.h"),
    (
        "char *{{prefix}}_trim(char *s);",
        "size_t {{prefix}}_split(char *line, char sep, char **fields, size_t max);",
        "int {{prefix}}_key_value(char *line, char **key, char **value);",
    ),
)

PATHS = Unit(
    "paths",
    "file path manipulation",
    """/* The last component of `path`, ignoring trailing slashes ("a/b/" gives "b"). */
size_t path_basename(const char *path, char *out, size_t size)
{
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/') {
        end--;
    }
    size_t start = end;
    while (start > 0 && path[start - 1] != '/') {
        start--;
    }
    size_t n = end - start;
    if (size > 0) {
        size_t copy = n < size - 1 ? n : size - 1;
        memcpy(out, path + start, copy);
        out[copy] = '\\0';
    }
    return n;
}

/* The extension without the dot, or "" (dot files like ".profile" have none). */
const char *path_extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    const char *dot = strrchr(name, '.');
    return (dot == NULL || dot == name) ? "" : dot + 1;
}

/* Join two paths with exactly one slash; returns -1 when `out` is too small. */
int path_join(char *out, size_t size, const char *dir, const char *name)
{
    size_t dlen = strlen(dir);
    while (dlen > 0 && dir[dlen - 1] == '/') {
        dlen--;
    }
    while (*name == '/') {
        name++;
    }
    int n = snprintf(out, size, "%.*s/%s", (int)dlen, dir, name);
    return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

bool path_has_extension(const char *path, const char *ext)
{
    const char *e = path_extension(path);
    while (*e && *ext && tolower((unsigned char)*e) == tolower((unsigned char)*ext)) {
        e++;
        ext++;
    }
    return *e == '\\0' && *ext == '\\0';
}""",
    {},
    ("ctype.h", "stdbool.h", "stddef.h", "stdio.h", "string.h"),
    (
        "size_t path_basename(const char *path, char *out, size_t size);",
        "const char *path_extension(const char *path);",
        "int path_join(char *out, size_t size, const char *dir, const char *name);",
        "bool path_has_extension(const char *path, const char *ext);",
    ),
)

UNITS = (
    CRC32,
    STRBUF,
    HASHMAP,
    SPLIT,
    PATHS,
    INTVEC,
    UTF8,
    BITSET,
    LEVENSHTEIN,
    WC,
    ARENA,
    NUMBERS,
)
BANK = Bank("c", UNITS)

# Headers a declaration may need, so that the .h includes what its prototypes use.
TYPE_HEADERS = ("stdbool.h", "stddef.h", "stdint.h", "stdio.h")


def render(ctx: RepoContext, f: Filled, include: str) -> tuple[str, str]:
    """``(source, header)`` for a file; ``include`` is how the source names its header."""
    guard = f"{ctx.pkg.upper()}_{f.stem.upper()}_H"
    types = "".join(f"#include <{h}>\n" for h in f.imports if h in TYPE_HEADERS)
    decls = "\n\n".join(e for e in f.exports if e.startswith("struct") and "{" in e)
    protos = "\n".join(e for e in f.exports if not (e.startswith("struct") and "{" in e))
    doc = block_comment(heading(ctx, f.summaries), "/**")
    header = (
        f"#ifndef {guard}\n#define {guard}\n\n{types}\n"
        + (f"{decls}\n\n" if decls else "")
        + f"{protos}\n\n#endif /* {guard} */\n"
    )
    system = "".join(f"#include <{h}>\n" for h in f.imports)
    source = f'{doc}\n#include "{include}"\n\n{system}\n' + join_bodies(f.bodies)
    return source, header


def add_sources(
    ctx: RepoContext, out: Generated, folder: str, header: str = "", n_units: int | None = None
) -> list[str]:
    """Deal the bank into ``folder/<stem>.c`` and ``folder/<stem>.h``; returns the stems."""
    stems = []
    for f in filled(ctx, BANK, n_units):
        source, decls = render(ctx, f, f"{f.stem}.h")
        out.add_new(f"{folder}/{f.stem}.c", header + source)
        out.add_new(f"{folder}/{f.stem}.h", header + decls)
        stems.append(f.stem)
    return stems
