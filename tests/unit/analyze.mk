# Unit tests of src/analyze (one Check suite per module), on traces written by the
# test-only tracegen, plus the golden traces of tests/data (one per format version).
ANALYZE_CHECKS = tests/unit/check_hmap tests/unit/check_reader tests/unit/check_replay \
	tests/unit/check_analyze tests/unit/check_symbolize tests/unit/check_symindex \
	tests/unit/check_modmap tests/unit/check_report \
	tests/unit/check_golden tests/unit/check_runtime \
	tests/unit/check_errors tests/unit/check_blockhdr tests/unit/check_suppress \
	tests/unit/check_timeline tests/unit/check_pools tests/unit/check_pprof \
	tests/unit/check_liveness tests/unit/check_pack
check_PROGRAMS += $(ANALYZE_CHECKS)
TESTS += $(ANALYZE_CHECKS)
UNIT_TESTS += $(ANALYZE_CHECKS)

# tests/unit/tracegen.c (test-only trace writer) is compiled into each suite.
TRACEGEN = tests/unit/tracegen.c tests/unit/tracegen.h
ANALYZE_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -I$(top_srcdir)/tests/unit
ANALYZE_TEST_LIBS = libhwanalyze.la libhwtrace.la $(CHECK_LIBS)

tests_unit_check_hmap_SOURCES = tests/unit/check_hmap.c
tests_unit_check_hmap_CFLAGS = $(ANALYZE_TEST_CFLAGS)
tests_unit_check_hmap_LDADD = $(ANALYZE_TEST_LIBS)

tests_unit_check_reader_SOURCES = tests/unit/check_reader.c $(TRACEGEN)
tests_unit_check_reader_CFLAGS = $(ANALYZE_TEST_CFLAGS)
tests_unit_check_reader_LDADD = $(ANALYZE_TEST_LIBS)

tests_unit_check_replay_SOURCES = tests/unit/check_replay.c $(TRACEGEN)
tests_unit_check_replay_CFLAGS = $(ANALYZE_TEST_CFLAGS)
tests_unit_check_replay_LDADD = $(ANALYZE_TEST_LIBS)

tests_unit_check_analyze_SOURCES = tests/unit/check_analyze.c $(TRACEGEN)
tests_unit_check_analyze_CFLAGS = $(ANALYZE_TEST_CFLAGS)
tests_unit_check_analyze_LDADD = $(ANALYZE_TEST_LIBS)

# The symbolizer resolves addresses of its own test program: symtarget.c holds functions
# with known lines, one with an always_inline callee (inlined at any -O, with its
# DW_TAG_inlined_subroutine). -g is added so line info exists whatever CFLAGS say.
tests_unit_check_symbolize_SOURCES = tests/unit/check_symbolize.c tests/unit/symtarget.c \
	tests/unit/symtarget.h $(TRACEGEN)
tests_unit_check_symbolize_CFLAGS = $(ANALYZE_TEST_CFLAGS) -g
tests_unit_check_symbolize_LDADD = $(ANALYZE_TEST_LIBS) $(DL_LIBS)

# The symbol index against libdw's own answer, on this program (with assembly labels of
# its own) and on libc.
tests_unit_check_symindex_SOURCES = tests/unit/check_symindex.c
tests_unit_check_symindex_CFLAGS = $(ANALYZE_TEST_CFLAGS) $(DW_CFLAGS)
tests_unit_check_symindex_LDADD = $(ANALYZE_TEST_LIBS) $(DW_LIBS) $(DL_LIBS)

tests_unit_check_modmap_SOURCES = tests/unit/check_modmap.c
tests_unit_check_modmap_CFLAGS = $(ANALYZE_TEST_CFLAGS)
tests_unit_check_modmap_LDADD = $(ANALYZE_TEST_LIBS)

tests_unit_check_report_SOURCES = tests/unit/check_report.c
tests_unit_check_report_CFLAGS = $(ANALYZE_TEST_CFLAGS)
tests_unit_check_report_LDADD = $(ANALYZE_TEST_LIBS)

