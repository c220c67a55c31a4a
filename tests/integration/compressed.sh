# Compressed traces (format version 2, man heapwise-trace.5). A churn program's trace
# costs few bytes per event: a size, not a time, so it is asserted (2.5 B/event measured
# here, 36 before version 2; the bound leaves room for other allocators and clocks). And
# when such a trace is damaged: a frame cut short at the end is dropped with a word and
# the frames before it are reported; a bit flipped inside a compressed frame is one line
# naming the file and the frame's byte, after a partial report of the frames before it.
# damage.py lists the frames (an independent reading of the format, via the zstd program).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
command -v zstd >/dev/null 2>&1 || { echo "SKIP: no zstd program (apt-get install zstd)"; exit 77; }
MAX_BYTES_PER_EVENT=8

hw_json "$PROGS/churn" 200000
expect_eq "$rc" 0 "exit status of churn"
expect_grep "churn: pairs 200000 leaked 100" "$T/stdout"
trace=$(ls "$T"/heapwise.churn.*.trace)
S='r["processes"][0]["summary"]'
expect_eq "$(json "($S['allocations'], $S['frees'], $S['leaked_bytes'])")" "(200002, 200000, 100)" \
    "every event of churn"
bytes=$(python3 -c 'import os,struct,sys
f = open(sys.argv[1], "rb"); f.seek(64)
print(os.path.getsize(sys.argv[1]) - struct.unpack("<Q", f.read(8))[0])' "$trace")
per_event=$(json "round($bytes / ($S['allocations'] + $S['frees']), 2)")
echo "compressed: $bytes bytes of frames, $per_event bytes per event"
expect_eq "$(json "$bytes / ($S['allocations'] + $S['frees']) < $MAX_BYTES_PER_EVENT")" True \
    "bytes per event ($per_event) below $MAX_BYTES_PER_EVENT"

# The frames: offset, size, records, ring range, allocations before each.
python3 "$top_srcdir/tests/integration/damage.py" --frames "$trace" >"$T/frames" ||
    fail "damage.py cannot list the frames"
frames=$(wc -l <"$T/frames")
[ "$frames" -ge 4 ] || fail "churn's trace has $frames frames, expected several"
[ "$(awk '{n += $3} END {print n}' "$T/frames")" -gt 400000 ] || fail "records in the frames"

# report TRACE: heapwise report on it; $rc, $T/stdout and $T/stderr.
report() {
    rc=0
    "$HW" report "$@" >"$T/stdout" 2>"$T/stderr" || rc=$?
}

# A torn last frame: what the complete frames hold is reported, and the tail is named.
set -- $(tail -n 1 "$T/frames")
last_at=$1 last_size=$2 allocs_before=$6
head -c $((last_at + last_size / 2)) "$trace" >"$T/torn.trace"
report "$T/torn.trace"
expect_eq "$rc" 1 "torn frame: exit status"
expect_eq "$(wc -l <"$T/stderr")" 1 "torn frame: one line on stderr"
expect_eq "$(cat "$T/stderr")" "heapwise report: $T/torn.trace: truncated at byte $last_at (no end record; a torn last frame dropped)" \
    "torn frame: the message"
expect_grep "== partial report (reading stopped): " "$T/stdout"
expect_grep "allocations: $allocs_before," "$T/stdout"
[ "$allocs_before" -gt 100000 ] || fail "the complete frames hold most allocations"

# A bit flipped in the middle of a frame in the middle: read up to that frame, then one
# line naming the file and the frame's byte.
set -- $(sed -n "$((frames / 2))p" "$T/frames")
at=$1 size=$2 allocs_before=$6
python3 -c 'import sys
d = bytearray(open(sys.argv[1], "rb").read()); d[int(sys.argv[2])] ^= 0x08
open(sys.argv[3], "wb").write(d)' "$trace" $((at + size / 2)) "$T/flipped.trace"
report "$T/flipped.trace"
expect_eq "$rc" 1 "flipped bit: exit status"
expect_eq "$(cat "$T/stderr")" "heapwise report: $T/flipped.trace: frame checksum mismatch at byte $at" \
    "flipped bit: the message"
expect_grep "== partial report (reading stopped): frame checksum mismatch at byte $at" "$T/stdout"
expect_grep "allocations: $allocs_before," "$T/stdout"
[ "$allocs_before" -gt 0 ] || fail "frames before the flipped one"
exit 0
