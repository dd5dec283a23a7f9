"""C++ repositories: a weighted-graph library with a CLI, and a header-only utility library."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.bank_cpp import add_headers
from mellum_data.sample.licenses import source_header
from mellum_data.sample.repo_context import Generated, RepoContext
from mellum_data.sample.templating import fill
from mellum_data.sample.vendored import SHA1_H, sha1_c

GRAPH_HPP = """#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace {{ns}} {

class Graph {
public:
    using Node = std::size_t;

    Node add_node(const std::string& name);
    void add_edge(Node from, Node to, double weight = 1.0);
    std::optional<Node> find(const std::string& name) const;
    std::size_t size() const { return names_.size(); }
    const std::string& name(Node n) const { return names_.at(n); }

    /// Dijkstra from `source`; unreachable nodes get +infinity.
    std::vector<double> shortest_paths(Node source) const;
    /// Kahn's algorithm; empty when the graph has a cycle.
    std::vector<Node> topological_order() const;

private:
    struct Edge {
        Node to;
        double weight;
    };
    std::vector<std::string> names_;
    std::vector<std::vector<Edge>> {{adj}};
    std::unordered_map<std::string, Node> index_;
};

}  // namespace {{ns}}
"""

GRAPH_CPP = """#include "{{name}}/graph.hpp"

#include <functional>
#include <limits>
#include <queue>
#include <stdexcept>
#include <utility>

