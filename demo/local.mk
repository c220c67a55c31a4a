# demo: the program README's first command runs under heapwise.
noinst_PROGRAMS += demo/demo
demo_demo_SOURCES = demo/main.c demo/leaky.c demo/cache.cc demo/demo.h
demo_demo_CFLAGS = $(AM_CFLAGS) -g -O1
demo_demo_CXXFLAGS = $(AM_CXXFLAGS) -g -O1
