# A full disk or a file size limit degrades to one warning line on stderr; the program
# runs on with the same output and exit status. Either when the trace is created (its
# ring cannot be reserved: nothing is left behind) or later (recording stops; what was
# written still reads, and says so). ulimit -f always; a small tmpfs when
# root may mount one.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
SHIM="$top_builddir/.libs/libheapwise.so"
SMALL_RING=ring_size=65536

# degrade PROG STDOUT STATUS OPTIONS CAUSE [LIMIT]: preloaded with HEAPWISE_OPTIONS (and
# ulimit -f LIMIT), the program's output and status unchanged, one line naming CAUSE.
degrade() {
    rc=0
    (
        [ -z "${6:-}" ] || ulimit -f "$6"
        HEAPWISE_OPTIONS="$4" LD_PRELOAD="$SHIM" "$PROGS/$1"
    ) >"$T/stdout" 2>"$T/stderr" || rc=$?
    expect_eq "$rc" "$3" "$1 ($5): exit status unchanged"
    expect_eq "$(cat "$T/stdout")" "$2" "$1 ($5): stdout unchanged"
    expect_eq "$(wc -l <"$T/stderr")" 1 "$1 ($5): one warning line"
    expect_grep "$5" "$T/stderr"
}

# written DIR: the trace left in DIR reads, and says that recording stopped early.
written() {
    rc=0
    "$HW" report "$1" >/dev/null 2>"$T/report.err" || rc=$?
    expect_eq "$rc" 1 "report on a trace cut short"
    expect_grep "recording stopped: the trace could not be written" "$T/report.err"
}

mkdir "$T/lim"
degrade leak_c "leak_c: 1" 7 "output=$T/lim" "the file size limit (ulimit -f) is too low" 1000
[ -z "$(ls "$T/lim")" ] || fail "ulimit at start: a file was left behind"
degrade threads "threads: done" 0 "output=$T/lim:$SMALL_RING" \
    "the file size limit (ulimit -f) is reached; recording stopped" 300
written "$T/lim"

mkdir "$T/tmpfs"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=64k heapwise-test "$T/tmpfs" 2>/dev/null; then
    trap 'umount "$T/tmpfs" 2>/dev/null; rm -rf "$T"' EXIT
    degrade leak_c "leak_c: 1" 7 "output=$T/tmpfs" "No space left on device; recording off"
    [ -z "$(ls "$T/tmpfs")" ] || fail "disk full at start: a file was left behind"
    umount "$T/tmpfs" && mount -t tmpfs -o size=256k heapwise-test "$T/tmpfs" ||
        fail "cannot remount the tmpfs"
    degrade threads "threads: done" 0 "output=$T/tmpfs:$SMALL_RING" \
        "No space left on device; recording stopped"
    written "$T/tmpfs"
else
    echo "SKIP: tmpfs (not root, or mount not allowed)"
fi
exit 0
