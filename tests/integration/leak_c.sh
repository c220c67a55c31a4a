# A C program leaking 600 bytes in 3 blocks from two call sites, exiting 7.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

hw_run "$PROGS/leak_c"
expect_eq "$rc" 7 "exit status passes through"
expect_eq "$(cat "$T/stdout")" "leak_c: 1" "program stdout passes through"
expect_grep "leaked: 600 bytes in 3 blocks" "$T/stderr"
expect_grep "leak_pair (leak_c.c:$(line_of leak_c.c leak_pair))" "$T/stderr"
expect_grep "leak_once (leak_c.c:$(line_of leak_c.c leak_once))" "$T/stderr"

hw_json "$PROGS/leak_c"
expect_eq "$rc" 7 "exit status with --json"
expect_eq "$(json 'r["heapwise"]')" 1 "schema version"
expect_eq "$(json 'len(r["processes"])')" 1 "one process"
P='r["processes"][0]'
expect_eq "$(json "$P['end']")" exit "end"
expect_eq "$(json "$P['status']")" 7 "status"
expect_eq "$(json "$P['summary']['leaked_bytes']")" 600 "leaked bytes"
expect_eq "$(json "$P['summary']['leaked_blocks']")" 3 "leaked blocks"
expect_eq "$(json "$P['summary']['errors']")" 0 "errors"
expect_eq "$(json "[(l['bytes'], l['blocks'], l['kind']) for l in $P['leaks']]")" \
    "[(300, 2, 'definitely_lost'), (300, 1, 'definitely_lost')]" "leaks grouped by stack, largest first"
expect_eq "$(json "[$P['leaks'][0]['stack'][0][k] for k in ('function','line')]")" \
    "['leak_pair', $(line_of leak_c.c leak_pair)]" "first leak's top frame"
expect_eq "$(json "$P['leaks'][0]['stack'][1]['function']")" main "caller frame"
expect_eq "$(json "$P['leaks'][1]['stack'][0]['function']")" leak_once "second leak's frame"
expect_eq "$(json "$P['leaks'][0]['stack'][0]['file'].endswith('leak_c.c')")" True "file"
expect_eq "$(json "$P['argv']")" "['$PROGS/leak_c']" "argv"
exit 0
