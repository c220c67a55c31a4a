# C++: leaks a 24-byte Widget (new) and a 40-byte array (new[]), demangled names,
# exceptions still work under the shim.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

hw_json "$PROGS/leak_cxx"
expect_eq "$rc" 0 "exit status"
expect_eq "$(cat "$T/stdout")" "leak_cxx: caught=1 1 1" "stdout (exception caught)"
P='r["processes"][0]'
expect_eq "$(json "$P['summary']['leaked_bytes']")" 64 "leaked bytes"
expect_eq "$(json "$P['summary']['leaked_blocks']")" 2 "leaked blocks"
expect_eq "$(json "[(l['bytes'], l['stack'][0]['function'], l['stack'][0]['line']) for l in $P['leaks']]")" \
    "[(40, 'app::make_array()', $(line_of leak_cxx.cc make_array)), (24, 'app::make_widget()', $(line_of leak_cxx.cc make_widget))]" \
    "leaks with demangled functions and lines"
hw_run "$PROGS/leak_cxx"
expect_grep "leaked: 64 bytes in 2 blocks" "$T/stderr"
exit 0
