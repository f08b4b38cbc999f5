#!/bin/sh
# test-gui-self-test.sh SELF_TEST MAKE_DB OUTDIR LANG [CLI]
#
# Starts the real workbench under Xvfb on the sample receipts database and
# lets `test-gui-self-test OUTDIR` (the workbench's library driven by
# tests/app/cw-self-test.c) walk it through every page, change an input,
# export charts and take screenshots; it checks what the window shows and
# exits 1 on any failed check. Then checks the
# files it left. With LANG=de it runs with LANGUAGE=de and requires the
# German page titles. The sample is data/receipts/*.db when the tree has
# one; otherwise a synthetic database written through the store API
# (test-gui-make-db). Owner: workbench.
set -u
exe=$1
make_db=$2
out=$3
lang=${4:-en}
cli=${5:-}

rm -rf "$out"
mkdir -p "$out"

set -- "$exe" "$out"
# Issue 18: training-lane receipts with a gradient check (synthetic) for
# the detail pane's step.
"$make_db" --training "$out/training-receipts.db" || { echo "FAIL: could not write the training-lane database"; exit 1; }
CW_SELF_TEST_TRAINING_DB="$out/training-receipts.db"
export CW_SELF_TEST_TRAINING_DB
if ! ls "${CW_DATA_DIR:?}"/receipts/*.db >/dev/null 2>&1; then
  "$make_db" "$out/synthetic-receipts.db" 60 || { echo "FAIL: could not write the synthetic database"; exit 1; }
  set -- "$@" "$out/synthetic-receipts.db"
fi

german_numbers=0
if [ "$lang" = de ]; then
  export LANGUAGE=de
  # With a compiled German locale (tests/app builds one into LOCPATH) the
  # numbers are German too: "97,66 TiB", "36.543.232".
  if [ -n "${LOCPATH:-}" ] && [ -d "$LOCPATH/de_DE.UTF-8" ]; then
    unset LC_ALL
    export LANG=de_DE.UTF-8
    german_numbers=1
  fi
fi


# A private session bus when dbus-run-session exists; GApplication works
# without one too (the self-test runs non-unique).
wrap=""
command -v dbus-run-session >/dev/null 2>&1 && wrap="dbus-run-session --"

if [ "${CW_TEST_USE_DISPLAY:-0}" != 1 ]; then
  command -v xvfb-run >/dev/null 2>&1 || { echo "SKIP: xvfb-run is not installed"; exit 77; }
  xvfb-run -a -s "-screen 0 1920x1200x24" $wrap "$@" >"$out/stdout" 2>"$out/stderr"
else
  $wrap "$@" >"$out/stdout" 2>"$out/stderr"
fi
rc=$?
cat "$out/stdout"
if [ "$rc" -ne 0 ]; then
  echo "FAIL: test-gui-self-test exited $rc"; cat "$out/stderr"; exit 1
fi
grep -q "^result PASS" "$out/report.txt" || { echo "FAIL: no PASS in the report"; exit 1; }

for f in plan.png plan.svg plan.pdf timeline.png compare.svg indexcache.png \
         page-plan.png page-receipts.png page-compare.png page-index-cache.png \
         page-bad-database.png screenshot.png help-pages.png help-terms.png shortcuts.png \
         preferences.png page-plan-dark.png page-plan-invalid.png page-compare-error.png compare-error.svg \
         receipt-diff.svg receipt-diff-800x600.png receipt-diff-1280x800.png \
         docs-plan.png docs-receipts.png docs-compare.png docs-index-cache.png \
         narrow-receipts-list.png narrow-receipts-detail.png receipt-gradcheck.png; do
  [ -s "$out/$f" ] || { echo "FAIL: $f missing or empty"; exit 1; }
done

# Criticals and warnings from GTK or our code mean something went wrong even
# if every check passed. The one expected warning is the refused bad file.
if grep -E "CRITICAL|Gtk-WARNING|Adwaita-WARNING|Cliffwatch-WARNING" "$out/stderr" \
     | grep -v "not-a-database.db" | grep -q .; then
  echo "FAIL: warnings on stderr:"; cat "$out/stderr"; exit 1
fi

if [ "$lang" = de ]; then
  grep -q "page-titles plan=Plan receipts=Messbelege compare=Vergleich index-cache=Index-Cache" "$out/report.txt" || {
    echo "FAIL: LANGUAGE=de did not give the German page titles:"; grep page-titles "$out/report.txt"; exit 1; }
  # Issue 16 item 8: sizes with a decimal comma, counts grouped with '.'.
  if [ "$german_numbers" = 1 ]; then
    grep -q "^big-reserve .*97,66 TiB.*140,40 GiB" "$out/report.txt" &&
      grep -q "^huge-sq .*sq=1\.099\.511\.627\.776" "$out/report.txt" || {
      echo "FAIL: LANG=de_DE.UTF-8 did not give German numbers:"; grep -E "^(big-reserve|huge-sq)" "$out/report.txt"; exit 1; }
    echo "ok: German numbers (decimal comma, '.' grouping)"
    grep -q "^gradcheck-detail lane=gradcheck-dense .*worst=1,75 × die Toleranz" "$out/report.txt" || {
      echo "FAIL: the gradient check's worst error is not German:"; grep "^gradcheck-detail" "$out/report.txt"; exit 1; }
  fi
  grep -q "^gradcheck-detail lane=gradcheck group=Gradientenprüfung result=bestanden" "$out/report.txt" || {
    echo "FAIL: the gradient check in the detail pane is not German:"; grep "^gradcheck-detail" "$out/report.txt"; exit 1; }
else
  grep -q "^gradcheck-detail lane=gradcheck-dense group=Gradient check result=failed: .* worst=1.75 × the tolerance element=dk\[12\]$" "$out/report.txt" || {
    echo "FAIL: the gradient check in the detail pane:"; grep "^gradcheck-detail" "$out/report.txt"; exit 1; }
  grep -q "page-titles plan=Plan receipts=Receipts compare=Compare index-cache=Index Cache" "$out/report.txt" || {
    echo "FAIL: unexpected page titles:"; grep page-titles "$out/report.txt"; exit 1; }
fi
# Issue 16: Compare Receipts marks the fields `receipts diff` says differ.
if [ -n "$cli" ]; then
  db=$(sed -n 's/^database \(.*\) receipts=[0-9]*$/\1/p' "$out/report.txt" | head -n 1)
  line=$(grep "^receipt-diff 1280x800 " "$out/report.txt")
  a=$(echo "$line" | sed 's/.*) \([0-9]*\) vs \([0-9]*\): differing \(.*\)$/\1/')
  b=$(echo "$line" | sed 's/.*) \([0-9]*\) vs \([0-9]*\): differing \(.*\)$/\2/')
  shown=$(echo "$line" | sed 's/.*: differing //')
  want=$("$cli" receipts diff "$db" "$a" "$b" --format csv | python3 -c 'import csv, sys
print(",".join(r["key"] for r in csv.DictReader(sys.stdin) if r["differs"] == "yes" and not r["key"].endswith("_peak")))')
  [ -n "$line" ] && [ -n "$want" ] && [ "$shown" = "$want" ] || {
    echo "FAIL: Compare Receipts marked '$shown' for $db $a/$b; receipts diff says '$want'"; exit 1; }
  echo "ok: Compare Receipts and receipts diff agree ($a against $b: $want)"
fi
# Issue 13: the two front ends give the same numbers for the same input.
# The plan the window showed after the sq change (default preset and GPU)
# and its engine step, against cliffwatch-cli's plan and cliff.
if [ -n "$cli" ]; then
  sq=$(sed -n 's/^plan-after sq=\([0-9]*\)$/\1/p' "$out/report.txt")
  [ -n "$sq" ] || { echo "FAIL: no plan-after line in the report"; exit 1; }
  gui=$(sed -n "/^plan-after sq=$sq\$/,/^settings /p" "$out/report.txt" | grep " peak=" \
        | sed 's/^\([^ ]*\) peak=\([0-9]*\) fits=[a-z]* max_sq=\([0-9]*\)$/\1 \2 \3/' | sort)
  profiles=$(echo "$gui" | awk '{printf " --profile %s", $1}')
  peaks=$("$cli" plan --preset deepseek-v4-flash --gpu h200 --sq "$sq" $profiles --format csv \
          | awk -F, '$2 == "peak" {print $1, $4}' | sort)
  cliffs=$("$cli" cliff --preset deepseek-v4-flash --gpu h200 --sq "$sq" $profiles --format csv \
           | awk -F, 'NR > 1 {print $1, $2}' | sort)
  cli_rows=$(echo "$peaks" | while read -r p b; do
               echo "$p $b $(echo "$cliffs" | awk -v p="$p" '$1 == p {print $2}')"; done)
  if [ -z "$gui" ] || [ "$gui" != "$cli_rows" ]; then
    echo "FAIL: the workbench and the CLI disagree at sq $sq:"; echo "gui:"; echo "$gui"; echo "cli:"; echo "$cli_rows"
    exit 1
  fi
  egui=$(sed -n '/^engine vllm-v3.2 sq=8192 prefix=131072$/,/^#/p' "$out/report.txt" | grep "^vllm peak=" \
         | sed 's/^vllm peak=\([0-9]*\) fits=[a-z]* max_sq=\([0-9]*\)$/\1 \2/')
  epeak=$("$cli" plan --engine vllm-v3.2 --gpu h200 --sq 8192 --prefix 131072 --format csv \
          | awk -F, '$2 == "peak" {print $4}')
  ecliff=$("$cli" cliff --engine vllm-v3.2 --gpu h200 --sq 8192 --prefix 131072 --format csv \
           | awk -F, 'NR > 1 {print $2}')
  if [ -z "$egui" ] || [ "$egui" != "$epeak $ecliff" ]; then
    echo "FAIL: the engine step differs: workbench '$egui', CLI '$epeak $ecliff'"; exit 1
  fi
  echo "ok: the workbench and the CLI agree (sq $sq: $(echo "$gui" | wc -l) profiles; vllm-v3.2 step $egui)"
fi
echo "ok: self-test passed ($lang)"
