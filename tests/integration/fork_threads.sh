# 100 forks while 4 threads allocate without pause: no fork and no child may deadlock
# (bounded by a timeout), and every child writes a complete trace without a heap error.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

rc=0
timeout 600 "$HW" run -o "$T" --json --log-file "$T/report.json" "$PROGS/fork_threads" \
    >"$T/stdout" 2>"$T/stderr" || rc=$?
[ "$rc" = 124 ] && fail "timed out: a fork or a forked child deadlocked"
expect_eq "$rc" 0 "exit status"
expect_eq "$(cat "$T/stdout")" "fork_threads: 100 forks, 0 failed" "stdout"
expect_eq "$(json 'len(r["processes"])')" 101 "the parent and 100 children"
expect_eq "$(json 'sorted(set(p["end"] for p in r["processes"]))')" "['exit']" "all ended"
expect_eq "$(json 'sum(p["summary"]["errors"] for p in r["processes"])')" 0 "no heap errors"
expect_eq "$(json 'sum(p["warning"] is not None for p in r["processes"])')" 0 "no damaged trace"
expect_eq "$(json 'sum(p["summary"]["dropped"] for p in r["processes"])')" 0 "nothing dropped"
exit 0
