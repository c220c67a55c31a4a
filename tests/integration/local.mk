# Integration tests: small programs with one behaviour each, run under the real shim
# through `heapwise run`, asserting the exact bytes, blocks, functions and lines reported.
# Whatever CFLAGS say (they come last): keep every call a real call with its own frame,
# and keep malloc/free and new/delete pairs the compiler could prove unnecessary.
PROG_NOOPT = -g -fno-optimize-sibling-calls -fno-inline -fno-builtin
PROG_CFLAGS = $(AM_CFLAGS) $(PROG_NOOPT)
check_PROGRAMS += tests/progs/leak_c tests/progs/noleak tests/progs/leak_cxx \
	tests/progs/die_signal tests/progs/underscore_exit tests/progs/threads \
	tests/progs/dlclose_leak tests/progs/err_double_free tests/progs/err_invalid_free \
	tests/progs/err_corrupt tests/progs/err_write_after_free tests/progs/err_mismatch \
	tests/progs/clean_mixed tests/progs/exec_self tests/progs/err_cxx_kinds \
	tests/progs/leak_classes tests/progs/many_live tests/progs/leak_check_api \
	tests/progs/leak_since tests/progs/leak_roots tests/progs/leak_heuristics tests/progs/leak_merged tests/progs/spawn_child tests/progs/err_damaged_leak \
	tests/progs/err_overflow_tail tests/progs/err_fill_offsets \
	tests/progs/fork_child tests/progs/fork_threads \
	tests/progs/stress tests/progs/signals tests/progs/killed tests/progs/closefds tests/progs/stderr_reuse tests/progs/threads_joined \
	tests/progs/leak_more tests/progs/secure_probe tests/progs/pool_partition \
	tests/progs/pool_slab \
	tests/progs/rss_touch tests/progs/server tests/progs/churn \
	tests/progs/pthread_exit_all tests/progs/thread_blocked tests/progs/unwind_mix
tests_progs_leak_c_CFLAGS = $(PROG_CFLAGS)
tests_progs_rss_touch_CFLAGS = $(PROG_CFLAGS)
tests_progs_server_CFLAGS = $(PROG_CFLAGS)
tests_progs_churn_CFLAGS = $(PROG_CFLAGS)
tests_progs_leak_more_CFLAGS = $(PROG_CFLAGS)
tests_progs_noleak_CFLAGS = $(PROG_CFLAGS)
tests_progs_leak_cxx_SOURCES = tests/progs/leak_cxx.cc
tests_progs_leak_cxx_CXXFLAGS = $(AM_CXXFLAGS) $(PROG_NOOPT) -fno-allocation-dce
tests_progs_die_signal_CFLAGS = $(PROG_CFLAGS)
tests_progs_underscore_exit_CFLAGS = $(PROG_CFLAGS)
tests_progs_threads_CFLAGS = $(PROG_CFLAGS)
tests_progs_threads_LDADD = -lpthread
tests_progs_pthread_exit_all_CFLAGS = $(PROG_CFLAGS)
tests_progs_pthread_exit_all_LDADD = -lpthread
tests_progs_thread_blocked_CFLAGS = $(PROG_CFLAGS)
tests_progs_thread_blocked_LDADD = -lpthread
tests_progs_dlclose_leak_CFLAGS = $(PROG_CFLAGS)
tests_progs_dlclose_leak_LDADD = $(DL_LIBS)

