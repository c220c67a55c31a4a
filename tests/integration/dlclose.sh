# A leak made inside a plugin that is dlclose'd before exit still symbolises.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

hw_json "$PROGS/dlclose_leak" "$PROGS/.libs/plugin.so"
expect_eq "$rc" 0 "exit status"
P='r["processes"][0]'
expect_eq "$(json "$P['summary']['leaked_bytes']")" 77 "leaked bytes"
expect_eq "$(json "$P['leaks'][0]['stack'][0]['function']")" plugin_leak "function in the unloaded plugin"
expect_eq "$(json "$P['leaks'][0]['stack'][0]['line']")" "$(line_of plugin.c plugin_leak)" "line"
expect_eq "$(json "$P['leaks'][0]['stack'][0]['module'].endswith('plugin.so')")" True "module"
expect_eq "$(json "$P['leaks'][0]['stack'][1]['function']")" main "caller"
exit 0
