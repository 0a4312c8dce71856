#!/usr/bin/env bash
# The scale benchmark of issue 10 (see benches/scale.rs): builds the release binary, the
# synthetic profile sets, the hostile files and a hello-world baseline, then prints the table.
#   benches/scale.sh                      # this checkout
#   benches/scale.sh --binary OLD/drvpolicy  # another build, for "before" figures
#   benches/scale.sh --quick              # fewer runs per row
#   benches/scale.sh --instructions       # and the ratios in instructions (valgrind), free of noise
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench --bench scale -- "$@"
