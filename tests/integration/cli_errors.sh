# Bad input gets one clear line on stderr and a non-zero exit.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

# expect_fail CODE MESSAGE ARGS...: heapwise ARGS exits CODE with MESSAGE on stderr.
expect_fail() {
    code=$1 msg=$2
    shift 2
    rc=0
    "$HW" "$@" >"$T/stdout" 2>"$T/stderr" || rc=$?
    expect_eq "$rc" "$code" "exit status of heapwise $*"
    expect_grep "$msg" "$T/stderr"
}

expect_fail 127 "heapwise run: no-such-program-xyz: command not found" run -- no-such-program-xyz
expect_fail 127 "heapwise run: /nonexistent/prog: No such file or directory" run /nonexistent/prog
printf 'not executable\n' >"$T/plain"
expect_fail 126 "heapwise run: $T/plain: Permission denied" run "$T/plain"
expect_fail 2 "heapwise run: no program given" run
expect_fail 2 "heapwise run: unknown option '--bogus'" run --bogus -- true
expect_fail 2 "heapwise run: --depth: 'x' is not a number from 1 to 256" run --depth=x true
expect_fail 2 "heapwise: unknown command 'frobnicate'" frobnicate
expect_fail 2 "heapwise report: no trace given" report
expect_fail 1 "heapwise report: $T/missing.trace: No such file or directory" report "$T/missing.trace"
expect_fail 1 "heapwise report: $T/plain: not a heapwise trace (bad magic) at byte 0" report "$T/plain"
: >"$T/empty.trace"
expect_fail 1 "heapwise report: $T/empty.trace: truncated header at byte 0 (empty file)" report "$T/empty.trace"
mkdir "$T/nodir"
expect_fail 1 "heapwise report: $T/nodir: no *.trace files in directory" report "$T/nodir"

"$HW" --version | grep -q '^heapwise [0-9]' || fail "--version"
"$HW" --help | grep -q 'run' || fail "--help lists run"
"$HW" run --help | grep -q -- '--output' || fail "run --help"
exit 0
