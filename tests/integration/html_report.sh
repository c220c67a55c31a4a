# heapwise run --html=FILE on the demo: one self-contained page, bounded, whose numbers
# are the JSON report's (the browser test, html_browser.sh, checks what the script draws).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

hw_json --html="$T/report.html" "$top_builddir/demo/demo"
expect_eq "$rc" 0 "exit status"
H="$T/report.html"
[ -s "$H" ] || fail "no HTML report written"
peak=$(json "r['processes'][0]['summary']['peak_bytes']")
expect_grep "<td id=\"peak-0\"><span data-bytes=\"$peak\"" "$H"
for f in add_setting grow_log; do
    grep -q "<tr class=\"leak definitely_lost\">.*<span class=\"fn\">$f</span>" "$H" ||
        fail "leak table does not list $f"
done
# C++ names are escaped in the tables and in the script's data
expect_grep "std::allocator&lt;char&gt;" "$H"
grep -q 'std::allocator<char>' "$H" && fail "an unescaped C++ name in the page"
# self-contained: nothing is loaded from anywhere
grep -Eqi '<(script|link|img)[^>]* (src|href)=' "$H" && fail "the page loads an external resource"
python3 -c 'import json,re,sys
t = open(sys.argv[1]).read()
d = json.loads(re.search(r"<script type=\"application/json\" id=\"heapwise-data\">(.*?)</script>", t, re.S).group(1))
tl = d["processes"][0]["timeline"]
assert 0 < len(tl) <= 2000, len(tl)
assert max(p[1] for p in tl) == int(sys.argv[2]), "the series lost the peak"
assert d["processes"][0]["flame"]["leaked"]["stacks"], "no leaked stacks"
' "$H" "$peak" || fail "the page's data"
# `heapwise report --html` writes the same page from the trace
"$HW" report --html="$T/again.html" "$T"/*.trace >/dev/null 2>&1 || fail "heapwise report --html"
expect_grep "<td id=\"peak-0\"><span data-bytes=\"$peak\"" "$T/again.html"
"$HW" report --html=/nonexistent/dir/x.html "$T"/*.trace >/dev/null 2>"$T/stderr" && fail "unwritable --html accepted"
expect_grep "heapwise report: /nonexistent/dir/x.html: No such file or directory" "$T/stderr"
exit 0
