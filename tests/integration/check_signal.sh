# check_signal: leak checks of a server that never exits (tests/progs/server.c), asked for
# by a signal. `heapwise report` on the trace while it runs says it is still running and
# reports the classes of the last check (the known 300 lost bytes, then 500 after a second
# leak and a second check; blocks allocated after the last check are "not checked"), and
# the server goes on running. Without check_signal SIGUSR2 still kills it, as by default;
# a SIGUSR2 handler of the program's own keeps the signal; a SIGKILLed server's trace is
# "killed", not "running"; bad signals are usage errors.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
P='r["processes"][0]'
S="$P['summary']"
LOST=$(line_of server.c lost)
MORE=$(line_of server.c more)
SHIM="$top_builddir/.libs/libheapwise.so"
started=""
trap 'for p in $started; do kill -KILL "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

# wait_for TEXT FILE: until FILE holds TEXT (30 s at most).
wait_for() {
    for _ in $(seq 300); do
        grep -qF -- "$1" "$2" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "'$1' did not appear in $2"
}

# server_up: the server's pid and trace, once it says it is ready.
server_up() {
    wait_for "server: ready" "$T/server.out"
    pid=$(sed -n 's/^server: ready //p' "$T/server.out")
    trace="$T/heapwise.server.$pid.trace"
    started="$started $pid"
    [ -f "$trace" ] || fail "no trace $trace"
}

