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
exit 0
