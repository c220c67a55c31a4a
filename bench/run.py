#!/usr/bin/env python3
"""heapwise benchmark runner (`make bench` calls it; see bench/README.md).

Runs each workload uninstrumented and under every tool, alternating (A B C ... A B C ...)
so that load from other processes spreads over all of them, and prints one table of
ratios to the uninstrumented run plus one of the analyzers. Only measures: it never
fails because a tool is slow, and asserts nothing about time.

Environment:
  BENCH_SCALE   factor on every workload's size (default 1; 0.1 for a quick run)
  BENCH_REPS    runs of each tool per workload (default 3)
  BENCH_ONLY    comma-separated workload names to run (default: all)
  BENCH_TOOLS   comma-separated tool names to run (default: all available)
  BENCH_VG_FRACTION  size of valgrind's runs relative to the others (default 0.05)
  BENCH_KEEP    directory for the traces (default: a temporary one, removed at the end)
  BENCH_SHIM_B  another libheapwise.so, run as tool "heapwise-B" in the same rotation
                (before/after comparisons of a change)
"""
import json
import os
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

# Trace file header: ring_bytes at 56, data_offset at 64 (man heapwise-trace.5).
HW_DATA_OFFSET_AT = 64


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- workloads

class Workload:
    """name, what it is, and how to build a command line for a size factor."""

    def __init__(self, name, desc, make_cmd, stdin=None):
        self.name = name
        self.desc = desc
        self.make_cmd = make_cmd  # (factor, workdir) -> (argv, env extra, stdin path)
        self.stdin = stdin


def scaled(n, factor, least=1):
    return max(least, int(round(n * factor)))


def workloads(builddir, srcdir):
    wl = os.path.join(srcdir, "bench", "workloads")
    exe = lambda name: os.path.join(builddir, "bench", name)
    python = shutil.which("python3", path="/usr/bin:/bin") or sys.executable

    def churn(threads):
        return lambda f, d: ([exe("churn"), str(scaled(10_000_000, f)), str(threads)], {}, None)

    def sqlite(f, d):
        rows = scaled(50_000, f, 100)
        sql = os.path.join(d, "inserts.%d.sql" % rows)
        if not os.path.exists(sql):
            with open(sql, "w") as out:
                subprocess.run([python, os.path.join(wl, "gen_sql.py"), str(rows)],
                               stdout=out, check=True)
        return ([shutil.which("sqlite3") or "sqlite3", ":memory:"], {}, sql)

    def cc1plus(f, d):
        funcs = scaled(2, f, 0)
        ii = os.path.join(d, "big.%d.ii" % funcs)
        if not os.path.exists(ii):
            cc = os.path.join(d, "big.%d.cc" % funcs)
            with open(cc, "w") as out:
                subprocess.run([python, os.path.join(wl, "gen_cxx.py"), str(funcs)],
                               stdout=out, check=True)
            subprocess.run(["g++", "-std=c++17", "-E", cc, "-o", ii], check=True)
        cc1 = subprocess.run(["g++", "-print-prog-name=cc1plus"], capture_output=True,
                             text=True, check=True).stdout.strip()
        return ([cc1, "-fpreprocessed", "-quiet", "-O2", "-std=c++17", ii, "-o",
                 os.path.join(d, "big.s")], {}, None)

    return [
        Workload("churn", "10 M malloc/free pairs, depth 12, mixed sizes", churn(1)),
        Workload("churn2", "the same on 2 threads, cross-thread frees", churn(2)),
        Workload("cxx", "std::map/string/vector (new/delete)",
                 lambda f, d: ([exe("cxx"), str(scaled(100, f))], {}, None)),
        Workload("liveset", "1 M live blocks, then freed (x2)",
                 lambda f, d: ([exe("liveset"), str(scaled(1_000_000, f)), "2"], {}, None)),
        Workload("realloc", "256 buffers grown by realloc to 16 KiB",
                 lambda f, d: ([exe("realloc"), "256", str(scaled(30, f))], {}, None)),
        Workload("python3", "PYTHONMALLOC=malloc, dicts/lists/json",
                 lambda f, d: ([python, os.path.join(wl, "alloc_heavy.py"),
                                str(scaled(20, f))], {"PYTHONMALLOC": "malloc"}, None)),
        Workload("sqlite3", "50 k INSERTs into an indexed table", sqlite),
        Workload("cc1plus", "cc1plus -O2 on a preprocessed C++ file", cc1plus),
    ]


