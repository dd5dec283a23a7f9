"""Files a code filter must recognise: minified bundles and binary blobs."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

import struct
import zlib
from random import Random

_UMD_HEAD = (
    '!function(e,t){"object"==typeof exports&&"undefined"!=typeof module?module.exports=t():'
    '"function"==typeof define&&define.amd?define(t):(e="undefined"!=typeof globalThis?globalThis:e||self)'
    '.{{name}}=t()}(this,function(){"use strict";'
)

# Statement shapes a minifier emits; @N is a fresh short name, @K a number, @S a word.
_SHAPES = (
    "function @N(e,t){return e<t?-1:e>t?1:0}",
    'function @N(e){return null==e?"":String(e).replace(/[&<>"\']/g,function(e){return{"&":"&amp;","<":"&lt;",">":"&gt;"}[e]||e})}',
    "var @N=function(e,t){var n;return function(){var r=this,o=arguments;clearTimeout(n),n=setTimeout(function(){e.apply(r,o)},t||@K)}}",
    "function @N(e,t){for(var n=0,r=e.length;n<r;n++)if(t(e[n],n))return n;return-1}",
    'var @N={@S:@K,@S:"@S",@S:!0,@S:!1}',
    "function @N(e){var t=Object.create(null);return function(n){return n in t?t[n]:t[n]=e(n)}}",
    "function @N(e,t){return Math.max(t.min||0,Math.min(t.max||@K,e))}",
    "function @N(e){return e.reduce(function(e,t){return e+t},0)/Math.max(1,e.length)}",
    'var @N=Array.isArray||function(e){return"[object Array]"===Object.prototype.toString.call(e)}',
    "function @N(e,t,n){return void 0===n&&(n=@K),e.slice(t,t+n).map(function(e){return e.@S})}",
)
_RESERVED = frozenset(("do", "if", "in", "for", "int", "let", "new", "try", "var"))
_WORDS = (
    "id",
    "name",
    "value",
    "items",
    "size",
    "data",
    "key",
    "type",
    "label",
    "index",
    "state",
    "open",
)


def _short_name(i: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    name = ""
    i += 52  # two characters at least, as minifiers use once single letters run out
    while i:
        i, r = divmod(i, 52)
        name = letters[r] + name
    return name


def minified_js(rng: Random, name: str, target_bytes: int) -> str:
    """One long line of UMD-wrapped, minified-looking (and valid) JavaScript."""
    parts = [_UMD_HEAD.replace("{{name}}", name)]
    names: list[str] = []
    size = len(parts[0])
    index = 0
    while size < target_bytes:
        n = _short_name(index)
        index += 1
        if n in _RESERVED:
            continue
        shape = rng.choice(_SHAPES).replace("@N", n)
        while "@K" in shape:
            shape = shape.replace("@K", str(rng.randint(1, 5000)), 1)
        while "@S" in shape:
            shape = shape.replace("@S", rng.choice(_WORDS), 1)
        names.append(n)
        parts.append(shape + ";")
        size += len(parts[-1])
    exports = ",".join(f"{rng.choice(_WORDS)}{i}:{n}" for i, n in enumerate(names[:40]))
    parts.append(f"return{{{exports}}}}});\n")
    return "".join(parts)


def png_bytes(rng: Random, size: int) -> bytes:
    """A valid RGB PNG of ``size``x``size`` pixels with a little noise."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    base = (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255))
    rows = b"".join(
        b"\x00"
        + bytes(min(255, max(0, c + rng.randint(-12, 12))) for _ in range(size) for c in base)
        for _ in range(size)
    )
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def binary_blob(rng: Random, n: int) -> bytes:
    """A test fixture of packed records: a magic number, then little-endian ints and NULs."""
    out = bytearray(b"SMPL\x00\x01\x00\x00")
    for i in range(n):
        out += struct.pack(
            "<IHh", i, rng.randint(0, 65535), rng.randint(-32768, 32767)
        ) + b"\x00" * rng.randint(0, 3)
    return bytes(out)
