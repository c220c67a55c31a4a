# A program that execs keeps its pid: every image writes its own trace (the earlier one
# moved aside under a "~1" name, not overwritten), the replaced image ends with an END
# record of how=exec (not "killed"; what was live then is no leak, as with memcheck), and
# `heapwise run` reports both images, the first first. --trace-children=no (or
# trace_children=0) stops following at the exec: one trace.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

hw_json "$PROGS/exec_self"
expect_eq "$rc" 0 "exit status"
expect_eq "$(json 'len(r["processes"])')" 2 "both images reported"
P='r["processes"][0]'
C='r["processes"][1]'
pid=$(json "$P['pid']")
expect_eq "$(json "$C['pid']")" "$pid" "same pid"
expect_eq "$(json "$P['argv'][1:]")" "[]" "the first image"
expect_eq "$(json "$P['end']"),$(json "$P['warning']")" "exec,None" "replaced by exec, not killed"
expect_eq "$(json "$P['summary']['allocations']")" 1 "the first image's allocation"
expect_eq "$(json "$P['summary']['leaked_bytes']")" 0 "nothing leaks across exec"
expect_eq "$(json "$C['argv'][1:]")" "['child']" "the exec'd image"
expect_eq "$(json "$C['end']"),$(json "$C['status']")" "exit,0" "the exec'd image's end"
expect_eq "$(json "$C['summary']['leaked_bytes']")" 22 "the exec'd image's leak"

expect_eq "$(cd "$T" && ls heapwise.*.trace | tr '\n' ' ')" \
    "heapwise.exec_self.$pid.trace heapwise.exec_self~1.$pid.trace " "one trace per program image"
"$HW" report --json "$T" >"$T/report.json" 2>/dev/null
expect_eq "$(json "sorted((p['end'], p['summary']['leaked_bytes']) for p in r['processes'])")" \
    "[('exec', 0), ('exit', 22)]" "both images from the directory"

rm -f "$T"/*.trace
hw_json --trace-children=no "$PROGS/exec_self"
expect_eq "$rc" 0 "exit status without following"
expect_eq "$(ls "$T" | grep -c '\.trace$')" 1 "--trace-children=no: one trace"
expect_eq "$(json "[p['end'] for p in r['processes']]")" "['exec']" "only the first image"

rm -f "$T"/*.trace
rc=0
HEAPWISE_OPTIONS=trace_children=0 "$HW" run -o "$T" "$PROGS/exec_self" >/dev/null 2>&1 || rc=$?
expect_eq "$rc" 0 "exit status with trace_children=0"
expect_eq "$(ls "$T" | grep -c '\.trace$')" 1 "trace_children=0: one trace"
# posix_spawn: the spawned child is traced and reported too, after its parent.
hw_json "$PROGS/spawn_child"
expect_eq "$rc" 3 "the parent's status (the child's, passed on)"
expect_eq "$(json "[(p['summary']['definitely_lost_bytes'], p['leaks'][0]['stack'][0]['function']) for p in r['processes']]")" \
    "[(16, 'lose'), (48, 'lose')]" "parent and spawned child, each with its leak"
expect_eq "$(json "r['processes'][1]['ppid'] == r['processes'][0]['pid']")" True "the child's parent"
hw_json --trace-children=no "$PROGS/spawn_child"
expect_eq "$(json "len(r['processes'])")" 1 "--trace-children=no: the parent alone"
exit 0
