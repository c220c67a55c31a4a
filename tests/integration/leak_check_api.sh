# The public on-demand leak checks (tests/progs/leak_check_api.c, leak_since.c): under heapwise it
# returns the definitely lost bytes of that moment, 40; without heapwise the weak symbol
# is NULL and the program says so. The trace's last scan is the exit scan.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
S='r["processes"][0]["summary"]'

hw_json "$PROGS/leak_check_api"
expect_eq "$rc" 0 "exit status"
expect_eq "$(cat "$T/stdout")" "definitely lost: 40" "stdout under heapwise"
expect_eq "$(json "($S['definitely_lost_bytes'], $S['definitely_lost_blocks'])")" "(40, 1)" "definitely lost at exit"

hw_run "$PROGS/leak_check_api"
expect_eq "$rc" 0 "exit status"
expect_eq "$(cat "$T/stdout")" "definitely lost: 40" "stdout under heapwise (text report)"
expect_grep "40 bytes in 1 blocks are definitely lost, allocated at:" "$T/stderr"

# The guard or the leak scan off: the check returns 0.
HEAPWISE_OPTIONS=guard=0 hw_run "$PROGS/leak_check_api"
expect_eq "$(cat "$T/stdout")" "definitely lost: 0" "stdout with the guard off"
HEAPWISE_OPTIONS=leak_scan=0 hw_run "$PROGS/leak_check_api"
expect_eq "$(cat "$T/stdout")" "definitely lost: 0" "stdout with leak_scan off"

rc=0
env -u LD_PRELOAD "$PROGS/leak_check_api" >"$T/stdout" 2>"$T/stderr" || rc=$?
expect_eq "$rc" 0 "exit status without heapwise"
expect_eq "$(cat "$T/stdout")" "definitely lost: unknown" "stdout without heapwise"

# Checkpoints (tests/progs/leak_since.c): 24 bytes lost before mark 1, 40 after it, a
# block realloc'ed to 56 after mark 2; nothing after mark 3.
hw_json "$PROGS/leak_since"
expect_eq "$rc" 0 "leak_since exit status"
expect_eq "$(tr '\n' ' ' < "$T/stdout")" "96 56 120 0 1 " "leaks since marks 1, 2, all, mark 3"
expect_eq "$(json "($S['definitely_lost_bytes'], $S['definitely_lost_blocks'])")" "(120, 3)" "leak_since at exit"
rc=0
env -u LD_PRELOAD "$PROGS/leak_since" >"$T/stdout" 2>"$T/stderr" || rc=$?
expect_eq "$rc:$(cat "$T/stdout")" "0:unknown" "leak_since without heapwise"
exit 0
