# How the process ended reaches the report: death by signal, and _exit().
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

hw_json "$PROGS/die_signal"
expect_eq "$rc" 143 "exit status of a SIGTERM death is 128+15"
expect_eq "$(cat "$T/stdout")" "die_signal: about to die" "stdout"
P='r["processes"][0]'
expect_eq "$(json "$P['end']")" signal "end"
expect_eq "$(json "$P['signal']")" 15 "signal"
expect_eq "$(json "$P['status']")" None "status is null when killed"
# The leak scan ran before the signal's default action, as memcheck's leak check does.
expect_eq "$(json "($P['summary']['definitely_lost_bytes'], $P['summary']['definitely_lost_blocks'])")" \
    "(128, 1)" "definitely lost at death"
for how in segv:139:11 abort:134:6; do
    arg=${how%%:*} rest=${how#*:}
    hw_json "$PROGS/die_signal" "$arg"
    expect_eq "$rc" "${rest%%:*}" "exit status of a $arg death"
    expect_eq "$(json "($P['end'], $P['signal'])")" "('signal', ${rest#*:})" "$arg: end"
    expect_eq "$(json "($P['summary']['definitely_lost_bytes'], $P['leaks'][0]['stack'][0]['function'])")" \
        "(128, 'lose')" "$arg: the leak and its stack"
done

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

# The trace alone knows the signal: heapwise wrote its end record before dying of it.
rc=0
"$HW" report "$T"/heapwise.die_signal.*.trace >"$T/stdout" 2>"$T/stderr" || rc=$?
expect_eq "$rc" 0 "report exit status on a trace that ends with a signal"
expect_grep "(killed by signal 15)" "$T/stdout"
expect_grep "definitely lost: 128 bytes in 1 blocks" "$T/stdout"

# A program that handles the signal itself keeps its handler (and ends its own way).
hw_json "$PROGS/die_signal" handled
expect_eq "$rc:$(tail -n 1 "$T/stdout")" "3:die_signal: handled" "the program's own handler ran"
expect_eq "$(json "($P['end'], $P['status'])")" "('exit', 3)" "handled: an ordinary exit"
exit 0
