# Drop-in for test suites: --suppressions (LeakSanitizer's format, leaks and heap errors),
# --gen-suppressions round trips, --leak-kinds for --error-exitcode, --quiet, and
# --flamegraph's collapsed stacks, with exact counts, bytes and exit codes.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
P='r["processes"][0]'
S="$P['summary']"

# rules FILE: the rule lines of a --gen-suppressions report (comments and report dropped).
rules() { grep -v -e '^==' -e '^#' "$1"; }

# --- leaks: generate, feed back, nothing left -------------------------------------------
hw_run --error-exitcode=7 --gen-suppressions "$PROGS/leak_classes"
expect_eq "$rc" 7 "leaks fail the run"
expect_eq "$(rules "$T/stderr")" 'leak:^make_node$' "one rule for the 5 lost stacks"
expect_grep "# 16 bytes in 1 blocks definitely lost" "$T/stderr"
grep -v '^==' "$T/stderr" >"$T/gen.supp"
hw_json --error-exitcode=7 --suppressions="$T/gen.supp" "$PROGS/leak_classes"
expect_eq "$rc" 0 "suppressed leaks do not fail the run"
# (possibly lost: the 64-byte block and the parked thread's TLS vector, as memcheck says)
expect_eq "$(json "($S['leaked_bytes'], $S['leaked_blocks'], sorted(l['kind'] for l in $P['leaks']))")" \
    "(0, 0, ['possibly_lost', 'possibly_lost', 'still_reachable', 'still_reachable'])" \
    "nothing lost is left (JSON lists every class)"
expect_eq "$(json "($S['suppressed_bytes'], $S['suppressed_blocks'], $S['suppressed_errors'])")" \
    "(112, 7, 0)" "summary of what was suppressed"
expect_eq "$(json "$P['suppressions']")" \
    "[{'rule': 'leak:^make_node\$', 'file': '$T/gen.supp', 'line': 2, 'count': 7, 'bytes': 112}]" \
    "the rule's tally"
expect_eq "$(json "($S['definitely_lost_bytes'], $S['indirectly_lost_bytes'], $S['possibly_lost_blocks'])")" \
    "(0, 0, 2)" "suppressed blocks leave their classes"

# --- text report, two files, rules by caller and by file:line-free function names -----
printf '# known leaks\n\n  leak:lose_list  \n' >"$T/a.supp"
printf 'leak:^lose_cycle$\nleak:never_matches\n' >"$T/b.supp"
hw_run --suppressions="$T/a.supp" --suppressions "$T/b.supp" "$PROGS/leak_classes"
expect_eq "$rc" 0 "exit status"
expect_grep "==   suppressed: 112 bytes in 7 blocks, 0 errors" "$T/stderr"
expect_grep "==            4         64  leak:lose_list ($T/a.supp:3)" "$T/stderr"
expect_grep "==            3         48  leak:^lose_cycle\$ ($T/b.supp:1)" "$T/stderr"
grep -q never_matches "$T/stderr" && fail "a rule that took nothing is listed"
expect_grep "leaked: 0 bytes in 0 blocks" "$T/stderr"

# --- --leak-kinds: which classes fail the run (and are listed) ---------------------------
for k in definite,indirect:0 possible:7 reachable:7 all:7 none:0; do
    hw_run --error-exitcode=7 --suppressions="$T/gen.supp" --leak-kinds="${k%:*}" "$PROGS/leak_classes"
    expect_eq "$rc" "${k#*:}" "--leak-kinds=${k%:*} after suppressions"
done
hw_run --error-exitcode=7 --leak-kinds=none "$PROGS/leak_classes"
expect_eq "$rc" 0 "--leak-kinds=none: leaks never fail the run"
hw_run --leak-kinds=reachable "$PROGS/leak_classes"
expect_grep "200 bytes in 1 blocks are still reachable, allocated at:" "$T/stderr"
hw_run --leak-kinds=definite,bogus "$PROGS/leak_classes"
expect_eq "$rc" 2 "unknown leak kind"
expect_eq "$(cat "$T/stdout")" "" "the program did not run"

# --- a bad line: one clear message with file:line, exit 2, the program not run ---------
printf 'leak:ok\n# fine\nlek:make_node\n' >"$T/bad.supp"
hw_run --suppressions="$T/bad.supp" "$PROGS/leak_classes"
expect_eq "$rc" 2 "bad suppressions file"
expect_eq "$(cat "$T/stderr")" "heapwise run: $T/bad.supp:3: unknown suppression kind 'lek' (known: leak, double_free, invalid_free, mismatched_free, header_corruption, overflow, write_after_free, pool_double_free, pool_invalid_free, pool_double_alloc, pool_invalid_pool)" \
    "one-line message"
