# `make install DESTDIR=...` as a package would do it: the CLI, the shim, the header,
# heapwise.pc and the three man pages land where configure said (under the stage), the
# staged heapwise finds the staged shim (no LD_LIBRARY_PATH, nothing from the build
# tree), a program builds against the header through pkg-config, and the man pages
# render without a groff warning.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99
STAGE="$T/stage"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -s -C "$top_builddir" install \
    DESTDIR="$STAGE" >"$T/install.log" 2>&1 || { cat "$T/install.log" >&2; fail "make install"; }

# The install directories as configure set them, asked of make itself.
dirs=$(printf 'hw-dirs:\n\t@echo bindir=$(bindir) libdir=$(libdir) includedir=$(includedir) mandir=$(mandir) version=$(PACKAGE_VERSION)\n' |
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -s -C "$top_builddir" -f Makefile -f - hw-dirs) ||
    fail "cannot read the install directories"
eval "$dirs"
for f in "$bindir/heapwise" "$libdir/libheapwise.so" "$includedir/heapwise.h" \
    "$libdir/pkgconfig/heapwise.pc" "$mandir/man1/heapwise.1" "$mandir/man3/heapwise.3" \
    "$mandir/man5/heapwise-trace.5"; do
    [ -f "$STAGE$f" ] || fail "not installed: $f"
done

# The staged CLI runs a program under the staged shim.
rc=0
env -u LD_LIBRARY_PATH "$STAGE$bindir/heapwise" run -o "$T" --error-exitcode=23 -- \
    "$PROGS/leak_c" >"$T/stdout" 2>"$T/stderr" || rc=$?
expect_eq "$rc" 23 "installed heapwise run on a leak"
expect_grep "leaked: 600 bytes in 3 blocks" "$T/stderr"
expect_grep "leak_pair (leak_c.c:" "$T/stderr"

# pkg-config gives the header (and the shim's path to a harness).
export PKG_CONFIG_PATH="$STAGE$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$STAGE"
expect_eq "$(pkg-config --modversion heapwise)" "$version" "pkg-config version"
expect_eq "$(pkg-config --variable=shim heapwise)" "$STAGE$libdir/libheapwise.so" "pkg-config shim (under the sysroot)"
${CC:-cc} $(pkg-config --cflags heapwise) -o "$T/api" "$SRC/leak_check_api.c" $(pkg-config --libs heapwise) ||
    fail "cannot build against the installed header"
expect_eq "$("$T/api")" "definitely lost: unknown" "built against the header, run without heapwise"
expect_eq "$(LD_PRELOAD="$STAGE$libdir/libheapwise.so" HEAPWISE_OPTIONS="output=$T:summary=0" "$T/api")" \
    "definitely lost: 40" "run with the installed shim"

for page in man1/heapwise.1 man3/heapwise.3 man5/heapwise-trace.5; do
    groff -ww -man -Tutf8 -z "$STAGE$mandir/$page" 2>"$T/groff.err" || fail "groff $page"
    [ -s "$T/groff.err" ] && { cat "$T/groff.err" >&2; fail "groff warns on $page"; }
done
exit 0
