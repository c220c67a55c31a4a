# A secure-execution process (AT_SECURE: set-user-ID here) that loads the shim anyway —
# the loader does so for a set-user-ID library in a system directory named without a
# slash in LD_PRELOAD, as it would from /etc/ld.so.preload — finds it passive: it reads
# no HEAPWISE_OPTIONS (a bad key says nothing), writes no trace file even where it could,
# and the program runs as without it. The same library in a process without AT_SECURE
# does trace (the control that shows the library really is loaded and active).
# Needs root (it installs a library into the loader's trusted directory for the test).
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
libdir=
for d in /usr/lib/x86_64-linux-gnu /lib64 /usr/lib64 /usr/lib; do
    [ -d "$d" ] && [ -w "$d" ] && { libdir=$d; break; }
done
[ -n "$libdir" ] || { echo "SKIP: no writable trusted library directory"; exit 77; }
python3 -c 'import os,sys; sys.exit(os.statvfs(sys.argv[1]).f_flag & os.ST_NOSUID)' "$T" ||
    { echo "SKIP: $T is mounted nosuid"; exit 77; }

name="libheapwise-secure-test-$$.so"
trap 'rm -rf "$T"; rm -f "$libdir/$name"' EXIT
cp "$top_builddir/.libs/libheapwise.so" "$libdir/$name" && chmod 4755 "$libdir/$name" ||
    fail "cannot install $libdir/$name"
mkdir -m 1777 "$T/out"
cp "$PROGS/secure_probe" "$T/plain" && cp "$PROGS/secure_probe" "$T/suid" &&
    chown 65534 "$T/suid" && chmod 4755 "$T/suid" || fail "cannot make the set-user-ID copy"
chmod 711 "$T"

# probe PROG OPTIONS: run PROG with the test library preloaded and OPTIONS in the
# environment; sets rc, $T/stdout, $T/stderr.
probe() {
    rc=0
    LD_PRELOAD="$name" HEAPWISE_OPTIONS="$2" "$1" >"$T/stdout" 2>"$T/stderr" || rc=$?
}

# The control: no AT_SECURE, the library is loaded, reads the options, traces.
probe "$T/plain" "output=$T/out/plain.%p.trace:error_exitcode=23"
expect_eq "$(cat "$T/stdout")" "heapwise mapped" "control: the library is loaded"
expect_eq "$rc" 23 "control: env-only mode found the leak"
ls "$T"/out/plain.*.trace >/dev/null 2>&1 || fail "control: no trace written"
probe "$T/plain" "no_such_key=1"
grep -q "no_such_key" "$T/stderr" || fail "control: a bad key is not reported"

# Set-user-ID: loaded, but passive.
probe "$T/suid" "output=$T/out/suid.%p.trace:error_exitcode=23"
expect_eq "$(cat "$T/stdout")" "heapwise mapped" "set-user-ID: the library is loaded"
expect_eq "$rc" 0 "set-user-ID: the program's own exit status"
expect_eq "$(cat "$T/stderr")" "" "set-user-ID: nothing on stderr"
expect_eq "$(ls "$T/out" | grep -c suid)" 0 "set-user-ID: no trace file"
probe "$T/suid" "no_such_key=1"
expect_eq "$rc:$(cat "$T/stderr")" "0:" "set-user-ID: HEAPWISE_OPTIONS not read"
[ -z "$(ls ./*secure_probe*.trace ./heapwise.*suid*.trace 2>/dev/null)" ] ||
    fail "set-user-ID: a trace was written in the working directory"
exit 0
