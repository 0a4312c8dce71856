#!/usr/bin/env bash
# The scale benchmark of issue 10 (see benches/scale.rs): builds the release binary, the
# synthetic profile sets, the hostile files and the hello-world baselines, then prints the table.
#   benches/scale.sh                      # this checkout
#   benches/scale.sh --dynamic            # this checkout linked dynamically (RUSTFLAGS= cargo build)
#   benches/scale.sh --binary OLD/drvpolicy  # another build, for "before" figures
#   benches/scale.sh --quick              # fewer runs per row
#   benches/scale.sh --instructions       # and the ratios in instructions (valgrind), free of noise
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
for arg in "$@"; do
  if [ "$arg" = --dynamic ]; then
    # An empty RUSTFLAGS replaces .cargo/config.toml's flags: the link rustc makes by default.
    RUSTFLAGS= cargo build --release --bin drvpolicy --target-dir target/dynamic
    args+=(--binary "target/dynamic/$(rustc -vV | sed -n 's/^host: //p')/release/drvpolicy")
  else
    args+=("$arg")
  fi
done
exec cargo bench --bench scale -- "${args[@]}"
