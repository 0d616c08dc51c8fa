"""bf16 GEMM rate of an aligned and a misaligned inner dimension on this GPU (PyTorch, cuBLAS).

Why: shardsim-run's GPU compute emulator once issued the remainder of a FLOP request as one GEMM
with an arbitrary inner dimension (e.g. 4096 x 4096 x 3052); an inner dimension that is not a
multiple of 8 bf16 elements (16 bytes) keeps cuBLAS off its fastest kernels. This prints both rates
so the emulator's alignment rule (runtime/nccl/gpu_compute.cpp) rests on a measurement.
Usage: python3 gemm_alignment.py   (prints one line per shape)
"""
import torch

from gpu_timing import seconds_per_mm


def rate_tflops(m: int, k: int, n: int, iterations: int = 50) -> float:
    a = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(k, n, device="cuda", dtype=torch.bfloat16)
    return 2.0 * m * n * k / seconds_per_mm(a, b, iterations, warmup=5) / 1e12

for k in (3052, 3056, 3533, 3536, 763, 768, 4096):
    print(f"4096 x {k} x 4096 bf16: {rate_tflops(4096, k, 4096):7.1f} TFLOP/s ({'aligned' if k % 8 == 0 else 'inner not a multiple of 8'})")
