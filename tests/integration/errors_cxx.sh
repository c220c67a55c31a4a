# Mismatched C++ deallocations: both kinds and both stacks named; the program keeps running.
. "$top_srcdir/tests/integration/lib.sh"
E='r["processes"][0]["errors"]'

hw_json "$PROGS/err_mismatch"
expect_eq "$rc" 0 "exit status"
expect_eq "$(cat "$T/stdout")" "err_mismatch: still running" "kept running"
expect_eq "$(json "[(e['kind'], e['alloc_kind'], e['free_kind']) for e in $E]")" \
    "[('mismatched_free', 'malloc', 'delete'), ('mismatched_free', 'new', 'free'), ('mismatched_free', 'new[]', 'delete'), ('mismatched_free', 'new', 'delete[]'), ('mismatched_free', 'aligned_new', 'delete')]" \
    "five mismatches"
for i in 0 1 2 3 4; do
    f=$(json "$E[$i]['stacks']['free'][0]['function']")
    a=$(json "$E[$i]['stacks']['alloc'][0]['function']")
    expect_eq "$a" "$f" "error $i: allocated and released in the same function"
    expect_eq "$(json "$E[$i]['stacks']['free'][0]['line']")" "$(line_of err_mismatch.cc "${f%%(*}")" "error $i line"
done
expect_eq "$(json 'r["processes"][0]["summary"]["leaked_bytes"]')" 0 "every block was released"
exit 0