# ---------------------------------------------------------------- tools

class Tool:
    def __init__(self, name, wrap, small=False, kind=None):
        self.name = name
        self.wrap = wrap    # (argv, env, outdir) -> (argv, env)
        self.small = small  # runs at valgrind's reduced size
        self.kind = kind    # "heapwise", "heaptrack" or None: where its trace is


def find_lsan():
    for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib"):
        p = os.path.join(d, "liblsan.so.0")
        if os.path.exists(p):
            return p
    return None


def install_peers():
    """apt-get the missing peers when we are root; returns notes for what stays missing."""
    want = {"heaptrack": "heaptrack", "heaptrack_print": "heaptrack", "valgrind": "valgrind",
            "zstd": "zstd"}
    missing = sorted({pkg for cmd, pkg in want.items() if not shutil.which(cmd)})
    if not find_lsan():
        missing.append("liblsan0")
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        log("bench: installing", " ".join(missing))
        subprocess.run(["apt-get", "update", "-qq"], stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq"] + missing, stdout=subprocess.DEVNULL)
    notes = []
    for cmd in ("heaptrack", "heaptrack_print", "valgrind", "zstd"):
        if not shutil.which(cmd):
            notes.append("%s not installed (not root, or apt-get failed): its columns are skipped"
                         % cmd)
    if not find_lsan():
        notes.append("liblsan.so.0 not found (package liblsan0): LSan skipped")
    return notes


def tools(builddir):
    shim = os.path.abspath(os.path.join(builddir, ".libs", "libheapwise.so"))
    lsan = find_lsan()
    out = [Tool("none", lambda a, e, d: (a, e))]

    def hw(options, lib=shim):
        def wrap(argv, env, d):
            # summary=0: what `heapwise run` has the target do (no env-only summary line).
            env = dict(env, LD_PRELOAD=lib,
                       HEAPWISE_OPTIONS="output=%s/hw.%%p.trace:summary=0%s" % (d, options))
            return argv, env
        return wrap

    out.append(Tool("heapwise", hw(""), kind="heapwise"))
    out.append(Tool("hw-nofree", hw(":free_stacks=0"), kind="heapwise"))
    if os.environ.get("BENCH_SHIM_B"):
        out.append(Tool("heapwise-B", hw("", os.path.abspath(os.environ["BENCH_SHIM_B"])),
                        kind="heapwise"))
    if shutil.which("heaptrack") and shutil.which("zstd"):
        out.append(Tool("ht-raw", lambda a, e, d: (["heaptrack", "-r", "-o", d + "/ht"] + a, e),
                        kind="heaptrack"))
        out.append(Tool("heaptrack", lambda a, e, d: (["heaptrack", "-o", d + "/ht"] + a, e),
                        kind="heaptrack"))
    if shutil.which("valgrind"):
        out.append(Tool("none-small", lambda a, e, d: (a, e), small=True))
        out.append(Tool("memcheck", lambda a, e, d: (["valgrind", "-q", "--tool=memcheck",
                                                       "--leak-check=full"] + a, e),
                        small=True))
    if lsan:
        out.append(Tool("lsan", lambda a, e, d: (a, dict(e, LD_PRELOAD=lsan,
                                                         LSAN_OPTIONS="exitcode=0")), ))
    return out


# ---------------------------------------------------------------- running

def run(argv, env_extra, stdin_path, cwd, stdout=subprocess.DEVNULL):
    """Runs argv; returns (wall seconds, peak RSS KiB of the largest process, status)."""
    env = dict(os.environ, **env_extra)
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    errpath = os.path.join(cwd, "stderr.txt")
    with open(errpath, "wb") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(argv, env=env, cwd=cwd, stdin=stdin, stdout=stdout, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if stdin_path:
        stdin.close()
    return wall, ru.ru_maxrss, p.returncode


def trace_files(d, prefix):
    return sorted(os.path.join(d, f) for f in os.listdir(d) if f.startswith(prefix))


def hw_data_bytes(path):
    """Bytes of frames in a heapwise trace (the file without header page and ring)."""
    with open(path, "rb") as f:
        f.seek(HW_DATA_OFFSET_AT)
        (data_offset,) = struct.unpack("<Q", f.read(8))
    return os.path.getsize(path) - data_offset


def hw_report(builddir, trace, cwd):
    out = os.path.join(cwd, "report.json")
    with open(out, "wb") as o:
        wall, rss, rc = run([os.path.join(builddir, "heapwise"), "report", "--json", trace],
                            {}, None, cwd, stdout=o)
    events = None
    try:
        with open(out) as f:
            doc = json.load(f)
        s = doc["processes"][0]["summary"]
        events = s["allocations"] + s["frees"]
    except (ValueError, KeyError, IndexError):
        pass
    return {"wall": wall, "rss": rss, "rc": rc, "events": events}


def ht_events(path):
    """Allocation and free records ('+' and '-' lines) of a heaptrack file."""
    p = subprocess.run("zstd -dc < '%s' | grep -c '^[+-]'" % path, shell=True,
                       capture_output=True, text=True)
    return int(p.stdout.strip() or 0)


def ht_print(trace, cwd):
    wall, rss, rc = run(["heaptrack_print", trace], {}, None, cwd)
    return {"wall": wall, "rss": rss, "rc": rc, "events": ht_events(trace)}


def bench_workload(w, tl, reps, scale, vg_fraction, builddir, workdir):
    d = os.path.join(workdir, w.name)
    os.makedirs(d, exist_ok=True)
    full = w.make_cmd(scale, d)
    small = w.make_cmd(scale * vg_fraction, d)
    res = {t.name: {"wall": [], "rss": [], "bytes": None, "events": None, "fail": None}
           for t in tl}
    analyzer = {}
    for rep in range(reps):
        for t in tl:
            argv, env, stdin = small if t.small else full
            out = os.path.join(d, t.name)
            shutil.rmtree(out, ignore_errors=True)
            os.makedirs(out)
            argv, env = t.wrap(argv, env, out)
            wall, rss, rc = run(argv, env, stdin, out)
            r = res[t.name]
            base_rc = res["none"].get("rc", 0)
            if t.name == "none":
                r["rc"] = rc
            if rc != base_rc:
                r["fail"] = "exit %d (uninstrumented: %d), see %s/stderr.txt" % (rc, base_rc, out)
                log("bench: %s under %s: %s" % (w.name, t.name, r["fail"]))
                continue
            r["wall"].append(wall)
            r["rss"].append(rss)
            last = rep == reps - 1
            if t.kind == "heapwise":
                files = trace_files(out, "hw.")
                if files:
                    r["bytes"] = sum(hw_data_bytes(f) for f in files)
                    if last:
                        a = hw_report(builddir, files[0], out)
                        r["events"] = a["events"]
                        if t.name == "heapwise":
                            analyzer["heapwise report"] = a
            elif t.kind == "heaptrack":
                files = trace_files(out, "ht.")
                if files:
                    r["bytes"] = sum(os.path.getsize(f) for f in files)
                    if last:
                        r["events"] = sum(ht_events(f) for f in files)
                        if t.name == "heaptrack" and shutil.which("heaptrack_print"):
                            analyzer["heaptrack_print"] = ht_print(files[0], out)
            if not last and t.kind:
                shutil.rmtree(out, ignore_errors=True)
        log("bench: %s: round %d of %d done" % (w.name, rep + 1, reps))
    return res, analyzer


# ---------------------------------------------------------------- table

def ratio_text(vals, base):
    if not vals or not base:
        return "-"
    b = statistics.median(base)
    rs = [v / b for v in vals]
    return "%.2f (%.2f-%.2f)" % (statistics.median(rs), min(rs), max(rs))


def print_tables(results, tl, out):
    names = [t.name for t in tl if not t.name.startswith("none")]
    w = out.write
    w("\nTarget: wall-time ratio to uninstrumented, median (min-max); peak RSS ratio; "
      "trace bytes per event\n")
    w("%-9s %-12s %8s  %-22s %7s %9s %12s\n" % ("workload", "tool", "base s", "time ratio",
                                              "RSS x", "B/event", "events"))
    for wname, (res, _) in results.items():
        for n in names:
            r = res[n]
            base = res["none-small" if n == "memcheck" else "none"]
            if r["fail"]:
                w("%-9s %-12s %8s  %s\n" % (wname, n, "", "FAILED: " + r["fail"]))
                continue
            bpe = "%.1f" % (r["bytes"] / r["events"]) if r["bytes"] and r["events"] else "-"
            rss = ("%.2f" % (statistics.median(r["rss"]) / statistics.median(base["rss"]))
                   if r["rss"] and base["rss"] else "-")
            w("%-9s %-12s %8.2f  %-22s %7s %9s %12s\n" % (
                wname, n, statistics.median(base["wall"]) if base["wall"] else 0,
                ratio_text(r["wall"], base["wall"]), rss, bpe,
                r["events"] if r["events"] is not None else "-"))
    w("\nAnalyzer (on the last heapwise / heaptrack default trace of each workload)\n")
    w("%-9s %-16s %12s %9s %12s %10s\n" % ("workload", "analyzer", "events", "wall s",
                                            "events/s", "peak MiB"))
    for wname, (_, an) in results.items():
        for n in ("heapwise report", "heaptrack_print"):
            a = an.get(n)
            if not a:
                continue
            ev = a["events"] or 0
            w("%-9s %-16s %12d %9.2f %12.0f %10.1f%s\n" % (
                wname, n, ev, a["wall"], ev / a["wall"] if a["wall"] else 0, a["rss"] / 1024,
                "" if a["rc"] == 0 else "  (exit %d)" % a["rc"]))


def main():
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--builddir", default=".")
    ap.add_argument("--srcdir", default=".")
    ap.add_argument("--no-install", action="store_true", help="do not apt-get missing peers")
    a = ap.parse_args()
    builddir = os.path.abspath(a.builddir)
    srcdir = os.path.abspath(a.srcdir)
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    reps = int(os.environ.get("BENCH_REPS", "3"))
    vg_fraction = float(os.environ.get("BENCH_VG_FRACTION", "0.05"))
    notes = [] if a.no_install else install_peers()
    tl = tools(builddir)
    if os.environ.get("BENCH_TOOLS"):
        keep = set(os.environ["BENCH_TOOLS"].split(",")) | {"none"}
        if "memcheck" in keep:
            keep.add("none-small")
        tl = [t for t in tl if t.name in keep]
    wls = workloads(builddir, srcdir)
    if os.environ.get("BENCH_ONLY"):
        only = os.environ["BENCH_ONLY"].split(",")
        wls = [w for w in wls if w.name in only]
    keep_dir = os.environ.get("BENCH_KEEP")
    workdir = keep_dir or tempfile.mkdtemp(prefix="heapwise-bench.")
    os.makedirs(workdir, exist_ok=True)
    log("bench: scale %g, %d rounds, valgrind at %g of the size, work in %s"
        % (scale, reps, vg_fraction, workdir))
    results = {}
    t0 = time.monotonic()
    try:
        for w in wls:
            results[w.name] = bench_workload(w, tl, reps, scale, vg_fraction, builddir, workdir)
    finally:
        if not keep_dir:
            shutil.rmtree(workdir, ignore_errors=True)
    for n in notes:
        print("note:", n)
    print("heapwise bench: BENCH_SCALE=%g BENCH_REPS=%d, %d cores, load %.1f, %.0f s"
          % (scale, reps, os.cpu_count(), os.getloadavg()[0], time.monotonic() - t0))
    for w in wls:
        print("  %-9s %s" % (w.name, w.desc))
    print_tables(results, tl, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
