# Every C entry point, everything freed: zero leaks, and the allocations are counted.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

hw_json "$PROGS/noleak"
expect_eq "$rc" 0 "exit status"
expect_eq "$(cat "$T/stdout")" "noleak: ok" "stdout"
P='r["processes"][0]'
expect_eq "$(json "$P['summary']['leaked_bytes']")" 0 "leaked bytes"
expect_eq "$(json "$P['summary']['leaked_blocks']")" 0 "leaked blocks"
expect_eq "$(json "$P['leaks']")" "[]" "no leak entries"
# 12 allocation calls by the program (realloc counts once each); printf may add its buffer.
expect_eq "$(json "$P['summary']['allocations'] >= 12")" True "allocations counted"
expect_eq "$(json "$P['summary']['peak_bytes'] >= 1000")" True "peak"
expect_eq "$(json "$P['summary']['runtime_blocks'] >= 1")" True "the stdio buffer is the runtime's, not a leak"
hw_run "$PROGS/noleak"
expect_grep "leaked: 0 bytes in 0 blocks" "$T/stderr"
exit 0
