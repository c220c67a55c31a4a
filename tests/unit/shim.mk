# Unit tests of src/shim: one Check suite per pure module (ring, stack table, options,
# block map, quarantine, leak-scan marking, /proc/self/maps, anonymous mappings, the table
# of live pools, RSS, DWARF CFI), linked to libhwshim.la without preloading anything, plus the export
# allow-list check of the built libheapwise.so.
SHIM_CHECKS = tests/unit/check_ring tests/unit/check_stacktab tests/unit/check_options \
	tests/unit/check_blockmap tests/unit/check_quarantine tests/unit/check_mark \
	tests/unit/check_maps tests/unit/check_anonmap tests/unit/check_summary \
	tests/unit/check_clock tests/unit/check_pooltab tests/unit/check_rss tests/unit/check_cfi
check_PROGRAMS += $(SHIM_CHECKS)
TESTS += $(SHIM_CHECKS) tests/unit/shim_exports.sh
UNIT_TESTS += $(SHIM_CHECKS)
EXTRA_DIST += tests/unit/shim_exports.sh

SHIM_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(AX_PTHREAD_LIBS)
SHIM_TEST_LIBS = libhwshim.la $(CHECK_LIBS) $(AX_PTHREAD_LIBS)

tests_unit_check_cfi_SOURCES = tests/unit/check_cfi.c
tests_unit_check_cfi_CFLAGS = $(SHIM_TEST_CFLAGS)
tests_unit_check_cfi_LDADD = $(SHIM_TEST_LIBS)

tests_unit_check_clock_SOURCES = tests/unit/check_clock.c
tests_unit_check_clock_CFLAGS = $(SHIM_TEST_CFLAGS)
tests_unit_check_clock_LDADD = $(SHIM_TEST_LIBS)

tests_unit_check_ring_SOURCES = tests/unit/check_ring.c
tests_unit_check_ring_CFLAGS = $(SHIM_TEST_CFLAGS)
tests_unit_check_ring_LDADD = $(SHIM_TEST_LIBS)

tests_unit_check_stacktab_SOURCES = tests/unit/check_stacktab.c
tests_unit_check_stacktab_CFLAGS = $(SHIM_TEST_CFLAGS)
tests_unit_check_stacktab_LDADD = $(SHIM_TEST_LIBS)

tests_unit_check_rss_SOURCES = tests/unit/check_rss.c
tests_unit_check_rss_CFLAGS = $(SHIM_TEST_CFLAGS)
tests_unit_check_rss_LDADD = $(SHIM_TEST_LIBS)

tests_unit_check_summary_SOURCES = tests/unit/check_summary.c
tests_unit_check_summary_CFLAGS = $(SHIM_TEST_CFLAGS)
tests_unit_check_summary_LDADD = $(SHIM_TEST_LIBS)

tests_unit_check_pooltab_SOURCES = tests/unit/check_pooltab.c
tests_unit_check_pooltab_CFLAGS = $(SHIM_TEST_CFLAGS)
tests_unit_check_pooltab_LDADD = $(SHIM_TEST_LIBS)

tests_unit_check_options_SOURCES = tests/unit/check_options.c
tests_unit_check_options_CFLAGS = $(SHIM_TEST_CFLAGS)
tests_unit_check_options_LDADD = $(SHIM_TEST_LIBS)

tests_unit_check_blockmap_SOURCES = tests/unit/check_blockmap.c
tests_unit_check_blockmap_CFLAGS = $(SHIM_TEST_CFLAGS)
tests_unit_check_blockmap_LDADD = $(SHIM_TEST_LIBS)

tests_unit_check_quarantine_SOURCES = tests/unit/check_quarantine.c
tests_unit_check_quarantine_CFLAGS = $(SHIM_TEST_CFLAGS)
tests_unit_check_quarantine_LDADD = $(SHIM_TEST_LIBS)

tests_unit_check_mark_SOURCES = tests/unit/check_mark.c
tests_unit_check_mark_CFLAGS = $(SHIM_TEST_CFLAGS)
tests_unit_check_mark_LDADD = $(SHIM_TEST_LIBS)

tests_unit_check_maps_SOURCES = tests/unit/check_maps.c
tests_unit_check_maps_CFLAGS = $(SHIM_TEST_CFLAGS)
tests_unit_check_maps_LDADD = $(SHIM_TEST_LIBS)

tests_unit_check_anonmap_SOURCES = tests/unit/check_anonmap.c
tests_unit_check_anonmap_CFLAGS = $(SHIM_TEST_CFLAGS)
tests_unit_check_anonmap_LDADD = $(SHIM_TEST_LIBS)
