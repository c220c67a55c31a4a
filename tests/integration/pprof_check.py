"""Check a heapwise pprof profile against the JSON report of the same run.

Usage: python3 pprof_check.py DECODED.txt REPORT.json [FUNCTION | --inline INNER OUTER]...

DECODED.txt is `protoc --decode=perftools.profiles.Profile profile.proto` of the
gunzipped profile (protoc's text format, parsed here on its own, not with heapwise's
code). REPORT.json is `heapwise report --json` of the same trace(s). Checks:
  - the profile is well formed: string_table[0] is "", ids are 1..n, every id a sample,
    location or line refers to exists, every string index is in the table;
  - the four sample types in order (alloc_objects/count, alloc_space/bytes,
    inuse_objects/count, inuse_space/bytes), default inuse_space, period space/bytes 1;
  - one sample per allocation stack of each process (pid label), and per process the sums
    of the JSON report: inuse_space = the bytes of every leak listed (all classes, which is
    leaked_bytes + possibly_lost_bytes + still_reachable_bytes with a scan), inuse_objects
    their blocks, alloc_space = allocated_bytes, alloc_objects = allocations;
  - each FUNCTION is a function name of the string table, in a sample with inuse_space > 0;
  - for each --inline INNER OUTER, a location has a line of INNER right before one of OUTER
    (INNER inlined into OUTER: innermost first);
  - a function whose name is not its system_name has a mangled (_Z) system_name;
and prints "inline N mangled M": locations with more than one line, functions with a
mangled system_name.
"""
import codecs
import json
import re
import sys

def value(text):
    """One scalar of protoc's text format: a C-escaped string, true/false, or an integer."""
    if text.startswith('"') and text.endswith('"'):
        raw = codecs.escape_decode(text[1:-1].encode("latin-1"))[0]
        return raw.decode("utf-8", "replace")
    if text in ("true", "false"):
        return text == "true"
    return int(text)


def parse(text):
    """protoc's text format (one field a line) as nested dicts: {field: [values]}."""
    stack = [{}]
    for line in text.splitlines():
        line = line.strip()
        if line == "}":
            stack.pop()
        elif line.endswith("{"):
            child = {}
            stack[-1].setdefault(line[:-1].strip(), []).append(child)
            stack.append(child)
        elif line:
            name, _, rest = line.partition(":")
            stack[-1].setdefault(name, []).append(value(rest.strip()))
    assert len(stack) == 1, "unbalanced braces"
    return stack[0]


def one(msg, field, default=0):
    return msg.get(field, [default])[0]


def main():
    text, report = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
    functions, inlines, args = [], [], sys.argv[3:]
    while args:
        if args[0] == "--inline":
            inlines.append((args[1], args[2]))
            args = args[3:]
        else:
            functions.append(args.pop(0))
    p = parse(text)
    strings = p["string_table"]
    assert strings[0] == "", "string_table[0] is %r" % strings[0]
    s = lambda i: strings[i]  # an index out of range fails here

    types = [(s(one(t, "type")), s(one(t, "unit"))) for t in p["sample_type"]]
    assert types == [("alloc_objects", "count"), ("alloc_space", "bytes"),
                     ("inuse_objects", "count"), ("inuse_space", "bytes")], types
    assert s(one(p, "default_sample_type")) == "inuse_space"
    pt = p["period_type"][0]
    assert (s(one(pt, "type")), s(one(pt, "unit")), one(p, "period")) == ("space", "bytes", 1)

    funcs = {one(f, "id"): f for f in p.get("function", [])}
    maps = {one(m, "id"): m for m in p.get("mapping", [])}
    locs = {one(l, "id"): l for l in p.get("location", [])}
    for table in (funcs, maps, locs):
        assert sorted(table) == list(range(1, len(table) + 1)), sorted(table)
    mangled = 0
    for f in funcs.values():
        name, system = s(one(f, "name")), s(one(f, "system_name"))
        s(one(f, "filename"))
        assert name == system or system.startswith("_Z"), (name, system)
        mangled += name != system
    for m in maps.values():
        assert one(m, "memory_start") < one(m, "memory_limit"), m
        assert re.fullmatch(r"([0-9a-f]{2})*", s(one(m, "build_id"))), m
        s(one(m, "filename"))
    for l in locs.values():
        assert one(l, "mapping_id") == 0 or one(l, "mapping_id") in maps, l
        for line in l.get("line", []):
            assert one(line, "function_id") in funcs, l

    pid_key = strings.index("pid")
    by_pid, stacks = {}, set()
    found = {f: False for f in functions}
    for smp in p.get("sample", []):
        v = smp["value"]
        assert len(v) == 4 and min(v) >= 0, v
        labels = {one(l, "key"): one(l, "num") for l in smp["label"]}
        pid = labels[pid_key]
        ids = tuple(smp.get("location_id", []))
        assert all(i in locs for i in ids), ids
        assert (pid, ids) not in stacks or ids == (), "two samples of one stack"
        stacks.add((pid, ids))
        tot = by_pid.setdefault(pid, [0, 0, 0, 0])
        for i in range(4):
            tot[i] += v[i]
        names = {s(one(funcs[one(line, "function_id")], "name"))
                 for i in ids for line in locs[i].get("line", [])}
        for f in functions:
            found[f] |= f in names and v[3] > 0
    assert all(found.values()), "leaking functions not in a sample with inuse_space: %s" % \
        [f for f, ok in found.items() if not ok]
    assert all(f in strings for f in functions)

    assert sorted(by_pid) == sorted(q["pid"] for q in report["processes"]), by_pid
    for q in report["processes"]:
        sm, got = q["summary"], by_pid[q["pid"]]
        inuse = sum(l["bytes"] for l in q["leaks"])
        if sm["leak_scan"]:
            assert inuse == sm["leaked_bytes"] + sm["possibly_lost_bytes"] + \
                sm["still_reachable_bytes"], (inuse, sm)
        want = [sm["allocations"], sm["allocated_bytes"], sum(l["blocks"] for l in q["leaks"]),
                inuse]
        assert got == want, "pid %d: profile %s, JSON report %s" % (q["pid"], got, want)
    chains = [[s(one(funcs[one(line, "function_id")], "name")) for line in l.get("line", [])]
              for l in locs.values()]
    for inner, outer in inlines:
        assert any(c[i:i + 2] == [inner, outer] for c in chains for i in range(len(c))), \
            "no location with %s inlined into %s" % (inner, outer)
    print("inline", sum(len(c) > 1 for c in chains), "mangled", mangled)


main()
