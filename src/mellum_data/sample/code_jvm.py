"""Java and Kotlin repositories."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank_java import add_classes
from mellum_data.sample.licenses import source_header
from mellum_data.sample.repo_context import Generated, RepoContext
from mellum_data.sample.templating import camel, fill

JAVA_TYPES = {"str": "String", "int": "int", "float": "double", "bool": "boolean"}
KT_TYPES = {"str": "String", "int": "Int", "float": "Double", "bool": "Boolean"}

RECORD = """package {{package}};

import java.util.Objects;

/** An immutable {{name}}. */
public record {{Cls}}(long id, {{params}}) {

    public {{Cls}} {
{{checks}}
    }

    public {{Cls}} withId(long newId) {
        return new {{Cls}}(newId, {{args}});
    }
}
"""

REPOSITORY = """package {{package}};

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/** Thread-safe in-memory storage for {{plural}}. */
public final class {{Cls}}Repository {
    private final Map<Long, {{Cls}}> items = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    public {{Cls}} save({{Cls}} item) {
        {{Cls}} stored = item.id() == 0 ? item.withId(sequence.incrementAndGet()) : item;
        items.put(stored.id(), stored);
        return stored;
    }

    public Optional<{{Cls}}> findById(long id) {
        return Optional.ofNullable(items.get(id));
    }

    public List<{{Cls}}> findAll(Predicate<{{Cls}}> filter) {
        List<{{Cls}}> result = new ArrayList<>();
        for ({{Cls}} item : items.values()) {
            if (filter.test(item)) {
                result.add(item);
            }
        }
        result.sort(Comparator.comparingLong({{Cls}}::id));
        return result;
    }

    public boolean delete(long id) {
        return items.remove(id) != null;
    }

    public int size() {
        return items.size();
    }
}
"""

LRU_JAVA = """package {{package}};

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small LRU cache on top of {@link LinkedHashMap} in access order.
 * Not thread-safe; wrap it with {@code Collections.synchronizedMap} when shared.
 */
public class {{Lru}}<K, V> extends LinkedHashMap<K, V> {
    private static final long serialVersionUID = 1L;
    private final int {{cap}};

    public {{Lru}}(int {{cap}}) {
        super(16, 0.75f, true);
        if ({{cap}} <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + {{cap}});
        }
        this.{{cap}} = {{cap}};
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > {{cap}};
    }

    public int capacity() {
        return {{cap}};
    }
}
"""

UNION_FIND = """package {{package}};

/** Disjoint sets with path halving and union by size: near-constant time per operation. */
public final class {{UF}} {
    private final int[] parent;
    private final int[] size;
    private int components;

    public {{UF}}(int n) {
        parent = new int[n];
        size = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
            size[i] = 1;
        }
        components = n;
    }

    public int find(int x) {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    }

    public boolean union(int a, int b) {
        int ra = find(a);
        int rb = find(b);
        if (ra == rb) {
            return false;
        }
        if (size[ra] < size[rb]) {
            int tmp = ra;
            ra = rb;
            rb = tmp;
        }
        parent[rb] = ra;
        size[ra] += size[rb];
        components--;
        return true;
    }

    public boolean connected(int a, int b) {
        return find(a) == find(b);
    }

    public int components() {
        return components;
    }
}
"""

APP = """package {{package}};

import java.util.Map;

public final class App {
    private App() {
    }

    public static void main(String[] args) {
        {{Cls}}Repository repository = new {{Cls}}Repository();
        repository.save(new {{Cls}}(0, {{sample1}}));
        repository.save(new {{Cls}}(0, {{sample2}}));
        System.out.printf("%d {{plural}} stored%n", repository.size());

        Map<String, Integer> cache = new {{Lru}}<>(2);
        cache.put("a", 1);
        cache.put("b", 2);
        cache.get("a");
        cache.put("c", 3);
        System.out.println("cache keys: " + cache.keySet());

        {{UF}} sets = new {{UF}}(5);
        sets.union(0, 1);
        sets.union(3, 4);
        System.out.println("components: " + sets.components());
    }
}
"""

UF_TEST = """package {{package}};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class {{UF}}Test {
    @Test
    void unionsMergeComponents() {
        {{UF}} uf = new {{UF}}(6);
        assertTrue(uf.union(0, 1));
        assertTrue(uf.union(1, 2));
        assertFalse(uf.union(0, 2));
        assertEquals(4, uf.components());
        assertTrue(uf.connected(0, 2));
        assertFalse(uf.connected(0, 5));
    }
}
"""

POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.github.{{handle}}</groupId>
  <artifactId>{{name}}</artifactId>
  <version>1.{{minor}}.0</version>
  <name>{{name}}</name>
  <description>{{description}}</description>
{{licenses}}  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter</artifactId>
      <version>5.10.2</version>
      <scope>test</scope>
    </dependency>
  </dependencies>
</project>
"""


