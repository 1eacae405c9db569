#!/usr/bin/python3
"""kiln-run and the C API refuse files that are not intact Kiln models, before dlopen.

The digits CNN is compiled to a shared library; truncated copies (cut in the
ELF header, the program header table, a segment, the section header table), a
random file, a text file, a directory and a shared library built here with the
C compiler but without the signature marker are given to kiln-run and to
kiln-c-example, and so are copies with bytes of the code, the initializer
array and the weights overwritten (they pass the structural check; the
checksum kiln-compile appends refuses them, recomputed here from
runtime/kiln_checksum.h's description). Each must fail with exit status 1
and the exact one-line message, computed here from the ELF headers with
`struct` (a truncated library that reached dlopen would die of SIGBUS
instead, a corrupted one of SIGSEGV); the intact library still runs.

    /usr/bin/python3 test/e2e/artifact_check.py --bin-dir build/bin --work-dir DIR [--cc clang-19]
"""

import argparse
import functools
import os
import random
import shutil
import struct
import sys

import kiln_e2e as e2e

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "..", "examples", "digits", "digits_cnn.onnx")
IMAGE = os.path.join(HERE, "..", "..", "examples", "digits", "input.npy")
FAILURES = []
# Soft checks through the shared e2e helpers; every failure is listed at the end.
check = functools.partial(e2e.expect, FAILURES)


def run(cmd, timeout=300):
    return e2e.run(cmd, timeout)






def elf_layout(data):
    """(phoff, phnum, [(offset, filesz)] per segment, shoff, shnum) of an ELF64 LE file."""
    phoff, shoff = struct.unpack_from("<QQ", data, 0x20)
    phnum, _, shnum = struct.unpack_from("<HHH", data, 0x38)
    segments = []
    for i in range(phnum):
        offset, _, _, filesz = struct.unpack_from("<QQQQ", data, phoff + i * 56 + 8)
        segments.append((offset, filesz))
    return phoff, phnum, segments, shoff, shnum


def expected_truncation(data, cut):
    """The message for `data` cut to `cut` bytes, following the check's order."""
    if cut < 4:
        return (f"expects an ELF shared library, found a file of {cut} bytes without the ELF "
                "magic (not a Kiln model?)")
    if cut < 64:
        return f"expects an ELF header of 64 bytes, found a file of {cut} bytes (truncated file?)"
    phoff, phnum, segments, shoff, shnum = elf_layout(data)
    if phoff + phnum * 56 > cut:
        return (f"expects the program header table ({phnum} entries at offset {phoff}) inside "
                f"the file of {cut} bytes, found it past the end (truncated file?)")
    for i, (offset, filesz) in enumerate(segments):
        if filesz and offset + filesz > cut:
            return (f"expects segment {i} ({filesz} bytes at offset {offset}) inside the file of "
                    f"{cut} bytes, found it past the end (truncated file?)")
    if shoff + shnum * 64 > cut:
        return (f"expects the section header table ({shnum} entries at offset {shoff}) inside "
                f"the file of {cut} bytes, found it past the end (truncated file?)")
    return NO_CHECKSUM if cut < len(data) else None


NO_CHECKSUM = ("the artifact is corrupted or not from this Kiln: expects the checksum trailer "
               "'KILNSUM1' that kiln-compile writes at the end of the file, found none "
               "(recompile the model)")
M64 = (1 << 64) - 1
K1, K2, K3 = 0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9


def rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M64


def checksum(data):
    """The checksum of runtime/kiln_checksum.h, written again from its
    description: 8 lanes, one little-endian word each per 64-byte stripe
    (the last stripe zero-padded), then the length and the lanes combined."""
    lanes = [(K3 * (i + 1)) & M64 for i in range(8)]
    padded = data + bytes(-len(data) % 64)
    words = struct.unpack(f"<{len(padded) // 8}Q", padded)
    for at in range(0, len(words), 8):
        for i in range(8):
            x = lanes[i] ^ ((words[at + i] * K1) & M64)
            lanes[i] = (rotl(x, 31) * K2) & M64
    h = (len(data) * K1) & M64
    for lane in lanes:
        h = (rotl(h ^ lane, 27) * K2 + K3) & M64
    h ^= h >> 33
    h = (h * K2) & M64
    h ^= h >> 29
    h = (h * K3) & M64
    h ^= h >> 32
    return h