namespace {{ns}} {

Graph::Node Graph::add_node(const std::string& name) {
    if (auto it = index_.find(name); it != index_.end()) {
        return it->second;
    }
    Node id = names_.size();
    names_.push_back(name);
    {{adj}}.emplace_back();
    index_.emplace(name, id);
    return id;
}

void Graph::add_edge(Node from, Node to, double weight) {
    if (from >= size() || to >= size()) {
        throw std::out_of_range("add_edge: unknown node");
    }
    if (weight < 0) {
        throw std::invalid_argument("add_edge: negative weight");
    }
    {{adj}}[from].push_back({to, weight});
}

std::optional<Graph::Node> Graph::find(const std::string& name) const {
    auto it = index_.find(name);
    if (it == index_.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::vector<double> Graph::shortest_paths(Node source) const {
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> dist(size(), inf);
    using Item = std::pair<double, Node>;
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> queue;
    dist.at(source) = 0.0;
    queue.emplace(0.0, source);
    while (!queue.empty()) {
        auto [d, node] = queue.top();
        queue.pop();
        if (d > dist[node]) {
            continue;
        }
        for (const Edge& e : {{adj}}[node]) {
            double candidate = d + e.weight;
            if (candidate < dist[e.to]) {
                dist[e.to] = candidate;
                queue.emplace(candidate, e.to);
            }
        }
    }
    return dist;
}

std::vector<Graph::Node> Graph::topological_order() const {
    std::vector<std::size_t> indegree(size(), 0);
    for (const auto& edges : {{adj}}) {
        for (const Edge& e : edges) {
            ++indegree[e.to];
        }
    }
    std::queue<Node> ready;
    for (Node n = 0; n < size(); ++n) {
        if (indegree[n] == 0) {
            ready.push(n);
        }
    }
    std::vector<Node> order;
    while (!ready.empty()) {
        Node n = ready.front();
        ready.pop();
        order.push_back(n);
        for (const Edge& e : {{adj}}[n]) {
            if (--indegree[e.to] == 0) {
                ready.push(e.to);
            }
        }
    }
    if (order.size() != size()) {
        order.clear();
    }
    return order;
}

}  // namespace {{ns}}
"""

STATS_HPP = """#pragma once

#include <cmath>
#include <cstddef>

namespace {{ns}} {

/// Running mean and variance (Welford); numerically stable for long streams.
class RunningStats {
public:
    void push(double x) {
        ++n_;
        double delta = x - mean_;
        mean_ += delta / static_cast<double>(n_);
        m2_ += delta * (x - mean_);
    }

    std::size_t count() const { return n_; }
    double mean() const { return mean_; }
    double variance() const { return n_ > 1 ? m2_ / static_cast<double>(n_ - 1) : 0.0; }
    double stddev() const { return std::sqrt(variance()); }

private:
    std::size_t n_ = 0;
    double mean_ = 0.0;
    double m2_ = 0.0;
};

}  // namespace {{ns}}
"""

MAIN_CPP = """#include <iostream>
#include <sstream>
#include <string>

#include "{{name}}/graph.hpp"
#include "{{name}}/stats.hpp"

// Reads "from to weight" lines from stdin and prints distances from the first node.
int main() {
    {{ns}}::Graph graph;
    {{ns}}::RunningStats weights;
    std::string line;
    while (std::getline(std::cin, line)) {
        std::istringstream in(line);
        std::string from, to;
        double weight = 1.0;
        if (!(in >> from >> to)) {
            continue;
        }
        in >> weight;
        auto u = graph.add_node(from);
        auto v = graph.add_node(to);
        graph.add_edge(u, v, weight);
        weights.push(weight);
    }
    if (graph.size() == 0) {
        std::cerr << "no edges read\\n";
        return 1;
    }
    auto dist = graph.shortest_paths(0);
    for (std::size_t n = 0; n < graph.size(); ++n) {
        std::cout << graph.name(n) << '\\t' << dist[n] << '\\n';
    }
    std::cerr << weights.count() << " edges, mean weight " << weights.mean() << '\\n';
    return 0;
}
"""

TEST_GRAPH = """#include <cassert>
#include <cmath>

#include "{{name}}/graph.hpp"

int main() {
    {{ns}}::Graph g;
    auto a = g.add_node("a");
    auto b = g.add_node("b");
    auto c = g.add_node("c");
    g.add_edge(a, b, 2.0);
    g.add_edge(b, c, 3.0);
    g.add_edge(a, c, 10.0);
    auto dist = g.shortest_paths(a);
    assert(dist[c] == 5.0);
    assert(g.topological_order().size() == 3);
    g.add_edge(c, a, 1.0);
    assert(g.topological_order().empty());
    return 0;
}
"""

CMAKE_CPP = """cmake_minimum_required(VERSION 3.16)
project({{name}} VERSION 1.{{minor}}.0 LANGUAGES C CXX)

set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)

add_library({{name}} src/graph.cpp third_party/sha1/sha1.c)
target_include_directories({{name}} PUBLIC include third_party)

add_executable({{name}}-cli src/main.cpp)
target_link_libraries({{name}}-cli PRIVATE {{name}})

enable_testing()
add_executable(test_graph tests/test_graph.cpp)
target_link_libraries(test_graph PRIVATE {{name}})
add_test(NAME graph COMMAND test_graph)
"""


def cpp_graph(ctx: RepoContext, out: Generated) -> None:
    rng = ctx.rng
    v = {
        "name": ctx.name,
        "ns": ctx.pkg,
        "adj": rng.choice(("adjacency_", "edges_", "out_")),
        "minor": str(rng.randint(0, 9)),
    }
    ctx.description = "Weighted directed graphs: shortest paths and topological order, in C++17."
    header = source_header(ctx.license, year=ctx.year, owner=ctx.owner, comment="//")
    out.add("CMakeLists.txt", fill(CMAKE_CPP, v))
    out.add(f"include/{ctx.name}/graph.hpp", header + fill(GRAPH_HPP, v))
    out.add(f"include/{ctx.name}/stats.hpp", header + fill(STATS_HPP, v))
    out.add("src/graph.cpp", header + fill(GRAPH_CPP, v))
    out.add("src/main.cpp", header + fill(MAIN_CPP, v))
    out.add("tests/test_graph.cpp", fill(TEST_GRAPH, v))
    out.add("third_party/sha1/sha1.h", SHA1_H, "vendored")
    out.add("third_party/sha1/sha1.c", sha1_c(rng), "vendored")
    out.add(".clang-format", "BasedOnStyle: Google\nIndentWidth: 4\nColumnLimit: 100\n")


CMAKE_HEADERS = """cmake_minimum_required(VERSION 3.16)
project({{name}} VERSION 0.{{minor}}.0 LANGUAGES CXX)

add_library({{name}} INTERFACE)
add_library({{name}}::{{name}} ALIAS {{name}})
target_include_directories({{name}} INTERFACE
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:include>)
target_compile_features({{name}} INTERFACE cxx_std_17)

option({{NAME}}_BUILD_TESTS "Build the tests" ON)
if({{NAME}}_BUILD_TESTS)
    enable_testing()
    find_package(Threads REQUIRED)
    add_executable(compile_test tests/compile_test.cpp)
    target_link_libraries(compile_test PRIVATE {{name}} Threads::Threads)
    add_test(NAME compile_test COMMAND compile_test)
endif()

install(DIRECTORY include/ DESTINATION include)
"""


def cpp_headers(ctx: RepoContext, out: Generated) -> None:
    """A header-only utility library: every header comes from the C++ code bank."""
    v = {"name": ctx.name, "NAME": ctx.pkg.upper(), "minor": str(ctx.rng.randint(1, 9))}
    ctx.description = "Header-only C++17 utilities: containers, text helpers and graph algorithms."
    stems = add_headers(ctx, out, f"include/{ctx.name}")
    includes = "".join(f'#include "{ctx.name}/{stem}.hpp"\n' for stem in sorted(stems))
    out.add(
        f"include/{ctx.name}.hpp",
        f"// Everything in {ctx.name}, in one include.\n#pragma once\n\n{includes}",
    )
    out.add(
        "tests/compile_test.cpp",
        f"// Including every header in one translation unit catches missing includes and\n"
        f"// clashing names early.\n#include <{ctx.name}.hpp>\n\nint main() {{\n    return 0;\n}}\n",
    )
    out.add("CMakeLists.txt", fill(CMAKE_HEADERS, v))
    out.add(".clang-format", "BasedOnStyle: LLVM\nIndentWidth: 4\nColumnLimit: 110\n")
    out.add(".gitignore", "build/\n.cache/\ncompile_commands.json\n")
