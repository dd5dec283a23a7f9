"""C repositories: a SHA-1 checksum tool and an INI parser library."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank_c import add_sources
from mellum_data.sample.licenses import source_header
from mellum_data.sample.repo_context import Generated, RepoContext
from mellum_data.sample.templating import fill
from mellum_data.sample.vendored import SHA1_H, sha1_c

RINGBUF_H = """#ifndef {{GUARD}}_RINGBUF_H
#define {{GUARD}}_RINGBUF_H

#include <stddef.h>

typedef struct {
    char **{{slots}};
    size_t cap;
    size_t head;
    size_t count;
} ringbuf;

int ringbuf_init(ringbuf *rb, size_t cap);
void ringbuf_free(ringbuf *rb);
void ringbuf_push(ringbuf *rb, const char *line);
const char *ringbuf_get(const ringbuf *rb, size_t i);

#endif
"""

RINGBUF_C = """#define _POSIX_C_SOURCE 200809L /* strdup */

#include <stdlib.h>
#include <string.h>

#include "{{name}}.h"

int ringbuf_init(ringbuf *rb, size_t cap)
{
    rb->{{slots}} = calloc(cap, sizeof(char *));
    if (rb->{{slots}} == NULL) {
        return -1;
    }
    rb->cap = cap;
    rb->head = 0;
    rb->count = 0;
    return 0;
}

void ringbuf_free(ringbuf *rb)
{
    size_t i;

    for (i = 0; i < rb->cap; i++) {
        free(rb->{{slots}}[i]);
    }
    free(rb->{{slots}});
    rb->{{slots}} = NULL;
    rb->cap = rb->head = rb->count = 0;
}

/* Keeps a private copy of line; the oldest entry is dropped when the buffer is full. */
void ringbuf_push(ringbuf *rb, const char *line)
{
    size_t slot = (rb->head + rb->count) % rb->cap;

    if (rb->count == rb->cap) {
        slot = rb->head;
        rb->head = (rb->head + 1) % rb->cap;
    } else {
        rb->count++;
    }
    free(rb->{{slots}}[slot]);
    rb->{{slots}}[slot] = strdup(line);
}

const char *ringbuf_get(const ringbuf *rb, size_t i)
{
    if (i >= rb->count) {
        return NULL;
    }
    return rb->{{slots}}[(rb->head + i) % rb->cap];
}
"""

MAIN_C = """#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "{{name}}.h"
#include "../vendor/sha1.h"

#define BLOCK_SIZE {{block}}

static int hash_file(const char *path, char hex[41])
{
    unsigned char buf[BLOCK_SIZE];
    uint8_t digest[20];
    sha1_ctx ctx;
    size_t n;
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");

    if (fp == NULL) {
        fprintf(stderr, "{{name}}: %s: %s\\n", path, strerror(errno));
        return -1;
    }
    sha1_init(&ctx);
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
        sha1_update(&ctx, buf, n);
    }
    if (fp != stdin) {
        fclose(fp);
    }
    sha1_final(&ctx, digest);
    sha1_hex(digest, hex);
    return 0;
}

int main(int argc, char **argv)
{
    ringbuf recent;
    char hex[41];
    char line[512];
    int i, status = EXIT_SUCCESS;

    if (argc < 2) {
        fprintf(stderr, "usage: {{name}} FILE...\\n");
        return EXIT_FAILURE;
    }
    if (ringbuf_init(&recent, {{keep}}) != 0) {
        perror("{{name}}");
        return EXIT_FAILURE;
    }
    for (i = 1; i < argc; i++) {
        if (hash_file(argv[i], hex) != 0) {
            status = EXIT_FAILURE;
            continue;
        }
        snprintf(line, sizeof line, "%s  %s", hex, argv[i]);
        puts(line);
        ringbuf_push(&recent, line);
    }
    ringbuf_free(&recent);
    return status;
}
"""

TEST_RINGBUF = """#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "../include/{{name}}.h"

