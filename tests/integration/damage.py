"""Damage a real trace every way tests/integration/damaged_traces.sh checks.

Usage: python3 damage.py TRACE OUTDIR
       python3 damage.py --frames TRACE   (list a version-2 trace's frames: offset, size,
                                           records, ring range, allocations before it)

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
BYTE, ALLOCS and LEAKS are "-" when they do not apply. The record and frame walks below
are an independent reading of man/heapwise-trace.5, not the reader's code (zstd payloads
are inflated by the zstd program).
"""
import os
import struct
import subprocess
import sys
import zlib

HEADER = 96  # sizeof(struct trace_file_header)
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


FRAME = struct.Struct("<IHHIIQQII")  # magic codec reserved stored packed ring_start ring_end count crc
FRAME_MAGIC, CODEC_NONE, CODEC_ZSTD = 0x52465748, 0, 1
PACK_WINDOW = 4096
REC_STRUCTS = {6: "<QQQII", 7: "<QQII", 8: "<QQQQII"}  # alloc, free, realloc bodies


def frames(data, data_off):
    """[(offset, size, header fields, payload)] of the complete, intact frames from
    data_off, up to the end of the file or the first frame that is not."""
    out, at = [], data_off
    while at + FRAME.size <= len(data):
        f = FRAME.unpack_from(data, at)
        stored = f[3]
        if f[0] != FRAME_MAGIC or at + FRAME.size + stored > len(data):
            break
        head = bytearray(data[at : at + FRAME.size])
        head[-4:] = b"\0\0\0\0"
        payload = data[at + FRAME.size : at + FRAME.size + stored]
        if zlib.crc32(payload, zlib.crc32(bytes(head))) != f[8]:
            break
        out.append((at, FRAME.size + stored, f, payload))
        at += FRAME.size + stored
    return out


def inflate(found):
    """The packed records of each frame: zstd payloads are pieces of one stream, which
    the writer never ends; an empty last block (raw, size 0) ends it here, or the zstd
    program would keep back what it decoded last."""
    stream = b"".join(p for _, _, f, p in found if f[1] == CODEC_ZSTD)
    if stream:
        stream += b"\x01\x00\x00"
    packed = subprocess.run(["zstd", "-dcq"], input=stream, capture_output=True).stdout
    out, at = [], 0
    for _, _, f, p in found:
        if f[1] == CODEC_ZSTD:
            out.append(packed[at : at + f[4]])
            at += f[4]
        else:
            out.append(p)
    return out


def varint(b, at):
    v = shift = 0
    while True:
        c = b[at]
        at += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return v, at


def unzigzag(v):
    return (v >> 1) ^ -(v & 1)


def unpack(b):
    """(type, body) of each packed record of one frame."""
    M = (1 << 64) - 1
    st = {"time": 0, "ptr": 0, "tid": 0, "stack": 0, "win": []}  # time in time units
    at = 0
    while at < len(b):
        tag = b[at]
        op, kind = tag & 7, tag >> 3 & 7
        at += 1
        if op == 0:
            size, rtype = struct.unpack_from("<IH", b, at)
            yield rtype, b[at + 8 : at + size]
            at += size
            continue
        if op == 4:  # stack: did depth shared, then the frames not shared, as differences
            did, at = varint(b, at)
            depth, at = varint(b, at)
            shared, at = varint(b, at)
            frames, ref = [], 0
            for _ in range(depth - shared):
                d, at = varint(b, at)
                ref = (ref + unzigzag(d)) & M
                frames.append(ref)
            st["frames"] = frames + st.get("frames", [])[len(st.get("frames", [])) - shared :]
            st["stack_id"] = (st.get("stack_id", 0) + 1 + unzigzag(did)) & 0xFFFFFFFF
            yield 5, struct.pack("<II%dQ" % depth, st["stack_id"], depth, *st["frames"])
            continue
        if tag & 0x40:
            st["tid"], at = varint(b, at)
        d, at = varint(b, at)
        st["time"] = (st["time"] + unzigzag(d)) & M  # allocs only counted: no need for the unit
        ptrs = []
        for _ in range(2 if op == 3 else 1):
            v, at = varint(b, at)
            win = st["win"]  # every pointer field so far, the newest last
            if v < PACK_WINDOW:
                p = win[-1 - v]
            else:
                d = unzigzag(v - PACK_WINDOW)
                p = (st["ptr"] + (d if tag & 0x80 else d << 4)) & M
            win.append(p)
            st["ptr"] = p
            ptrs.append(p)
        size = None
        if op != 2:
            size, at = varint(b, at)
        d, at = varint(b, at)
        st["stack"] = (st["stack"] + unzigzag(d)) & 0xFFFFFFFF
        rtype = {1: 6, 2: 7, 3: 8}[op]
        fields = ptrs + ([size] if size is not None else []) + [st["time"], st["stack"], st["tid"]]
        yield rtype, struct.pack(REC_STRUCTS[rtype], *fields)


