# How the process ended reaches the report: death by signal, and _exit().
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

hw_json "$PROGS/die_signal"
expect_eq "$rc" 143 "exit status of a SIGTERM death is 128+15"
expect_eq "$(cat "$T/stdout")" "die_signal: about to die" "stdout"
P='r["processes"][0]'
expect_eq "$(json "$P['end']")" signal "end"
expect_eq "$(json "$P['signal']")" 15 "signal"
expect_eq "$(json "$P['status']")" None "status is null when killed"
expect_eq "$(json "$P['summary']['leaked_bytes']")" 128 "blocks live at death"

hw_json "$PROGS/underscore_exit"
expect_eq "$rc" 5 "_exit status"
expect_eq "$(json "$P['end']")" exit "end"
expect_eq "$(json "$P['status']")" 5 "status"
expect_eq "$(json "$P['summary']['leaked_bytes']")" 64 "leaked bytes"

# The trace alone (heapwise report, no waiting CLI) knows the _exit status too.
"$HW" report --json "$T"/heapwise.underscore_exit.*.trace >"$T/report.json" 2>"$T/stderr" ||
    fail "report on the _exit trace failed"
expect_eq "$(json "$P['end']")" exit "end from the trace's end record"
expect_eq "$(json "$P['status']")" 5 "status from the trace's end record"

# Without an end record (died of a signal), `heapwise report` says so and exits 1.
rc=0
"$HW" report "$T"/heapwise.die_signal.*.trace >"$T/stdout" 2>"$T/stderr" || rc=$?
expect_eq "$rc" 1 "report exit status on a trace without an end record"
expect_grep "no end record" "$T/stderr"
expect_grep "leaked: 128 bytes in 1 blocks" "$T/stdout"
exit 0
