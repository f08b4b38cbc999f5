#!/usr/bin/env python3
"""Measure every planned engine shape under `cliffwatch-cli profile --exec`, and the injection's
overhead. One receipt database comes out, with each range receipt predicted by the engine's profile.

    python3 bench/engines/cw_engines_profile.py --cli CLI --db DB [--engine E] [--overhead N] [--log FILE]

For each line L of `cw_engines.py --plan`:
    CLI profile --exec --db DB --range 'indexer:*' --allocator tensor \
        --profile-file data/profiles/ENGINE.profile PLAN-FLAGS --note "engines: L" \
        -- python3 bench/engines/cw_engines.py L
PLAN-FLAGS are cw_engines_predict.plan_flags (the configuration the receipt stores). The last shape of
each engine is past the H200's cliff: its receipt must be status oom. With --overhead N, the first shape
of each engine also runs N times without and N times with the injection; the forward's wall time
("seconds" in the script's JSON line) is printed as one table row per engine."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import cw_engines  # noqa: E402
import cw_engines_predict  # noqa: E402

SCRIPT = os.path.join(HERE, "cw_engines.py")


def plan_lines(engine=None):
    out = subprocess.run([sys.executable, SCRIPT, "--plan"] + (["--engine", engine] if engine else []),
                         capture_output=True, text=True, check=True).stdout
    return [l.split() for l in out.splitlines() if l.strip()]


def arg(line, name, default=None):
    return line[line.index(name) + 1] if name in line else default


def flags_for(line):
    e = arg(line, "--engine")
    return e, cw_engines_predict.plan_flags(e, int(arg(line, "--b")), int(arg(line, "--sq")), int(arg(line, "--h")),
                                            int(arg(line, "--d")), int(arg(line, "--top-k")),
                                            int(arg(line, "--ratio", "4")))


def steady_of(stdout):
    for l in stdout.splitlines():
        if l.startswith("{"):
            try:
                return json.loads(l).get("steady_seconds")
            except ValueError:
                pass
    return None


def seconds_of(stdout):
    for l in stdout.splitlines():
        if l.startswith("{"):
            try:
                return json.loads(l).get("seconds")
            except ValueError:
                pass
    return None


def driver_version():
    """The NVIDIA driver release (nvidia-smi), or None."""
    try:
        r = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                           capture_output=True, text=True, timeout=30)
        return r.stdout.splitlines()[0].strip() if r.returncode == 0 and r.stdout.strip() else None
    except (OSError, subprocess.SubprocessError):
        return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cli", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--engine", help="one engine's shapes; 'none' for the overhead table alone")
    p.add_argument("--overhead", type=int, default=0)
    p.add_argument("--log", default="/dev/null")
    p.add_argument("--records", default="", help="append one JSON record per engine to this file (bench/records)")
    a = p.parse_args()
    log = open(a.log, "a")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    for line in ([] if a.engine == "none" else plan_lines(a.engine)):
        engine, flags = flags_for(line)
        cmd = [a.cli, "profile", "--exec", "--db", a.db, "--range", "indexer:*", "--allocator", "tensor",
               "--profile-file", os.path.join(ROOT, "data", "profiles", engine + ".profile")] + flags.split() + \
              ["--note", "engines: " + " ".join(line), "--", sys.executable, SCRIPT] + line
        t0 = time.time()
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
        log.write("$ " + " ".join(cmd) + f"\nexit {r.returncode}\n{r.stdout}{r.stderr}\n")
        row = [l for l in r.stdout.splitlines() if "indexer:" in l]
        print(f"{time.time() - t0:6.1f}s rc={r.returncode} {' '.join(line)}")
        for l in row:
            print("    " + l)
        if not row:
            print("    " + (r.stderr.strip().splitlines() or ["(no output)"])[-1])
        sys.stdout.flush()
    if a.overhead:
        # Two numbers per engine, each the median over a.overhead runs without and with the
        # injection: the steady forward (median of 20 synchronized forwards after the measured
        # one, inside one process), and the whole process's wall time (start-up, CUPTI
        # subscription, spool and receipts included: what a user waits for).
        reps = 20
        print(f"{'engine':14s} {'steady fwd ms':>14s} {'injected':>9s} {'overhead':>9s}"
              f" {'process s':>10s} {'injected':>9s} {'overhead':>9s}")
        for engine in cw_engines.ENGINES:
            line = plan_lines(engine)[0] + ["--timing-repeats", str(reps)]
            plain, inj, wplain, winj = [], [], [], []
            for _ in range(a.overhead):
                t0 = time.perf_counter()
                r = subprocess.run([sys.executable, SCRIPT] + line, capture_output=True, text=True,
                                   env=dict(env, PYTORCH_NO_CUDA_MEMORY_CACHING="1"))
                wplain.append(time.perf_counter() - t0)
                plain.append(steady_of(r.stdout))
                t0 = time.perf_counter()
                r = subprocess.run([a.cli, "profile", "--exec", "--db", "/tmp/cw-overhead.db", "--allocator", "tensor",
                                    "--range", "indexer:*", "--", sys.executable, SCRIPT] + line,
                                   capture_output=True, text=True, env=env)
                winj.append(time.perf_counter() - t0)
                inj.append(steady_of(r.stdout))
            plain = [x for x in plain if x is not None]
            inj = [x for x in inj if x is not None]
            if plain and inj:
                mp, mi = statistics.median(plain), statistics.median(inj)
                wp, wi = statistics.median(wplain), statistics.median(winj)
                print(f"{engine:14s} {1e3 * mp:14.3f} {1e3 * mi:9.3f} {100 * (mi / mp - 1):8.1f}%"
                      f" {wp:10.2f} {wi:9.2f} {100 * (wi / wp - 1):8.1f}%")
                log.write(f"overhead {engine} {' '.join(line)}: steady plain {plain} injected {inj}; "
                          f"process plain {wplain} injected {winj}\n")
                if a.records:
                    import torch  # noqa: E402 - only for the versions in the record
                    import transformers  # noqa: E402
                    rec = {"benchmark": "exec-injection-overhead",
                           "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                           "gpu": torch.cuda.get_device_name(0), "driver": driver_version(),
                           "torch": torch.__version__, "transformers": transformers.__version__,
                           "source_revision": os.environ.get("CW_SOURCE_REVISION", "unknown"),
                           "command": " ".join(sys.argv), "engine": engine, "args": " ".join(line),
                           "steady_forward_s_plain": plain, "steady_forward_s_injected": inj,
                           "process_wall_s_plain": wplain, "process_wall_s_injected": winj}
                    if os.environ.get("CW_RUN_COMMAND"):
                        rec["run_command"] = os.environ["CW_RUN_COMMAND"]
                    # one line per engine, flushed; a failed write raises (exit 1)
                    with open(a.records, "a") as fh:
                        fh.write(json.dumps(rec) + "\n")
            else:
                print(f"{engine:14s} no timings (plain {plain}, injected {inj})")

if __name__ == "__main__":
    main()
