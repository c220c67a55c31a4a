# Heap errors in C: each reported with its kind, block and every explaining stack, and
# the program runs to its end (its last line printed, exit status 0).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
E='r["processes"][0]["errors"]'
S='r["processes"][0]["summary"]'
# top ERROR STACK: the function (and line) at the top of stack STACK of error ERROR.
top() { json "$E[$1]['stacks']['$2'][0]['function']"; }
line() { json "$E[$1]['stacks']['$2'][0]['line']"; }

hw_json "$PROGS/err_double_free"
expect_eq "$rc" 0 "exit status"
expect_eq "$(cat "$T/stdout")" "err_double_free: still running" "kept running"
expect_eq "$(json "[(e['kind'], e['size'], e['alloc_kind'], e['free_kind']) for e in $E]")" \
    "[('double_free', 32, 'malloc', 'free')]" "double free"
expect_eq "$(top 0 free) $(line 0 free)" "release_twice $(line_of err_double_free.c release_twice)" "this free"
expect_eq "$(top 0 first_free) $(line 0 first_free)" "release_once $(line_of err_double_free.c release_once)" "first free"
expect_eq "$(top 0 alloc) $(line 0 alloc)" "make_block $(line_of err_double_free.c make_block)" "allocation"
expect_eq "$(json "$S['errors']")" 1 "summary.errors"
expect_eq "$(json "$S['leaked_bytes']")" 0 "the block was freed"
hw_run "$PROGS/err_double_free"
expect_grep "double free: free() of the block of 32 bytes" "$T/stderr"

hw_json "$PROGS/err_invalid_free"
expect_eq "$rc" 0 "exit status"
expect_eq "$(cat "$T/stdout")" "err_invalid_free: survived 5 invalid frees" "kept running"
expect_eq "$(json "[(e['kind'], e['size'], e['free_kind'], e['stacks']['free'][0]['function']) for e in $E]")" \
    "[('invalid_free', None, 'free', 'free_stack'), ('invalid_free', None, 'free', 'free_global'), ('invalid_free', None, 'free', 'free_interior'), ('invalid_free', None, 'free', 'free_never'), ('invalid_free', None, 'free', 'free_unmapped')]" \
    "five invalid frees"
expect_eq "$(json "'8 bytes inside a block of 100 bytes' in $E[2]['message']")" True "interior pointer"
expect_eq "$(top 2 alloc)" main "the block an interior pointer points into"
expect_eq "$(json "$S['leaked_bytes']")" 0 "nothing leaked"

hw_json "$PROGS/err_corrupt"
expect_eq "$rc" 0 "exit status"
expect_eq "$(cat "$T/stdout")" "err_corrupt: still running" "kept running"
expect_eq "$(json "[(e['kind'], e['size'], e['offset'], e['where'], e['found'].split()[0]) for e in $E]")" \
    "[('header_corruption', 100, -1, 'free', '41'), ('overflow', 100, 100, 'free', '42'), ('overflow', 10, 10, 'exit', '43')]" \
    "corruption before, after, and after a block still live at exit"
expect_eq "$(top 0 alloc) $(top 0 free) $(line 0 free)" "alloc_under main $(line_of err_corrupt.c free_under)" "header corruption stacks"
expect_eq "$(top 1 alloc) $(line 1 free)" "alloc_over $(line_of err_corrupt.c free_over)" "overflow stacks"
expect_eq "$(top 2 alloc) $(json "'free' in $E[2]['stacks']")" "alloc_kept False" "overflow at exit"
expect_eq "$(json "$S['leaked_bytes']")" 10 "the kept block leaks"

HEAPWISE_OPTIONS=quarantine_size=4096 hw_json "$PROGS/err_write_after_free"
expect_eq "$rc" 0 "exit status"
expect_eq "$(cat "$T/stdout")" "err_write_after_free: still running" "kept running"
expect_eq "$(json "[(e['kind'], e['size'], e['offset'], e['where'], e['found'].split()[0]) for e in $E]")" \
    "[('write_after_free', 64, 3, 'quarantine', '58')]" "write after free, found leaving the quarantine"
expect_eq "$(top 0 alloc) $(top 0 free)" "alloc_victim free_victim" "allocation and free stacks"
hw_json "$PROGS/err_write_after_free"
expect_eq "$(json "[(e['kind'], e['where']) for e in $E]")" "[('write_after_free', 'exit')]" \
    "still in the default quarantine at exit: found by the exit check"
# Writes at offsets in every part of the fill check (strides, the overlapping last stride,
# words, bytes), each reported at its exact offset; the untouched freed blocks are not.
HEAPWISE_OPTIONS=quarantine_size=65536 hw_json "$PROGS/err_fill_offsets"
expect_eq "$(cat "$T/stdout")" "err_fill_offsets: still running" "kept running"
expect_eq "$(json "[(e['kind'], e['size'], e['offset'], e['where'], e['found'].split()[0]) for e in $E]")" \
    "$(python3 -c "print([('write_after_free', s, o, 'quarantine', '58') for s, o in
        [(1, 0), (13, 12), (64, 63), (100, 70), (100, 99), (200, 130), (4000, 0), (4000, 3999),
         (4096, 2048)]])")" "every write after free, at its offset"

# --error-exitcode turns any finding into the chosen status.
rc=0
"$HW" run -o "$T" --error-exitcode=42 "$PROGS/err_double_free" >/dev/null 2>&1 || rc=$?
expect_eq "$rc" 42 "--error-exitcode on a heap error"

# abort_on_error: the first error is printed at once and the program aborts (for gdb).
rc=0
"$HW" run -o "$T" --abort-on-error "$PROGS/err_double_free" >"$T/stdout" 2>"$T/stderr" || rc=$?
expect_eq "$rc" 134 "abort() ends the program (128 + SIGABRT)"
grep -q "^heapwise: double_free of 0x[0-9a-f]* (size 32)" "$T/stderr" || fail "abort message"
[ -s "$T/stdout" ] && fail "the program went on after the error"
# Damaged blocks still take part in the leak scan (memcheck's numbers): the overflowed
# block kept by a global is reachable, the lost one with a damaged header definitely lost.
hw_json "$PROGS/err_damaged_leak"
S='r["processes"][0]["summary"]'
expect_eq "$(json "($S['definitely_lost_bytes'], $S['definitely_lost_blocks'], $S['still_reachable_bytes'])")" \
    "(8, 1, 24)" "damaged blocks classified"
expect_eq "$(json "sorted(e['kind'] for e in $E)")" "['header_corruption', 'overflow']" \
    "both damages reported"
# An overflow past the canary lands in the tail the allocator's rounding left: still caught.
hw_json "$PROGS/err_overflow_tail"
expect_eq "$(json "[(e['kind'], e['offset'], e['found'], e['stacks']['free'][0]['line']) for e in $E]")" \
    "[('overflow', 48, '05 00 00 00 bd bd bd bd', $(line_of err_overflow_tail.c free_far))]" \
    "overflow past the canary"
exit 0
