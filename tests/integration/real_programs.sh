# Real Debian programs no one here wrote, each run plainly and under `heapwise run` in
# two fresh directories: the same stdout and exit status, and every process's trace
# (children too) analyses cleanly: `heapwise report` exits 0, no heap error, nothing
# dropped, every process ended (exit, signal or exec). A program that is not installed
# is skipped (.ci/run installs them all). The leaked bytes go to the test's log.
. "${top_srcdir:?}/tests/integration/lib.sh" || exit 99

# Debian's own programs, in a deterministic setting (not the make running this test's).
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
PATH=/usr/bin:/bin
LC_ALL=C
HOME="$T/home"
GIT_CONFIG_NOSYSTEM=1
GIT_AUTHOR_NAME=heapwise GIT_AUTHOR_EMAIL=hw@example.org
GIT_AUTHOR_DATE='2024-01-02T03:04:05Z'
GIT_COMMITTER_NAME=heapwise GIT_COMMITTER_EMAIL=hw@example.org
GIT_COMMITTER_DATE='2024-01-02T03:04:05Z'
export PATH LC_ALL HOME GIT_CONFIG_NOSYSTEM GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_AUTHOR_DATE \
    GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_COMMITTER_DATE
mkdir "$HOME"
ran=0

# Inputs, written into each case's fresh directory by `prepare NAME`.
prepare() {
    case "$1" in
    python-dicts) cat >dicts.py <<'EOF'
d = {}
for i in range(200000):
    d[i] = [i, str(i), {"k": i}]
total = sum(v[0] for v in d.values())
del d
rows = [list(range(i % 100)) for i in range(20000)]
print(total, sum(map(len, rows)))
rows = None
s = {str(i) * 3: bytes(i % 50) for i in range(50000)}
print(len(s), sum(map(len, s.values())))
EOF
    ;;
    python-threads) cat >threads.py <<'EOF'
import threading, queue
q = queue.Queue()
results = []
lock = threading.Lock()
def work(n):
    local = {}
    for i in range(20000):
        local[i] = str(i * n)
    with lock:
        results.append(sum(map(len, local.values())))
    q.put(n)
ts = [threading.Thread(target=work, args=(n,)) for n in range(1, 9)]
for t in ts: t.start()
for t in ts: t.join()
print(sorted(results), sorted(q.get() for _ in ts))
EOF
    ;;
    perl) cat >words.pl <<'EOF'
my %count;
for my $i (1 .. 50000) { my $w = join '', map { chr(97 + ($i * $_) % 26) } 1 .. 4; $count{$w}++; }
my @top = (sort { $count{$b} <=> $count{$a} || $a cmp $b } keys %count)[0 .. 4];
printf "%d distinct; %s\n", scalar(keys %count), join(',', map { "$_=$count{$_}" } @top);
my $s = join ' ', 1 .. 10000; my @m = ($s =~ /(\d*7\d*)/g); print scalar(@m), "\n";
EOF
    ;;
    git) mkdir repo && printf 'hello\n' >repo/a.txt && printf 'int main(void) { return 0; }\n' >repo/b.c
    ;;
    sqlite3) {
        echo 'CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, v REAL);'
        echo 'BEGIN;'
        i=1
        while [ $i -le 5000 ]; do
            echo "INSERT INTO t(name, v) VALUES('name$i', $i.5);"
            i=$((i + 1))
        done
        echo 'COMMIT;'
        echo 'CREATE INDEX t_name ON t(name);'
        echo "SELECT count(*), sum(v), max(name) FROM t WHERE name LIKE 'name1%';"
        echo 'DELETE FROM t WHERE id % 3 = 0; SELECT count(*) FROM t;'
    } >inserts.sql
    ;;
    gcc) cat >prog.c <<'EOF'