tests_progs_err_double_free_SOURCES = tests/progs/err_double_free.c tests/progs/opaque.h
tests_progs_err_double_free_CFLAGS = $(PROG_CFLAGS)
tests_progs_err_invalid_free_SOURCES = tests/progs/err_invalid_free.c tests/progs/opaque.h
tests_progs_err_invalid_free_CFLAGS = $(PROG_CFLAGS)
tests_progs_err_corrupt_SOURCES = tests/progs/err_corrupt.c tests/progs/opaque.h
tests_progs_err_corrupt_CFLAGS = $(PROG_CFLAGS)
tests_progs_err_damaged_leak_SOURCES = tests/progs/err_damaged_leak.c tests/progs/opaque.h
tests_progs_err_damaged_leak_CFLAGS = $(PROG_CFLAGS)
tests_progs_err_overflow_tail_SOURCES = tests/progs/err_overflow_tail.c tests/progs/opaque.h
tests_progs_err_overflow_tail_CFLAGS = $(PROG_CFLAGS)
tests_progs_err_fill_offsets_SOURCES = tests/progs/err_fill_offsets.c tests/progs/opaque.h
tests_progs_err_fill_offsets_CFLAGS = $(PROG_CFLAGS)
tests_progs_err_write_after_free_SOURCES = tests/progs/err_write_after_free.c tests/progs/opaque.h
tests_progs_err_write_after_free_CFLAGS = $(PROG_CFLAGS)
tests_progs_err_mismatch_SOURCES = tests/progs/err_mismatch.cc
tests_progs_err_mismatch_CXXFLAGS = $(AM_CXXFLAGS) $(PROG_NOOPT) -fno-allocation-dce
tests_progs_exec_self_CFLAGS = $(PROG_CFLAGS)
tests_progs_err_cxx_kinds_SOURCES = tests/progs/err_cxx_kinds.cc
tests_progs_err_cxx_kinds_CXXFLAGS = $(AM_CXXFLAGS) $(PROG_NOOPT) -fno-allocation-dce
tests_progs_leak_classes_CFLAGS = $(PROG_CFLAGS)
tests_progs_leak_classes_LDADD = -lpthread
tests_progs_many_live_CFLAGS = $(PROG_CFLAGS)
tests_progs_leak_check_api_CFLAGS = $(PROG_CFLAGS)
tests_progs_leak_since_CFLAGS = $(PROG_CFLAGS)
tests_progs_leak_roots_CFLAGS = $(PROG_CFLAGS)
tests_progs_leak_roots_LDADD = -lpthread
tests_progs_leak_merged_CFLAGS = $(PROG_CFLAGS)
tests_progs_spawn_child_CFLAGS = $(PROG_CFLAGS)
tests_progs_leak_heuristics_SOURCES = tests/progs/leak_heuristics.cc
tests_progs_leak_heuristics_CXXFLAGS = $(AM_CXXFLAGS) $(PROG_NOOPT) -fno-allocation-dce
tests_progs_fork_child_CFLAGS = $(PROG_CFLAGS)
tests_progs_fork_threads_CFLAGS = $(PROG_CFLAGS)
tests_progs_fork_threads_LDADD = -lpthread
tests_progs_signals_CFLAGS = $(PROG_CFLAGS)
tests_progs_signals_LDADD = -lpthread
tests_progs_killed_CFLAGS = $(PROG_CFLAGS)
tests_progs_closefds_CFLAGS = $(PROG_CFLAGS)
tests_progs_stderr_reuse_CFLAGS = $(PROG_CFLAGS)
tests_progs_threads_joined_CFLAGS = $(PROG_CFLAGS)
tests_progs_threads_joined_LDADD = -lpthread
tests_progs_pool_partition_SOURCES = tests/progs/pool_partition.c tests/progs/opaque.h
tests_progs_pool_partition_CFLAGS = $(PROG_CFLAGS)
tests_progs_pool_slab_CFLAGS = $(PROG_CFLAGS)
tests_progs_stress_SOURCES = tests/progs/stress.cc
tests_progs_stress_CXXFLAGS = $(AM_CXXFLAGS) $(PROG_NOOPT) -fno-allocation-dce
tests_progs_stress_LDADD = -lpthread
tests_progs_secure_probe_CFLAGS = $(PROG_CFLAGS)
tests_progs_secure_probe_LDADD = $(DL_LIBS)
tests_progs_clean_mixed_SOURCES = tests/progs/clean_mixed.cc
tests_progs_clean_mixed_CXXFLAGS = $(AM_CXXFLAGS) $(PROG_NOOPT) -fno-allocation-dce

