# `heapwise report` on good, truncated and corrupt traces, and on a directory.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

hw_run "$PROGS/leak_c"
trace=$(ls "$T"/heapwise.leak_c.*.trace)
[ -f "$trace" ] || fail "default trace name heapwise.leak_c.PID.trace"

rc=0
"$HW" report "$trace" >"$T/full.txt" 2>"$T/stderr" || rc=$?
expect_eq "$rc" 0 "report exit status"
expect_grep "leaked: 600 bytes in 3 blocks" "$T/full.txt"
[ -s "$T/stderr" ] && fail "diagnostics on a good trace"

# Cut the trace in the middle of its last frame (leak_c's only one: what frames before it
# hold is still reported, as tests/integration/compressed.sh checks on a longer run).
size=$(stat -c %s "$trace")
head -c $((size - 3)) "$trace" >"$T/cut.trace"
rc=0
"$HW" report --json "$T/cut.trace" >"$T/report.json" 2>"$T/stderr" || rc=$?
expect_eq "$rc" 1 "exit status on a truncated trace"
grep -q "heapwise report: $T/cut.trace: truncated at byte [0-9]* (no end record; a torn last frame dropped)" \
    "$T/stderr" || fail "truncation message"
expect_eq "$(wc -l <"$T/stderr")" 1 "one line of diagnostics"
expect_eq "$(json 'r["processes"][0]["end"]')" killed "no end record means killed"

# A directory stands for all its traces.
cp "$trace" "$T/copy.trace"
rm -f "$T/cut.trace"
"$HW" report --json "$T" >"$T/report.json" 2>"$T/stderr" || fail "report on a directory"
expect_eq "$(json 'len(r["processes"])')" 2 "two traces in the directory"
exit 0
