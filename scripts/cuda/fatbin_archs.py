#!/usr/bin/env python3
"""List the GPU architectures compiled into ND4J's CUDA library, and optionally cut out fatbin blocks.

Why: a CUDA library runs on a GPU only if its fatbin holds SASS for that GPU's major architecture
or PTX the driver can compile for it. ND4J 1.0.0-M2.1 (the last release on Maven Central) ships
SASS for sm_37..sm_86 and no PTX, so it cannot run on Hopper (sm_90). This script shows that from
the jar alone, without a GPU; scripts/cuda/probe.sh confirms it on a GPU.

Usage: fatbin_archs.py JAR_OR_SO [--extract DIR]
  --extract DIR  also writes the smallest and the median fatbin block to DIR for probe.sh
"""
import struct, subprocess, sys, zipfile, tempfile, os, collections

FATBIN_MAGIC = 0xBA55ED50
KIND = {1: 'PTX', 2: 'SASS'}


def library_path(arg, tmp):
    if not arg.endswith('.jar'):
        return arg
    with zipfile.ZipFile(arg) as jar:
        name = next(n for n in jar.namelist() if n.endswith('libnd4jcuda.so'))
        return jar.extract(name, tmp)


def fatbin_section(lib):
    for line in subprocess.check_output(['readelf', '-S', '-W', lib]).decode().splitlines():
        if '.nv_fatbin' in line:
            fields = line.split(']')[1].split()
            offset, size = int(fields[3], 16), int(fields[4], 16)
            with open(lib, 'rb') as f:
                f.seek(offset)
                return f.read(size)
    sys.exit(f'{lib}: no .nv_fatbin section, so no GPU code')


def blocks(data):
    """Yields (start, length, [(kind, sm, payload bytes)]) for each fatbin container in the section."""
    pos = 0
    while pos + 16 <= len(data):
        magic, _version, header, size = struct.unpack_from('<IHHQ', data, pos)
        if magic != FATBIN_MAGIC:
            pos += 8  # containers are 8-byte aligned
            continue
        entries, p, end = [], pos + header, pos + header + size
        while p < end:
            kind, _, entry_header, payload = struct.unpack_from('<HHIQ', data, p)
            sm = struct.unpack_from('<I', data, p + 28)[0]
            entries.append((kind, sm, payload))
            p += entry_header + payload
        yield pos, header + size, entries
        pos = end


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        data = fatbin_section(library_path(sys.argv[1], tmp))
    count, size, found = collections.Counter(), collections.Counter(), []
    for start, length, entries in blocks(data):
        found.append((length, start))
        for kind, sm, payload in entries:
            count[(KIND.get(kind, kind), sm)] += 1
            size[(KIND.get(kind, kind), sm)] += payload
    print(f'{len(found)} fatbin containers, {len(data) / 1e6:.0f} MB')
    for key in sorted(count):
        print(f'  {key[0]:4} sm_{key[1]:<3} {count[key]:4} entries {size[key] / 1e6:7.1f} MB')
    if not any(kind == 'PTX' for kind, _ in count):
        print('no PTX: runs only on GPUs whose major architecture has SASS above')
    if '--extract' in sys.argv:
        out = sys.argv[sys.argv.index('--extract') + 1]
        os.makedirs(out, exist_ok=True)
        found.sort()
        for name, (length, start) in [('smallest', found[0]), ('median', found[len(found) // 2])]:
            with open(os.path.join(out, f'nd4j_{name}.fatbin'), 'wb') as f:
                f.write(data[start:start + length])


if __name__ == '__main__':
    main()
