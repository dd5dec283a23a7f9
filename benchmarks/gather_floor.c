/* The floor of a document-level shuffled gather, in C (used by benchmarks/mix.py).
 *
 * Copies whole documents of the source shards, in the order of a table, into output files
 * of a given size, and does nothing else (no FIM, no sidecar, no checksum): what any
 * emitter of a document-level global shuffle must at least do. Mode "pread": one pread(2)
 * per document. Mode "mmap": every source mapped once, for the whole run, one memcpy per
 * document (its resident set grows to the sources' size).
 *
 *     gather_floor FILES TABLE MODE OUTDIR LIMIT_BYTES
 *
 * FILES: one source path per line; TABLE: little-endian int64 triples (file index, byte
 * offset, byte length) in gather order. Prints {"seconds": S, "bytes": B}.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void fail(const char *what) {
    perror(what);
    exit(1);
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s FILES TABLE pread|mmap OUTDIR LIMIT_BYTES\n", argv[0]);
        return 2;
    }
    int use_map = strcmp(argv[3], "mmap") == 0;
    size_t limit = strtoull(argv[5], NULL, 10);
    FILE *list = fopen(argv[1], "r");
    if (!list) fail(argv[1]);
    char line[4096];
    int count = 0, cap = 1024;
    int *fds = malloc(cap * sizeof *fds);
    char **maps = malloc(cap * sizeof *maps);
    while (fgets(line, sizeof line, list)) {
        line[strcspn(line, "\n")] = 0;
        if (count == cap) {
            cap *= 2;
            fds = realloc(fds, cap * sizeof *fds);
            maps = realloc(maps, cap * sizeof *maps);
        }
        fds[count] = open(line, O_RDONLY);
        if (fds[count] < 0) fail(line);
        struct stat st;
        fstat(fds[count], &st);
        maps[count] = NULL;
        if (use_map && st.st_size > 0) {
            maps[count] = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fds[count], 0);
            if (maps[count] == MAP_FAILED) fail("mmap");
        }
        count++;
    }
    fclose(list);
    FILE *tf = fopen(argv[2], "rb");
    if (!tf) fail(argv[2]);
    fseek(tf, 0, SEEK_END);
    long table_bytes = ftell(tf);
    fseek(tf, 0, SEEK_SET);
    int64_t *table = malloc(table_bytes);
    if (fread(table, 1, table_bytes, tf) != (size_t)table_bytes) fail("table");
    fclose(tf);
    long docs = table_bytes / 24;
    int64_t longest = 0;
    for (long i = 0; i < docs; i++)
        if (table[3 * i + 2] > longest) longest = table[3 * i + 2];
    char *buffer = malloc(limit + longest);
    size_t filled = 0, written = 0;
    int files = 0;
    char path[4096];
    double start = now();
    for (long i = 0; i < docs; i++) {
        int64_t k = table[3 * i], offset = table[3 * i + 1], length = table[3 * i + 2];
        if (use_map)
            memcpy(buffer + filled, maps[k] + offset, length);
        else if (pread(fds[k], buffer + filled, length, offset) != length)
            fail("pread");
        filled += length;
        if (filled >= limit || i == docs - 1) {
            snprintf(path, sizeof path, "%s/%05d.ds", argv[4], files++);
            int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (out < 0 || write(out, buffer, filled) != (ssize_t)filled) fail(path);
            close(out);
            written += filled;
            filled = 0;
        }
    }
    printf("{\"seconds\": %.6f, \"bytes\": %zu}\n", now() - start, written);
    return 0;
}