int main(void)
{
    ringbuf rb;

    assert(ringbuf_init(&rb, 2) == 0);
    ringbuf_push(&rb, "one");
    ringbuf_push(&rb, "two");
    ringbuf_push(&rb, "three");
    assert(strcmp(ringbuf_get(&rb, 0), "two") == 0);
    assert(strcmp(ringbuf_get(&rb, 1), "three") == 0);
    assert(ringbuf_get(&rb, 2) == NULL);
    ringbuf_free(&rb);
    puts("ok");
    return 0;
}
"""

MAKEFILE = """CC ?= cc
CFLAGS ?= -O2 -Wall -Wextra -std=c99 -Iinclude
PREFIX ?= /usr/local

OBJS = src/main.o src/ringbuf.o {{objs}}vendor/sha1.o

all: {{name}}

{{name}}: $(OBJS)
\t$(CC) $(CFLAGS) -o $@ $(OBJS)

test: tests/test_ringbuf
\t./tests/test_ringbuf

tests/test_ringbuf: tests/test_ringbuf.c src/ringbuf.o
\t$(CC) $(CFLAGS) -o $@ $^

install: {{name}}
\tinstall -m 755 {{name}} $(DESTDIR)$(PREFIX)/bin/

clean:
\trm -f $(OBJS) {{name}} tests/test_ringbuf

.PHONY: all test install clean
"""


def c_tool(ctx: RepoContext, out: Generated) -> None:
    rng = ctx.rng
    v = {
        "name": ctx.name,
        "GUARD": ctx.pkg.upper(),
        "slots": rng.choice(("slots", "lines", "entries")),
        "block": str(rng.choice((4096, 8192, 65536))),
        "keep": str(rng.choice((8, 16, 32))),
    }
    ctx.description = "Print SHA-1 checksums of files, like sha1sum, in portable C99."
    header = source_header(ctx.license, year=ctx.year, owner=ctx.owner, comment="/*")
    out.add(f"include/{ctx.name}.h", header + fill(RINGBUF_H, v))
    out.add("src/ringbuf.c", header + fill(RINGBUF_C, v))
    out.add("src/main.c", header + fill(MAIN_C, v))
    out.add("tests/test_ringbuf.c", fill(TEST_RINGBUF, v))
    out.add("vendor/sha1.h", SHA1_H, "vendored")
    out.add("vendor/sha1.c", sha1_c(rng), "vendored")
    out.add(".gitignore", "*.o\n" + ctx.name + "\ntests/test_ringbuf\n")
    stems = add_sources(ctx, out, "src", header)
    v["objs"] = "".join(f"src/{stem}.o " for stem in sorted(stems))
    out.add("Makefile", fill(MAKEFILE, v))


INI_H = """#ifndef INI_H
#define INI_H

#include <stdio.h>

/* Called once per "key = value" pair; return non-zero to stop parsing. */
typedef int (*ini_handler)(void *user, const char *section, const char *key, const char *value);

/* Returns 0 on success, the first bad line number on a syntax error, -1 on I/O error. */
int ini_parse_file(FILE *fp, ini_handler handler, void *user);
int ini_parse(const char *path, ini_handler handler, void *user);

#endif
"""

INI_C = """#include <ctype.h>
#include <string.h>

#include "ini.h"

#define MAX_LINE {{maxline}}
#define MAX_SECTION 64

static char *strip(char *s)
{
    char *end;

    while (isspace((unsigned char)*s)) {
        s++;
    }
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1])) {
        *--end = '\\0';
    }
    return s;
}

int ini_parse_file(FILE *fp, ini_handler handler, void *user)
{
    char line[MAX_LINE];
    char section[MAX_SECTION] = "";
    int lineno = 0;

    while (fgets(line, sizeof line, fp) != NULL) {
        char *s = strip(line);
        char *eq;

        lineno++;
        if (*s == '\\0' || *s == ';' || *s == '#') {
            continue;
        }
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (close == NULL) {
                return lineno;
            }
            *close = '\\0';
            strncpy(section, strip(s + 1), sizeof section - 1);
            section[sizeof section - 1] = '\\0';
            continue;
        }
        eq = strchr(s, '=');
        if (eq == NULL) {
            return lineno;
        }
        *eq = '\\0';
        if (handler(user, section, strip(s), strip(eq + 1)) != 0) {
            break;
        }
    }
    return ferror(fp) ? -1 : 0;
}

