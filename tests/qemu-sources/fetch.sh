#!/usr/bin/env bash
# Fetches the real `configure` of the qemu releases Debian ships as source packages, for
# tests/configure_acceptance.rs: bookworm has qemu 7.2, trixie 10.0.x. Each suite's tree goes
# to target/qemu-configure/SUITE with only what `configure FLAG --help` reads. Quick when
# already done; a tree is renamed into place only once it is complete.
#
# Needs apt-get and xz. When apt cannot find the source packages, it adds deb-src entries for
# the suites that have none and runs `apt-get update`, which needs root (CI runs as root).
#
# usage: tests/qemu-sources/fetch.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
dest=$root/target/qemu-configure
suites=(bookworm trixie)
# apt's sources.list.d, wherever APT_CONFIG puts it.
eval "$(apt-config shell sources_dir Dir::Etc::sourceparts/d)"
sources_file=${sources_dir%/}/drvpolicy-qemu-src.sources

todo=()
for suite in "${suites[@]}"; do
  [ -f "$dest/$suite/VERSION" ] || todo+=("$suite")
done
if [ ${#todo[@]} -eq 0 ]; then
  echo "qemu sources already in $dest: ${suites[*]}"
  exit 0
fi
mkdir -p "$dest"
work=$(mktemp -d "$dest/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Suites that have a deb-src index target configured (RELEASE is the codename the entry names).
configured() {
  apt-get indextargets --format '$(RELEASE)' 'Created-By: Sources' 2>/dev/null | grep -qx "$1"
}

add_sources() {
  local suite missing=()
  for suite in "${todo[@]}"; do
    configured "$suite" || missing+=("$suite")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "adding deb-src for ${missing[*]} to $sources_file"
    printf '%s\n' \
      '# Added by drvpolicy tests/qemu-sources/fetch.sh: qemu source packages for the configure test.' \
      'Types: deb-src' \
      'URIs: http://deb.debian.org/debian' \
      "Suites: ${missing[*]}" \
      'Components: main' \
      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' >"$sources_file"
  fi
  apt-get update -q
}

download() {
  (cd "$work/$1" && apt-get source --download-only -q "qemu/$1")
}

for suite in "${todo[@]}"; do
  mkdir -p "$work/$suite"
done
# A stale or missing index makes the first try fail; then configure and update once.
updated=no
for suite in "${todo[@]}"; do
  if ! download "$suite" >"$work/$suite.log" 2>&1; then
    if [ $updated = no ]; then
      add_sources
      updated=yes
    fi
    download "$suite" >"$work/$suite.log" 2>&1 || {
      cat "$work/$suite.log" >&2
      echo "fetch.sh: cannot download the qemu source package of $suite" >&2
      exit 1
    }
  fi
done

# What `configure FLAG --help` reads: the script and the option table it sources; VERSION and
# meson_options.txt for the test; the submodule marker that 7.2 checks before --help; the host
# directories that 8.2 and later check before they parse options (every arch's, so any host
# works). A member an older release lacks is fine; the required files are checked below.
members=(
  configure scripts/meson-buildoptions.sh meson_options.txt VERSION
  ui/keycodemapdb/README linux-user/include/host common-user/host linux-headers
)
extract() {
  local suite=$1 orig top
  orig=$(echo "$work/$suite"/qemu_*.orig.tar.xz)
  if [ ! -f "$orig" ]; then
    echo "fetch.sh: apt-get source gave no qemu_*.orig.tar.xz for $suite" >&2
    return 1
  fi
  top=$({ tar -tJf "$orig" || true; } | head -n 1 | cut -d/ -f1)
  mkdir -p "$work/$suite/tree"
  tar -xJf "$orig" -C "$work/$suite/tree" --no-same-owner --strip-components=1 \
    "${members[@]/#/$top/}" 2>"$work/$suite.tar.log" || true
  for required in configure scripts/meson-buildoptions.sh meson_options.txt VERSION; do
    if [ ! -f "$work/$suite/tree/$required" ]; then
      cat "$work/$suite.tar.log" >&2
      echo "fetch.sh: $orig has no $top/$required" >&2
      return 1
    fi
  done
  sed -n 's/^Version: //p' "$work/$suite"/qemu_*.dsc >"$work/$suite/tree/DEBIAN-VERSION"
}
# xz decompression dominates: one suite per core.
pids=()
for suite in "${todo[@]}"; do
  extract "$suite" &
  pids+=($!)
done
# Wait for both before failing: the trap must not remove a tree tar is still writing.
failed=no
for pid in "${pids[@]}"; do
  wait "$pid" || failed=yes
done
[ $failed = no ] || exit 1
for suite in "${todo[@]}"; do
  rm -rf "${dest:?}/$suite"
  mv "$work/$suite/tree" "$dest/$suite"
  echo "$suite: qemu $(cat "$dest/$suite/VERSION") (Debian $(cat "$dest/$suite/DEBIAN-VERSION")) in $dest/$suite"
done
