"""Timing helpers shared by the benchmark modules."""

import math
import statistics
import time
from collections.abc import Callable


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        # The nearest-rank percentile: of 5 samples the 5th, of 30 the 29th (int() took
        # the 4th of 5, and the fastest of 2).
        "p95_ms": round(ordered[math.ceil(len(ordered) * 0.95) - 1] * 1000, 2),
        "n": len(ordered),
    }


def timed(action: Callable[[], object], repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples
