# SIGKILL loses nothing: a program commits its events and SIGKILLs itself (no END, no
# scan, the newest records still in the ring). The report recovers every event (counted
# against a run that does no work), says the process was killed, and lists the blocks
# live then as "not freed (process killed)", leaked_* keeping their totals; a trace cut
# inside its last frame loses that frame and says so.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
P='r["processes"][0]'
S="$P['summary']"

# killed N: run it under heapwise; $did holds what it says it did.
killed() {
    rm -f "$T"/*.trace
    hw_json "$PROGS/killed" "$1"
    expect_eq "$rc" 137 "killed $1: exit status of a SIGKILL death"
    did=$(sed -n 's/^killed: allocations \([0-9]*\) frees \([0-9]*\) live \([0-9]*\) bytes \([0-9]*\)$/\1 \2 \3 \4/p' "$T/stdout")
    [ -n "$did" ] || fail "killed $1: stdout"
    expect_eq "$(json "($P['end'], $P['signal'])")" "('signal', 9)" "killed $1: end (seen by run)"
}

killed 0
base=$(json "($S['allocations'], $S['frees'], $S['leaked_blocks'], $S['leaked_bytes'])")
killed 30000
set -- $did
expect_eq "$(json "($S['allocations'] - $1, $S['frees'] - $2, $S['leaked_blocks'] - $3, \
    $S['leaked_bytes'] - $4)")" "$base" "every committed event recovered"
expect_eq "$(json "sorted(set(l['kind'] for l in $P['leaks']))")" "['not_freed']" \
    "blocks live at the kill are not freed, not leaked"
expect_eq "$(json "($S['leak_scan'], $S['dropped'], $S['errors'])")" "(False, 0, 0)" "no scan"
json "$P['warning']" | grep -q "no end record" || fail "the warning says there was no end"
echo "killed: $(json "$P['warning']")"

trace=$(ls "$T"/heapwise.killed.*.trace)
rc=0
"$HW" report "$trace" >"$T/stdout" 2>"$T/stderr" || rc=$?
expect_eq "$rc" 1 "heapwise report: a trace without an end record"
expect_eq "$(wc -l <"$T/stderr")" 1 "one line on stderr"
expect_grep "no end record" "$T/stderr"
expect_grep "(no end record: crashed or killed)" "$T/stdout" # the trace alone
expect_grep "were not freed (process killed), allocated at:" "$T/stdout"
expect_grep "not freed (process killed): $4 bytes in $3 blocks" "$T/stdout"
expect_grep "leaked: $4 bytes in $3 blocks" "$T/stdout"

# The trace cut 4 bytes into the last frame of its data area: that frame is dropped
# (and what the ring held after it: the stream cannot go on past a gap), with a word
# about it. The writer frames records within 20 ms, the program waits 300 ms before its
# frees; a machine too busy to run the writer meanwhile leaves no frame: run again.
frames() { # 1 when the trace's data area holds anything (its size past data_offset)
    python3 -c 'import os,struct,sys; f=open(sys.argv[1],"rb"); h=f.read(72)
print(int(os.path.getsize(sys.argv[1]) > struct.unpack_from("<Q", h, 64)[0]))' "$1"
}
tries=1
while [ "$(frames "$trace")" != 1 ] && [ "$tries" -lt 4 ]; do
    killed 30000
    trace=$(ls "$T"/heapwise.killed.*.trace)
    tries=$((tries + 1))
done
[ "$(frames "$trace")" = 1 ] || fail "no frame in the data area after $tries runs"
events=$(json "$S['allocations'] + $S['frees']")
cp "$trace" "$T/cut.trace"
truncate -s -4 "$T/cut.trace" || fail "cannot cut the trace"
rc=0
"$HW" report --json "$T/cut.trace" >"$T/report.json" 2>"$T/stderr" || rc=$?
expect_eq "$rc" 1 "cut trace: report exit status"
expect_grep "a torn last frame dropped" "$T/stderr"
expect_eq "$(json "$S['allocations'] + $S['frees'] < $events")" True "the cut record is gone"
exit 0
