# HEAPWISE_OPTIONS for every option of heapwise run (applied before its command line,
# which wins; one grammar, an unknown key or a bad value is a usage error), and env-only
# mode: the shim preloaded alone prints its own summary at exit and applies
# error_exitcode, with counts that agree with `heapwise report`.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
SHIM="$top_builddir/.libs/libheapwise.so"

# heapwise run reads the environment; the command line wins.
HEAPWISE_OPTIONS=error_exitcode=23 hw_run "$PROGS/leak_c"
expect_eq "$rc" 23 "error_exitcode from the environment"
HEAPWISE_OPTIONS=error_exitcode=23 hw_run --error-exitcode=9 "$PROGS/leak_c"
expect_eq "$rc" 9 "the command line wins"
HEAPWISE_OPTIONS=error_exitcode=23:leak_kinds=none hw_run "$PROGS/leak_c"
expect_eq "$rc" 7 "leak_kinds=none: the program's status"
HEAPWISE_OPTIONS=error_exitcode=23:quiet=1 hw_run "$PROGS/noleak"
expect_eq "$rc:$(cat "$T/stderr")" "0:" "quiet from the environment"
HEAPWISE_OPTIONS=json=1 hw_run "$PROGS/noleak"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/stderr" || fail "json=1: not JSON"
HEAPWISE_OPTIONS=no_free_stacks=1:trace_children=no:depth=8 hw_run "$PROGS/noleak"
expect_eq "$rc" 0 "flags and values from the environment"
grep -q '^heapwise: ' "$T/stderr" && fail "the shim printed a summary under heapwise run"
for bad in "bogus=1" "error_exitcode=0" "leak_kinds=lost" "json=yes" "depth"; do
    HEAPWISE_OPTIONS=$bad hw_run "$PROGS/noleak"
    expect_eq "$rc" 2 "HEAPWISE_OPTIONS=$bad"
    expect_grep "heapwise run: HEAPWISE_OPTIONS: " "$T/stderr"
    [ -s "$T/stdout" ] && fail "HEAPWISE_OPTIONS=$bad: the program ran"
done

# env_only OPTIONS PROG [ARGS]: the shim alone, traces into $T; sets $rc.
env_only() {
    rc=0
    opts=$1
    shift
    HEAPWISE_OPTIONS="output=$T:$opts" LD_PRELOAD="$SHIM" "$@" >"$T/stdout" 2>"$T/stderr" || rc=$?
}

