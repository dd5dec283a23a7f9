"""Utility files that projects copy into each other, each copy with small local edits.

Two families: ``strings.py`` (Python string helpers) and ``sha1.c``/``sha1.h`` (a small SHA-1).
Each copy applies a few of the edits real vendoring leaves behind: a provenance comment, a
renamed variable, reformatted lines, a changed default, an added helper. Copies stay near
duplicates of each other (most word 5-grams shared) without being identical.
"""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from random import Random

STRINGS_PY = '''"""String helpers shared by the command-line tools."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def slugify(text, max_length=64):
    """Lowercase ASCII slug: "Hello, World!" -> "hello-world"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_WORD.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def truncate(text, width=72, placeholder="..."):
    """Cut text at a word boundary so that the result fits in width characters."""
    if len(text) <= width:
        return text
    cut = text[: width - len(placeholder)]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + placeholder


def normalize_space(text):
    """Collapse runs of whitespace into single spaces and strip the ends."""
    return " ".join(text.split())


def camel_to_snake(name):
    """Turn parseHttpHeader into parse_http_header."""
    return _CAMEL.sub(r"_\\1", name).lower()


def snake_to_camel(name, upper_first=False):
    head, *rest = name.split("_")
    words = [head.capitalize() if upper_first else head] + [w.capitalize() for w in rest]
    return "".join(words)


def pluralize(word, count):
    """English plural for simple nouns; good enough for log messages."""
    if count == 1:
        return word
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def indent(text, prefix="    "):
    return "".join(prefix + line if line.strip() else line for line in text.splitlines(True))
'''

SHA1_H = """#ifndef SHA1_H
#define SHA1_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t state[5];
    uint64_t length;
    uint8_t buffer[64];
    size_t used;
} sha1_ctx;

void sha1_init(sha1_ctx *ctx);
void sha1_update(sha1_ctx *ctx, const void *data, size_t len);
void sha1_final(sha1_ctx *ctx, uint8_t digest[20]);
void sha1_hex(const uint8_t digest[20], char out[41]);

#endif
"""

SHA1_C = """/*
 * sha1.c - a small, dependency-free SHA-1 (FIPS 180-4).
 * Placed in the public domain by its author. SHA-1 is not collision resistant:
 * use it for checksums and cache keys, never for signatures.
 */
#include <string.h>

#include "sha1.h"

#define ROL32(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

static void sha1_compress(uint32_t state[5], const uint8_t block[64])
{
    uint32_t w[80];
    uint32_t a, b, c, d, e, f, k, tmp;
    int i;

    for (i = 0; i < 16; i++) {
        w[i] = ((uint32_t)block[4 * i] << 24) | ((uint32_t)block[4 * i + 1] << 16) |
               ((uint32_t)block[4 * i + 2] << 8) | (uint32_t)block[4 * i + 3];
    }
    for (i = 16; i < 80; i++) {
        w[i] = ROL32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    }

    a = state[0];
    b = state[1];
    c = state[2];
    d = state[3];
    e = state[4];

    for (i = 0; i < 80; i++) {
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDC;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6;
        }
        tmp = ROL32(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = ROL32(b, 30);
        b = a;
        a = tmp;
    }

    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
}

void sha1_init(sha1_ctx *ctx)
{
    ctx->state[0] = 0x67452301;
    ctx->state[1] = 0xEFCDAB89;
    ctx->state[2] = 0x98BADCFE;
    ctx->state[3] = 0x10325476;
    ctx->state[4] = 0xC3D2E1F0;
    ctx->length = 0;
    ctx->used = 0;
}

void sha1_update(sha1_ctx *ctx, const void *data, size_t len)
{
    const uint8_t *p = data;

    ctx->length += len;
    while (len > 0) {
        size_t n = 64 - ctx->used;
        if (n > len) {
            n = len;
        }
        memcpy(ctx->buffer + ctx->used, p, n);
        ctx->used += n;
        p += n;
        len -= n;
        if (ctx->used == 64) {
            sha1_compress(ctx->state, ctx->buffer);
            ctx->used = 0;
        }
    }
}

void sha1_final(sha1_ctx *ctx, uint8_t digest[20])
{
    uint64_t bits = ctx->length * 8;
    uint8_t pad = 0x80;
    uint8_t zero = 0;
    uint8_t lenbuf[8];
    int i;

    sha1_update(ctx, &pad, 1);
    while (ctx->used != 56) {
        sha1_update(ctx, &zero, 1);
    }
    for (i = 0; i < 8; i++) {
        lenbuf[i] = (uint8_t)(bits >> (56 - 8 * i));
    }
    sha1_update(ctx, lenbuf, 8);
    for (i = 0; i < 20; i++) {
        digest[i] = (uint8_t)(ctx->state[i / 4] >> (24 - 8 * (i % 4)));
    }
}

void sha1_hex(const uint8_t digest[20], char out[41])
{
    static const char hex[] = "0123456789abcdef";
    int i;

    for (i = 0; i < 20; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 0x0f];
    }
    out[40] = '\\0';
}
"""

_PY_EDITS = (
    lambda s, r: (
        f"# Vendored from {r.choice(('textkit', 'strtools', 'pyutils'))} "
        f"{r.randint(0, 3)}.{r.randint(0, 12)}.{r.randint(0, 9)}; keep in sync by hand.\n" + s
    ),
    lambda s, r: s.replace("def truncate(text, width=72,", "def truncate(text, width=80,"),
    lambda s, r: s.replace(
        "    ascii_text = ",
        "    # drop accents first so that 'café' becomes 'cafe'\n    ascii_text = ",
    ),
    lambda s, r: s.replace("def normalize_space(text):", "def normalize_space(s):").replace(
        '    return " ".join(text.split())', '    return " ".join(s.split())'
    ),
    lambda s, r: s + "\n\ndef is_blank(text):\n    return not text or text.isspace()\n",
    lambda s, r: s.replace(
        "    if count == 1:\n        return word\n",
        "    if count == 1:\n        return word  # singular\n",
    ),
)

_C_EDITS = (
    lambda s, r: s.replace(
        " * Placed in the public domain by its author.",
        f" * Copied into this tree on {2016 + r.randint(0, 8)}-0{r.randint(1, 9)}-1{r.randint(0, 9)}."
        "\n * Placed in the public domain by its author.",
    ),
    lambda s, r: (
        s.replace("uint32_t a, b, c, d, e, f, k, tmp;", "uint32_t a, b, c, d, e, f, k, temp;")
        .replace("        tmp = ROL32", "        temp = ROL32")
        .replace("        a = tmp;", "        a = temp;")
    ),
    lambda s, r: s.replace("void sha1_init(sha1_ctx *ctx)\n{", "void sha1_init(sha1_ctx *ctx) {"),
    lambda s, r: s.replace(
        "        if (n > len) {\n            n = len;\n        }",
        "        if (n > len)\n            n = len;",
    ),
    lambda s, r: s.replace("#include <string.h>\n", "#include <string.h>\n#include <stdint.h>\n"),
)


def _apply(text: str, edits: tuple, rng: Random, k: int) -> str:
    for i in sorted(rng.sample(range(len(edits)), k=k)):
        text = edits[i](text, rng)
    return text


def strings_py(rng: Random) -> str:
    """A copy of the strings.py helpers with two or three local edits."""
    return _apply(STRINGS_PY, _PY_EDITS, rng, rng.randint(2, 3))


def sha1_c(rng: Random) -> str:
    """A copy of sha1.c with two or three local edits."""
    return _apply(SHA1_C, _C_EDITS, rng, rng.randint(2, 3))
