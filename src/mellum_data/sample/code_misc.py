"""Ruby and shell repositories."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.repo_context import Generated, RepoContext
from mellum_data.sample.templating import fill

RB_MAIN = """# frozen_string_literal: true

require_relative "{{name}}/version"
require_relative "{{name}}/lru_cache"

# Memoization helpers backed by a bounded LRU cache.
module {{Mod}}
  class Error < StandardError; end

  # Wraps +method_name+ so that results are cached per argument list.
  def self.memoize(klass, method_name, {{cap}}: 256)
    cache = LruCache.new({{cap}})
    original = klass.instance_method(method_name)
    klass.define_method(method_name) do |*args|
      cache.fetch(args) { original.bind(self).call(*args) }
    end
  end
end
"""

RB_LRU = """# frozen_string_literal: true

module {{Mod}}
  # A least-recently-used cache. Ruby hashes keep insertion order, so re-inserting a key
  # on every read moves it to the end and the first key is always the oldest.
  class LruCache
    attr_reader :{{cap}}, :hits, :misses

    def initialize({{cap}})
      raise ArgumentError, "{{cap}} must be positive" unless {{cap}}.positive?

      @{{cap}} = {{cap}}
      @store = {}
      @hits = 0
      @misses = 0
    end

    def [](key)
      return miss unless @store.key?(key)

      @hits += 1
      value = @store.delete(key)
      @store[key] = value
    end

    def []=(key, value)
      @store.delete(key)
      @store[key] = value
      @store.shift while @store.size > @{{cap}}
    end

    def fetch(key)
      return self[key] if @store.key?(key)

      @misses += 1
      self[key] = yield
    end

    def size
      @store.size
    end

    private

    def miss
      @misses += 1
      nil
    end
  end
end
"""

RB_SPEC = """# frozen_string_literal: true

require "{{name}}"

RSpec.describe {{Mod}}::LruCache do
  subject(:cache) { described_class.new(2) }

  it "evicts the least recently used key" do
    cache[:a] = 1
    cache[:b] = 2
    cache[:a]
    cache[:c] = 3
    expect(cache[:b]).to be_nil
    expect(cache[:a]).to eq(1)
  end

  it "counts hits and misses in fetch" do
    cache.fetch(:x) { 42 }
    cache.fetch(:x) { raise "not called" }
    expect(cache.hits).to eq(1)
    expect(cache.misses).to eq(1)
  end
end
"""

GEMSPEC = """# frozen_string_literal: true

require_relative "lib/{{name}}/version"

Gem::Specification.new do |spec|
  spec.name = "{{name}}"
  spec.version = {{Mod}}::VERSION
  spec.authors = ["{{owner}}"]
  spec.summary = "{{description}}"
  spec.homepage = "https://github.com/{{handle}}/{{name}}"
  spec.license = "{{license}}"
  spec.required_ruby_version = ">= 3.0"
  spec.files = Dir["lib/**/*.rb", "README.md", "LICENSE.txt"]
  spec.add_development_dependency "rspec", "~> 3.13"
end
"""


def ruby_gem(ctx: RepoContext, out: Generated) -> None:
    v = {
        "name": ctx.pkg,
        "Mod": ctx.Pkg,
        "cap": ctx.rng.choice(("capacity", "max_size", "limit")),
        "owner": ctx.owner,
        "handle": ctx.handle,
        "license": ctx.license or "",
    }
    ctx.description = "Memoize Ruby methods with a bounded LRU cache."
    v["description"] = ctx.description
    out.add(f"{ctx.pkg}.gemspec", fill(GEMSPEC, v))
    out.add("Gemfile", 'source "https://rubygems.org"\n\ngemspec\n\ngem "rake", "~> 13.0"\n')
    out.add(
        "Rakefile",
        'require "rspec/core/rake_task"\n\nRSpec::Core::RakeTask.new(:spec)\ntask default: :spec\n',
    )
    out.add(f"lib/{ctx.pkg}.rb", fill(RB_MAIN, v))
    out.add(f"lib/{ctx.pkg}/lru_cache.rb", fill(RB_LRU, v))
    out.add(
        f"lib/{ctx.pkg}/version.rb",
        f'# frozen_string_literal: true\n\nmodule {ctx.Pkg}\n  VERSION = "0.{ctx.rng.randint(1, 9)}.0"\nend\n',
    )
    out.add(f"spec/{ctx.pkg}_spec.rb", fill(RB_SPEC, v))


LOG_SH = """# shellcheck shell=bash
# Logging helpers: source this file, then call log_info / log_warn / die.

