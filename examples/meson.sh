# The meson recipe (examples/meson): meson test --wrapper='heapwise run
# --error-exitcode=23 --' fails the leaking test and passes the clean one. Skipped
# without meson and ninja.
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
grep -Eq '^ *1/2 .*clean +OK' "$T/stdout" || grep -Eq 'clean +OK' "$T/stdout" || fail "clean did not pass"
grep -Eq 'leaky +FAIL' "$T/stdout" || fail "leaky did not fail"
exit 0