rm -f "$T"/*.trace
env_only error_exitcode=23 "$PROGS/leak_c"
expect_eq "$rc" 23 "env-only: leaks found"
expect_eq "$(cat "$T/stdout")" "leak_c: 1" "env-only: stdout flushed before the new status"
expect_eq "$(wc -l <"$T/stderr")" 1 "env-only: one summary line"
trace=$(ls "$T"/heapwise.leak_c.*.trace)
expect_eq "$(cat "$T/stderr")" "heapwise: 600 bytes definitely lost in 3 blocks, no heap errors; trace: $trace; run 'heapwise report $trace'; exit status 23" "summary line"
"$HW" report --json "$trace" >"$T/report.json" 2>/dev/null
expect_eq "$(json 'r["processes"][0]["summary"]["definitely_lost_bytes"]')" 600 "the report agrees"
rm -f "$T"/*.trace

env_only "" "$PROGS/leak_c"
expect_eq "$rc" 7 "env-only without error_exitcode: the program's status"
expect_grep "600 bytes definitely lost in 3 blocks" "$T/stderr"
rm -f "$T"/*.trace

env_only error_exitcode=23 "$PROGS/leak_classes"
expect_eq "$rc" 23 "env-only: leak classes"
expect_grep "32 bytes definitely lost in 2 blocks, 80 bytes indirectly lost in 5 blocks, no heap errors" "$T/stderr"
rm -f "$T"/*.trace

env_only error_exitcode=23 "$PROGS/noleak"
expect_eq "$rc" 0 "env-only: clean"
expect_grep "heapwise: no leaks, no heap errors; trace: $T/heapwise.noleak." "$T/stderr"
rm -f "$T"/*.trace
env_only error_exitcode=23:quiet=1 "$PROGS/noleak"
expect_eq "$rc:$(cat "$T/stderr")" "0:" "env-only quiet and clean"
rm -f "$T"/*.trace

env_only error_exitcode=23 "$PROGS/err_double_free"
expect_eq "$rc" 23 "env-only: a heap error"
expect_grep "no leaks, 1 heap error; trace: " "$T/stderr"
rm -f "$T"/*.trace

env_only error_exitcode=23 "$PROGS/underscore_exit"
expect_eq "$rc" 23 "env-only: _exit"
expect_grep "64 bytes definitely lost in 1 block, no heap errors" "$T/stderr"
rm -f "$T"/*.trace

# A program done with fd 2 before heapwise: the summary still reaches the original
# standard error, and never a file the program opened as fd 2.
env_only error_exitcode=23 "$PROGS/stderr_reuse" close
expect_eq "$rc" 23 "env-only: fd 2 closed at exit"
expect_grep "heapwise: 24 bytes definitely lost in 1 block, no heap errors" "$T/stderr"
rm -f "$T"/*.trace
env_only error_exitcode=23 "$PROGS/stderr_reuse" reuse "$T/own.log"
expect_eq "$rc" 23 "env-only: fd 2 reused for a file"
expect_grep "heapwise: 24 bytes definitely lost in 1 block, no heap errors" "$T/stderr"
expect_eq "$(cat "$T/own.log")" "data" "the program's file holds its own line only"
rm -f "$T"/*.trace

# Threads created and joined: each one's DTV, made by ld.so and kept in glibc's stack
# cache, is the C runtime's (the report sets it apart, memcheck's freeres frees it); the
# shim's own counts leave it out as the report does, and keep the one real leak.
env_only error_exitcode=23 "$PROGS/threads_joined"
expect_eq "$rc" 23 "env-only: joined threads and one leak"
expect_eq "$(cat "$T/stdout")" "threads_joined: 40 40" "heapwise_leak_check and _since count the leak alone"
expect_grep "heapwise: 40 bytes definitely lost in 1 block, no heap errors" "$T/stderr"
trace=$(ls "$T"/heapwise.threads_joined.*.trace)
"$HW" report --json "$trace" >"$T/report.json" 2>/dev/null
expect_eq "$(json 'r["processes"][0]["summary"]["definitely_lost_bytes"]')" 40 "the report agrees"
expect_eq "$(json 'r["processes"][0]["summary"]["runtime_blocks"] >= 3')" True "the DTVs are the runtime's"
rm -f "$T"/*.trace

# A lost block whose header was overwritten is still a leak to the shim's count, as
# to the report and memcheck (8 bytes definitely lost, 24 still reachable, 2 errors).
env_only error_exitcode=23:leak_kinds=all "$PROGS/err_damaged_leak"
expect_eq "$rc" 23 "env-only: damaged blocks"
expect_grep "heapwise: 8 bytes definitely lost in 1 block, 24 bytes still reachable in 1 block, 2 heap errors" "$T/stderr"
rm -f "$T"/*.trace

env_only error_exitcode=23 "$PROGS/die_signal"
expect_eq "$rc" 143 "env-only: death by SIGTERM stays one"
expect_grep "128 bytes definitely lost in 1 block, no heap errors" "$T/stderr"
rm -f "$T"/*.trace

env_only error_exitcode=23:suppressions=/nonexistent.supp "$PROGS/leak_c"
expect_eq "$rc" 23 "env-only: suppressions are not applied"
expect_grep "suppressions apply under 'heapwise run' and 'heapwise report' only" "$T/stderr"
rm -f "$T"/*.trace

env_only error_exitcode=23:bogus=1 "$PROGS/leak_c"
expect_eq "$rc" 7 "env-only: a bad key turns recording off"
expect_eq "$(cat "$T/stderr")" "heapwise: HEAPWISE_OPTIONS: unknown option 'bogus'" "one line"
exit 0
