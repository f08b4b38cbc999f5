#!/usr/bin/env python3
"""check-layers.py: checks DESIGN.md's layering against the include graph.

Every source file of a layer may include headers of its own layer and of the
layers below it, never above it, and the two front ends (app/cli, app/gui)
never include each other:

    planner <- kernels <- profiler <- app/chart <- {app/cli, app/gui}

It also checks that a `*-private.h` header is included only from its own
layer (it is that layer's implementation detail, not its API), and that no library source under
planner/, kernels/ or profiler/ includes GLib (they build without it).

Usage: check-layers.py [SOURCE_ROOT]   (default: the directory above tools/)
Prints one line per violation and exits 1 if there is any, else prints a
one-line summary and exits 0.
"""
import os
import re
import sys

# Layer rank: a file may include a header whose rank is <= its own, except
# that the two front ends (same rank) may not include each other.
LAYERS = [
    ("planner", 0),
    ("kernels", 1),
    ("profiler", 2),
    ("app/chart", 3),
    ("app/cli", 4),
    ("app/gui", 4),
]
SOURCE_EXT = (".c", ".h", ".cu", ".cuh")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
GLIB = re.compile(r'^\s*#\s*include\s+<(glib|gio|gtk|adwaita)[/.]')


def layer_of(rel):
    """The layer directory a repository-relative path lies in, or None."""
    best = None
    for name, _ in LAYERS:
        if rel == name or rel.startswith(name + "/"):
            if best is None or len(name) > len(best):
                best = name
    return best


def rank_of(name):
    return dict(LAYERS)[name]


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    # Every header under a layer, by file name (names are unique: cw- prefix).
    headers = {}
    sources = []
    for name, _ in LAYERS:
        top = os.path.join(root, name)
        for dirpath, dirnames, filenames in os.walk(top):
            # app/ holds app/chart, app/cli, app/gui: walk each once, from its own entry.
            rel_dir = os.path.relpath(dirpath, root)
            if layer_of(rel_dir) != name:
                dirnames[:] = []
                continue
            for f in filenames:
                if f.endswith(SOURCE_EXT):
                    rel = os.path.join(rel_dir, f)
                    sources.append(rel)
                    if f.endswith((".h", ".cuh")):
                        if f in headers and headers[f] != rel:
                            print(f"{rel}: header name also used by {headers[f]}")
                        headers[f] = rel
    if not sources:
        print(f"check-layers: no sources under {root}", file=sys.stderr)
        return 2

    problems = 0
    edges = 0
    for rel in sorted(sources):
        src_layer = layer_of(rel)
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as fh:
            for lineno, line in enumerate(fh, 1):
                if src_layer in ("planner", "kernels", "profiler") and GLIB.match(line):
                    print(f"{rel}:{lineno}: {src_layer}/ includes GLib/GTK, which it must build without")
                    problems += 1
                    continue
                m = INCLUDE.match(line)
                if not m:
                    continue
                base = os.path.basename(m.group(1))
                target = headers.get(base)
                if target is None:
                    continue            # generated (cw-git-revision.h), system or test header
                edges += 1
                dst_layer = layer_of(target)
                if dst_layer == src_layer:
                    pass
                elif rank_of(dst_layer) > rank_of(src_layer):
                    print(f"{rel}:{lineno}: {src_layer}/ includes {target} from {dst_layer}/, a layer above it")
                    problems += 1
                    continue
                elif rank_of(dst_layer) == rank_of(src_layer):
                    print(f"{rel}:{lineno}: front end {src_layer}/ includes {target} from the other front end")
                    problems += 1
                    continue
                if "-private." in base and dst_layer != src_layer:
                    print(f"{rel}:{lineno}: includes {target}, private to {dst_layer}/")
                    problems += 1
    if problems:
        print(f"check-layers: {problems} violation(s) of DESIGN.md's layering")
        return 1
    print(f"check-layers: {len(sources)} files, {edges} project includes, no back-edge")
    return 0


if __name__ == "__main__":
    sys.exit(main())
