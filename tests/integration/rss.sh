# RSS sampling: the writer thread samples the resident set size every sample_interval_ms
# (default 10). A program holding 64 MiB of touched memory for 200 ms has a peak RSS of
# at least 64 MiB in the JSON report and an RSS series in the HTML report; with
# --sample-interval=0 (or HEAPWISE_OPTIONS sample_interval_ms=0) there are no samples.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
MIB64=$((64 << 20))

# rss_series HTML: the page's RSS series as "points max_bytes max_time_ns".
rss_series() {
    python3 -c 'import json,re,sys
t = open(sys.argv[1]).read()
d = json.loads(re.search(r"<script type=\"application/json\" id=\"heapwise-data\">(.*?)</script>", t, re.S).group(1))
s = d["processes"][0]["rss"]
assert all(len(p) == 2 for p in s) and [p[0] for p in s] == sorted(p[0] for p in s), s
print(len(s), max([p[1] for p in s] or [0]), max([p[0] for p in s] or [0]))' "$1" ||
        fail "cannot read the RSS series of $1"
}

hw_json --html="$T/report.html" "$PROGS/rss_touch"
expect_eq "$rc" 0 "exit status"
expect_eq "$(json "r['processes'][0]['summary']['peak_bytes']")" "$MIB64" "peak heap"
rss=$(json "r['processes'][0]['summary']['peak_rss_bytes']")
[ "$rss" -ge "$MIB64" ] || fail "peak_rss_bytes $rss < 64 MiB"
# far below a second copy: the samples are of this process, not summed
[ "$rss" -lt $((2 * MIB64)) ] || fail "peak_rss_bytes $rss >= 128 MiB"
set -- $(rss_series "$T/report.html")
[ "$1" -ge 10 ] || fail "only $1 RSS points for a 250 ms run"
expect_eq "$2" "$rss" "the series' largest point is peak_rss_bytes"
expect_grep "<td id=\"peak-rss-0\"><span data-bytes=\"$rss\"" "$T/report.html"
# the trace keeps them: report reads the same series back
"$HW" report --json "$T"/heapwise.rss_touch.*.trace >"$T/again.json" 2>"$T/stderr" ||
    fail "heapwise report"
python3 -c 'import json,sys
assert json.load(open(sys.argv[1]))["processes"][0]["summary"]["peak_rss_bytes"] == int(sys.argv[2])' \
    "$T/again.json" "$rss" || fail "heapwise report: another peak_rss_bytes"
rm -f "$T"/*.trace

# a forked child samples its own statm, not its parent's (the descriptor it inherited)
hw_json "$PROGS/rss_touch" child
expect_eq "$rc" 0 "exit status (child)"
python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))["processes"]
assert len(r) == 2, len(r)
parent, child = r[0]["summary"], r[1]["summary"]
assert child["peak_rss_bytes"] >= 64 << 20, child
assert parent["peak_rss_bytes"] < 32 << 20, parent' "$T/report.json" ||
    fail "the child's RSS"
rm -f "$T"/*.trace

# off: no SAMPLE record, so no peak and no series
for how in --sample-interval=0 env; do
    if [ "$how" = env ]; then
        HEAPWISE_OPTIONS=sample_interval_ms=0 hw_json --html="$T/off.html" "$PROGS/rss_touch"
    else
        hw_json "$how" --html="$T/off.html" "$PROGS/rss_touch"
    fi
    expect_eq "$rc" 0 "exit status ($how)"
    expect_eq "$(json "r['processes'][0]['summary']['peak_rss_bytes']")" None "no samples ($how)"
    expect_eq "$(rss_series "$T/off.html")" "0 0 0" "no RSS series ($how)"
    expect_grep '<td id="peak-rss-0"><span class="muted">not sampled</span>' "$T/off.html"
    rm -f "$T"/*.trace
done

# a longer interval: one sample per 100 ms of the run at most (and the first)
hw_json --sample-interval=100 --html="$T/slow.html" "$PROGS/rss_touch"
most=$(($(json "r['processes'][0]['summary']['duration_ns']") / 100000000 + 1))
set -- $(rss_series "$T/slow.html")
[ "$1" -ge 1 ] && [ "$1" -le "$most" ] || fail "--sample-interval=100: $1 RSS points (most $most)"

for bad in -1 1k 3600001 ""; do
    hw_run --sample-interval="$bad" "$PROGS/rss_touch"
    expect_eq "$rc" 2 "--sample-interval='$bad'"
    expect_grep "heapwise run: --sample-interval: '$bad' is not a number of milliseconds from 0 to 3600000" "$T/stderr"
done
exit 0
