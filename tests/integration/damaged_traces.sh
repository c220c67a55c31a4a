# Damaged traces never crash `heapwise report` (issue #5). A real trace of leak_c, and the
# same trace as a process killed halfway would leave it (its last records in the ring
# area), cut at many offsets, emptied, with a bad magic or version and with bytes flipped
# in the header, the ring control, the ring area and the records (damage.py makes the
# cases and says what each must give: every byte of a frame is under its CRC). Always: an
# exit status below 128. Where damage is detected: exit 1 and exactly one line
# "heapwise report: FILE: CAUSE at byte N"; a trace damaged after its header is still
# reported, as partial, with everything read before.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
# damage.py inflates the frames of version-2 traces with the zstd program
command -v zstd >/dev/null 2>&1 || { echo "SKIP: no zstd program (apt-get install zstd)"; exit 77; }

HEAPWISE_OPTIONS=ring_size=65536
export HEAPWISE_OPTIONS
hw_run "$PROGS/leak_c"
unset HEAPWISE_OPTIONS
expect_eq "$rc" 7 "exit status of leak_c"
trace=$(ls "$T"/heapwise.leak_c.*.trace)
"$top_builddir/tests/fuzz/seed_compact" "$trace" "$T/killed.trace" killed ||
    fail "cannot make the killed variant"

# check CASE KIND BYTE ALLOCS LEAKS: one line of damage.py's manifest.
check() {
    f="$T/cases/$1.trace" kind=$2 byte=$3 allocs=$4 leaks=$5
    rc=0
    "$HW" report "$f" >"$T/stdout" 2>"$T/stderr" || rc=$?
    [ "$rc" -lt 128 ] || fail "$1 ($kind): heapwise report died with status $rc"
    lines=$(wc -l <"$T/stderr")
    if [ "$rc" -eq 0 ]; then
        [ "$kind" = any ] || [ "$kind" = clean ] || fail "$1: damage ($kind) not detected"
        expect_eq "$lines" 0 "$1: diagnostics without a failure"
        return
    fi
    [ "$kind" != clean ] || fail "$1: a complete trace refused"
    expect_eq "$rc" 1 "$1: exit status"
    expect_eq "$lines" 1 "$1: lines on stderr"
    at='[0-9][0-9]*'
    [ "$kind" = any ] || at=$byte
    grep -q "^heapwise report: $f: .* at byte $at\( (.*)\)*\$" "$T/stderr" ||
        fail "$1 ($kind): expected 'heapwise report: $f: CAUSE at byte $at'"
    case $kind in
    header)
        [ -s "$T/stdout" ] && fail "$1: a report for a refused trace"
        ;;
    data | ring)
        [ "$kind" = ring ] && expect_grep " at byte $byte (in the ring area)" "$T/stderr"
        expect_grep "== partial report (reading stopped): " "$T/stdout"
        expect_grep "allocations: $allocs," "$T/stdout"
        if [ "$leaks" = 1 ]; then
            expect_grep ": leak_pair (leak_c.c:" "$T/stdout"
            expect_grep ": leak_once (leak_c.c:" "$T/stdout"
        fi
        ;;
    esac
}

for name in leak_c killed; do
    src=$trace
    [ "$name" = killed ] && src=$T/killed.trace
    rm -rf "$T/cases"
    mkdir "$T/cases"
    python3 "$top_srcdir/tests/integration/damage.py" "$src" "$T/cases" >"$T/manifest" ||
        fail "damage.py on $name"
    [ "$(grep -c ' data ' "$T/manifest")" -gt 20 ] || fail "$name: too few records found"
    [ "$name" = leak_c ] || [ "$(grep -c ' ring ' "$T/manifest")" -gt 5 ] ||
        fail "$name: too few records in the ring area"
    while read -r c kind byte allocs leaks; do
        check "$c" "$kind" "$byte" "$allocs" "$leaks"
    done <"$T/manifest"
done

# The killed variant really had records in its ring area, and damage there was seen there.
"$HW" report "$T/killed.trace" >"$T/stdout" 2>"$T/stderr" && fail "killed trace: exit 0"
expect_grep "records recovered from the ring)" "$T/stderr"
expect_grep "leaked: 600 bytes in 3 blocks" "$T/stdout"
exit 0
