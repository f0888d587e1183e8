#!/bin/bash
# GPU probe for docs/BACKENDS.md: can ND4J 1.0.0-M2.1's CUDA kernels load on this GPU?
# Run on the GPU machine with the directory that fatbin_archs.py --extract wrote:
#   python3 scripts/cuda/fatbin_archs.py ND4J_CUDA_JAR --extract .devprobe   (here, no GPU needed)
#   bash scripts/cuda/probe.sh .devprobe                                     (there)
# It loads two of ND4J's fatbin blocks with the CUDA driver API, next to control kernels built
# there for sm_86 only, for sm_90 and as compute_86 PTX, and reports what the machine lacks for
# running ND4J at all (a JVM, CUDA 11 cuBLAS/cuSOLVER).
set -u
cd "${1:?directory holding nd4j_smallest.fatbin and nd4j_median.fatbin}"
echo "== machine"; nvidia-smi --query-gpu=name,compute_cap,driver_version --format=csv
echo "== java?"; (which java && java -version) 2>&1 || echo "no java on PATH"; ls /usr/lib/jvm 2>&1
echo "== CUDA 11 runtime libraries?"; ldconfig -p | grep -E 'libcublas.so.11|libcusolver.so.11' || echo "none found by ldconfig"
find / -xdev \( -name 'libcublas.so.11*' -o -name 'libcusolver.so.11*' \) 2>/dev/null | head -3
echo "== control kernels built here"
cat > k.cu <<'K'
extern "C" __global__ void k(float* x){ x[threadIdx.x] += 1.0f; }
K
nvcc -cubin -arch=sm_86 -o k_sm86.cubin k.cu && nvcc -cubin -arch=sm_90 -o k_sm90.cubin k.cu
nvcc -fatbin -gencode arch=compute_86,code=compute_86 -o k_ptx86.fatbin k.cu
python3 - <<'PY'
import ctypes
cu = ctypes.CDLL('libcuda.so.1')
def ck(r, what):
    if r != 0:
        s = ctypes.c_char_p(); cu.cuGetErrorName(r, ctypes.byref(s)); return f'{what}: error {r} {s.value.decode()}'
    return f'{what}: ok'
print(ck(cu.cuInit(0), 'cuInit'))
dev = ctypes.c_int(); cu.cuDeviceGet(ctypes.byref(dev), 0)
ma, mi = ctypes.c_int(), ctypes.c_int()
cu.cuDeviceGetAttribute(ctypes.byref(ma), 75, dev); cu.cuDeviceGetAttribute(ctypes.byref(mi), 76, dev)
print('compute capability', ma.value, mi.value)
ctx = ctypes.c_void_p(); print(ck(cu.cuCtxCreate_v2(ctypes.byref(ctx), 0, dev), 'cuCtxCreate'))
for f in ['k_sm86.cubin', 'k_sm90.cubin', 'k_ptx86.fatbin', 'nd4j_smallest.fatbin', 'nd4j_median.fatbin']:
    buf = open(f, 'rb').read(); mod = ctypes.c_void_p()
    print(ck(cu.cuModuleLoadData(ctypes.byref(mod), ctypes.c_char_p(buf)), f'cuModuleLoadData {f} ({len(buf)} bytes)'))
PY
