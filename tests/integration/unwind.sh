# The shim's own unwinder against libunwind: unwind_verify=1 runs both on every capture
# of unwind_mix (frames from -O0, -O2 with and without frame pointers, VLA and alloca, C++
# exceptions, a signal handler, a plugin unloaded and loaded again, four threads, walks
# deeper than the depth limit) and counts the captures where they differ: none may, the
# fast path must have answered most, and the signal frames must have gone to libunwind.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
SHIM="$top_builddir/.libs/libheapwise.so"

# verify OPTIONS: unwind_mix under the shim alone with unwind_verify=1; sets $rc and
# $fast, $slow, $bad from the line the shim prints at exit.
verify() {
    rc=0
    HEAPWISE_OPTIONS="output=$T:unwind_verify=1:$1" LD_PRELOAD="$SHIM" \
        "$PROGS/unwind_mix" "$PROGS/.libs/plugin.so" >"$T/stdout" 2>"$T/stderr" || rc=$?
    expect_eq "$rc" 0 "unwind_mix's exit status ($1)"
    expect_eq "$(cat "$T/stdout")" "unwind_mix: ok" "unwind_mix's output ($1)"
    line=$(grep '^heapwise: unwind_verify: [0-9]* fast, [0-9]* libunwind, [0-9]* mismatches$' \
        "$T/stderr") || fail "no unwind_verify line ($1)"
    set -- $line
    fast=$3 slow=$5 bad=$7
    rm -f "$T"/*.trace
}

for opts in depth=64 depth=256 depth=5:free_stacks=0; do
    verify "$opts"
    expect_eq "$bad" 0 "captures where the fast unwinder and libunwind differ ($opts)"
    [ "$fast" -gt 10000 ] || fail "only $fast captures on the fast path ($opts)"
    [ "$slow" -gt 0 ] || fail "no capture went to libunwind: the signal frames did not ($opts)"
    [ "$slow" -lt "$fast" ] || fail "$slow captures to libunwind against $fast fast ($opts)"
done

# fast_unwind=0 and =1 report the same leak with the same stack.
for f in 0 1; do
    HEAPWISE_OPTIONS=fast_unwind=$f hw_json "$PROGS/dlclose_leak" "$PROGS/.libs/plugin.so"
    expect_eq "$rc" 0 "exit status (fast_unwind=$f)"
    json "[(s['function'], s.get('line')) for s in r['processes'][0]['leaks'][0]['stack']]" \
        >"$T/stack$f"
done
expect_eq "$(cat "$T/stack1")" "$(cat "$T/stack0")" "the leak's stack with and without fast_unwind"
grep -q plugin_leak "$T/stack1" || fail "the leak's stack lacks plugin_leak: $(cat "$T/stack1")"
exit 0
