# 8 threads x 20000 malloc/free pairs: every event recorded, one leak per thread.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

hw_json "$PROGS/threads"
expect_eq "$rc" 0 "exit status"
expect_eq "$(cat "$T/stdout")" "threads: done" "stdout"
P='r["processes"][0]'
expect_eq "$(json "$P['summary']['leaked_bytes']")" 128 "leaked bytes"
expect_eq "$(json "$P['summary']['leaked_blocks']")" 8 "leaked blocks"
expect_eq "$(json "$P['summary']['allocations'] >= 8 * 20001")" True "allocations"
expect_eq "$(json "$P['summary']['frees'] >= 8 * 20000")" True "frees"
expect_eq "$(json "$P['summary'].get('dropped', 0)")" 0 "nothing dropped"
expect_eq "$(json "$P['leaks'][0]['stack'][0]['function']")" work "leak site"

# Every thread ends with pthread_exit, main first (tests/progs/pthread_exit_all.c): the
# writer thread must not keep the process alive, and the exit scan runs on a thread whose
# main thread is gone (its /proc/self/maps reads empty). memcheck's numbers; the unjoined
# thread A's TLS still holds its block.
rc=0
timeout 120 "$HW" run -o "$T" --json --log-file "$T/report.json" "$PROGS/pthread_exit_all" \
    >"$T/stdout" 2>"$T/stderr" || rc=$?
expect_eq "$rc" 0 "pthread_exit_all: exit status (124: it did not end)"
expect_eq "$(cat "$T/stdout")" "pthread_exit_all: main leaves" "pthread_exit_all: stdout"
S="$P['summary']"
expect_eq "$(json "[$S[k + '_blocks'] for k in ('definitely_lost', 'indirectly_lost', 'still_reachable')]")" \
    "[1, 0, 2]" "pthread_exit_all: blocks per class"
expect_eq "$(json "[$S[k + '_bytes'] for k in ('definitely_lost', 'indirectly_lost', 'still_reachable')]")" \
    "[40, 0, 40]" "pthread_exit_all: bytes per class"
expect_eq "$(json "sorted((l['kind'], l['stack'][0]['function']) for l in $P['leaks'] if l['kind'] != 'possibly_lost')")" \
    "[('definitely_lost', 'thread_b'), ('still_reachable', 'thread_a'), ('still_reachable', 'thread_b')]" \
    "pthread_exit_all: leak sites"
# the TLS vectors of A and B, as memcheck (larger here: heapwise's own TLS)
expect_eq "$(json "[any(f['function'] == '_dl_allocate_tls' for f in l['stack']) for l in $P['leaks'] if l['kind'] == 'possibly_lost']")" \
    "[True, True]" "pthread_exit_all: possibly lost TLS vectors"
expect_eq "$(json "$S['possibly_lost_blocks']")" 2 "pthread_exit_all: possibly lost blocks"
exit 0
