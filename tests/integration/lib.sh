# Shared helpers of the integration tests (sourced). Each test runs programs from
# tests/progs under `heapwise run`, in a temporary directory removed at exit.
set -u
HW="$top_builddir/heapwise"
PROGS="$top_builddir/tests/progs"
SRC="$top_srcdir/tests/progs"
T=$(mktemp -d "${TMPDIR:-/tmp}/hw-test.XXXXXX")
trap 'rm -rf "$T"' EXIT

fail() {
    echo "FAIL: $*" >&2
    for f in "$T"/stdout "$T"/stderr; do
        [ -f "$f" ] && { echo "--- $f" >&2; head -c 6000 "$f" >&2; }
    done
    exit 1
}

# hw_run ARGS...: heapwise run -o $T ARGS; sets $rc, fills $T/stdout and $T/stderr.
hw_run() {
    rc=0
    "$HW" run -o "$T" "$@" >"$T/stdout" 2>"$T/stderr" || rc=$?
}

# hw_json ARGS...: as hw_run, with the JSON report in $T/report.json.
hw_json() {
    rc=0
    "$HW" run -o "$T" --json --log-file "$T/report.json" "$@" >"$T/stdout" 2>"$T/stderr" || rc=$?
    [ -s "$T/report.json" ] || fail "no JSON report written"
}

# json EXPR: evaluate a Python expression over the parsed report bound to `r`.
json() {
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
        "$T/report.json" "$1" || fail "cannot evaluate $1 on the JSON report"
}

expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }

expect_grep() { grep -qF -- "$1" "$2" || fail "'$1' not found in $2"; }

# line_of FILE MARK: line number of the "MARK:name" comment in a test program.
line_of() { grep -n "MARK:$2\b" "$SRC/$1" | head -n 1 | cut -d: -f1; }
