# 100 000 correct allocation/release pairs of every kind and alignment: no error, no leak.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

hw_json "$PROGS/clean_mixed"
expect_eq "$rc" 0 "exit status"
expect_eq "$(cat "$T/stdout")" "clean_mixed: done" "stdout"
P='r["processes"][0]'
expect_eq "$(json "$P['errors']")" "[]" "no errors"
expect_eq "$(json "$P['summary']['errors']")" 0 "summary.errors"
expect_eq "$(json "$P['summary']['leaked_blocks']")" 0 "no leaks"
expect_eq "$(json "$P['summary']['allocations'] >= 100000")" True "allocations counted"
exit 0
