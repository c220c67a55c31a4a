# The HTML report of the demo in a real browser (Debian's headless Chromium): after its
# script ran, the chart has points, the peak it marks is the JSON report's peak_bytes, and
# the leak table lists the leaking functions; a program holding 64 MiB has an RSS line
# whose peak is the JSON report's peak_rss_bytes. The screenshots stay in the build tree
# (tests/integration/html_browser.png, html_browser_rss.png) for people to look at.
# Skipped (77) without /usr/bin/chromium (or $HEAPWISE_CHROMIUM).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
CHROMIUM=${HEAPWISE_CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "SKIP: no $CHROMIUM"; exit 77; }
SHOT="$top_builddir/tests/integration/html_browser.png"
SHOT_RSS="$top_builddir/tests/integration/html_browser_rss.png"

# chromium ARGS...: headless, offline, a fresh profile; its noise goes to $T/chromium.log.
chromium() {
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run \
        --user-data-dir="$(mktemp -d "$T/profile.XXXXXX")" --virtual-time-budget=2000 \
        "$@" 2>>"$T/chromium.log"
}

hw_json --html="$T/report.html" "$top_builddir/demo/demo"
expect_eq "$rc" 0 "exit status"
peak=$(json "r['processes'][0]['summary']['peak_bytes']")
chromium --dump-dom "file://$T/report.html" >"$T/dom.html" || fail "chromium --dump-dom failed"
expect_grep '<body data-rendered="yes">' "$T/dom.html"
# attr NAME CLASS: the value of data-NAME of the element of class CLASS in the DOM.
attr() { sed -n "s/.*class=\"$2\" data-$1=\"\([0-9]*\)\".*/\1/p" "$T/dom.html" | head -n 1; }
points=$(attr points chart-svg)
[ "${points:-0}" -gt 1 ] || fail "the chart has no points ($points)"
expect_eq "$(attr bytes peak-marker)" "$peak" "the chart's peak"
# The heap has a bytes scale of its own (the RSS, megabytes, would flatten a few KiB of
# heap): its peak is drawn at the top of the plot (y = 40 in the 330-high view box).
expect_eq "$(sed -n 's/.*<circle[^>]* cy="\([0-9.]*\)"[^>]*class="peak-marker".*/\1/p' \
    "$T/dom.html" | head -n 1)" 40 "the heap's peak at the top of its chart"
grep -q "peak [0-9.]* [KMG]*i*B at" "$T/dom.html" || fail "no peak label"
frames=$(attr frames flame-svg)
[ "${frames:-0}" -gt 2 ] || fail "the flame graph has no frames ($frames)"
for f in add_setting grow_log; do
    grep -q "<tr class=\"leak definitely_lost\">.*<span class=\"fn\">$f</span>" "$T/dom.html" ||
        fail "leak table does not list $f"
done
rm -f "$SHOT" "$SHOT_RSS"
chromium --screenshot="$SHOT" --window-size=1280,2000 "file://$T/report.html" >/dev/null ||
    fail "chromium --screenshot failed"
[ -s "$SHOT" ] || fail "no screenshot"
echo "screenshot: $SHOT"

# The resident set size is the chart's second line: a program holding 64 MiB for 200 ms
# (tests/progs/rss_touch) has an RSS line of many points whose peak is the JSON report's.
rm -f "$T"/*.trace
hw_json --html="$T/rss.html" "$PROGS/rss_touch"
expect_eq "$rc" 0 "rss_touch exit status"
rss=$(json "r['processes'][0]['summary']['peak_rss_bytes']")
chromium --dump-dom "file://$T/rss.html" >"$T/dom.html" || fail "chromium --dump-dom failed"
expect_grep '<body data-rendered="yes">' "$T/dom.html"
points=$(attr points line-rss)
[ "${points:-0}" -ge 10 ] || fail "the RSS line has ${points:-no} points"
# within NAME CLASS: data-NAME of the element of class CLASS, anywhere in its tag.
within() { sed -n "s/.*class=\"$2\"[^>]* data-$1=\"\([0-9]*\)\".*/\1/p" "$T/dom.html" | head -n 1; }
expect_eq "$(within rss-points chart-svg)" "$points" "the chart's count of RSS points"
expect_eq "$(within rss-peak-bytes chart)" "$rss" "the RSS line's peak"
chromium --screenshot="$SHOT_RSS" --window-size=1280,1250 "file://$T/rss.html" >/dev/null ||
    fail "chromium --screenshot failed"
[ -s "$SHOT_RSS" ] || fail "no screenshot"
echo "screenshot: $SHOT_RSS"
exit 0
