# 8 threads, every entry point, cross-thread releases (tests/progs/stress): every event in
# the trace exactly once. The program counts its own allocations and releases; the trace
# must hold exactly those plus what the C runtime does in a run without work (measured),
# with nothing dropped, no error, no block lost, and no deadlock (a time limit).
# HEAPWISE_STRESS_OPS sets the events per thread: 250000 by default, 1000000 for the
# full run (8 M events, a 280 MB trace).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
OPS=${HEAPWISE_STRESS_OPS:-250000}
LIMIT=${HEAPWISE_STRESS_TIMEOUT:-900}

# stress N: run it under heapwise; sets $prog_allocs, $prog_frees and the JSON report.
stress() {
    rc=0
    timeout "$LIMIT" "$HW" run -o "$T" --json --log-file "$T/report.json" "$PROGS/stress" "$1" \
        >"$T/stdout" 2>"$T/stderr" || rc=$?
    [ "$rc" != 124 ] || fail "stress $1: no end after ${LIMIT}s (deadlock?)"
    expect_eq "$rc" 0 "stress $1: exit status"
    set -- $(cat "$T/stdout")
    expect_eq "$1 $2 $4" "stress: allocations frees" "stress: stdout"
    prog_allocs=$3 prog_frees=$5
    expect_eq "$prog_allocs" "$prog_frees" "stress: it released everything it allocated"
    rm -f "$T"/*.trace
}

P='r["processes"][0]["summary"]'
# With the guard, and without it (realloc is then glibc's own, which releases a moved
# block inside the call: its record must still come before the reuse of the old address
# and after the release of the new one by another thread).
for HEAPWISE_OPTIONS in "" "guard=0"; do
    export HEAPWISE_OPTIONS
    stress 0
    base=$(json "($P['allocations'], $P['frees'], $P['still_reachable_blocks'])")
    stress "$OPS"
    echo "stress $OPS ${HEAPWISE_OPTIONS:-guard=1}: $prog_allocs allocations and releases"
    expect_eq "$(json "($P['allocations'] - $prog_allocs, $P['frees'] - $prog_frees, \
        $P['still_reachable_blocks'])")" "$base" \
        "${HEAPWISE_OPTIONS:-guard=1}: every event once (minus the runtime's own)"
    expect_eq "$(json "($P['dropped'], $P['errors'], $P['implicit_frees'], \
        $P['leaked_blocks'], $P['possibly_lost_blocks'] or 0)")" "(0, 0, 0, 0, 0)" \
        "${HEAPWISE_OPTIONS:-guard=1}: nothing dropped, no error, nothing lost"
done
exit 0
