# Signals against a busy allocator (tests/progs/signals.c). Handlers that allocate while
# the main thread is inside malloc: no deadlock (a time limit), every block freed, no
# error. Deaths while other threads allocate (SIGSEGV in the main thread or in a worker,
# abort): the process dies of the same signal, and its trace is complete (END, the scan)
# and exact: only the 100 bytes lost on purpose, no false heap error. Each death twice,
# as the threads are caught at random points.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
P='r["processes"][0]'
S="$P['summary']"

rc=0
timeout -s KILL 120 "$HW" run -o "$T" --json --log-file "$T/report.json" "$PROGS/signals" \
    handlers >"$T/stdout" 2>"$T/stderr" || rc=$?
[ "$rc" != 137 ] || fail "handlers: no end after 120 s (deadlock?)"
expect_eq "$rc" 0 "handlers: exit status"
expect_eq "$(cat "$T/stdout")" "signals: done" "handlers: stdout"
expect_grep "handlers ran" "$T/stderr"
expect_eq "$(json "($P['end'], $S['errors'], $S['leaked_bytes'], $S['dropped'], $S['implicit_frees'])")" \
    "('exit', 0, 0, 0, 0)" "handlers: no error, nothing lost"
expect_eq "$(json "$S['allocations'] > 100000")" True "handlers: the allocations are recorded"

for how in segv:11 thread-segv:11 abort:6; do
    arg=${how%%:*} sig=${how#*:}
    for round in 1 2; do
        rm -f "$T"/*.trace
        rc=0
        timeout -s KILL 120 "$HW" run -o "$T" --json --log-file "$T/report.json" \
            "$PROGS/signals" "$arg" >"$T/stdout" 2>"$T/stderr" || rc=$?
        expect_eq "$rc" $((128 + sig)) "$arg ($round): died of signal $sig"
        expect_eq "$(cat "$T/stdout")" "signals: crashing" "$arg ($round): stdout"
        expect_eq "$(json "($P['end'], $P['signal'], $S['errors'], $S['dropped'])")" \
            "('signal', $sig, 0, 0)" "$arg ($round): end, and no false error"
        expect_eq "$(json "($S['definitely_lost_bytes'], $S['leaked_bytes'], [l['kind'] for l in $P['leaks'] if l['kind'] in ('leaked', 'not_freed')])")" \
            "(100, 100, [])" "$arg ($round): the one lost block, every block scanned"
        "$HW" report "$T"/heapwise.signals.*.trace >/dev/null 2>"$T/stderr" ||
            fail "$arg ($round): heapwise report on the trace exited non-zero"
    done
done
exit 0