def sections(data):
    """{name: (offset, size)} of an ELF64 LE file's sections."""
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shnum, shstrndx = struct.unpack_from("<HH", data, 0x3C)
    headers = [struct.unpack_from("<IIQQQQ", data, shoff + i * 64) for i in range(shnum)]
    names_at = headers[shstrndx][4]
    result = {}
    for name, _, _, _, offset, size in headers:
        end = data.index(b"\0", names_at + name)
        result[data[names_at + name:end].decode()] = (offset, size)
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("--cc", default="clang-19")
    args = ap.parse_args()
    work = os.path.abspath(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    kiln_run = os.path.join(args.bin_dir, "kiln-run")
    c_example = os.path.join(args.bin_dir, "kiln-c-example")

    library = os.path.join(work, "digits.so")
    p = run([os.path.join(args.bin_dir, "kiln-compile"), MODEL, "-o", library])
    if p.returncode != 0:
        sys.exit(f"kiln-compile failed:\n{p.stderr}")
    with open(library, "rb") as f:
        data = f.read()

    def expect_refused(path, message):
        for name, cmd, lead in (("kiln-run", [kiln_run, path, "--input", f"image={IMAGE}"],
                                 "kiln-run: "),
                                ("kiln-c-example", [c_example, path, f"image={IMAGE}"],
                                 "kiln-c-example: load: ")):
            p = run(cmd)
            want = f"{lead}cannot load model '{path}': {message}\n"
            check(p.returncode == 1 and p.stderr == want and p.stdout == "",
                  f"{name} {os.path.basename(path)}: expected exit 1 and {want!r}", p)

    # Cuts in every part dlopen would map, plus cuts spread over the whole file.
    phoff, phnum, segments, shoff, shnum = elf_layout(data)
    cuts = {0, 3, 40, 64, phoff + phnum * 56 - 1, len(data) - 1, shoff + 1}
    cuts |= {offset + filesz // 2 for offset, filesz in segments if filesz}
    cuts |= set(range(0, len(data), len(data) // 16))
    refused = 0
    for cut in sorted(c for c in cuts if 0 <= c < len(data)):
        message = expected_truncation(data, cut)
        if message is None:  # only bytes after every mapped part were lost
            continue
        path = os.path.join(work, f"digits_cut{cut}.so")
        with open(path, "wb") as f:
            f.write(data[:cut])
        expect_refused(path, message)
        refused += 1
    print(f"{refused} truncated copies of a {len(data)}-byte library checked")
    check(refused >= 10, "enough truncated copies were checked")

    # A copy extended into a sparse file of terabytes (no disk used) was read
    # to its end before it was refused (minutes): refused by its size; one
    # extended by 1 GiB (under the limit) is refused by its missing trailer.
    sparse = os.path.join(work, "sparse.so")
    with open(sparse, "wb") as f:
        f.write(data)
        f.truncate(1 << 40)
    expect_refused(sparse, f"expects an artifact of at most {4 << 30} bytes (4 GiB), found "
                           f"{1 << 40}")
    extended = os.path.join(work, "extended.so")
    with open(extended, "wb") as f:
        f.write(data)
        f.truncate(len(data) + (1 << 30))
    expect_refused(extended, "the artifact is corrupted or not from this Kiln: expects the "
                             "checksum trailer 'KILNSUM1' that kiln-compile writes at the end of "
                             "the file, found none (recompile the model)")
    os.remove(sparse)
    os.remove(extended)

    noise = os.path.join(work, "noise.so")
    rng = random.Random(11)
    with open(noise, "wb") as f:
        f.write(bytes(rng.randrange(256) for _ in range(5000)))
    expect_refused(noise, "expects an ELF shared library, found a file of 5000 bytes without the "
                          "ELF magic (not a Kiln model?)")
    text = os.path.join(work, "readme.so")
    with open(text, "w") as f:
        f.write("kiln-model 4\nthis is text\n")
    expect_refused(text, "expects an ELF shared library, found a file of 26 bytes without the "
                         "ELF magic (not a Kiln model?)")
    folder = os.path.join(work, "folder.so")
    os.makedirs(folder)
    expect_refused(folder, "expects a regular file, found a directory")

    # A real shared library, exporting the entry symbols, but without the marker.
    source = os.path.join(work, "impostor.c")
    with open(source, "w") as f:
        f.write("typedef void (*run_fn)(void **);\n"
                "const char *kiln_entry_signature(void) { return \"not a signature\"; }\n"
                "const run_fn *kiln_entry_functions(void) { static run_fn f[1]; return f; }\n")
    impostor = os.path.join(work, "impostor.so")
    p = run([args.cc, "-shared", "-fPIC", source, "-o", impostor])
    check(p.returncode == 0, "building the impostor library", p)
    if p.returncode == 0:
        expect_refused(impostor, "expects the version marker 'kiln-model 4' of a Kiln model, "
                                 "found none (not a Kiln model?)")

    # The checksum trailer: what kiln-compile appended is the checksum of
    # every byte before it, computed again here.
    check(data[-16:-8] == b"KILNSUM1"
          and struct.unpack("<Q", data[-8:])[0] == checksum(data[:-8]),
          "kiln-compile appends the trailer 'KILNSUM1' and the checksum of the bytes before it")

    # Bytes corrupted where the structural check does not look (the code,
    # the initializer array, the weights) crashed in dlopen or in the model
    # (SIGSEGV); the checksum refuses them before dlopen.
    where = sections(data)
    corrupted = 0
    for name in (".text", ".init_array", ".rodata"):
        if name not in where or where[name][1] < 8:
            continue
        offset, size = where[name]
        for at, flip in ((offset + size // 2, b"\xcc\xcc\xcc\xcc"), (offset, b"\xff")):
            bad = bytearray(data)
            bad[at:at + len(flip)] = flip
            if bytes(bad) == data:
                continue
            path = os.path.join(work, f"digits_corrupt{name.replace('.', '_')}_{at}.so")
            with open(path, "wb") as f:
                f.write(bad)
            stored = struct.unpack("<Q", bad[-8:])[0]
            expect_refused(path, f"the artifact is corrupted: checksum mismatch (stored "
                                 f"{stored:016x}, computed {checksum(bytes(bad[:-8])):016x}: the "
                                 "file changed after kiln-compile wrote it)")
            corrupted += 1
    check(corrupted >= 4, f"corrupted copies of .text, .init_array and .rodata checked "
                          f"({corrupted})")

    p = run([kiln_run, library, "--input", f"image={IMAGE}"])
    check(p.returncode == 0 and "output logits f32 [1x10]" in p.stdout,
          "the intact library still runs", p)

    return e2e.finish(FAILURES, "the artifact checks")


if __name__ == "__main__":
    sys.exit(main())
