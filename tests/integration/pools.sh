# Pool annotations (heapwise_pool_*): a fixed-size partition pool (tests/progs/
# pool_partition.c) and a slab-style object cache (tests/progs/pool_slab.c). Exact bytes,
# blocks and pool names of the blocks never given back, the functions and lines of their
# stacks, the pool error kinds and counts with the stacks that explain them, the superblock
# set apart, suppressions by kind, --error-exitcode, a forked child using its parent's
# pool, and the programs run unchanged without heapwise (the annotations are no-ops there).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
P='r["processes"][0]'
S="$P['summary']"
# funcs STACK-EXPR: the function names of a stack.
funcs() { json "[f['function'] for f in $1]"; }

# --- the partition pool: 2 blocks leaked, one given back twice, one foreign pointer -----
hw_json "$PROGS/pool_partition"
expect_eq "$rc" 0 "partition: the program's own status without --error-exitcode"
expect_eq "$(cat "$T/stdout")" "pool_partition: 7 blocks taken" "partition: its output"
expect_eq "$(json "[(l['kind'], l['bytes'], l['blocks'], l['pool']) for l in $P['leaks']]")" \
    "[('pool_not_freed', 64, 2, 'partition')]" \
    "partition: the one leak is the pool's two blocks (the area holding them is not a leak)"
L="$P['leaks'][0]"
expect_eq "$(funcs "$L['stack'][:3]")" "['part_alloc', 'leak_two', 'main']" "partition: leak stack"
expect_eq "$(json "$L['stack'][1]['line']")" "$(line_of pool_partition.c leak_two)" \
    "partition: the leaking line"
expect_eq "$(json "$L['pool_address'] == hex(int($L['pool_address'], 16))")" "True" \
    "partition: the pool's address"
expect_eq "$(json "[(e['kind'], e['count'], e['where'], e['pool']) for e in $P['errors']]")" \
    "[('pool_double_free', 1, 'pool_free', 'partition'), ('pool_invalid_free', 1, 'pool_free', 'partition')]" \
    "partition: the pool errors, in order"
E="$P['errors'][0]"
expect_eq "$(json "sorted($E['stacks'])")" "['alloc', 'call', 'first_free']" "double free: its stacks"
expect_eq "$(funcs "$E['stacks']['call'][:3]")" "['part_free', 'give_back_twice', 'main']" \
    "double free: the second release"
expect_eq "$(json "$E['stacks']['call'][1]['line']")" "$(line_of pool_partition.c give_back_twice)" \
    "double free: its line"
expect_eq "$(funcs "$E['stacks']['first_free'][:2]")" "['part_free', 'main']" \
    "double free: the first release"
expect_eq "$(funcs "$E['stacks']['alloc'][:2]")" "['part_alloc', 'main']" "double free: the allocation"
expect_eq "$(json "($E['size'], $E['address'] == $P['errors'][0]['address'])")" "(32, True)" \
    "double free: the block's size"
E="$P['errors'][1]"
expect_eq "$(json "sorted($E['stacks'])")" "['call']" "foreign free: its stack"
expect_eq "$(funcs "$E['stacks']['call'][:3]")" "['part_free', 'give_back_foreign', 'main']" \
    "foreign free: the call"
expect_eq "$(json "$E['message'].endswith('is not one of its blocks') and $E['size'] is None")" \
    "True" "foreign free: the message"
expect_eq "$(json "($S['errors'], $S['leaked_bytes'], $S['leaked_blocks'], $S['definitely_lost_bytes'])")" \
    "(2, 64, 2, 0)" "partition: summary"
expect_eq "$(json "tuple($S[k] for k in ('pool_allocations', 'pool_frees', 'pool_leaked_bytes', 'pool_leaked_blocks', 'pool_superblock_bytes', 'pool_superblock_blocks', 'pool_destroyed_blocks'))")" \
    "(7, 5, 64, 2, 512, 1, 0)" "partition: pool counters"

hw_run --error-exitcode=23 "$PROGS/pool_partition"
expect_eq "$rc" 23 "partition: the pool findings fail the run"
expect_grep "64 bytes in 2 blocks of pool 'partition' are not freed back to the pool, allocated at:" "$T/stderr"
expect_grep "double free into pool 'partition': the block of 32 bytes at 0x" "$T/stderr"
expect_grep "pool superblocks: 512 bytes in 1 blocks" "$T/stderr"
expect_grep "leaked: 64 bytes in 2 blocks" "$T/stderr"

# Without a leak scan the area would be "leaked" too: it is still set apart.
HEAPWISE_OPTIONS=leak_scan=0 hw_json "$PROGS/pool_partition"
expect_eq "$(json "[(l['kind'], l['bytes']) for l in $P['leaks']]")" "[('pool_not_freed', 64)]" \
    "partition without a scan: the area is not a leak"

# Suppressed by kind: the pool errors and the leak; nothing fails then.
printf 'pool_double_free:give_back_twice\npool_invalid_free:give_back_foreign\nleak:^leak_two$\n' \
    >"$T/pool.supp"