#include <stdio.h>
#include <stdlib.h>
struct node { struct node *next; int v; };
static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
int main(void)
{
    int v[64];
    for (int i = 0; i < 64; i++)
        v[i] = (i * 37) % 64;
    qsort(v, 64, sizeof(v[0]), cmp);
    struct node *head = NULL;
    for (int i = 0; i < 64; i++) {
        struct node *n = malloc(sizeof(*n));
        n->next = head, n->v = v[i], head = n;
    }
    printf("%d %d\n", head->v, head->next->v);
    return 0;
}
EOF
    ;;
    make) printf 'x\n' >in.txt && cat >Makefile <<'EOF'
all: c.txt
	@cat c.txt
a.txt: in.txt
	sed 's/x/a/' in.txt > $@
b.txt: a.txt
	tr a b < a.txt > $@
c.txt: a.txt b.txt
	cat a.txt b.txt > $@
clean:
	rm -f a.txt b.txt c.txt
.PHONY: all clean
EOF
    ;;
    esac
}

# clean_traces DIR: every trace in DIR analyses cleanly; print the leaked bytes.
clean_traces() {
    rc=0
    "$HW" report --json "$1" >"$1/report.json" 2>"$1/report.err" || rc=$?
    [ "$rc" = 0 ] || { cat "$1/report.err" >&2; fail "$name: heapwise report exited $rc"; }
    python3 - "$1/report.json" "$name" <<'EOF' || fail "$name: a trace did not analyse cleanly"
import json, sys
r = json.load(open(sys.argv[1]))
bad = []
for p in r["processes"]:
    s = p["summary"]
    if p["end"] not in ("exit", "signal", "exec") or s["errors"] or s.get("dropped", 0):
        bad.append((p["exe"], p["end"], s["errors"], s.get("dropped")))
    print("%s: %s: %d allocations, leaked %d bytes in %d blocks (definitely lost %s)" %
          (sys.argv[2], p["exe"], s["allocations"], s["leaked_bytes"], s["leaked_blocks"],
           s.get("definitely_lost_bytes")))
if not r["processes"] or bad:
    print("unclean:", bad, file=sys.stderr)
    sys.exit(1)
EOF
}

# real NAME CMD...: prepare NAME twice, run CMD plainly and under heapwise, compare.
real() {
    name=$1
    shift
    command -v "$1" >/dev/null 2>&1 || { echo "SKIP: $name: $1 is not installed"; return 0; }
    for side in plain hw; do
        mkdir "$T/$name.$side" && (cd "$T/$name.$side" && prepare "$name") ||
            fail "$name: cannot prepare"
    done
    plain_rc=0
    (cd "$T/$name.plain" && "$@") >"$T/$name.plain.out" 2>/dev/null || plain_rc=$?
    mkdir "$T/$name.traces"
    rc=0
    (cd "$T/$name.hw" && "$HW" run -o "$T/$name.traces" --log-file="$T/$name.report" "$@") \
        >"$T/$name.hw.out" 2>"$T/stderr" || rc=$?
    expect_eq "$rc" "$plain_rc" "$name: exit status under heapwise"
    cmp -s "$T/$name.plain.out" "$T/$name.hw.out" ||
        { diff "$T/$name.plain.out" "$T/$name.hw.out" | head -n 20 >&2; fail "$name: stdout differs"; }
    clean_traces "$T/$name.traces"
    ran=$((ran + 1))
}

real python-dicts python3 dicts.py
real python-threads python3 threads.py
real perl perl words.pl
real bash bash -c 'seq 1 30000 | sort -r | grep 7 | awk "{ s += \$1 } END { print NR, s }" | tr 0-9 a-j'
real git sh -c 'cd repo && git init -q -b main . && git add . && git commit -q -m first &&
    echo more >>a.txt && git commit -q -am second && git log --format="%H %an %s" && git status -s'
real sqlite3 sqlite3 db.sqlite3 ".read inserts.sql"
real gcc sh -c 'gcc -O2 -o prog prog.c && ./prog'
real make make
echo "$ran programs compared"
exit 0