def records(data):
    """[(file offset, size, stream state before it, in_ring)] of the data area (records,
    or frames for version 2), then the ring area (records committed there but never
    drained)."""
    version = struct.unpack_from("<I", data, 8)[0]
    ring_off, ring_bytes, data_off = struct.unpack_from("<QQQ", data, 48)
    head, tail = struct.unpack_from("<Q", data, CTL)[0], struct.unpack_from("<Q", data, CTL + 64)[0]
    out, count, end = [], Counter(), data_off
    if version >= 2:
        found = frames(data, data_off)
        pos = found[0][2][5] if found else 0
        for (at, size, f, _), packed in zip(found, inflate(found)):
            out.append((at, size, count.state(), False))
            for rtype, body in unpack(packed):
                count.add(rtype, body)
            pos = f[6]
    else:
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
    for version in (0, 3, 0xFFFFFFFF):
        d = bytearray(data)
        struct.pack_into("<I", d, 8, version)
        w.case(bytes(d), "header", 8)
    # header_size (to > 1024), ring_offset, ring_bytes (no power of two), data_offset
    for field, pos in ((12, 14), (48, 49), (56, 57), (64, 65)):
        w.case(w.flipped(pos, 0x01), "header", field)
    for i in range(0, HEADER, 3):
        w.case(w.flipped(i, 0xFF), "any")


def flips(w, data, recs, version):
    for at, size, state, in_ring in recs:
        if version >= 2 and not in_ring:  # the CRC covers every byte of a frame
            for pos in list(range(at, at + 40, 5)) + list(range(at + 40, at + size, 23)):
                w.case(w.flipped(pos, 0x04), "data", at, state)
            continue
        # an odd size is always caught, exactly at the record
        w.case(w.flipped(at, 0x01), "ring" if in_ring else "data", at, state)
        for pos, mask in ((at, 0x80), (at + 1, 0x01), (at + 4, 0x01), (at + 4, 0x40), (at + 6, 0x01)):
            w.case(w.flipped(pos, mask), "any")
        for pos in range(at + 8, at + size, 19):
            w.case(w.flipped(pos, 0xFF), "any")
    for pos in range(CTL, CTL + 104, 3):  # ring control: head, tail, drained_end
        w.case(w.flipped(pos, 0x10), "any")


def list_frames(trace):
    with open(trace, "rb") as f:
        data = f.read()
    for at, size, state, in_ring in records(data)[0]:
        if not in_ring:
            f = FRAME.unpack_from(data, at)
            print(at, size, f[7], f[5], f[6], state[0])


def main():
    if sys.argv[1] == "--frames":
        return list_frames(sys.argv[2])
    trace, outdir = sys.argv[1], sys.argv[2]
    with open(trace, "rb") as f:
        data = f.read()
    recs, final, data_off = records(data)
    w = Writer(outdir, data)
    cuts(w, data, recs, final, data_off)
    header_damage(w, data)
    flips(w, data, recs, struct.unpack_from("<I", data, 8)[0])


main()
