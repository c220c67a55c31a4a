#!/bin/sh
# The dynamic symbols libheapwise.so defines must be exactly src/shim/exports.list:
# no helper, no libunwind or _Unwind_* name may leak into the target's symbol scope.
srcroot=${top_srcdir:-${srcdir:-.}}
buildroot=${top_builddir:-.}
lib=$buildroot/.libs/libheapwise.so
list=$srcroot/src/shim/exports.list
[ -f "$lib" ] || { echo "shim_exports: $lib: not built" >&2; exit 1; }
[ -f "$list" ] || { echo "shim_exports: $list: missing" >&2; exit 1; }
tmp=${TMPDIR:-/tmp}/check_exports.$$
trap 'rm -f "$tmp".*' EXIT
nm -D --defined-only "$lib" | awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' |
    LC_ALL=C sort -u > "$tmp.have" || exit 1
grep -v '^#' "$list" | grep -v '^$' | LC_ALL=C sort -u > "$tmp.want"
if ! cmp -s "$tmp.want" "$tmp.have"; then
    echo "shim_exports: exported names differ from $list (< missing, > extra):" >&2
    diff "$tmp.want" "$tmp.have" | grep '^[<>]' >&2
    exit 1
fi
echo "shim_exports: $(wc -l < "$tmp.have") names, as listed"
