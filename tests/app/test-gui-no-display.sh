#!/bin/sh
# test-gui-no-display.sh CLIFFWATCH: with no display the workbench must say so
# and print the default preset's plan (exit 0), not fail. Owner: workbench.
set -u
exe=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

env -u DISPLAY -u WAYLAND_DISPLAY "$exe" >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ "$rc" -ne 0 ]; then
  echo "FAIL: exit status $rc without a display"; cat "$out/stderr"; exit 1
fi
if ! grep -q "no display; printing the plan for the default preset" "$out/stderr"; then
  echo "FAIL: no 'no display' message on stderr"; cat "$out/stderr"; exit 1
fi
# The plan names the preset and every profile's peak in exact bytes.
if ! grep -qi "deepseek-v4-flash" "$out/stdout" || ! grep -q "[0-9] B" "$out/stdout"; then
  echo "FAIL: stdout does not look like the V4-Flash plan:"; cat "$out/stdout"; exit 1
fi
echo "ok: no display -> message and the default plan ($(wc -l <"$out/stdout") lines)"
