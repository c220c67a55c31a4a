# examples/: the test-suite recipes of the README and heapwise(1) (automake, Check, CTest,
# meson), each run by a test asserting that the leaking test fails and the clean one
# passes. CTest and meson ones are skipped (77) when the tool is not installed.
check_PROGRAMS += examples/check/check_fixture
examples_check_check_fixture_SOURCES = examples/check/check_fixture.c
examples_check_check_fixture_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -g -fno-inline
examples_check_check_fixture_LDADD = $(CHECK_LIBS)

EXAMPLE_TESTS = examples/automake.sh examples/check.sh examples/ctest.sh examples/meson.sh
TESTS += $(EXAMPLE_TESTS)
EXTRA_DIST += $(EXAMPLE_TESTS) examples/lib.sh examples/progs/clean.c examples/progs/leaky.c \
	examples/automake/configure.ac examples/automake/Makefile.am \
	examples/ctest/CMakeLists.txt examples/meson/meson.build
