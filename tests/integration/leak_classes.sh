# Leak classes from the reachability scan at exit, with memcheck's numbers (see
# tests/progs/leak_classes.c).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
S='r["processes"][0]["summary"]'
L='r["processes"][0]["leaks"]'

# expect_classes LABEL CLASS:BYTES:BLOCKS...: the summary's totals per class.
expect_classes() {
    label=$1
    shift
    for c in "$@"; do
        k=${c%%:*} rest=${c#*:}
        expect_eq "$(json "($S['${k}_bytes'], $S['${k}_blocks'])")" "(${rest%%:*}, ${rest#*:})" \
            "$label $k"
    done
}

hw_json "$PROGS/leak_classes"
expect_eq "$rc" 0 "exit status"
expect_eq "$(cat "$T/stdout")" "leak_classes: done" "stdout"
expect_eq "$(json "$S['leak_scan']")" True "a scan ran"
expect_classes leak_classes definitely_lost:32:2 indirectly_lost:80:5 still_reachable:300:2
# possibly lost, as memcheck: the 64-byte block, and the live thread's TLS vector (the
# thread control block points 16 bytes into it); its size depends on the modules with TLS
# loaded (memcheck: 272 bytes; heapwise's own TLS makes it larger)
expect_eq "$(json "sorted((l['bytes'], l['stack'][0]['function']) for l in $L if l['kind'] == 'possibly_lost')[0]")" \
    "(64, 'main')" "possibly lost: the block only an interior pointer reaches"
expect_eq "$(json "[any(f['function'] == '_dl_allocate_tls' for f in l['stack']) for l in $L if l['kind'] == 'possibly_lost' and l['bytes'] != 64]")" \
    "[True]" "possibly lost: the live thread's TLS vector"
expect_eq "$(json "$S['possibly_lost_blocks']")" 2 "possibly lost blocks"
expect_eq "$(json "($S['leaked_bytes'], $S['leaked_blocks'])")" "(112, 7)" "leaked = definitely + indirectly lost"
expect_eq "$(json "sorted({l['stack'][0]['function'] for l in $L if l['kind'] in ('definitely_lost', 'indirectly_lost')})")" \
    "['make_node']" "lost blocks come from make_node"
expect_eq "$(json "[l['stack'][0]['function'] for l in $L if l['kind'] == 'still_reachable' and l['bytes'] == 200]")" \
    "['hold_on_stack']" "the block on the parked thread's stack is reachable"

# memcheck's attribution: each indirect group comes right after the definite block holding
# it, which counts it ("64 (16 direct, 48 indirect) bytes": the list head and 3 nodes).
expect_eq "$(json "[(l['kind'][:5], l['bytes'], l.get('indirect_bytes'), l.get('held_by')) for l in $L if 'lost' in l['kind'] and l['kind'] != 'possibly_lost']")" \
    "[('defin', 16, 48, None), ('indir', 48, None, 0), ('defin', 16, 32, None), ('indir', 16, None, 2), ('indir', 16, None, 2)]" \
    "indirect leaks under their holders"

hw_run "$PROGS/leak_classes"
expect_grep "64 (16 direct, 48 indirect) bytes in 1 blocks are definitely lost, allocated at:" "$T/stderr"
expect_grep "48 bytes in 3 blocks are indirectly lost (held by the definitely lost blocks above)" "$T/stderr"
expect_grep "definitely lost: 32 bytes in 2 blocks" "$T/stderr"
expect_grep "still reachable: 300 bytes in 2 blocks" "$T/stderr"
expect_grep "leaked: 112 bytes in 7 blocks" "$T/stderr"
grep -q "are still reachable" "$T/stderr" && fail "reachable blocks listed without --show-reachable"
hw_run --show-reachable "$PROGS/leak_classes"
expect_grep "200 bytes in 1 blocks are still reachable, allocated at:" "$T/stderr"

# Roots memcheck has too (tests/progs/leak_roots.c): an anonymous mmap keeps its block;
# joined threads' results and TLS are lost at exit (freeres unmaps their cached stacks
# before memcheck looks), and so is a string given to putenv (freeres clears the
# environment), but all are seen on demand before that.
hw_json "$PROGS/leak_roots"
expect_eq "$rc:$(cat "$T/stdout")" "0:on demand: 0" "exit status and on-demand check"
expect_classes leak_roots definitely_lost:278:9 indirectly_lost:0:0 possibly_lost:0:0 \
    still_reachable:48:1
expect_eq "$(json "sorted({l['stack'][0]['function'] for l in $L if l['kind'] == 'definitely_lost' and l['bytes'] != 22})")" \
    "['work']" "the joined threads' blocks are lost"
expect_eq "$(json "[[f['line'] for f in l['stack'] if f['function'] == 'main'] for l in $L if l['kind'] == 'definitely_lost' and l['bytes'] == 22]")" \
    "[[$(line_of leak_roots.c putenv)]]" "the putenv string is lost"
expect_eq "$(json "[l['stack'][0]['line'] for l in $L if l['kind'] == 'still_reachable']")" \
    "[$(line_of leak_roots.c in_mmap)]" "the mmap'd pointer's block is reachable"

# A thread blocked in a system call (tests/progs/thread_blocked.c): what lies just below its
# stack pointer is dead frames' words (heapwise's malloc left the dropped pointer there),
# not a red zone in use: the dropped block is lost, as memcheck says.
hw_json "$PROGS/thread_blocked"
expect_eq "$rc:$(cat "$T/stdout")" "0:thread_blocked: done" "thread_blocked: exit status and stdout"
expect_classes thread_blocked definitely_lost:19:1 indirectly_lost:0:0 still_reachable:512:1
expect_eq "$(json "sorted((l['kind'], l['stack'][0]['line']) for l in $L if l['kind'] != 'possibly_lost')")" \
    "[('definitely_lost', $(line_of thread_blocked.c drop)), ('still_reachable', $(line_of thread_blocked.c kept))]" \
    "thread_blocked: leak sites"

# A root in a mapping the kernel merged with the allocator's mapping of a big block: the
# mapping is scanned around the block (tests/progs/leak_merged.c).
hw_json "$PROGS/leak_merged"
expect_eq "$rc" 0 "leak_merged exit status"
expect_classes "leak_merged ($(cat "$T/stdout"))" definitely_lost:1048576:1 still_reachable:40:1

# memcheck's heuristics: interior pointers C++ keeps (new[] cookie, second base, the text of
# a copy-on-write string) and a 64-bit length prefix count as start pointers; a plain
# interior pointer does not.
hw_json "$PROGS/leak_heuristics"
expect_eq "$rc:$(cat "$T/stdout")" "0:leak_heuristics: done" "exit status and stdout"
expect_classes leak_heuristics definitely_lost:0:0 indirectly_lost:0:0 possibly_lost:64:1 \
    still_reachable:161:4

# A million live blocks: all reachable (the scan's time is in the closing note, not here).
hw_json "$PROGS/many_live"
expect_eq "$(json "($S['still_reachable_blocks'], $S['definitely_lost_blocks'])")" "(1000001, 0)" "1M reachable blocks"
exit 0
