#!/usr/bin/env bash
# Captures what every command prints for the shipped profiles and the test fixtures: one file per
# run with its exit status, stdout and stderr. Run it with two binaries and `diff -r` the two
# directories to show that a change leaves every output as it was.
#
#   benches/outputs.sh BINARY OUTDIR
set -uo pipefail
bin=$(realpath "$1")
out=$2
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(realpath "$out")
cd "$root"

n=0
run() {
  # run NAME ARGS...: stdout, stderr and the exit status in $out/NAME.
  local name=$1
  shift
  local file="$out/$name"
  "$bin" "$@" >"$file.stdout" 2>"$file.stderr" </dev/null
  echo "exit $?" >"$file.exit"
  n=$((n + 1))
}

profiles=$(ls profiles | sed 's/\.toml$//')
arches_of() { "$bin" show "$1" --format json | sed -n 's/^ *"arch": "\(.*\)",*$/\1/p' | sort -u; }

run help --help
run version --version
for c in list show generate explain matrix diff history check verify import sync completions man; do
  run "help-$c" "$c" --help
done
for c in configure spec libguestfs; do run "help-generate-$c" generate "$c" --help; done
run list list
run list-json list --format json
run check-all check --all
run check-all-deny check --all --deny-warnings
run check-all-json check --all --format json
for shell in bash zsh fish; do run "completions-$shell" completions "$shell"; done
run man man
for c in list show generate explain matrix diff history check verify import sync; do run "man-$c" man "$c"; done

for p in $profiles; do
  for f in text json; do run "show-$p-$f" show "$p" --format "$f"; done
  for s in inline globals; do run "spec-$p-$s" generate spec "$p" --style "$s"; done
  for f in text list markdown json; do run "libguestfs-$p-$f" generate libguestfs "$p" --format "$f"; done
  for f in text markdown json html; do run "matrix-$p-$f" matrix "$p" --format "$f"; done
  run "matrix-$p-all" matrix "$p" --all-drivers
  run "check-$p" check "$p"
  run "check-$p-json" check "$p" --format json
  for name in https ssh rbd vpc qcow curl virtfs file nbd; do
    for f in text json; do run "explain-$p-$name-$f" explain "$p" "$name" --format "$f"; done
  done
  for a in $(arches_of "$p"); do
    run "show-$p-$a" show "$p" --arch "$a"
    run "configure-$p-$a" generate configure "$p" --arch "$a"
    run "configure-$p-$a-one" generate configure "$p" --arch "$a" --one-line
    run "configure-$p-$a-meson" generate configure "$p" --arch "$a" --dialect meson
    run "libguestfs-$p-$a-list" generate libguestfs "$p" --arch "$a" --format list
    run "explain-$p-https-$a" explain "$p" https --arch "$a"
    for help in tests/fixtures/verify/*.txt; do
      run "verify-$p-$a-$(basename "$help" .txt)" verify "$p" --arch "$a" --help-text "$help"
      run "verify-$p-$a-$(basename "$help" .txt)-json" verify "$p" --arch "$a" --help-text "$help" --format json
    done
  done
done

pairs="rhel-7.0:rhel-7.1 rhel-7.1:rhel-7.2 rhel-7.2:rhel-7.3 rhel-7.3:rhel-7.4 rhel-7.4:rhel-7.5 rhel-7.5:rhel-7.6
rhel-7.6:rhel-7.7 rhel-7.2-rhev:rhel-7.3-rhev rhel-7.3-rhev:rhel-7.5-rhev rhel-7.5-rhev:rhel-7.6-rhev
rhel-7.3:rhel-7.3-rhev rhel-7.6:rhel-7.6-rhev debian-13:rhel-7.7 rhel-7.0:rhel-7.7 rhel-7.3:rhel-7.3"
for pair in $pairs; do
  a=${pair%%:*} b=${pair##*:}
  for f in text markdown json; do run "diff-$a-$b-$f" diff "$a" "$b" --format "$f"; done
  for g in spec configure libguestfs; do run "diff-$a-$b-gen-$g" diff "$a" "$b" --generated "$g"; done
  for l in arches qemu build features rw-whitelist ro-whitelist access; do run "diff-$a-$b-$l" diff "$a" "$b" --layer "$l"; done
  run "diff-$a-$b-x86" diff "$a" "$b" --arch x86_64
done
for product in rhel rhel-rhev debian; do
  for f in text markdown json; do run "history-$product-$f" history "$product" --format "$f"; done
  run "history-$product-access" history --product "$product" --layer access
done
run history-names history rhel-7.1 rhel-7.2 rhel-7.3 --format markdown

for fixture in tests/fixtures/check/*.toml; do
  name=$(basename "$fixture" .toml)
  run "fixture-check-$name" --profiles tests/fixtures/check check "$name"
  run "fixture-check-$name-json" --profiles tests/fixtures/check check "$name" --format json
  run "fixture-show-$name" --profiles tests/fixtures/check show "$name"
done
run fixture-check-all --profiles tests/fixtures/check check --all

# import and sync work on copies in a scratch directory, named relatively.
scratch=$(mktemp -d)
cp tests/fixtures/import/* tests/fixtures/sync/qemu-kvm.spec "$scratch/" 2>/dev/null
cp tests/fixtures/sync/qemu-kvm.spec "$scratch/sync.spec"
(
  cd "$scratch" || exit
  for spec in qemu-kvm-el7.spec qemu-kvm-rhev.spec; do
    run "import-$spec" import spec "$spec" --name my-7.9
    run "import-$spec-json" import spec "$spec" --name my-7.9 --format json
  done
  run import-script import spec build_configure.sh --qemu-version 2.3.0 --arches x86_64 --name ev-7.2 \
    --set have_rbd=enable --set have_gluster=enable --set @=
  run sync-check sync sync.spec rhel-7.3 --check
  run sync-check-json sync sync.spec rhel-7.3 --check --format json
  run sync sync sync.spec rhel-7.3
  cp sync.spec "$out/sync.spec.after"
  run sync-again sync sync.spec rhel-7.3
)
rm -rf "$scratch"
echo "$n runs captured in $out"
