# Mismatched C++ deallocations: both kinds and both stacks named; the program keeps running.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
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

# Every kind through the C++ operators, each with its kinds and stacks.
hw_json "$PROGS/err_cxx_kinds"
expect_eq "$rc" 0 "exit status"
expect_eq "$(cat "$T/stdout")" "err_cxx_kinds: still running" "kept running"
expect_eq "$(json "[(e['kind'], e['size'], e['alloc_kind'], e['free_kind'], e['offset'], e['where']) for e in $E]")" \
    "[('double_free', 16, 'new', 'delete', None, 'free'), ('invalid_free', None, None, 'delete', None, 'free'), ('header_corruption', 16, 'new[]', 'delete[]', -2, 'free'), ('overflow', 16, 'new[]', 'delete[]', 16, 'free'), ('write_after_free', 16, 'new', None, 0, 'exit')]" \
    "five kinds"
f() { json "$E[$1]['stacks']['$2'][0]['function']"; }
l() { json "$E[$1]['stacks']['$2'][0]['line']"; }
expect_eq "$(f 0 free):$(l 0 free) $(l 0 first_free) $(l 0 alloc)" \
    "delete_twice():$(line_of err_cxx_kinds.cc delete_twice) $(($(line_of err_cxx_kinds.cc delete_twice) - 1)) $(line_of err_cxx_kinds.cc new_twice)" \
    "double delete: this delete, the first one, the new"
expect_eq "$(f 1 free):$(l 1 free)" "delete_stack_object():$(line_of err_cxx_kinds.cc delete_stack_object)" "invalid delete"
expect_eq "$(l 2 alloc) $(l 2 free)" "$(line_of err_cxx_kinds.cc new_before) $(line_of err_cxx_kinds.cc delete_before)" "write before new[]"
expect_eq "$(l 3 alloc) $(l 3 free)" "$(line_of err_cxx_kinds.cc new_past) $(line_of err_cxx_kinds.cc delete_past)" "write past new[]"
expect_eq "$(l 4 alloc) $(l 4 free)" "$(line_of err_cxx_kinds.cc new_after) $(line_of err_cxx_kinds.cc delete_after)" "write after delete"
exit 0