# start_server OPTIONS... [-- ARGS]: heapwise run OPTIONS -- server ARGS, in the background.
start_server() {
    rm -f "$T"/*.trace "$T/final.json"
    "$HW" run -o "$T" --json --log-file "$T/final.json" "$@" >"$T/server.out" \
        2>"$T/server.err" &
    runner=$!
    started="$started $runner"
    server_up
}

# report_now: heapwise report --json on the running server's trace (exit status 0).
report_now() {
    rc=0
    "$HW" report --json "$trace" >"$T/report.json" 2>"$T/stderr" || rc=$?
    expect_eq "$rc" 0 "heapwise report on a running process: exit status"
}

# wait_checks N: until the trace holds the scan of the N-th check (30 s at most): its
# CHECK record is written first, then the scan's records, a newer last_scan.
last_scan=None
wait_checks() {
    for _ in $(seq 300); do
        report_now
        if [ "$(json "($P['signal_checks'], $P['last_scan'] not in (None, $last_scan))")" = \
            "($1, True)" ]; then
            last_scan=$(json "$P['last_scan']")
            return 0
        fi
        sleep 0.1
    done
    fail "the scan of check $1 did not reach the trace"
}

# finish_runner STATUS: the server was signalled; heapwise run ends with STATUS.
finish_runner() {
    rc=0
    wait "$runner" || rc=$?
    expect_eq "$rc" "$1" "heapwise run's exit status"
    cp "$T/final.json" "$T/report.json"
}

# --- with check_signal -------------------------------------------------------------------
start_server --check-signal=SIGUSR2 -- "$PROGS/server"
report_now
expect_eq "$(json "($P['end'], $P['running'], $P['last_scan'], $P['signal_checks'], $P['partial'])")" \
    "('running', True, None, 0, False)" "before any check"
expect_eq "$(json "($S['leak_scan'], $S['leaked_bytes'], $S['not_checked_bytes'], $S['not_checked_blocks'])")" \
    "(False, 0, 400, 2)" "before any check: every block not checked, none leaked"
"$HW" report "$trace" >"$T/stdout" 2>"$T/stderr" || fail "text report of a running process"
expect_grep "(still running)" "$T/stdout"
expect_grep "process $pid is still running; no leak check has run yet" "$T/stdout"
expect_grep "not checked yet (allocated after the last check): 400 bytes in 2 blocks" "$T/stdout"
[ -s "$T/stderr" ] && fail "a running process's trace is no problem: $(cat "$T/stderr")"

kill -USR2 "$pid"
wait_checks 1
expect_eq "$(json "($P['end'], $P['running'], $P['last_scan']['signal'], $P['warning'])")" \
    "('running', True, 12, None)" "first check"
expect_eq "$(json "($S['definitely_lost_bytes'], $S['definitely_lost_blocks'], $S['still_reachable_bytes'], $S['leaked_bytes'], $S['not_checked_bytes'])")" \
    "(300, 1, 100, 300, 0)" "first check: the lost block, the kept one"
expect_eq "$(json "[(f['function'], f['line']) for l in $P['leaks'] if l['kind'] == 'definitely_lost' for f in l['stack']][:2]")" \
    "[('leak_request', $LOST), ('main', $(grep -n '^    leak_request();' "$SRC/server.c" | cut -d: -f1))]" \
    "first check: where the lost block was allocated"
kill -0 "$pid" 2>/dev/null || fail "SIGUSR2 with check_signal killed the server"
"$HW" report "$trace" >"$T/stdout" 2>"$T/stderr" || fail "text report after the check"
grep -Eq "^==$pid== process $pid is still running; results as of the last check at [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC \([0-9.]+ s after its start, asked for by signal 12 SIGUSR2\)$" \
    "$T/stdout" || fail "the text report says as of when"
expect_grep "300 bytes in 1 blocks are definitely lost" "$T/stdout"
expect_grep "leak_request (server.c:$LOST)" "$T/stdout"
expect_grep "leaked: 300 bytes in 1 blocks" "$T/stdout"

# A leak after the check is not checked yet; the next check finds it.
kill -USR1 "$pid"
wait_for "server: leaked 1" "$T/server.out"
report_now
expect_eq "$(json "($S['definitely_lost_bytes'], $S['leaked_bytes'], $S['not_checked_bytes'], $S['not_checked_blocks'])")" \
    "(300, 300, 200, 1)" "a block allocated after the check"
expect_eq "$(json "[f['line'] for l in $P['leaks'] if l['kind'] == 'not_checked' for f in l['stack']][:1]")" \
    "[$MORE]" "the block not checked yet, with its stack"
kill -USR2 "$pid"
wait_checks 2
expect_eq "$(json "($S['definitely_lost_bytes'], $S['definitely_lost_blocks'], $S['leaked_bytes'], $S['not_checked_bytes'])")" \
    "(500, 2, 500, 0)" "second check"

kill -TERM "$pid"
finish_runner 143
expect_eq "$(json "($P['end'], $P['signal'], $P['running'], $P['signal_checks'], $S['definitely_lost_bytes'], $P['last_scan']['signal'])")" \
    "('signal', 15, False, 2, 500, None)" "after SIGTERM: the exit scan"

# --- without check_signal: SIGUSR2 keeps its default action ------------------------------
start_server -- "$PROGS/server"
kill -USR2 "$pid"
finish_runner 140
# (after a death by signal the stdio buffer is not set apart: still reachable too)
expect_eq "$(json "($P['end'], $P['signal'], $P['signal_checks'], $S['definitely_lost_bytes'], $S['still_reachable_bytes'] >= 100)")" \
    "('signal', 12, 0, 300, True)" "SIGUSR2 without check_signal: died of it, after the exit scan"

# --- env-only, by number ------------------------------------------------------------------
rm -f "$T"/*.trace
last_scan=None
HEAPWISE_OPTIONS="output=$T:check_signal=12" LD_PRELOAD="$SHIM" "$PROGS/server" \
    >"$T/server.out" 2>"$T/server.err" &
runner=$!
started="$started $runner"
server_up
kill -USR2 "$pid"
wait_checks 1
expect_eq "$(json "($P['running'], $S['definitely_lost_bytes'], $P['last_scan']['signal'])")" \
    "(True, 300, 12)" "env-only check_signal=12"
kill -TERM "$pid"
rc=0
wait "$runner" || rc=$?
expect_eq "$rc" 143 "env-only: the server died of SIGTERM"
expect_grep "heapwise: 300 bytes definitely lost in 1 block" "$T/server.err"

# --- the program's own SIGUSR2 handler wins ------------------------------------------------
start_server --check-signal=USR2 -- "$PROGS/server" own-usr2
kill -USR2 "$pid"
wait_for "server: got SIGUSR2 1" "$T/server.out"
wait_for "heapwise: check_signal: the program set its own action for SIGUSR2; it asks for no leak check any more" \
    "$T/server.err"
report_now
expect_eq "$(json "($P['running'], $P['signal_checks'], $S['leak_scan'])")" "(True, 0, False)" \
    "the program's handler: no check"

# --- killed, not running ------------------------------------------------------------------
kill -KILL "$pid"
finish_runner 137
rc=0
"$HW" report --json "$trace" >"$T/report.json" 2>"$T/stderr" || rc=$?
expect_eq "$rc" 1 "report of a killed server: incomplete"
expect_eq "$(json "($P['end'], $P['running'], sorted(set(l['kind'] for l in $P['leaks'])))")" \
    "('killed', False, ['not_freed'])" "a killed server is not running"

# --- bad values ---------------------------------------------------------------------------
for bad in SIGKILL KILL SIGSEGV 9 0x1 99 USR3 ""; do
    hw_run --check-signal="$bad" "$PROGS/noleak"
    expect_eq "$rc" 2 "--check-signal=$bad"
    expect_grep "heapwise run: --check-signal: '$bad' is not a signal" "$T/stderr"
done
HEAPWISE_OPTIONS=check_signal=STOP hw_run "$PROGS/noleak"
expect_eq "$rc" 2 "check_signal=STOP"
expect_grep "heapwise run: HEAPWISE_OPTIONS: bad value 'STOP' for option 'check_signal'" "$T/stderr"
exit 0