int ini_parse(const char *path, ini_handler handler, void *user)
{
    int result;
    FILE *fp = fopen(path, "r");

    if (fp == NULL) {
        return -1;
    }
    result = ini_parse_file(fp, handler, user);
    fclose(fp);
    return result;
}
"""

# Latin-1 comments and a Latin-1 string table: compiles, but is not UTF-8.
CODEPAGE_C = """/*
 * Conversion helpers for configuration files written on old Windows machines.
 * Auteur : Fran\xe7ois L\xe9vesque <fl@example.org>, r\xe9vis\xe9 par J\xfcrgen Stra\xdfer.
 */
#include <stddef.h>

/* Names of the months as the legacy tool wrote them ("f\xe9vrier", "ao\xfbt"). */
static const char *const months_fr[12] = {
    "janvier", "f\xe9vrier", "mars", "avril", "mai", "juin",
    "juillet", "ao\xfbt", "septembre", "octobre", "novembre", "d\xe9cembre",
};

const char *codepage_month(int month)
{
    if (month < 1 || month > 12) {
        return NULL;
    }
    return months_fr[month - 1];
}

/* Bytes 0xA0-0xFF map one to one to U+00A0-U+00FF (\xb5, \xb0, \xe9 ...). */
unsigned int codepage_to_unicode(unsigned char byte)
{
    return byte;
}
"""

# An example program whose loop lost its closing brace.
DUMP_BROKEN = """#include <stdio.h>

#include "ini.h"

static int print_pair(void *user, const char *section, const char *key, const char *value)
{
    int *count = user;

    (*count)++;
    printf("[%s] %s = %s\\n", section, key, value);
    return 0;
}

int main(int argc, char **argv)
{
    int i, count = 0;

    for (i = 1; i < argc; i++) {
        int rc = ini_parse(argv[i], print_pair, &count);
        if (rc != 0) {
            fprintf(stderr, "%s: error at line %d\\n", argv[i], rc);
            return 1;
        }
    printf("%d pairs\\n", count);
    return 0;
}
"""

CMAKE_C = """cmake_minimum_required(VERSION 3.16)
project({{name}} VERSION 0.{{minor}}.0 LANGUAGES C)

set(CMAKE_C_STANDARD 99)

add_library({{name}} src/ini.c src/codepage.c vendor/sha1.c)
target_include_directories({{name}} PUBLIC include vendor)

add_executable(ini_dump examples/dump.c)
target_link_libraries(ini_dump PRIVATE {{name}})

enable_testing()
add_executable(test_ini tests/test_ini.c)
target_link_libraries(test_ini PRIVATE {{name}})
add_test(NAME ini COMMAND test_ini ${CMAKE_CURRENT_SOURCE_DIR}/tests/sample.ini)
"""

TEST_INI = """#include <assert.h>
#include <string.h>

#include "ini.h"

struct seen {
    int pairs;
    char last_section[64];
};

static int collect(void *user, const char *section, const char *key, const char *value)
{
    struct seen *s = user;

    (void)key;
    (void)value;
    s->pairs++;
    strncpy(s->last_section, section, sizeof s->last_section - 1);
    return 0;
}

int main(int argc, char **argv)
{
    struct seen s = {0, ""};

    assert(argc == 2);
    assert(ini_parse(argv[1], collect, &s) == 0);
    assert(s.pairs == 3);
    assert(strcmp(s.last_section, "server") == 0);
    return 0;
}
"""


def c_ini(ctx: RepoContext, out: Generated) -> None:
    rng = ctx.rng
    v = {
        "name": ctx.name,
        "minor": str(rng.randint(1, 9)),
        "maxline": str(rng.choice((256, 512, 1024))),
    }
    ctx.description = "A tiny INI file parser in C with a callback API."
    out.add("CMakeLists.txt", fill(CMAKE_C, v))
    out.add("include/ini.h", INI_H)
    out.add("src/ini.c", fill(INI_C, v))
    out.add("src/codepage.c", CODEPAGE_C.encode("latin-1"), "non_utf8")
    out.add("examples/dump.c", DUMP_BROKEN, "syntax_error")
    out.add("tests/test_ini.c", TEST_INI)
    out.add(
        "tests/sample.ini",
        "; sample configuration\nname = demo\n\n[server]\nhost = 127.0.0.1\nport = 8080\n",
    )
    out.add("vendor/sha1.h", SHA1_H, "vendored")
    out.add("vendor/sha1.c", sha1_c(rng), "vendored")
