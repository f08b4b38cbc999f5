#!/usr/bin/env python3
"""cw-results.py: writes bench/RESULTS.md from the benchmark records, bench/records/*.jsonl.

    python3 bench/cw-results.py            write bench/RESULTS.md
    python3 bench/cw-results.py --check    exit 1, with one line, when bench/RESULTS.md is not
                                           what the records generate (a meson test, suite bench)
    options: --root DIR (the source tree; default: the one this file is in), --output FILE

Per benchmark, one table row per configuration and series: the latest run of it (latest date;
on a tie, the later line), with its median, min-max, number of samples, source revision, date
and device. The median is the sample at index n // 2 of the sorted samples (the middle one for
odd n, the upper middle for even n), the rule the benches print with. Numbers are formatted,
never changed: every value shown is a sample or a median/min/max of a record's samples.

Records (bench/records/README.md): one JSON object per line. Those with "schema" >= 1 hold
"config" (and "kernel_options" for the kernels) and the series "samples" (with "unit") and
PREFIX_samples; the stored median/min/max/n must agree with the samples. Older records
(exec-overhead.jsonl, no "schema") are read as they were written: every list of numbers is a
series (in seconds when its name says "_s"), every other field not naming where, when or from
which source is configuration.

Python 3 standard library only.
"""
import argparse
import glob
import json
import os
import re
import sys

PROG = "cw-results.py"
HERE = os.path.dirname(os.path.abspath(__file__))

# What each benchmark measures, for the section's first line.
DESCRIPTIONS = {
    "kernels-lane": "cw-bench-kernels: one lane's time at V4-Flash dims (h 64, d 128, top_k 512, ratio 4, "
                    "compressed-causal, b 1), CUDA events around the whole lane; peak = free-memory drop "
                    "around its workspace and outputs.",
    "kernels-split": "cw-bench-kernels: the streaming lane's score and top-k launches timed apart, summed "
                     "over its chunks (second of two passes).",
    "kernels-oom-sweep": "cw-bench-kernels: fused and materialize at S = 8192, 16384, ... until cudaMalloc "
                         "refuses the workspace (one timed run after one warm-up).",
    "kernels-backward": "cw-bench-kernels --backward: the sparse backward (cw_backward_sparse_run) at V4-Flash "
                        "dims, idx from the streaming forward and g random; time: CUDA events around the whole "
                        "backward; forward time: the streaming forward that made idx, in the same run and "
                        "budget; peak = free-memory drop around the backward's workspace and dq, dw, dk (above "
                        "the inputs q, k, w, idx, g).",
    "kernels-ceiling": "cw-bench-kernels: the device's ceilings in the same run: cuBLAS bf16 8192^3 GEMM "
                       "and a 4 GiB device-to-device copy.",
    "exec-injection-overhead": "`profile --exec` injection overhead (bench/engines/cw_engines_profile.py "
                               "--overhead): steady forward (median of 20 synchronized forwards per run) and "
                               "whole-process wall time, runs without (plain) and with (injected) the "
                               "injection.",
    "planner-sweep": "cw-bench-sweep: cw_plan_eval_peak over the configurations (V4-Flash, sq = 4, 8, ..., "
                     "b 1..8), one timed pass; wall and CPU time.",
    "planner-cliff": "cw-bench-sweep: exact cliff solves (cw_cliff_max_sq), mean time of one solve.",
    "chart-redraw": "cw-bench-chart: one chart layout + draw into a fresh 1280x800 image (GTK rows: "
                    "through a recording surface), wall and CPU time per run.",
    "chart-interaction": "cw-bench-chart: building both charts once, and the mean of 1000 hit tests.",
}

# Per benchmark, record fields shown as columns of their own (byte counts), on the rows of the
# record's main series ("samples"): (field, column heading).
BYTE_COLUMNS = {
    "kernels-backward": [("peak_bytes", "peak above inputs"), ("workspace_bytes", "workspace")],
}

# Fields of an old (schema-less) record that say where, when or from which source.
LEGACY_PROVENANCE = {"benchmark", "date", "gpu", "driver", "torch", "transformers", "source_revision",
                     "command", "run_command", "device", "host"}

DATE_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


