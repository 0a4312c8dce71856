#!/usr/bin/env bash
# The scale benchmark of issue 10 (see benches/scale.rs): builds the release binary, the
# synthetic profile sets, the hostile files and the hello-world baselines, then prints the table.
#   benches/scale.sh                      # this checkout
#   benches/scale.sh --static             # this checkout's static build (cargo build-static)
#   benches/scale.sh --binary OLD/drvpolicy  # another build, for "before" figures
#   benches/scale.sh --quick              # fewer runs per row
#   benches/scale.sh --instructions       # and the ratios in instructions (valgrind), free of noise
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
for arg in "$@"; do
  if [ "$arg" = --static ]; then
    cargo build-static
    args+=(--binary target/static/release/drvpolicy)
  else
    args+=("$arg")
  fi
done
exec cargo bench --bench scale -- "${args[@]}"
