# Trace files are created new (O_EXCL, never through a symlink) with mode 0600. Anything
# already at the path is refused with one warning line, and the program runs on
# unrecorded with the same output and exit status; so does an unwritable directory.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
SHIM="$top_builddir/.libs/libheapwise.so"

# preloaded OUTPUT: the shim alone on leak_c (stdout "leak_c: 1", exit 7).
preloaded() {
    rc=0
    HEAPWISE_OPTIONS="output=$1" LD_PRELOAD="$SHIM" "$PROGS/leak_c" \
        >"$T/stdout" 2>"$T/stderr" || rc=$?
    expect_eq "$rc" 7 "exit status unchanged"
    expect_eq "$(cat "$T/stdout")" "leak_c: 1" "stdout unchanged"
    expect_eq "$(wc -l <"$T/stderr")" 1 "one warning line"
}

hw_run "$PROGS/noleak"
expect_eq "$(stat -c %a "$T"/heapwise.noleak.*.trace)" 600 "mode of a trace"

echo secret >"$T/target"
ln -s "$T/target" "$T/link.trace"
preloaded "$T/link.trace"
expect_grep "is a symbolic link: not followed" "$T/stderr"
expect_eq "$(cat "$T/target")" secret "the symlink's target is untouched"

echo "not a trace" >"$T/plain.trace"
preloaded "$T/plain.trace"
expect_grep "exists and is not a heapwise trace: not overwritten" "$T/stderr"
expect_eq "$(cat "$T/plain.trace")" "not a trace" "the file is untouched"

mkdir "$T/ro"
chmod 500 "$T/ro"
if [ "$(id -u)" = 0 ]; then ro=/proc/self/fdinfo; else ro="$T/ro"; fi
preloaded "$ro"
expect_grep "cannot create the trace" "$T/stderr"

# heapwise run with a fixed output file replaces its own earlier trace there.
hw_run -o "$T/fixed.trace" "$PROGS/noleak"
hw_run -o "$T/fixed.trace" "$PROGS/noleak"
expect_eq "$rc" 0 "second run over the same fixed trace"
expect_grep "leaked: 0 bytes in 0 blocks" "$T/stderr"
exit 0
