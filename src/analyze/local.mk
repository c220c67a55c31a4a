# src/analyze: the offline analyzer (libhwanalyze), linked by the heapwise CLI and the
# unit tests. C only; -lstdc++ for __cxa_demangle.
noinst_LTLIBRARIES += libhwanalyze.la
libhwanalyze_la_SOURCES = \
	src/analyze/analyze.h src/analyze/analyze.c \
	src/analyze/hmap.h src/analyze/hmap.c \
	src/analyze/strpool.h src/analyze/strpool.c \
	src/analyze/reader.h src/analyze/reader.c \
	src/analyze/replay.h src/analyze/replay.c \
	src/analyze/runtime.h src/analyze/runtime.c \
	src/analyze/leakorder.h src/analyze/leakorder.c \
	src/analyze/errors.h src/analyze/errors.c \
	src/analyze/symbolize.h src/analyze/symbolize.c \
	src/analyze/suppress.h src/analyze/suppress.c \
	src/analyze/report_text.c src/analyze/report_json.c \
	src/analyze/report_flame.c
libhwanalyze_la_CFLAGS = $(AM_CFLAGS) $(DW_CFLAGS)
libhwanalyze_la_LIBADD = libhwtrace.la $(DW_LIBS) -lstdc++

dist_man_MANS += man/heapwise-trace.5
