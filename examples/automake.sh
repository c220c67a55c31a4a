# The automake recipe (examples/automake): LOG_COMPILER = heapwise run --error-exitcode=23 --
# makes the leaking test fail, with a log naming the line, and the clean one pass.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
. "$top_srcdir/examples/lib.sh" || exit 99
command -v autoreconf >/dev/null || exit 77
copy_recipe automake
(cd "$P" && autoreconf -fi && ./configure -q) >"$T/setup.log" 2>&1 ||
    { cat "$T/setup.log" >&2; fail "cannot configure the automake example"; }
rc=0
sub_make -C "$P" check HEAPWISE="$HW" >"$T/stdout" 2>"$T/stderr" || rc=$?
[ "$rc" -ne 0 ] || fail "make check passed although a test leaks"
expect_grep "PASS: clean" "$T/stdout"
expect_grep "FAIL: leaky" "$T/stdout"
expect_grep "# PASS:  1" "$T/stdout"
expect_grep "24 bytes in 1 blocks are definitely lost" "$P/leaky.log"
expect_grep "make_name (leaky.c:$LEAK_LINE)" "$P/leaky.log"
exit 0
