# A program that closes all its descriptors, or puts a file of its own under every
# number, does not lose its trace (the shim reopens it by path, checking it is the same
# file) and never gets trace records written into its file.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
P='r["processes"][0]'
S="$P['summary']"

for how in close replace; do
    hw_json "$PROGS/closefds" "$how" "$T/own.log"
    expect_eq "$rc" 0 "$how: exit status"
    expect_eq "$(cat "$T/stdout")" "closefds: done, 0 bytes in the file" "$how: stdout"
    expect_eq "$(json "($P['end'], $S['errors'], $S['dropped'], $S['definitely_lost_bytes'])")" \
        "('exit', 0, 0, 110)" "$how: a complete trace, both leaks"
    expect_eq "$(json "$S['allocations'] >= 1002 and $S['frees'] >= 1000")" True \
        "$how: the events after the descriptors went"
    expect_eq "$(cat "$T/stderr")" "" "$how: no warning"
    "$HW" report "$T"/heapwise.closefds.*.trace >/dev/null 2>"$T/stderr" ||
        fail "$how: heapwise report on the trace"
    rm -f "$T"/*.trace
done
exit 0