def _java_sample(ctx: RepoContext, i: int) -> str:
    ent = ctx.entity
    return ", ".join(ent.sample_value(f, t, i) for f, t in ent.fields)


def java_app(ctx: RepoContext, out: Generated) -> None:
    rng, ent = ctx.rng, ctx.entity
    package = f"io.github.{ctx.handle}.{ctx.pkg}"
    checks = [
        f'        Objects.requireNonNull({camel(f)}, "{camel(f)}");'
        for f, t in ent.fields
        if t == "str"
    ]
    checks += [
        f'        if ({camel(f)} < 0) {{\n            throw new IllegalArgumentException("{camel(f)} < 0");\n        }}'
        for f, t in ent.fields
        if t in ("int", "float")
    ]
    v = {
        "package": package,
        "Cls": ent.cls,
        "name": ent.name,
        "plural": ent.plural,
        "params": ", ".join(f"{JAVA_TYPES[t]} {camel(f)}" for f, t in ent.fields),
        "args": ", ".join(camel(f) for f, _ in ent.fields),
        "checks": "\n".join(checks),
        "Lru": rng.choice(("LruCache", "LRUCache", "BoundedCache")),
        "cap": rng.choice(("capacity", "maxEntries", "limit")),
        "UF": rng.choice(("UnionFind", "DisjointSet")),
        "sample1": _java_sample(ctx, 1),
        "sample2": _java_sample(ctx, 2),
    }
    ctx.description = f"In-memory {ent.name} repository with caching and grouping utilities."
    header = source_header(ctx.license, year=ctx.year, owner=ctx.owner, comment="/*")
    base = f"src/main/java/{package.replace('.', '/')}"
    licenses = (
        "  <licenses>\n    <license>\n      <name>Apache License, Version 2.0</name>\n"
        "      <url>https://www.apache.org/licenses/LICENSE-2.0.txt</url>\n    </license>\n  </licenses>\n"
        if ctx.license == "Apache-2.0"
        else ""
    )
    out.add(
        "pom.xml",
        fill(
            POM,
            {
                "handle": ctx.handle,
                "name": ctx.name,
                "minor": str(rng.randint(0, 9)),
                "description": ctx.description,
                "licenses": licenses,
            },
        ),
    )
    out.add(f"{base}/{ent.cls}.java", header + fill(RECORD, v))
    out.add(f"{base}/{ent.cls}Repository.java", header + fill(REPOSITORY, v))
    out.add(f"{base}/{v['Lru']}.java", header + fill(LRU_JAVA, v))
    out.add(f"{base}/{v['UF']}.java", header + fill(UNION_FIND, v))
    out.add(f"{base}/App.java", header + fill(APP, v))
    out.add(f"src/test/java/{package.replace('.', '/')}/{v['UF']}Test.java", fill(UF_TEST, v))
    if ctx.license == "Apache-2.0":
        out.add(
            "NOTICE",
            f"{ctx.name}\nCopyright {ctx.year} {ctx.owner}\n\nThis product includes software developed by {ctx.owner}.\n",
        )
    out.add(".gitignore", "target/\n.idea/\n*.iml\n")
    add_classes(ctx, out, base, package, header)


KT_ENTITY = """package {{package}}

data class {{Cls}}(
{{props}}
) {
    init {
{{checks}}
    }

    companion object {
        /** Parses one CSV line in field order; returns null for malformed lines. */
        fun parse(line: String): {{Cls}}? {
            val parts = line.split(',').map { it.trim() }
            if (parts.size != {{n}}) return null
            return runCatching {
                {{Cls}}({{parse_args}})
            }.getOrNull()
        }
    }
}
"""

