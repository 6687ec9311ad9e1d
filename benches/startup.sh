#!/usr/bin/env bash
# Compares Lockstep's start-up and idle memory with a bare Tauri 2 app, in one run:
# builds both as shipped (release profile, assets embedded: `tauri/custom-protocol`), starts a
# virtual display, and prints medians and ratios (window mapped, first paint, first screen
# complete, idle PSS per process).
#
#   benches/startup.sh [--rounds N] [--reviews N] [--also LABEL=BINARY ...]
#
# `--also before=/tmp/lockstep-old` starts another build in the same rounds (an A/B of a
# change, measured against the same bare app at the same load).
#
# Needs: xvfb-run, xdotool, python3 (standard library). Set CARGO_TARGET_DIR to reuse a
# release build elsewhere; LOCKSTEP_BIN / BARE_BIN skip the builds and use those binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
ours="${LOCKSTEP_BIN:-}"
bare="${BARE_BIN:-}"
if [ -z "$ours" ]; then
  nice cargo build --release --locked --bin lockstep --features tauri/custom-protocol
  ours="$target/release/lockstep"
fi
if [ -z "$bare" ]; then
  nice cargo build --release --locked -p bare-app --features tauri/custom-protocol
  bare="$target/release/bare-app"
fi
for b in "$ours" "$bare"; do
  printf '%-40s %8.2f MiB\n' "$(basename "$b") binary" "$(echo "$(stat -c %s "$b") / 1048576" | bc -l)"
done
exec xvfb-run -a -s "-screen 0 1280x800x24" \
  python3 benches/startup.py --ours "$(realpath "$ours")" --bare "$(realpath "$bare")" "$@"
