# Fuzzing the analyzer (issue #5: never crash on bad input).
#
# tests/fuzz/fuzz_report.c is a libFuzzer target: arbitrary bytes as a trace through the
# reader, replay, errors and both reports. `make fuzz` builds it with clang
# (-fsanitize=fuzzer,address,undefined) and runs it for FUZZ_TIME seconds from the seeds in
# tests/fuzz/corpus (small traces of tests/progs, made by tests/fuzz/make-seeds) and the
# inputs in tests/fuzz/regress (each one crashed, hung or leaked once; keep every new one
# there). make check never needs clang: tests/fuzz/replay, the same target compiled
# normally, replays both directories (and again under ASan/UBSan in tools/check-asan).
check_PROGRAMS += tests/fuzz/replay
TESTS += tests/fuzz/replay
UNIT_TESTS += tests/fuzz/replay
tests_fuzz_replay_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_report.c
tests_fuzz_replay_CFLAGS = $(AM_CFLAGS) -DHW_FUZZ_DIR='"$(abs_top_srcdir)/tests/fuzz"'
tests_fuzz_replay_LDADD = libhwanalyze.la libhwtrace.la
EXTRA_DIST += tests/fuzz/corpus tests/fuzz/regress tests/fuzz/make-seeds
# Small seeds from real traces (tests/fuzz/make-seeds); also makes the killed variant of a
# trace for tests/integration/damaged_traces.sh.
check_PROGRAMS += tests/fuzz/seed_compact
tests_fuzz_seed_compact_SOURCES = tests/fuzz/seed_compact.c tests/unit/tracegen.c \
	tests/unit/tracegen.h
tests_fuzz_seed_compact_CFLAGS = $(AM_CFLAGS) -I$(srcdir)/tests/unit $(ZSTD_CFLAGS)
tests_fuzz_seed_compact_LDADD = libhwanalyze.la libhwtrace.la

# The libFuzzer build: the analyzer's sources compiled again, instrumented.
FUZZ_CC = clang
FUZZ_TIME = 60
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
# Extra libFuzzer options, e.g. FUZZ_ARGS='-jobs=2 -workers=2'.
FUZZ_ARGS =
FUZZ_WORK = tests/fuzz/work
# The C files of libhwanalyze.la and libhwtrace.la, taken from their source lists so a
# new module is never missing from this link (GNU make's filter: -Wno-portability).
FUZZ_SRC = $(srcdir)/tests/fuzz/fuzz_report.c \
	$(addprefix $(srcdir)/,$(filter %.c,$(libhwanalyze_la_SOURCES) $(libhwtrace_la_SOURCES))) \
	$(filter %.c,$(nodist_libhwanalyze_la_SOURCES))

# Rebuilt by every `make fuzz` (a few seconds): it depends on every analyzer header too.
tests/fuzz/fuzz-report: $(FUZZ_SRC) config.h FORCE
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) $(HW_CFLAGS) $(DEFAULT_INCLUDES) $(AM_CPPFLAGS) \
	    $(DW_CFLAGS) $(PROTOBUF_C_CFLAGS) $(ZLIB_CFLAGS) $(ZSTD_CFLAGS) -o $@ $(FUZZ_SRC) $(DW_LIBS) \
	    $(PROTOBUF_C_LIBS) $(ZLIB_LIBS) $(ZSTD_LIBS) -lstdc++

# Fuzz for FUZZ_TIME seconds; new coverage goes to $(FUZZ_WORK)/corpus, crashes to
# $(FUZZ_WORK)/crash-* (minimise, then copy into tests/fuzz/regress).
fuzz: tests/fuzz/fuzz-report
	@mkdir -p $(FUZZ_WORK)/corpus
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
	    tests/fuzz/fuzz-report -max_total_time=$(FUZZ_TIME) -timeout=10 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_WORK)/ $(FUZZ_ARGS) $(FUZZ_WORK)/corpus \
	    $(srcdir)/tests/fuzz/corpus $(srcdir)/tests/fuzz/regress

clean-local: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz/fuzz-report $(FUZZ_WORK)
FORCE:
.PHONY: fuzz clean-fuzz FORCE
