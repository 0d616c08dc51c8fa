"""The one timing loop of the GPU scripts: CUDA events around `iterations` bf16 matrix products."""
import torch


def seconds_per_mm(a: torch.Tensor, b: torch.Tensor, iterations: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        torch.mm(a, b)
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(iterations):
        torch.mm(a, b)
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) / 1e3 / iterations
