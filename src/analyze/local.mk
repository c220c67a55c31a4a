# src/analyze: the offline analyzer (libhwanalyze), linked by the heapwise CLI and the
# unit tests. C only; -lstdc++ for __cxa_demangle.
noinst_LTLIBRARIES += libhwanalyze.la
libhwanalyze_la_SOURCES = \
	src/analyze/analyze.h src/analyze/analyze.c \
	src/analyze/hmap.h src/analyze/hmap.c \
	src/analyze/strpool.h src/analyze/strpool.c \
	src/analyze/escape.h src/analyze/escape.c \
	src/analyze/reader.h src/analyze/reader.c \
	src/analyze/replay.h src/analyze/replay.c \
	src/analyze/timeline.h src/analyze/timeline.c \
	src/analyze/runtime.h src/analyze/runtime.c \
	src/analyze/liveness.h src/analyze/liveness.c \
	src/analyze/leakorder.h src/analyze/leakorder.c \
	src/analyze/errors.h src/analyze/errors.c \
	src/analyze/pools.h src/analyze/pools.c \
	src/analyze/modmap.h src/analyze/modmap.c \
	src/analyze/symbolize.h src/analyze/symbolize.c \
	src/analyze/symindex.h src/analyze/symindex.c \
	src/analyze/suppress.h src/analyze/suppress.c \
	src/analyze/report_text.c src/analyze/report_json.c src/analyze/report_json.h \
	src/analyze/report_flame.c src/analyze/report_flame.h \
	src/analyze/report_html.c src/analyze/report_html.h \
	src/analyze/report_html_data.c src/analyze/report_html_data.h \
	src/analyze/report_diff.c \
	src/analyze/report_pprof.c src/analyze/pprof_tables.c src/analyze/pprof_tables.h
nodist_libhwanalyze_la_SOURCES = src/analyze/html_assets.h \
	src/analyze/profile.pb-c.c src/analyze/profile.pb-c.h
libhwanalyze_la_CFLAGS = $(AM_CFLAGS) $(DW_CFLAGS) $(PROTOBUF_C_CFLAGS) $(ZLIB_CFLAGS)
libhwanalyze_la_LIBADD = libhwtrace.la $(DW_LIBS) $(PROTOBUF_C_LIBS) $(ZLIB_LIBS) $(ZSTD_LIBS) -lstdc++

dist_man_MANS += man/heapwise-trace.5

# The HTML report's style sheet and script are edited as files under src/analyze/html/ and
# compiled in as C string constants (html_css, html_js) of a generated header: each line
# becomes a string literal with its backslashes and quotes escaped.
HTML_ASSETS = src/analyze/html/report.css src/analyze/html/report.js
HTML_ASSET_SED = 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$$/\\n"/'
src/analyze/html_assets.h: $(HTML_ASSETS) src/analyze/local.mk
	$(AM_V_GEN)$(MKDIR_P) src/analyze && { \
	  echo '/* Generated from src/analyze/html/ by the build (src/analyze/local.mk). */'; \
	  echo 'static const char html_css[] ='; \
	  sed $(HTML_ASSET_SED) $(srcdir)/src/analyze/html/report.css; echo ';'; \
	  echo 'static const char html_js[] ='; \
	  sed $(HTML_ASSET_SED) $(srcdir)/src/analyze/html/report.js; echo ';'; \
	} >$@-t && mv $@-t $@
# The pprof profile's messages (report_pprof.c): C code generated from profile.proto by
# protoc-c, in the build tree. The .c includes its .h from its own directory.
src/analyze/profile.pb-c.h: src/analyze/profile.pb-c.c
src/analyze/profile.pb-c.c: src/analyze/profile.proto
	$(AM_V_GEN)$(MKDIR_P) src/analyze && \
	  $(PROTOC_C) --c_out=src/analyze --proto_path=$(srcdir)/src/analyze profile.proto
BUILT_SOURCES = src/analyze/html_assets.h src/analyze/profile.pb-c.c src/analyze/profile.pb-c.h
CLEANFILES += src/analyze/html_assets.h src/analyze/profile.pb-c.c src/analyze/profile.pb-c.h
EXTRA_DIST += $(HTML_ASSETS) src/analyze/profile.proto
