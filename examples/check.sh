# The Check recipe (examples/check/check_fixture.c): a checked fixture with
# heapwise_checkpoint/heapwise_leaks_since fails the one test that leaked, by name, in
# Check's forked children; without heapwise the suite passes untouched.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
FIXTURE="$top_builddir/examples/check/check_fixture"
hw_run -- "$FIXTURE"
expect_eq "$rc" 1 "the suite fails"
expect_grep ":P:core:test_clean:0: Passed" "$T/stdout"
expect_grep ":core:test_leaky:0: 6 bytes definitely lost in this test" "$T/stdout"
expect_grep "50%: Checks: 2, Failures: 1, Errors: 0" "$T/stdout"
rc=0
env -u LD_PRELOAD "$FIXTURE" >"$T/stdout" 2>&1 || rc=$?
expect_eq "$rc" 0 "without heapwise the fixture does nothing"
exit 0
