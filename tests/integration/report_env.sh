# heapwise report reads HEAPWISE_OPTIONS as heapwise run does: the report's keys apply
# (error_exitcode, leak_kinds, json, suppressions, quiet, flamegraph, html), the keys of
# the shim and of run alone are checked and ignored, an unknown key or a bad value is a
# usage error before anything is read, and the command line wins (a report format given
# there replaces the environment's; suppressions files add up).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
P='r["processes"][0]'
S="$P['summary']"

hw_run "$PROGS/leak_c" # 600 bytes lost in 3 blocks: leak_pair 100 + 200, leak_once 300
trace=$(ls "$T"/heapwise.leak_c.*.trace)
hw_run "$PROGS/noleak"
clean=$(ls "$T"/heapwise.noleak.*.trace)

# rep [OPTIONS]: heapwise report OPTIONS $target (the leaking trace); sets $rc.
target=$trace
rep() {
    rc=0
    "$HW" report "$@" "$target" >"$T/stdout" 2>"$T/stderr" || rc=$?
}

rep
expect_eq "$rc" 0 "no options: status 0"
HEAPWISE_OPTIONS=error_exitcode=23 rep
expect_eq "$rc" 23 "error_exitcode from the environment"
HEAPWISE_OPTIONS=error_exitcode=23 rep --error-exitcode=9
expect_eq "$rc" 9 "the command line wins"
HEAPWISE_OPTIONS=error_exitcode=23:leak_kinds=none rep
expect_eq "$rc" 0 "leak_kinds=none from the environment"
HEAPWISE_OPTIONS=error_exitcode=23:leak_kinds=none rep --leak-kinds=definite
expect_eq "$rc" 23 "--leak-kinds wins over leak_kinds"

# json, with keys of the shim and of run that report ignores
HEAPWISE_OPTIONS="json=1:depth=8:output=/nonexistent:log_file=/nonexistent/x:check_signal=USR2:trace_children=no" rep
expect_eq "$rc" 0 "json=1 with the shim's keys"
cp "$T/stdout" "$T/report.json"
expect_eq "$(json "($P['end'], $S['definitely_lost_bytes'], $S['leaked_blocks'])")" "('exit', 600, 3)" \
    "json=1: the JSON report"
HEAPWISE_OPTIONS=json=0 rep
expect_grep "leaked: 600 bytes in 3 blocks" "$T/stdout" # a flag of 0 is not set
HEAPWISE_OPTIONS=json=1 rep --flamegraph
expect_eq "$rc" 0 "json=1 and --flamegraph"
expect_eq "$(sort "$T/stdout" | tr '\n' '|')" "main;leak_once 300|main;leak_pair 300|" \
    "the command line's format replaces the environment's"
HEAPWISE_OPTIONS=flamegraph=leaked rep --json
cp "$T/stdout" "$T/report.json"
expect_eq "$(json "$S['leaked_bytes']")" 600 "--json replaces flamegraph=leaked"

# suppressions: the environment's and the command line's add up
printf 'leak:leak_once\n' >"$T/a.supp"
printf 'leak:^leak_pair$\n' >"$T/b.supp"
HEAPWISE_OPTIONS="suppressions=$T/a.supp:json=1:error_exitcode=23" rep
cp "$T/stdout" "$T/report.json"
expect_eq "$rc" 23 "one rule from the environment: leak_pair still counts"
expect_eq "$(json "($S['suppressed_bytes'], $S['leaked_bytes'], [s['rule'] for s in $P['suppressions']])")" \
    "(300, 300, ['leak:leak_once'])" "suppressions from the environment"
HEAPWISE_OPTIONS="suppressions=$T/a.supp:json=1:error_exitcode=23" rep --suppressions="$T/b.supp"
cp "$T/stdout" "$T/report.json"
expect_eq "$rc" 0 "both files' rules: nothing left"
expect_eq "$(json "($S['suppressed_bytes'], $S['leaked_bytes'])")" "(600, 0)" "rules add up"

target=$clean
HEAPWISE_OPTIONS=quiet=1 rep
expect_eq "$rc:$(cat "$T/stdout")" "0:" "quiet=1: no report for a clean process"
target=$trace
HEAPWISE_OPTIONS="html=$T/r.html" rep
expect_eq "$rc" 0 "html from the environment"
grep -q '<html' "$T/r.html" || fail "html=FILE: no HTML report written"

for bad in "bogus=1" "leak_kinds=lost" "json=yes" "error_exitcode=0" "check_signal=KILL"; do
    HEAPWISE_OPTIONS=$bad rep
    expect_eq "$rc" 2 "HEAPWISE_OPTIONS=$bad"
    expect_eq "$(head -n 1 "$T/stderr" | cut -d: -f1-2)" "heapwise report: HEAPWISE_OPTIONS" \
        "HEAPWISE_OPTIONS=$bad: the message"
    [ -s "$T/stdout" ] && fail "HEAPWISE_OPTIONS=$bad: a report was written"
done
HEAPWISE_OPTIONS=bogus=1 rep
expect_grep "heapwise report: HEAPWISE_OPTIONS: unknown option 'bogus'" "$T/stderr"
HEAPWISE_OPTIONS=suppressions=/nonexistent.supp rep
expect_eq "$rc" 2 "a suppressions file that cannot be read"
expect_grep "/nonexistent.supp" "$T/stderr"
exit 0
