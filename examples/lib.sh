# Shared by the example recipes' tests (sourced after tests/integration/lib.sh): copy a
# recipe and the example programs into $T/proj, where it is built and run.
EX="$top_srcdir/examples"
P="$T/proj"
LEAK_LINE=$(grep -n 'LEAK:' "$EX/progs/leaky.c" | cut -d: -f1)

# copy_recipe NAME: the recipe examples/NAME with examples/progs as progs/, writable.
copy_recipe() {
    mkdir -p "$P"
    cp -R "$EX/$1/." "$P/"
    cp -R "$EX/progs" "$P/progs"
    chmod -R u+w "$P"
}

# sub_make ARGS...: make, not part of the make running this test.
sub_make() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} "$@"
}
