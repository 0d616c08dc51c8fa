"""How much a bf16 GEMM slows while other kernels hold a few SMs (PyTorch's cuBLAS + a CuPy spin kernel).

Why: NCCL's kernels hold one thread block per channel for the whole collective, mostly waiting.
shardsim charges overlapped compute the share of SMs those blocks take (sim/compute/interference.hpp:
channels / sm_count). On the H200, GEMMs beside two emulated nodes' NCCL traffic (4 blocks of 132
SMs) ran about 21% slower, not 3% (validate/gpu/README.md). This separates the SM-holding mechanism
from everything else NCCL does: `blocks` spinning blocks of `threads` threads with `smem` bytes of
shared memory each stay resident while GEMMs run on another stream; it prints the GEMM rate for each.
Usage: python3 sm_interference.py   (one line per configuration)
"""
import cupy as cp
import torch

from gpu_timing import seconds_per_mm

SPIN = cp.RawKernel(r'''
extern "C" __global__ void spin(long long cycles) {
  extern __shared__ char pad[];
  long long start = clock64();
  while (clock64() - start < cycles) { if (threadIdx.x == 1024) pad[0] = 0; }
}''', "spin")


def gemm_tflops(size: int, blocks: int, threads: int, smem: int, iterations: int = 20) -> float:
    a = torch.randn(size, size, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(size, size, device="cuda", dtype=torch.bfloat16)
    seconds_per_mm(a, b, 1)  # cuBLAS's choice and the operands warm
    compute, other = torch.cuda.Stream(), torch.cuda.Stream()
    if smem > 48 * 1024:
        SPIN.max_dynamic_shared_size_bytes = smem
    if blocks > 0:
        with cp.cuda.ExternalStream(other.cuda_stream):  # Stream.from_external in newer CuPy
            # About 150 ms at 2 GHz: longer than the timed GEMMs.
            SPIN((blocks,), (threads,), (cp.int64(300_000_000),), shared_mem=smem)
    with torch.cuda.stream(compute):
        torch.cuda._sleep(1_000_000)  # let the spinning blocks become resident first
        seconds = seconds_per_mm(a, b, iterations, warmup=0)
    return 2.0 * size**3 / seconds / 1e12


sms = torch.cuda.get_device_properties(0).multi_processor_count
print(f"{torch.cuda.get_device_name(0)}: {sms} SMs")
for size in (4096, 8192):
    alone = gemm_tflops(size, 0, 0, 0)
    print(f"gemm {size}^3 alone: {alone:.1f} TFLOP/s")
    for threads, smem in ((512, 0), (512, 96 * 1024)):
        for blocks in (1, 2, 4, 8, 16, 32):
            rate = gemm_tflops(size, blocks, threads, smem)
            print(f"gemm {size}^3 beside {blocks:2d} blocks x {threads} threads, {smem // 1024:3d} KiB smem: {rate:6.1f} TFLOP/s "
                  f"({rate / alone - 1:+.1%}; SM share {blocks / sms:.1%})")
