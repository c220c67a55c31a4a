# 8 threads x 20000 malloc/free pairs: every event recorded, one leak per thread.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

hw_json "$PROGS/threads"
expect_eq "$rc" 0 "exit status"
expect_eq "$(cat "$T/stdout")" "threads: done" "stdout"
P='r["processes"][0]'
expect_eq "$(json "$P['summary']['leaked_bytes']")" 128 "leaked bytes"
expect_eq "$(json "$P['summary']['leaked_blocks']")" 8 "leaked blocks"
expect_eq "$(json "$P['summary']['allocations'] >= 8 * 20001")" True "allocations"
expect_eq "$(json "$P['summary']['frees'] >= 8 * 20000")" True "frees"
expect_eq "$(json "$P['summary'].get('dropped', 0)")" 0 "nothing dropped"
expect_eq "$(json "$P['leaks'][0]['stack'][0]['function']")" work "leak site"
exit 0