expect_eq "$(cat "$T/stdout")" "" "the program did not run"
hw_run --suppressions="$T/missing.supp" "$PROGS/leak_classes"
expect_eq "$rc:$(cat "$T/stderr")" "2:heapwise run: $T/missing.supp: No such file or directory" \
    "missing suppressions file"

# --- C++: mangled and demangled names -----------------------------------------------------
echo 'leak:_ZN3app11make_widgetEv' >"$T/cxx.supp"
hw_json --suppressions="$T/cxx.supp" "$PROGS/leak_cxx"
expect_eq "$(json "($S['leaked_bytes'], $S['suppressed_bytes'], [l['bytes'] for l in $P['leaks']])")" \
    "(40, 24, [40])" "a mangled name suppresses new Widget"
hw_run --gen-suppressions "$PROGS/leak_cxx"
expect_eq "$(rules "$T/stderr" | sort | tr '\n' ' ')" 'leak:^app::make_array()$ leak:^app::make_widget()$ ' \
    "demangled rules"

# --- heap errors: every kind the error programs produce round-trips ---------------------
for prog in err_double_free err_invalid_free err_corrupt err_mismatch err_cxx_kinds; do
    hw_run --error-exitcode=9 --gen-suppressions "$PROGS/$prog"
    expect_eq "$rc" 9 "$prog fails the run"
    grep -v '^==' "$T/stderr" >"$T/$prog.supp"
    hw_json --error-exitcode=9 --suppressions="$T/$prog.supp" "$PROGS/$prog"
    expect_eq "$rc" 0 "$prog: generated suppressions give a clean run"
    expect_eq "$(json "($S['errors'], len($P['errors']), $S['leaked_blocks'])")" "(0, 0, 0)" \
        "$prog: nothing left"
done
expect_eq "$(rules "$T/err_double_free.supp")" 'double_free:^release_twice$' "double free rule"
hw_json --suppressions="$T/err_double_free.supp" "$PROGS/err_double_free"
expect_eq "$(json "($S['suppressed_errors'], [(s['rule'], s['count'], s['bytes']) for s in $P['suppressions']])")" \
    "(1, [('double_free:^release_twice\$', 1, 0)])" "error tally"
echo 'leak:release_twice' >"$T/wrongkind.supp"
hw_run --error-exitcode=9 --suppressions="$T/wrongkind.supp" "$PROGS/err_double_free"
expect_eq "$rc" 9 "a leak: rule does not suppress a double free"
echo 'double_free:make_block' >"$T/alloc.supp"
hw_run --error-exitcode=9 --suppressions="$T/alloc.supp" "$PROGS/err_double_free"
expect_eq "$rc" 0 "an error is matched on its allocation stack too"

# --- --quiet --------------------------------------------------------------------------------
hw_run --quiet "$PROGS/noleak"
expect_eq "$rc:$(cat "$T/stderr")" "0:" "--quiet: no report when nothing was found"
hw_run --quiet --suppressions="$T/gen.supp" "$PROGS/leak_classes"
expect_eq "$(cat "$T/stderr")" "" "--quiet: nothing left after suppressions"
hw_run --quiet "$PROGS/leak_classes"
expect_grep "leaked: 112 bytes in 7 blocks" "$T/stderr"

# --- --flamegraph: collapsed stacks, leaked bytes by default ----------------------------
hw_run --flamegraph --log-file="$T/flame" "$PROGS/leak_classes"
expect_eq "$(cat "$T/flame")" "main;lose_cycle;make_node 48
main;lose_list;make_node 64" "leaked bytes per stack (definitely + indirectly lost)"
trace=$(ls "$T"/heapwise.leak_classes.*.trace | tail -n 1)
"$HW" report --flamegraph "$trace" >"$T/flame2" || fail "report --flamegraph"
cmp -s "$T/flame" "$T/flame2" || fail "report and run write the same stacks"
"$HW" report --flamegraph=allocated "$trace" >"$T/alloc" || fail "report --flamegraph=allocated"
expect_grep "main;lose_list;make_node 64" "$T/alloc"
expect_grep "main 164" "$T/alloc"
grep -q ";hold_on_stack 200\$" "$T/alloc" || fail "the thread's block in --flamegraph=allocated"
hw_run --flamegraph --log-file="$T/flamecxx" "$PROGS/leak_cxx"
expect_eq "$(cat "$T/flamecxx")" "main;app::make_array() 40
main;app::make_widget() 24" "demangled frames"
"$HW" report --json --flamegraph "$trace" >/dev/null 2>&1 && fail "--json with --flamegraph accepted"
exit 0