TRIE = """package {{package}}

/** A prefix tree over characters, for autocompletion of names. */
class {{Trie}} {
    private class Node {
        val children = sortedMapOf<Char, Node>()
        var terminal = false
    }

    private val root = Node()
    var size = 0
        private set

    fun insert(word: String) {
        var node = root
        for (ch in word) {
            node = node.children.getOrPut(ch) { Node() }
        }
        if (!node.terminal) {
            node.terminal = true
            size++
        }
    }

    operator fun contains(word: String): Boolean = find(word)?.terminal == true

    fun withPrefix(prefix: String, limit: Int = {{limit}}): List<String> {
        val start = find(prefix) ?: return emptyList()
        val out = mutableListOf<String>()
        fun walk(node: Node, path: StringBuilder) {
            if (out.size >= limit) return
            if (node.terminal) out.add(path.toString())
            for ((ch, child) in node.children) {
                path.append(ch)
                walk(child, path)
                path.deleteCharAt(path.length - 1)
            }
        }
        walk(start, StringBuilder(prefix))
        return out
    }

    private fun find(prefix: String): Node? {
        var node = root
        for (ch in prefix) {
            node = node.children[ch] ?: return null
        }
        return node
    }
}
"""

KT_MAIN = """package {{package}}

import java.io.File

fun main(args: Array<String>) {
    val path = args.firstOrNull() ?: "{{vars}}.csv"
    val items = File(path).readLines().drop(1).mapNotNull { {{Cls}}.parse(it) }
    val index = {{Trie}}()
    items.forEach { index.insert(it.{{key}}.lowercase()) }
    println("loaded ${items.size} {{vars}}, ${index.size} distinct names")
    while (true) {
        print("prefix> ")
        val prefix = readLine()?.trim() ?: break
        if (prefix.isEmpty()) break
        index.withPrefix(prefix.lowercase()).forEach { println("  $it") }
    }
}
"""

KT_TEST = """package {{package}}

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

class {{Trie}}Test {
    @Test
    fun findsWordsByPrefix() {
        val trie = {{Trie}}()
        listOf("carrot", "car", "cart", "dog").forEach(trie::insert)
        assertEquals(listOf("car", "carrot", "cart"), trie.withPrefix("car"))
        assertTrue("dog" in trie)
        assertFalse("do" in trie)
        assertEquals(4, trie.size)
    }
}
"""

GRADLE = """plugins {
    kotlin("jvm") version "1.9.23"
    application
}

group = "io.github.{{handle}}"
version = "0.{{minor}}.0"

repositories {
    mavenCentral()
}

dependencies {
    testImplementation(kotlin("test"))
}

application {
    mainClass.set("{{package}}.MainKt")
}

kotlin {
    jvmToolchain(17)
}
"""


def kotlin_app(ctx: RepoContext, out: Generated) -> None:
    rng, ent = ctx.rng, ctx.entity
    package = f"io.github.{ctx.handle}.{ctx.pkg}"
    conv = {"str": "", "int": ".toInt()", "float": ".toDouble()", "bool": ".toBooleanStrict()"}
    checks = [
        f'        require({camel(f)}.isNotBlank()) {{ "{camel(f)} must not be blank" }}'
        for f, t in ent.fields
        if t == "str"
    ]
    checks += [
        f'        require({camel(f)} >= 0) {{ "{camel(f)} must not be negative" }}'
        for f, t in ent.fields
        if t in ("int", "float")
    ]
    key = next((camel(f) for f, t in ent.fields if t == "str"), camel(ent.fields[0][0]))
    v = {
        "package": package,
        "Cls": ent.cls,
        "vars": camel(ent.plural),
        "n": str(len(ent.fields)),
        "key": key,
        "props": ",\n".join(f"    val {camel(f)}: {KT_TYPES[t]}" for f, t in ent.fields),
        "checks": "\n".join(checks) or "        check(true)",
        "parse_args": ", ".join(f"parts[{i}]{conv[t]}" for i, (_, t) in enumerate(ent.fields)),
        "Trie": rng.choice(("Trie", "PrefixTree", "NameIndex")),
        "limit": str(rng.choice((10, 20, 25))),
        "handle": ctx.handle,
        "minor": str(rng.randint(1, 9)),
    }
    ctx.description = f"Interactive prefix search over a CSV of {ent.plural}."
    base = f"src/main/kotlin/{package.replace('.', '/')}"
    out.add("settings.gradle.kts", f'rootProject.name = "{ctx.name}"\n')
    out.add("build.gradle.kts", fill(GRADLE, v))
    out.add(f"{base}/{ent.cls}.kt", fill(KT_ENTITY, v))
    out.add(f"{base}/{v['Trie']}.kt", fill(TRIE, v))
    out.add(f"{base}/Main.kt", fill(KT_MAIN, v))
    out.add(f"src/test/kotlin/{package.replace('.', '/')}/{v['Trie']}Test.kt", fill(KT_TEST, v))
    out.add(".gitignore", ".gradle/\nbuild/\n.idea/\n")
