# The CTest recipe (examples/ctest): add_test commands start with
# HEAPWISE_LAUNCHER="heapwise;run;--error-exitcode=23;--"; the leaking test fails with the
# report in its output, the clean one passes. Skipped without cmake.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/examples/lib.sh" || exit 99
command -v cmake >/dev/null && command -v ctest >/dev/null || exit 77
copy_recipe ctest
(cmake -S "$P" -B "$P/build" -DHEAPWISE_LAUNCHER="$HW;run;--error-exitcode=23;--" &&
    cmake --build "$P/build") >"$T/setup.log" 2>&1 ||
    { cat "$T/setup.log" >&2; fail "cannot build the CTest example"; }
rc=0
(cd "$P/build" && ctest --output-on-failure) >"$T/stdout" 2>"$T/stderr" || rc=$?
[ "$rc" -ne 0 ] || fail "ctest passed although a test leaks"
grep -Eq 'Test +#1: clean \.+ +Passed' "$T/stdout" || fail "clean did not pass"
grep -Eq 'Test +#2: leaky \.+\*\*\*Failed' "$T/stdout" || fail "leaky did not fail"
expect_grep "make_name (leaky.c:$LEAK_LINE)" "$T/stdout"
exit 0
