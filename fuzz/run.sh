#!/bin/bash
# Runs the fuzz targets with AFL++ through cargo-afl, on the stable toolchain.
#
#   fuzz/run.sh TARGET SECONDS   one target for SECONDS
#   fuzz/run.sh all SECONDS      every target, one after the other, SECONDS each
#   fuzz/run.sh list             the targets
#
# Needs cargo-afl (`cargo install cargo-afl`; its first run builds AFL++). The seed corpus is
# made from the repository's fixtures each time; findings go to fuzz/out/TARGET (not
# committed). The exit status is 1 when a target found a crash or a hang, 2 on bad usage.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
targets=(import_spec import_script rpm_condition profile help_text)

usage() { echo "usage: fuzz/run.sh TARGET|all SECONDS, or fuzz/run.sh list (targets: ${targets[*]})" >&2; exit 2; }
[ "${1:-}" = list ] && { printf '%s\n' "${targets[@]}"; exit 0; }
[ $# -eq 2 ] || usage
[[ "$2" =~ ^[0-9]+$ ]] || usage
if [ "$1" = all ]; then selected=("${targets[@]}"); else
  printf '%s\n' "${targets[@]}" | grep -qx -- "$1" || usage
  selected=("$1")
fi
command -v cargo-afl >/dev/null || { echo "cargo-afl is not installed: cargo install cargo-afl" >&2; exit 2; }

# The seeds: the fixtures each target reads.
seeds() {
  local dir=corpus/$1
  rm -rf "$dir"; mkdir -p "$dir"
  case $1 in
    import_spec|import_script) cp "$root"/tests/fixtures/import/* "$dir"/ ;;
    rpm_condition)
      # The expressions of every %if in the fixtures, one a file.
      local n=0
      grep -h '^%if ' "$root"/tests/fixtures/import/*.spec | sed 's/^%if //' | sort -u | while read -r line; do
        n=$((n + 1)); printf '%s' "$line" > "$dir/if-$n"; done
      printf '(1 || 0) && 2 - 2' > "$dir/expression"
      printf '"x86_64" == "x86_64"' > "$dir/strings" ;;
    profile)
      cp "$root"/profiles/*.toml "$root"/tests/fixtures/check/*.toml "$dir"/
      # One large input (about 600 KB), for size-driven blow-ups.
      { echo '[profile]'; echo 'product = "x"'; echo 'release = "1"'; echo '[qemu]'; echo 'version = "2.12.0"'
        printf 'rw-whitelist = ['; for i in $(seq 1 40000); do printf '"qcow2", '; done; echo '"raw"]'; } > "$dir/large.toml" ;;
    help_text) cp "$root"/tests/fixtures/verify/*.txt "$dir"/ ;;
  esac
}

export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
export CARGO_TARGET_DIR="$PWD/target"
cargo afl build --release --quiet
status=0
for target in "${selected[@]}"; do
  seeds "$target"
  rm -rf "out/$target"; mkdir -p "out/$target"
  # Inputs up to 1 MiB (-G), a second per run before a hang (-t), for SECONDS (-V).
  cargo afl fuzz -i "corpus/$target" -o "out/$target" -G 1048576 -t 1000 -V "$2" -- "target/release/$target" \
    > "out/$target/afl.log" 2>&1 || true
  stats=out/$target/default/fuzzer_stats
  [ -f "$stats" ] || { echo "$target: afl-fuzz did not run; see fuzz/out/$target/afl.log" >&2; tail -20 "out/$target/afl.log" >&2; exit 2; }
  value() { sed -n "s/^$1 *: *//p" "$stats"; }
  crashes=$(value saved_crashes); hangs=$(value saved_hangs)
  echo "$target: $(value execs_done) executions in $(value run_time) s, $(value corpus_count) inputs in the corpus, $crashes crashes, $hangs hangs"
  if [ "${crashes:-0}" != 0 ] || [ "${hangs:-0}" != 0 ]; then
    status=1
    ls "out/$target/default/crashes" "out/$target/default/hangs" 2>/dev/null | sed "s|^|  $target: |"
  fi
done
exit $status
