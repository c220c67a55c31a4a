"""Damage a real trace every way tests/integration/damaged_traces.sh checks.

Usage: python3 damage.py TRACE OUTDIR

Writes one damaged copy per case into OUTDIR and prints the manifest, one case a line:

    NAME KIND BYTE ALLOCS LEAKS

KIND says what `heapwise report` must do with it:
  header  refuse it: exit 1, one line ending in "at byte BYTE[ (...)]", no report;
  data    exit 1, one line naming "byte BYTE", and a partial report of the ALLOCS
          allocations read before the damage (LEAKS=1: leak_pair and leak_once among them);
  ring    as data, for a record in the ring area: the line says "(in the ring area)";
  clean   exit 0, nothing on stderr (a cut on a record boundary after the end record);
  any     never crash; when it complains, one well-formed line (a flipped byte the format
          cannot tell from real data, e.g. in an address, is not an error).
BYTE, ALLOCS and LEAKS are "-" when they do not apply. The record walk below is an
independent reading of man/heapwise-trace.5, not the reader's code.
"""
import os
import struct
import sys

HEADER = 88  # sizeof(struct trace_file_header)
CTL = 1024  # ring control offset
REC_ALLOC, REC_REALLOC, REC_END = 6, 8, 9
LEAK_SIZES = (100, 200, 300)  # leak_c: leak_pair(100), leak_pair(200), leak_once (3 x 100)


def walk(data, start, stop):
    """(offset, size, type, body) of each record from start until stop or a zero word."""
    at = start
    while at + 8 <= stop:
        size, rtype = struct.unpack_from("<IH", data, at)
        if size == 0 or at + size > stop:
            break
        yield at, size, rtype, data[at + 8 : at + size]
        at += size


class Counter:
    """Allocations and the leaks of leak_c, as the replay would count them."""

    def __init__(self):
        self.allocs, self.leaks, self.end = 0, set(), False

    def add(self, rtype, body):
        if rtype == REC_ALLOC:
            ptr, size = struct.unpack_from("<QQ", body)
            if ptr:
                self.allocs += 1
                if size in LEAK_SIZES:
                    self.leaks.add(size)
        elif rtype == REC_REALLOC:
            new_ptr = struct.unpack_from("<QQ", body)[1]
            self.allocs += new_ptr != 0
        elif rtype == REC_END:
            self.end = True

    def state(self):
        return self.allocs, int(len(self.leaks) == len(LEAK_SIZES)), self.end


def records(data):
    """[(file offset, size, stream state before it, in_ring)] of the data area, then the
    ring area (records committed there but never drained)."""
    ring_off, ring_bytes, data_off = struct.unpack_from("<QQQ", data, 48)
    head, tail = struct.unpack_from("<Q", data, CTL)[0], struct.unpack_from("<Q", data, CTL + 64)[0]
    out, count, end = [], Counter(), data_off
    for at, size, rtype, body in walk(data, data_off, len(data)):
        out.append((at, size, count.state(), False))
        count.add(rtype, body)
        end = at + size
    pos = end - data_off
    if ring_bytes and tail <= pos < head:
        start = ring_off + pos % ring_bytes  # the test's traces never wrap
        stop = min(start + head - pos, ring_off + ring_bytes)
        for at, size, rtype, body in walk(data, start, stop):
            out.append((at, size, count.state(), True))
            count.add(rtype, body)
    return out, count.state(), data_off


class Writer:
    def __init__(self, outdir, data):
        self.outdir, self.data, self.n = outdir, data, 0

    def case(self, blob, kind, byte="-", state=None):
        self.n += 1
        name = "case%04d" % self.n
        with open(os.path.join(self.outdir, name + ".trace"), "wb") as f:
            f.write(blob)
        allocs, leaks = (state[0], state[1]) if state else ("-", "-")
        print(name, kind, byte, allocs, leaks)

    def flipped(self, pos, mask):
        d = bytearray(self.data)
        d[pos] ^= mask
        return bytes(d)


def cuts(w, data, recs, final, data_off):
    w.case(b"", "header", 0)
    for n in (1, 7, 8, 12, 20, 50, HEADER - 1):
        w.case(data[:n], "header", n)
    for n in (HEADER, 200, CTL, CTL + 8, 4095, 4096, data_off - 1):
        w.case(data[:n], "data", n, (0, 0, False))
    for at, size, state, in_ring in recs:
        if in_ring:
            break
        for n in sorted({at, at + 4, at + size - 1}):  # a boundary, mid-header, mid-body
            clean = n == at and state[2]
            w.case(data[:n], "clean" if clean else "data", at, state)


def header_damage(w, data):
    for i in range(8):
        w.case(w.flipped(i, 0x20), "header", i)
    for version in (0, 2, 0xFFFFFFFF):
        d = bytearray(data)
        struct.pack_into("<I", d, 8, version)
        w.case(bytes(d), "header", 8)
    # header_size (to > 1024), ring_offset, ring_bytes (no power of two), data_offset
    for field, pos in ((12, 14), (48, 49), (56, 57), (64, 65)):
        w.case(w.flipped(pos, 0x01), "header", field)
    for i in range(0, HEADER, 3):
        w.case(w.flipped(i, 0xFF), "any")


def flips(w, data, recs):
    for at, size, state, in_ring in recs:
        # an odd size is always caught, exactly at the record
        w.case(w.flipped(at, 0x01), "ring" if in_ring else "data", at, state)
        for pos, mask in ((at, 0x80), (at + 1, 0x01), (at + 4, 0x01), (at + 4, 0x40), (at + 6, 0x01)):
            w.case(w.flipped(pos, mask), "any")
        for pos in range(at + 8, at + size, 19):
            w.case(w.flipped(pos, 0xFF), "any")
    for pos in range(CTL, CTL + 104, 3):  # ring control: head, tail, drained_end
        w.case(w.flipped(pos, 0x10), "any")


def main():
    trace, outdir = sys.argv[1], sys.argv[2]
    with open(trace, "rb") as f:
        data = f.read()
    recs, final, data_off = records(data)
    w = Writer(outdir, data)
    cuts(w, data, recs, final, data_off)
    header_damage(w, data)
    flips(w, data, recs)


main()
