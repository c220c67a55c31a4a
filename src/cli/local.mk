# src/cli: the heapwise command.
bin_PROGRAMS += heapwise
heapwise_SOURCES = src/cli/main.c src/cli/cli.h src/cli/die.c src/cli/emit.c \
	src/cli/cmd_run.c src/cli/cmd_report.c src/cli/cmd_diff.c src/cli/envopts.c src/cli/traces.c src/cli/traces.h \
	src/cli/preload.c src/cli/preload.h
# libhwshim.la for options.c alone: HEAPWISE_OPTIONS has one grammar, the shim's.
heapwise_LDADD = libhwanalyze.la libhwtrace.la libhwshim.la
dist_man_MANS += man/heapwise.1
