# src/shim: libheapwise.so, the preload shim, and libhwshim.la, its pure parts (ring, stack
# table, options, log, block map, quarantine, leak-scan marking, /proc/self/maps parsing, anonymous mappings)
# that the unit tests link without preloading anything; the table of live pools too.
HW_SHIM_CFLAGS = -fPIC -fvisibility=hidden -ftls-model=initial-exec

noinst_LTLIBRARIES += libhwshim.la
libhwshim_la_SOURCES = \
	src/shim/options.c src/shim/options.h \
	src/shim/cfi.c src/shim/cfi.h \
	src/shim/clock.c src/shim/clock.h \
	src/shim/summary.c src/shim/summary.h \
	src/shim/log.c src/shim/log.h \
	src/shim/ring.c src/shim/ring.h \
	src/shim/stacktab.c src/shim/stacktab.h \
	src/shim/loaderstack.c src/shim/loaderstack.h \
	src/shim/blockmap.c src/shim/blockmap.h \
	src/shim/quarantine.c src/shim/quarantine.h \
	src/shim/mark.c src/shim/mark.h \
	src/shim/maps.c src/shim/maps.h \
	src/shim/anonmap.c src/shim/anonmap.h \
	src/shim/ownmem.c src/shim/ownmem.h \
	src/shim/pagemap.c src/shim/pagemap.h \
	src/shim/pooltab.c src/shim/pooltab.h \
	src/shim/rss.c src/shim/rss.h src/shim/fdhigh.h src/shim/textspan.h
libhwshim_la_CFLAGS = $(AM_CFLAGS) $(HW_SHIM_CFLAGS)

lib_LTLIBRARIES += libheapwise.la
libheapwise_la_SOURCES = \
	src/shim/shim.h \
	src/shim/alloc.c src/shim/alloc.h \
	src/shim/checksig.c src/shim/checksig.h \
	src/shim/exec.c src/shim/exec.h \
	src/shim/fork.c src/shim/fork.h \
	src/shim/guard.c src/shim/guard.h \
	src/shim/init.c \
	src/shim/fatal.c src/shim/fatal.h \
	src/shim/interpose.c src/shim/interpose_cxx.c \
	src/shim/modules.c src/shim/modules.h \
	src/shim/pool.c src/shim/pool.h \
	src/shim/real.c src/shim/real.h \
	src/shim/record.c src/shim/record.h \
	src/shim/scan.c src/shim/scan.h \
	src/shim/stopworld.c src/shim/stopworld.h \
	src/shim/stack.c src/shim/stack.h \
	src/shim/unwind.c src/shim/unwind.h \
	src/shim/threadcount.c src/shim/threadcount.h \
	src/shim/tracefile.c src/shim/tracefile.h \
	src/shim/writer.c src/shim/writer.h
# -fexceptions: operator new wrappers clear their thread state when libstdc++ throws.
libheapwise_la_CFLAGS = $(AM_CFLAGS) $(HW_SHIM_CFLAGS) -fexceptions
# No libunwind here: it is dlopen'ed RTLD_LOCAL at run time (see stack.c).
# zstd (the writer compresses the trace) and zlib (its CRC) are linked statically and
# export nothing.
libheapwise_la_LDFLAGS = -module -avoid-version -shared -no-undefined \
	-Wl,--version-script=$(srcdir)/src/shim/exports.map -Wl,-z,now \
	-Wl,--exclude-libs,libzstd.a:libz.a
libheapwise_la_LIBADD = libhwshim.la libhwtrace.la $(ZSTD_STATIC) $(ZLIB_STATIC) $(DL_LIBS) \
	$(AX_PTHREAD_LIBS)
EXTRA_libheapwise_la_DEPENDENCIES = $(srcdir)/src/shim/exports.map
EXTRA_DIST += src/shim/exports.map src/shim/exports.list
dist_man_MANS += man/heapwise.3
