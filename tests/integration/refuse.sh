# Programs LD_PRELOAD cannot reach are refused by `heapwise run` with one line and exit
# status 126, instead of a run that traces nothing: a statically linked executable and a
# static-PIE one (built here when libc.a is there), and a set-user-ID one (a copy owned by nobody when root;
# else a system one). A dynamically linked program and a script still run.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

# refused PROG WORDS: heapwise run refuses PROG with one line holding WORDS.
refused() {
    hw_run "$1"
    expect_eq "$rc" 126 "$1: exit status of a refusal"
    expect_eq "$(wc -l <"$T/stderr")" 1 "$1: one line"
    expect_grep "heapwise run: $1: $2" "$T/stderr"
    expect_eq "$(cat "$T/stdout")" "" "$1: not run"
    [ -z "$(ls "$T"/*.trace 2>/dev/null)" ] || fail "$1: a trace was written"
}

if ${CC:-cc} -static -o "$T/static_noleak" "$SRC/noleak.c" 2>/dev/null; then
    refused "$T/static_noleak" "statically linked: LD_PRELOAD cannot reach its allocator"
    "$T/static_noleak" >/dev/null || fail "the static program itself runs"
else
    echo "SKIP: no static libc to link with"
fi
if ${CC:-cc} -static-pie -o "$T/static_pie_noleak" "$SRC/noleak.c" 2>/dev/null; then
    refused "$T/static_pie_noleak" "statically linked: LD_PRELOAD cannot reach its allocator"
    "$T/static_pie_noleak" >/dev/null || fail "the static-PIE program itself runs"
else
    echo "SKIP: no static-PIE libc to link with"
fi
# The loader run as a program is like a static-PIE one (no PT_INTERP, a dynamic section)
# but runs its argument with LD_PRELOAD honoured: not refused, and the program traced.
ldso=$(readlink -f /lib64/ld-linux-x86-64.so.2 2>/dev/null || true)
if [ -x "$ldso" ]; then
    hw_run "$ldso" "$PROGS/noleak"
    expect_eq "$rc" 0 "the loader running a program is not refused"
    [ -n "$(ls "$T"/*.trace 2>/dev/null)" ] || fail "the loader's program was not traced"
    rm -f "$T"/*.trace
fi

suid=
if [ "$(id -u)" = 0 ]; then
    cp "$PROGS/noleak" "$T/suid_noleak" && chown 65534 "$T/suid_noleak" &&
        chmod 4755 "$T/suid_noleak" && suid="$T/suid_noleak"
    python3 -c 'import os,sys; sys.exit(os.statvfs(sys.argv[1]).f_flag & os.ST_NOSUID)' "$T" ||
        suid= # mounted nosuid: the bit does nothing, and heapwise knows it
else
    for f in /usr/bin/passwd /usr/bin/chsh /bin/su /usr/bin/su; do
        [ -u "$f" ] && [ ! -O "$f" ] && { suid=$f; break; }
    done
fi
if [ -n "$suid" ]; then
    refused "$suid" "set-user-ID, set-group-ID or file capabilities: the loader would ignore"
else
    echo "SKIP: no set-user-ID program to try"
fi

printf '#!/bin/sh\necho script ran\n' >"$T/script.sh"
chmod 755 "$T/script.sh"
hw_run "$T/script.sh"
expect_eq "$rc:$(cat "$T/stdout")" "0:script ran" "a script is not refused"
hw_run "$PROGS/noleak"
expect_eq "$rc" 0 "a dynamically linked program is not refused"
exit 0
