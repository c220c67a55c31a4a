# The README's demo: leaks from C and C++ call sites, named with file:line.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

hw_json "$top_builddir/demo/demo"
expect_eq "$rc" 0 "exit status"
expect_eq "$(cat "$T/stdout")" "demo: loaded 4 options, cached 3 entries" "stdout"
P='r["processes"][0]'
funcs=$(json "sorted({f['function'] for l in $P['leaks'] for f in l['stack'] if f['function']})")
for f in add_setting grow_log "demo::Cache::insert(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&)" demo_fill_cache; do
    case "$funcs" in *"'$f'"*) ;; *) fail "function $f not in the leak stacks: $funcs" ;; esac
done
expect_eq "$(json "all(l['stack'][0]['file'] for l in $P['leaks'])")" True "every leak has file:line"
# memcheck on the demo: in use at exit: 755 bytes in 24 blocks; 97 bytes in 2 blocks
# definitely lost, the larger as "140 (24 direct, 116 indirect) bytes".
expect_eq "$(json "($P['summary']['in_use_bytes'], $P['summary']['in_use_blocks'])")" "(755, 24)" "in use at exit"
expect_eq "$(json "[(l['bytes'], l['indirect_bytes']) for l in $P['leaks'] if l['kind'] == 'definitely_lost']")" \
    "[(24, 116), (73, 0)]" "definite leaks and what they hold"
hw_run "$top_builddir/demo/demo"
expect_grep "in use at exit: 755 bytes in 24 blocks; total heap usage:" "$T/stderr"
expect_grep "140 (24 direct, 116 indirect) bytes in 1 blocks are definitely lost" "$T/stderr"
exit 0
