#!/bin/sh
# update-screenshots.sh [BUILD]
#
# Regenerates the README's screenshots from the workbench's own Xvfb
# self-test on the bundled sample data: docs/screenshot.png (the Plan page
# at the preset's inputs) and docs/screenshots/{plan,receipts,compare,
# index-cache}.png (every page at 1280x800, the Receipts page with a receipt
# and its memory timeline). BUILD is a configured build directory with the
# workbench (-Dgui=enabled); default ./build. Exits 1 when the self-test
# fails (no screenshot is copied then).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case "$build" in
  /*) ;;
  *) build="$top/$build" ;;
esac
out="$build/tests/app/gui-self-test"

meson test -C "$build" gui-self-test --print-errorlogs >/dev/null || {
  echo "update-screenshots: the self-test failed; see $build/meson-logs/testlog.txt" >&2
  exit 1
}

mkdir -p "$top/docs/screenshots"
cp "$out/screenshot.png" "$top/docs/screenshot.png"
for page in plan receipts compare index-cache; do
  cp "$out/docs-$page.png" "$top/docs/screenshots/$page.png"
done
echo "docs/screenshot.png and docs/screenshots/*.png updated from $out"
