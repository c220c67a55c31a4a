# A program that execs keeps its pid: `heapwise run` reports the image that ran last
# (the one whose status it waited for), whatever the file clock's resolution.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

hw_json "$PROGS/exec_self"
expect_eq "$rc" 0 "exit status"
P='r["processes"][0]'
expect_eq "$(json "$P['argv'][1:]")" "['child']" "the exec'd image"
expect_eq "$(json "$P['end']")" exit "end"
expect_eq "$(json "$P['summary']['leaked_bytes']")" 22 "the child's leak"
exit 0
