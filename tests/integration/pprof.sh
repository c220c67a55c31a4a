# heapwise run|report --pprof=FILE: a gzipped pprof profile (perftools.profiles.Profile)
# that protoc decodes, with heapwise's profile.proto and, when installed, with pprof's own
# (golang-github-google-pprof-dev) to the same text: the field numbers are pprof's. Its
# sums are the JSON report's (inuse_space: every leak listed, all classes), the leaking
# functions are in it, inlined functions are Lines of one Location, innermost first.
# Skipped (77) without protoc (Debian: protobuf-compiler).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
command -v protoc >/dev/null || { echo "SKIP: no protoc"; exit 77; }
PROTO_DIR="$top_srcdir/src/analyze"
UPSTREAM_DIR=/usr/share/gocode/src/github.com/google/pprof/proto

# decode PROFILE: protoc's text of the gunzipped PROFILE into PROFILE.txt (and checks that
# pprof's own profile.proto, when there, decodes it to the same text).
decode() {
    gzip -t "$1" || fail "$1 is not gzip"
    gzip -dc "$1" | protoc --decode=perftools.profiles.Profile --proto_path="$PROTO_DIR" \
        profile.proto >"$1.txt" 2>"$T/protoc.err" || fail "protoc --decode: $(cat "$T/protoc.err")"
    if [ -f "$UPSTREAM_DIR/profile.proto" ]; then
        gzip -dc "$1" | protoc --decode=perftools.profiles.Profile --proto_path="$UPSTREAM_DIR" \
            profile.proto >"$1.upstream.txt" || fail "protoc with pprof's profile.proto"
        cmp -s "$1.txt" "$1.upstream.txt" || fail "pprof's profile.proto decodes it otherwise"
    fi
}

# check PROFILE ARGS...: tests/integration/pprof_check.py on it and the JSON report.
check() {
    python3 "$top_srcdir/tests/integration/pprof_check.py" "$1.txt" "$T/report.json" "${@:2}" \
        >"$T/check.out" || fail "pprof_check.py $*"
}

# Every leak class: inuse_space = leaked (definite + indirect) + possibly lost + reachable.
hw_json --pprof="$T/classes.pb.gz" "$PROGS/leak_classes"
expect_eq "$rc" 0 "exit status"
decode "$T/classes.pb.gz"
check "$T/classes.pb.gz" make_node lose_list lose_cycle hold_on_stack
expect_eq "$(json "sum(l['bytes'] for l in r['processes'][0]['leaks'])")" 780 "the leaks listed"
grep -qxF 'string_table: "inuse_space"' "$T/classes.pb.gz.txt" || fail "no inuse_space"
# report --pprof from the trace: the same bytes (gzip's header carries no time)
"$HW" report --pprof="$T/again.pb.gz" "$T"/heapwise.leak_classes.*.trace >/dev/null 2>&1 ||
    fail "heapwise report --pprof"
cmp -s "$T/classes.pb.gz" "$T/again.pb.gz" || fail "report --pprof wrote another profile"
rm -f "$T"/*.trace

# The demo: optimised, with C and C++ functions inlined into their callers.
hw_json --pprof="$T/demo.pb.gz" "$top_builddir/demo/demo"
decode "$T/demo.pb.gz"
check "$T/demo.pb.gz" add_setting grow_log --inline add_setting demo_load_config --inline \
    'demo::Cache::insert(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&)' \
    demo_fill_cache
read -r _ inline _ mangled <"$T/check.out"
echo "demo: $inline locations with inlined functions, $mangled mangled names"
[ "$inline" -ge 2 ] && [ "$mangled" -ge 1 ] || fail "inline/mangled: $(cat "$T/check.out")"
grep -q '^  build_id: [0-9]' "$T/demo.pb.gz.txt" || fail "no mapping with a build-id"
rm -f "$T"/*.trace

# A forked child: one profile, a pid label per process.
hw_json --pprof="$T/fork.pb.gz" "$PROGS/fork_child"
decode "$T/fork.pb.gz"
check "$T/fork.pb.gz"
expect_eq "$(json "len(r['processes'])")" 2 "processes"
rm -f "$T"/*.trace

"$HW" run -o "$T" --pprof=/nonexistent/dir/p.pb.gz "$PROGS/leak_c" >/dev/null 2>"$T/stderr" &&
    fail "unwritable --pprof accepted"
expect_grep "heapwise run: /nonexistent/dir/p.pb.gz: No such file or directory" "$T/stderr"
rc=0
"$HW" report --pprof= "$T"/*.trace >/dev/null 2>"$T/stderr" || rc=$?
expect_eq "$rc" 2 "empty --pprof"
expect_grep "heapwise report: --pprof: no file name given" "$T/stderr"
exit 0