# Golden traces: tests/data/v<N>-*.trace with the expected summary next to them.
# tests/unit/gen_golden (built by make check, not run) writes v<N>-basic.trace and its
# .expected for the current version N: run it from the source tree only when the format
# gains a version.
tests_unit_check_golden_SOURCES = tests/unit/check_golden.c $(TRACEGEN) tests/unit/golden.h
tests_unit_check_golden_CFLAGS = $(ANALYZE_TEST_CFLAGS) -DHW_TEST_DATA='"$(abs_top_srcdir)/tests/data"'
tests_unit_check_golden_LDADD = $(ANALYZE_TEST_LIBS)
check_PROGRAMS += tests/unit/gen_golden
tests_unit_gen_golden_SOURCES = tests/unit/gen_golden.c tests/unit/golden.h $(TRACEGEN)
tests_unit_gen_golden_CFLAGS = $(ANALYZE_TEST_CFLAGS)
tests_unit_gen_golden_LDADD = $(ANALYZE_TEST_LIBS)
EXTRA_DIST += tests/data/v1-basic.trace tests/data/v1-basic.expected \
	tests/data/v2-basic.trace tests/data/v2-basic.expected

tests_unit_check_liveness_SOURCES = tests/unit/check_liveness.c
tests_unit_check_liveness_CFLAGS = $(ANALYZE_TEST_CFLAGS)
tests_unit_check_liveness_LDADD = $(ANALYZE_TEST_LIBS)

tests_unit_check_timeline_SOURCES = tests/unit/check_timeline.c
tests_unit_check_timeline_CFLAGS = $(ANALYZE_TEST_CFLAGS)
tests_unit_check_timeline_LDADD = $(ANALYZE_TEST_LIBS)

# report_pprof.c's profile, unpacked again with the protobuf-c code generated for it.
tests_unit_check_pprof_SOURCES = tests/unit/check_pprof.c
tests_unit_check_pprof_CFLAGS = $(ANALYZE_TEST_CFLAGS) $(PROTOBUF_C_CFLAGS) $(ZLIB_CFLAGS)
tests_unit_check_pprof_LDADD = $(ANALYZE_TEST_LIBS) $(PROTOBUF_C_LIBS) $(ZLIB_LIBS)

tests_unit_check_runtime_SOURCES = tests/unit/check_runtime.c
tests_unit_check_runtime_CFLAGS = $(ANALYZE_TEST_CFLAGS)
tests_unit_check_runtime_LDADD = $(ANALYZE_TEST_LIBS)

tests_unit_check_suppress_SOURCES = tests/unit/check_suppress.c
tests_unit_check_suppress_CFLAGS = $(ANALYZE_TEST_CFLAGS)
tests_unit_check_suppress_LDADD = $(ANALYZE_TEST_LIBS)

tests_unit_check_errors_SOURCES = tests/unit/check_errors.c $(TRACEGEN)
tests_unit_check_errors_CFLAGS = $(ANALYZE_TEST_CFLAGS)
tests_unit_check_errors_LDADD = $(ANALYZE_TEST_LIBS)

tests_unit_check_pools_SOURCES = tests/unit/check_pools.c $(TRACEGEN)
tests_unit_check_pools_CFLAGS = $(ANALYZE_TEST_CFLAGS)
tests_unit_check_pools_LDADD = $(ANALYZE_TEST_LIBS)

# The guard header layout lives in src/trace (shared by shim and analyzer); tested here.
tests_unit_check_blockhdr_SOURCES = tests/unit/check_blockhdr.c
tests_unit_check_blockhdr_CFLAGS = $(ANALYZE_TEST_CFLAGS)
tests_unit_check_blockhdr_LDADD = libhwtrace.la $(CHECK_LIBS)
# So does the packed record codec of version-2 frames.
tests_unit_check_pack_SOURCES = tests/unit/check_pack.c
tests_unit_check_pack_CFLAGS = $(ANALYZE_TEST_CFLAGS)
tests_unit_check_pack_LDADD = libhwtrace.la $(CHECK_LIBS)
EXTRA_DIST += tests/unit/check_run.h
