# The benchmark suite: `make bench` builds the workloads (never built by `make` or
# `make check`) and runs bench/run.py, which prints the comparison table.
BENCH_PROGS = bench/churn bench/cxx bench/liveset bench/realloc
EXTRA_PROGRAMS += $(BENCH_PROGS)
bench_churn_SOURCES = bench/workloads/churn.c
bench_churn_CFLAGS = $(AM_CFLAGS) -g -O2
bench_churn_LDADD = $(AX_PTHREAD_LIBS)
bench_cxx_SOURCES = bench/workloads/cxx.cc
bench_cxx_CXXFLAGS = $(AM_CXXFLAGS) -g -O2
bench_liveset_SOURCES = bench/workloads/liveset.c
bench_liveset_CFLAGS = $(AM_CFLAGS) -g -O2
bench_realloc_SOURCES = bench/workloads/realloc.c
bench_realloc_CFLAGS = $(AM_CFLAGS) -g -O2
CLEANFILES += $(BENCH_PROGS)
EXTRA_DIST += bench/README.md bench/run.py bench/workloads/alloc_heavy.py \
	bench/workloads/gen_sql.py bench/workloads/gen_cxx.py

PYTHON_FOR_BENCH = python3
bench: all $(BENCH_PROGS)
	$(PYTHON_FOR_BENCH) $(srcdir)/bench/run.py --builddir=. --srcdir=$(srcdir)
.PHONY: bench
