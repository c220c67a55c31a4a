# A program that execs keeps its pid: `heapwise run` reports the image that ran last
# (the one whose status it waited for), whatever the file clock's resolution, and the
# earlier image's trace is kept, not overwritten.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

hw_json "$PROGS/exec_self"
expect_eq "$rc" 0 "exit status"
P='r["processes"][0]'
expect_eq "$(json "$P['argv'][1:]")" "['child']" "the exec'd image"
expect_eq "$(json "$P['end']")" exit "end"
expect_eq "$(json "$P['summary']['leaked_bytes']")" 22 "the child's leak"

# The image before the exec keeps its own trace, moved aside under a "~1" name.
expect_eq "$(cd "$T" && ls heapwise.*.trace | tr '\n' ' ')" \
    "heapwise.exec_self.$(json "r['processes'][0]['pid']").trace heapwise.exec_self~1.$(json "r['processes'][0]['pid']").trace " \
    "one trace per program image"
"$HW" report --json "$T" >"$T/report.json" 2>/dev/null
expect_eq "$(json "sorted(p['summary']['leaked_bytes'] for p in r['processes'])")" "[11, 22]" \
    "both images reported"
exit 0