if [[ -t 2 ]]; then
    _C_RED=$'\\e[31m' _C_YEL=$'\\e[33m' _C_DIM=$'\\e[2m' _C_OFF=$'\\e[0m'
else
    _C_RED='' _C_YEL='' _C_DIM='' _C_OFF=''
fi

_log() {
    local level=$1
    shift
    printf '%s%s%s %s %s\\n' "$_C_DIM" "$(date '+%H:%M:%S')" "$_C_OFF" "$level" "$*" >&2
}

log_info() { _log "${_C_DIM}info${_C_OFF}" "$@"; }
log_warn() { _log "${_C_YEL}warn${_C_OFF}" "$@"; }
die() {
    _log "${_C_RED}error${_C_OFF}" "$@"
    exit 1
}
"""

RETRY_SH = """# shellcheck shell=bash
# retry N CMD...: run CMD up to N times, doubling the pause after each failure.

retry() {
    local attempts=$1 delay={{delay}} n=1
    shift
    until "$@"; do
        if (( n >= attempts )); then
            log_warn "giving up after $n attempts: $*"
            return 1
        fi
        log_warn "attempt $n failed, retrying in ${delay}s: $*"
        sleep "$delay"
        (( n++, delay *= 2 ))
    done
}
"""

BACKUP = """#!/usr/bin/env bash
# Back up the folders listed in ~/.config/{{name}}/folders to a dated archive and
# keep the last {{keep}} archives.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/log.sh
source "$here/lib/log.sh"
# shellcheck source=lib/retry.sh
source "$here/lib/retry.sh"

config="${XDG_CONFIG_HOME:-$HOME/.config}/{{name}}/folders"
dest="${BACKUP_DEST:-$HOME/backups}"
stamp="$(date +%Y-%m-%d_%H%M)"

[[ -f "$config" ]] || die "no folder list at $config"
mkdir -p "$dest"

mapfile -t folders < <(grep -v '^\\s*#' "$config" | sed '/^\\s*$/d')
(( ${#folders[@]} > 0 )) || die "folder list is empty"

archive="$dest/backup-$stamp.tar.zst"
log_info "archiving ${#folders[@]} folders to $archive"
tar --zstd -cf "$archive" "${folders[@]}"

if [[ -n "${BACKUP_REMOTE:-}" ]]; then
    retry 4 rsync -a "$archive" "$BACKUP_REMOTE/"
fi

# keep only the newest archives
ls -1t "$dest"/backup-*.tar.zst | tail -n +$(({{keep}} + 1)) | xargs -r rm --
log_info "done"
"""

INSTALL = """#!/bin/sh
# Install the scripts into ~/.local/bin (POSIX sh, so that it runs before bash is set up).
set -eu

prefix="${PREFIX:-$HOME/.local}"
src="$(cd "$(dirname "$0")" && pwd)"

mkdir -p "$prefix/bin" "$prefix/share/{{name}}"
cp "$src"/lib/*.sh "$prefix/share/{{name}}/"
for script in "$src"/bin/*; do
    name="$(basename "$script")"
    sed "s#\\$here/lib#$prefix/share/{{name}}#" "$script" > "$prefix/bin/$name"
    chmod 755 "$prefix/bin/$name"
    echo "installed $name"
done

case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) echo "note: add $prefix/bin to your PATH" ;;
esac
"""


def shell_scripts(ctx: RepoContext, out: Generated) -> None:
    v = {
        "name": ctx.name,
        "keep": str(ctx.rng.choice((5, 7, 14))),
        "delay": str(ctx.rng.choice((1, 2, 5))),
    }
    ctx.description = "Personal backup scripts: dated tar archives with rotation and remote copy."
    out.add("install.sh", fill(INSTALL, v))
    out.add(f"bin/{ctx.name}-backup", fill(BACKUP, v))
    out.add("lib/log.sh", LOG_SH)
    out.add("lib/retry.sh", fill(RETRY_SH, v))
    out.add("folders.example", "# one folder per line\n~/Documents\n~/Pictures/2024\n~/projects\n")