hw_json --error-exitcode=23 --suppressions="$T/pool.supp" "$PROGS/pool_partition"
expect_eq "$rc" 0 "partition: everything suppressed"
expect_eq "$(json "($S['errors'], $S['suppressed_errors'], $S['leaked_bytes'], $S['suppressed_bytes'], len($P['leaks']), len($P['errors']))")" \
    "(0, 2, 0, 64, 0, 0)" "partition: what the rules took"
expect_eq "$(json "[(u['rule'], u['count'], u['bytes']) for u in $P['suppressions']]")" \
    "[('pool_double_free:give_back_twice', 1, 0), ('pool_invalid_free:give_back_foreign', 1, 0), ('leak:^leak_two\$', 2, 64)]" \
    "partition: each rule's tally"
hw_run --error-exitcode=23 --gen-suppressions "$PROGS/pool_partition"
expect_eq "$(grep -v -e '^==' -e '^#' "$T/stderr" | tr '\n' ' ')" \
    'pool_double_free:^part_free$ pool_invalid_free:^part_free$ leak:^part_alloc$ ' \
    "partition: proposed rules"

# Free stacks off: the errors are still found, without the stack of the release.
hw_json --no-free-stacks "$PROGS/pool_partition"
expect_eq "$(json "[(e['kind'], sorted(e['stacks'])) for e in $P['errors']]")" \
    "[('pool_double_free', ['alloc']), ('pool_invalid_free', [])]" "partition: no free stacks"

# --- the slab cache: one object leaked; a destroyed cache takes its objects along -------
hw_json "$PROGS/pool_slab"
expect_eq "$rc" 0 "slab: exit status"
expect_eq "$(cat "$T/stdout")" "pool_slab: 3 inode slabs" "slab: its output"
expect_eq "$(json "[(l['kind'], l['bytes'], l['blocks'], l['pool']) for l in $P['leaks'] if l['kind'] != 'still_reachable']")" \
    "[('pool_not_freed', 48, 1, 'inode_cache')]" "slab: the leaked object, under its cache"
L="[l for l in $P['leaks'] if l['kind'] == 'pool_not_freed'][0]"
expect_eq "$(funcs "$L['stack'][:3]")" "['cache_alloc', 'make_inode', 'main']" "slab: leak stack"
expect_eq "$(json "$L['stack'][1]['line']")" "$(line_of pool_slab.c make_inode)" "slab: the leaking line"
expect_eq "$(json "($S['errors'], len($P['errors']), $S['leaked_bytes'], $S['definitely_lost_bytes'])")" \
    "(0, 0, 48, 0)" "slab: no heap error, nothing else lost"
expect_eq "$(json "tuple($S[k] for k in ('pool_allocations', 'pool_frees', 'pool_leaked_blocks', 'pool_destroyed_bytes', 'pool_destroyed_blocks', 'pool_superblock_blocks'))")" \
    "(13, 10, 1, 96, 2, 1)" "slab: pool counters (two objects went with the scratch cache)"
hw_run --error-exitcode=23 "$PROGS/pool_slab"
expect_eq "$rc" 23 "slab: the leak fails the run"
expect_grep "48 bytes in 1 blocks of pool 'inode_cache' are not freed back to the pool" "$T/stderr"
expect_grep "released by pool destroy: 96 bytes in 2 blocks" "$T/stderr"

# --- fork: the child's trace knows the pool its parent created ---------------------------
hw_json "$PROGS/pool_partition" fork
expect_eq "$rc" 0 "fork: exit status"
expect_eq "$(sort "$T/stdout" | tr '\n' '|')" \
    "pool_partition: child|pool_partition: parent, child exited 0|" "fork: both outputs"
expect_eq "$(json "len(r['processes'])")" 2 "fork: two processes"
C='r["processes"][1]'
expect_eq "$(json "[(e['kind'], e['count']) for e in $P['errors']] + [(l['kind'], l['bytes']) for l in $P['leaks'] if l['kind'] != 'still_reachable']")" \
    "[]" "fork: the parent gave everything back and destroyed the pool"
expect_eq "$(json "[(e['kind'], e['count'], sorted(e['stacks'])) for e in $C['errors']]")" \
    "[('pool_double_free', 1, ['call', 'first_free'])]" \
    "fork: the child's release of an inherited block is valid, the second one is not"
expect_eq "$(json "$C['errors'][0]['stacks']['first_free'][1]['line']")" \
    "$(line_of pool_partition.c child_free)" "fork: the child's first release"
expect_eq "$(json "[(l['kind'], l['bytes'], l['blocks'], l['pool']) for l in $C['leaks'] if l['kind'] != 'still_reachable']")" \
    "[('pool_not_freed', 64, 2, 'partition')]" "fork: the child's own pool leak"

# --- without heapwise: the annotations do nothing, the programs run as before ----------
for prog in pool_partition:"pool_partition: 7 blocks taken" pool_slab:"pool_slab: 3 inode slabs"; do
    rc=0
    env -u LD_PRELOAD -u HEAPWISE_OPTIONS "$PROGS/${prog%%:*}" >"$T/stdout" 2>"$T/stderr" || rc=$?
    expect_eq "$rc:$(cat "$T/stdout"):$(cat "$T/stderr")" "0:${prog#*:}:" "${prog%%:*} without heapwise"
done
exit 0
