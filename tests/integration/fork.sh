# fork() without exec: the child writes its own trace (its pid in the name), starting
# with the blocks it inherited, like memcheck's report of a forked child: its free of an
# inherited block is valid, inherited blocks it never frees are its leaks too, and its own
# leak is reported in its report only.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

hw_json "$PROGS/fork_child"
expect_eq "$rc" 0 "exit status is the parent's"
expect_eq "$(sort "$T/stdout" | tr '\n' '|')" \
    "fork_child: child|fork_child: parent, child exited 3|" "both processes' stdout"
expect_eq "$(json 'len(r["processes"])')" 2 "one report per process"
P='r["processes"][0]'
C='r["processes"][1]'
parent=$(json "$P['pid']")
child=$(json "$C['pid']")
expect_eq "$(json "$C['ppid']")" "$parent" "parent first, then its child"
[ -f "$T/heapwise.fork_child.$child.trace" ] || fail "no trace with the child's pid"
[ -f "$T/heapwise.fork_child.$parent.trace" ] || fail "no trace with the parent's pid"

expect_eq "$(json "$C['end']"),$(json "$C['status']")" "exit,3" "child's end"
expect_eq "$(json "$C['summary']['errors']")" 0 "child's free of an inherited block is valid"
expect_eq "$(json "$C['summary']['allocations']"),$(json "$C['summary']['frees']")" "5,1" \
    "child counts inherited allocations (as memcheck's heap summary does)"
expect_eq "$(json "$C['summary']['leaked_bytes']")" 155 "child: inherited 100 + own 55"
expect_eq "$(json "sorted(l['bytes'] for l in $C['leaks'] if l['kind'] == 'definitely_lost')")" \
    "[55, 100]" "child's lost blocks"
expect_eq "$(json "[l['stack'][1]['line'] for l in $C['leaks'] if l['bytes'] == 100][0]")" \
    "$(line_of fork_child.c inherited_leak)" "inherited leak keeps the parent's stack"
expect_eq "$(json "[l['stack'][1]['line'] for l in $C['leaks'] if l['bytes'] == 55][0]")" \
    "$(line_of fork_child.c child_leak)" "child's own leak"

expect_eq "$(json "$P['end']"),$(json "$P['status']")" "exit,0" "parent's end"
expect_eq "$(json "$P['summary']['errors']")" 0 "parent's errors"
expect_eq "$(json "$P['summary']['leaked_bytes']")" 144 "parent: 100 + 44, not the child's 55"
expect_eq "$(json "[l['bytes'] for l in $P['leaks'] if l['bytes'] == 55]")" "[]" \
    "the child's leak is not in the parent's report"

# Text: each process under its own banner, parent first.
hw_run "$PROGS/fork_child"
expect_grep "==$(sed -n 's/^==\([0-9]*\)== process 1 of 2.*/\1/p' "$T/stderr")== process 1 of 2" \
    "$T/stderr"
expect_eq "$(grep -c 'leaked: ' "$T/stderr")" 2 "two summaries"
exit 0
