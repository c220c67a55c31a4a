# The meson recipe (examples/meson): meson test --wrapper='heapwise run
# --error-exitcode=23 --' fails the leaking test, with the report naming the leaking line
# in its log, and passes the clean one. Skipped without meson and ninja.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/examples/lib.sh" || exit 99
command -v meson >/dev/null && command -v ninja >/dev/null || exit 77
copy_recipe meson
meson setup "$P/build" "$P" >"$T/setup.log" 2>&1 ||
    { cat "$T/setup.log" >&2; fail "cannot set up the meson example"; }
rc=0
meson test -C "$P/build" --print-errorlogs --wrapper="$HW run --error-exitcode=23 --" \
    >"$T/stdout" 2>"$T/stderr" || rc=$?
[ "$rc" -ne 0 ] || fail "meson test passed although a test leaks"
grep -Eq '^ *[12]/2 +clean +OK' "$T/stdout" || fail "clean did not pass"
grep -Eq '^ *[12]/2 +leaky +FAIL .*exit status 23' "$T/stdout" || fail "leaky did not fail with 23"
grep -Eq '^Ok: +1 *$' "$T/stdout" || fail "not exactly one test passed"
grep -Eq '^Fail: +1 *$' "$T/stdout" || fail "not exactly one test failed"
log=$(ls "$P"/build/meson-logs/testlog*.txt | head -n 1) # testlog-heapwise.txt: the wrapper's name
expect_grep "24 bytes in 1 blocks are definitely lost" "$log"
expect_grep "make_name (leaky.c:$LEAK_LINE)" "$log"
exit 0
