# heapwise diff: two runs of tests/progs/leak_more, the second leaking two blocks more,
# differ at exactly one site (leak_some: +128 leaked, +128 at the peak, +128 allocated).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

mkdir "$T/old" "$T/new"
"$HW" run -o "$T/old" --quiet -- "$PROGS/leak_more" 1 >/dev/null 2>&1 || fail "run 1"
"$HW" run -o "$T/new" --quiet -- "$PROGS/leak_more" 3 >/dev/null 2>&1 || fail "run 3"
old=$(ls "$T"/old/*.trace) new=$(ls "$T"/new/*.trace)

rc=0
"$HW" diff "$old" "$new" >"$T/stdout" 2>"$T/stderr" || rc=$?
expect_eq "$rc" 0 "exit status"
expect_eq "$(sed -n 1p "$T/stdout")" "heapwise diff: $old -> $new" "header"
expect_eq "$(tail -n 1 "$T/stdout")" "1 site changed" "summary"
sed -n 3p "$T/stdout" | grep -Eq '^ +\+128 +\+128 +\+128  main;leak_some$' ||
    fail "the changed site: $(sed -n 3p "$T/stdout")"

"$HW" diff --json "$old" "$new" >"$T/report.json" 2>"$T/stderr" || fail "diff --json"
expect_eq "$(json "[(s['stack'], s['leaked'], s['allocated']['change']) for s in r['sites']]")" \
    "[('main;leak_some', {'old': 64, 'new': 192, 'change': 128}, 128)]" "JSON sites"

"$HW" diff "$old" "$old" >"$T/stdout" 2>&1 || fail "diff of a trace with itself"
expect_eq "$(tail -n 1 "$T/stdout")" "0 sites changed" "no change"
rc=0
"$HW" diff "$old" >/dev/null 2>"$T/stderr" || rc=$?
expect_eq "$rc" 2 "one trace is a usage error"
expect_grep "heapwise diff: two traces expected, OLD and NEW" "$T/stderr"
exit 0