class RecordError(Exception):
    pass


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def median(samples):
    return sorted(samples)[len(samples) // 2]


def series_of(rec):
    """[(name, samples, unit)] of a record."""
    out = []
    if "schema" in rec:
        for key, value in rec.items():
            if key == "samples" or key.endswith("_samples"):
                if not isinstance(value, list) or not all(is_number(x) for x in value):
                    raise RecordError(f'"{key}" is not a list of numbers')
                prefix = "" if key == "samples" else key[:-len("samples")]
                if value:
                    for stat, want in (("median", median(value)), ("min", min(value)), ("max", max(value))):
                        got = rec.get(prefix + stat)
                        if got is not None and got != want:
                            raise RecordError(f'"{prefix}{stat}" {got!r} is not the {stat} of "{key}" ({want!r})')
                if key == "samples" and rec.get("n") is not None and rec["n"] != len(value):
                    raise RecordError(f'"n" {rec["n"]!r} is not the number of samples ({len(value)})')
                out.append((key, value, rec.get("unit", "")))
    else:
        for key, value in rec.items():
            if isinstance(value, list) and value and all(is_number(x) for x in value):
                unit = "s" if re.search(r"(^|_)s(_|$)", key) else ""
                out.append((key, value, unit))
    if not out:
        raise RecordError("no samples")
    return out


def config_of(rec):
    if "schema" in rec:
        cfg = rec.get("config", {})
        if not isinstance(cfg, dict):
            raise RecordError('"config" is not an object')
        return cfg
    return {k: v for k, v in rec.items()
            if k not in LEGACY_PROVENANCE and not isinstance(v, (list, dict))}


def device_of(rec):
    dev = rec.get("device")
    if isinstance(dev, dict):
        name = dev.get("name") or dev.get("kind") or "?"
        if dev.get("driver_version"):
            return f"{name}, driver {dev['driver_version']}"
        if dev.get("cpus"):
            return f"{name}, {dev['cpus']} CPUs"
        return name
    name = rec.get("gpu") or (dev if isinstance(dev, str) else "?")
    return f"{name}, driver {rec['driver']}" if rec.get("driver") else name


def read_records(root):
    """[(file, line number, record)] of every bench/records/*.jsonl, files by name."""
    out = []
    files = sorted(glob.glob(os.path.join(root, "bench", "records", "*.jsonl")))
    for path in files:
        rel = os.path.relpath(path, root)
        seen = {}
        with open(path, encoding="utf-8") as fh:
            for no, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                where = f"{rel}:{no}"
                if line in seen:
                    raise RecordError(f"{where}: the same line as line {seen[line]} (appended twice?)")
                seen[line] = no
                try:
                    rec = json.loads(line)
                except ValueError as e:
                    raise RecordError(f"{where}: not JSON ({e})")
                if not isinstance(rec, dict):
                    raise RecordError(f"{where}: not a JSON object")
                for key in ("benchmark", "date", "source_revision", "command"):
                    if not isinstance(rec.get(key), str) or not rec[key]:
                        raise RecordError(f'{where}: no "{key}"')
                if not DATE_RE.match(rec["date"]):
                    raise RecordError(f'{where}: "date" {rec["date"]!r} is not UTC ISO (YYYY-MM-DDTHH:MM:SSZ)')
                try:
                    series_of(rec)
                    config_of(rec)
                except RecordError as e:
                    raise RecordError(f"{where}: {e}")
                out.append((rel, no, rec))
    return out


def formatter(value, unit):
    """(function formatting a number of this unit, unit suffix), at the scale that suits value:
    seconds under 1 s as ms. Milliseconds get 3 decimals (the records' sub-second seconds hold
    microseconds, so nothing recorded is rounded away), seconds 2."""
    if unit == "s" and abs(value) >= 1:
        return (lambda v: f"{v:.2f}"), " s"
    if unit == "s":
        return (lambda v: f"{v * 1000:.3f}"), " ms"
    if unit == "ms":
        return (lambda v: f"{v:.3f}"), " ms"
    if unit == "us":
        return (lambda v: f"{v:.2f}"), " µs"
    return (lambda v: f"{v:.6g}"), (f" {unit}" if unit else "")


def bytes_text(value):
    """Exact bytes, then GiB: '35,433,480,192 B (33.00 GiB)'; '—' when absent."""
    if not is_number(value):
        return "—"
    return f"{value:,} B ({value / 2**30:.2f} GiB)"


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def config_text(cfg, skip=()):
    parts = []
    for k, v in cfg.items():
        if k in skip:
            continue
        if isinstance(v, bool):
            v = "yes" if v else "no"
        parts.append(f"{k}={v}")
    return "`" + ", ".join(parts) + "`" if parts else "—"


def series_name(key):
    if key == "samples":
        return "time"
    if key.endswith("_samples"):
        return key[:-len("_samples")] + " time"
    return key


def read_errata(root, records):
    """Applies bench/records/errata.json to the records for display, never to the files.

    A record's provenance can be wrong without any number being wrong (a stale compiled-in
    revision, a command line cut by the bench); the records stay as written, and each erratum
    names the record (file and date), the field, the value recorded (checked) and the value
    that is true, with why. Returns {(file, date): [(field, recorded, actual, why)]}."""
    path = os.path.join(root, "bench", "records", "errata.json")
    if not os.path.exists(path):
        return {}
    try:
        with open(path, encoding="utf-8") as fh:
            errata = json.load(fh)
    except ValueError as e:
        raise RecordError(f"bench/records/errata.json: not JSON ({e})")
    by_record = {}
    for i, e in enumerate(errata if isinstance(errata, list) else [None]):
        where = f"bench/records/errata.json entry {i + 1}"
        if not isinstance(e, dict) or not all(isinstance(e.get(k), str) and e[k]
                                              for k in ("file", "date", "field", "recorded", "actual", "why")):
            raise RecordError(f"{where}: needs file, date, field, recorded, actual and why")
        if e["field"] not in ("source_revision", "command"):
            raise RecordError(f"{where}: only source_revision and command can have errata, not {e['field']}")
        hits = [rec for rel, _, rec in records if rel == e["file"] and rec["date"] == e["date"]]
        if not hits:
            raise RecordError(f"{where}: no record of {e['date']} in {e['file']}")
        for rec in hits:
            if rec[e["field"]] != e["recorded"]:
                raise RecordError(f"{where}: {e['file']} {e['date']} records {e['field']} "
                                  f"{rec[e['field']]!r}, not {e['recorded']!r}")
        by_record.setdefault((e["file"], e["date"]), []).append((e["field"], e["recorded"], e["actual"], e["why"]))
    return by_record


def generate(root):
    records = read_records(root)
    errata = read_errata(root, records)
    file_of = {id(rec): rel for rel, _, rec in records}
    benches = {}    # benchmark -> {"files": [...], "rows": {key: (order, date, idx, rec, series)}}
    order = 0
    for idx, (rel, no, rec) in enumerate(records):
        b = benches.setdefault(rec["benchmark"], {"files": [], "rows": {}, "records": 0})
        if rel not in b["files"]:
            b["files"].append(rel)
        b["records"] += 1
        cfg = config_of(rec)
        opts = rec.get("kernel_options") if isinstance(rec.get("kernel_options"), dict) else None
        for name, samples, unit in series_of(rec):
            key = (json.dumps(cfg, sort_keys=True), json.dumps(opts, sort_keys=True), name)
            prev = b["rows"].get(key)
            if prev is None or (rec["date"], idx) >= (prev[1], prev[2]):
                b["rows"][key] = (prev[0] if prev else order, rec["date"], idx, rec, (name, samples, unit))
            order += 1

    out = []
    w = out.append
    w("# Benchmark results")
    w("")
    w("> Generated by `python3 bench/cw-results.py` from the records in `bench/records/*.jsonl`")
    w("> (their schema: [bench/records/README.md](records/README.md)). Do not edit by hand:")
    w("> `meson test --suite bench` (`python3 bench/cw-results.py --check`) fails when this file")
    w("> is not what the records generate. Measurements from before the records, with their")
    w("> commands and notes: [bench/HISTORY.md](HISTORY.md).")
    w("")
    w("Each table shows the latest run of each configuration: the median, min–max and number n of")
    w("its samples (the median is the sample at n / 2 of the sorted samples: the middle one for odd")
    w("n), the source revision, the date (UTC) and the device. Every run's samples are in the records.")
    for bench in benches:
        b = benches[bench]
        rows = sorted(b["rows"].values(), key=lambda r: r[0])
        # configuration fields with one value in every row are said once, above the table
        configs = [config_of(r[3]) for r in rows]
        common = {k: v for k, v in configs[0].items()
                  if len(configs) > 1 and all(c.get(k, object()) == v for c in configs)}
        with_opts = any(r[3].get("kernel_options") for r in rows)
        with_series = any(r[4][0] != "samples" for r in rows)
        with_status = any(r[3].get("status", "ok") != "ok" for r in rows)
        w("")
        w(f"## {bench}")
        w("")
        if bench in DESCRIPTIONS:
            w(DESCRIPTIONS[bench])
        w("Records: " + ", ".join(f"`{f}`" for f in b["files"])
          + f" ({b['records']} record{'s' if b['records'] != 1 else ''}).")
        if common:
            w(f"In every row: {config_text(common)}.")
        w("")
        byte_columns = BYTE_COLUMNS.get(bench, [])
        head = ["configuration"] + (["kernel options"] if with_opts else []) + (["series"] if with_series else []) \
            + (["status"] if with_status else []) + ["median", "min–max", "n"] \
            + [heading for _, heading in byte_columns] + ["revision", "date", "device"]
        w("| " + " | ".join(head) + " |")
        w("|" + "---|" * len(head))
        commands = []
        notes = []
        for _, date, _, rec, (name, samples, unit) in rows:
            row = [config_text(config_of(rec), common)]
            if with_opts:
                opts = rec.get("kernel_options") or {}
                row.append(config_text(opts) if opts else "—")
            if with_series:
                row.append(series_name(name))
            status = rec.get("status", "ok")
            if with_status:
                row.append(status)
            if samples:
                m = median(samples)
                fmt, suffix = formatter(m, unit)
                row += [fmt(m) + suffix, f"{fmt(min(samples))}–{fmt(max(samples))}{suffix}", str(len(samples))]
            else:
                row += ["—", "—", "0"]
            row += [bytes_text(rec.get(field)) if name == "samples" else "—" for field, _ in byte_columns]
            fixes = {f: (recorded, actual, why)
                     for f, recorded, actual, why in errata.get((file_of[id(rec)], rec["date"]), [])}
            revision = f"`{rec['source_revision'][:12]}`"
            if "source_revision" in fixes:
                revision = f"`{fixes['source_revision'][1][:12]}` (erratum)"
            row += [revision, date.replace("T", " ").replace("Z", ""), device_of(rec)]
            w("| " + " | ".join(cell(c) for c in row) + " |")
            command = fixes["command"][1] if "command" in fixes else rec["command"]
            if (date, command) not in commands:
                commands.append((date, command))
            for field, (recorded, actual, why) in sorted(fixes.items()):
                note = f"{date.replace('T', ' ').replace('Z', ' UTC')}: {field} recorded as `{cell(recorded)}`, " \
                       f"shown as `{cell(actual)}`: {why}"
                if note not in notes:
                    notes.append(note)
        w("")
        w("Command" + ("s" if len(commands) > 1 else "") + " of the runs shown:")
        for date, command in commands:
            w(f"- {date.replace('T', ' ').replace('Z', ' UTC')}: `{cell(command)}`")
        if notes:
            w("")
            w("Errata (bench/records/errata.json; the records are as written):")
            for note in notes:
                w(f"- {note}")
    return "\n".join(out) + "\n"


def main():
    p = argparse.ArgumentParser(prog=PROG, description="Write bench/RESULTS.md from bench/records/*.jsonl.")
    p.add_argument("--check", action="store_true", help="exit 1 when RESULTS.md is not what the records generate")
    p.add_argument("--root", default=os.path.dirname(HERE), help="the source tree (default: %(default)s)")
    p.add_argument("--output", help="the file to write or check (default: ROOT/bench/RESULTS.md)")
    a = p.parse_args()
    output = a.output or os.path.join(a.root, "bench", "RESULTS.md")
    try:
        text = generate(a.root)
    except (RecordError, OSError) as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    if a.check:
        try:
            with open(output, encoding="utf-8") as fh:
                current = fh.read()
        except OSError as e:
            print(f"{PROG}: {output}: {e.strerror}; run python3 bench/cw-results.py", file=sys.stderr)
            return 1
        if current != text:
            print(f"{PROG}: {os.path.relpath(output, a.root)} is not what bench/records/*.jsonl generate "
                  "(edited by hand, or records added without regenerating); run python3 bench/cw-results.py",
                  file=sys.stderr)
            return 1
        return 0
    tmp = output + ".tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, output)
    except OSError as e:
        print(f"{PROG}: writing {output}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