# unwind_mix: steps at -O0 (its own file), at -O2 without and with frame pointers (one
# source built twice) and in C++; its flags come after CFLAGS, so they hold.
check_LIBRARIES = tests/progs/libunwind_mix_o2.a tests/progs/libunwind_mix_fp.a
tests_progs_libunwind_mix_o2_a_SOURCES = tests/progs/unwind_mix_steps.c tests/progs/unwind_mix.h
tests_progs_libunwind_mix_o2_a_CPPFLAGS = -DSTEP_SUFFIX=o2
tests_progs_libunwind_mix_o2_a_CFLAGS = $(AM_CFLAGS) -g -O2 -fomit-frame-pointer -fno-inline
tests_progs_libunwind_mix_fp_a_SOURCES = tests/progs/unwind_mix_steps.c tests/progs/unwind_mix.h
tests_progs_libunwind_mix_fp_a_CPPFLAGS = -DSTEP_SUFFIX=fp
tests_progs_libunwind_mix_fp_a_CFLAGS = $(AM_CFLAGS) -g -O2 -fno-omit-frame-pointer -fno-inline
tests_progs_unwind_mix_SOURCES = tests/progs/unwind_mix.c tests/progs/unwind_mix_cxx.cc \
	tests/progs/unwind_mix.h
tests_progs_unwind_mix_CFLAGS = $(AM_CFLAGS) -g -O0 -fno-inline
tests_progs_unwind_mix_CXXFLAGS = $(AM_CXXFLAGS) -g -O1 -fno-inline
tests_progs_unwind_mix_LDADD = tests/progs/libunwind_mix_o2.a tests/progs/libunwind_mix_fp.a \
	$(DL_LIBS) -lpthread

check_LTLIBRARIES = tests/progs/plugin.la
tests_progs_plugin_la_SOURCES = tests/progs/plugin.c
tests_progs_plugin_la_CFLAGS = $(PROG_CFLAGS)
tests_progs_plugin_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere

INTEGRATION_TESTS = tests/integration/leak_c.sh tests/integration/noleak.sh \
	tests/integration/leak_cxx.sh tests/integration/exit_paths.sh \
	tests/integration/threads.sh tests/integration/dlclose.sh \
	tests/integration/cli_errors.sh tests/integration/report_cmd.sh \
	tests/integration/demo.sh tests/integration/errors_c.sh \
	tests/integration/errors_cxx.sh tests/integration/clean.sh tests/integration/exec.sh \
	tests/integration/leak_classes.sh tests/integration/leak_check_api.sh \
	tests/integration/fork.sh tests/integration/fork_threads.sh \
	tests/integration/trace_files.sh tests/integration/suppressions.sh \
	tests/integration/env_options.sh tests/integration/install.sh \
	tests/integration/real_programs.sh \
	tests/integration/stress.sh \
	tests/integration/signals.sh tests/integration/refuse.sh \
	tests/integration/killed.sh tests/integration/closefds.sh tests/integration/disk_full.sh \
	tests/integration/html_report.sh tests/integration/html_browser.sh \
	tests/integration/diff.sh tests/integration/damaged_traces.sh \
	tests/integration/secure.sh tests/integration/pools.sh tests/integration/rss.sh tests/integration/pprof.sh \
	tests/integration/check_signal.sh tests/integration/report_env.sh tests/integration/compressed.sh \
	tests/integration/unwind.sh
TESTS += $(INTEGRATION_TESTS)
# html_browser.sh keeps its screenshots as artifacts of the build tree.
CLEANFILES += tests/integration/html_browser.png tests/integration/html_browser_rss.png
EXTRA_DIST += $(INTEGRATION_TESTS) tests/integration/lib.sh tests/integration/damage.py \
	tests/integration/pprof_check.py
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; top_builddir='$(abs_top_builddir)'; \
	MAKE='$(MAKE)'; CC='$(CC)'; export MAKE CC; \
	export top_srcdir top_builddir;
