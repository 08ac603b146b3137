"""The 48-sector Leontief sweep of benches/sweep.rs, in Python with numpy.

Same matrix (a closed formula), same draws (parkflow's counter-based
SplitMix64 uniforms, seed 48), same solves: for each sample, final demand
d_j = 50 + 100 u(seed, sample, j) and x = (I - A)^-1 d. Prints the checksum
the Rust bench prints (total CO2 of sample 0) and the time per sample, for a
Python loop of np.linalg.solve and for one batched solve of all samples.

    pip install numpy && python3 benches/compare/leontief48.py
"""

import time

import numpy as np

SECTORS = 48
SAMPLES = 2000
SEED = 48
M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def mix(x):
    """SplitMix64's finaliser, as parkflow::sweep::design::mix (wrapping u64)."""
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def uniform(seed, index, dim):
    """parkflow::sweep::design::uniform, vectorised over index and dim."""
    with np.errstate(over="ignore"):
        h = mix(mix(mix(np.uint64(seed)) ^ index) ^ (dim * np.uint64(0xD6E8FEB86659FD93)))
    return ((h >> np.uint64(11)).astype(np.float64) + 0.5) / float(1 << 53)


def coefficient(i, j):
    return 0.5 / SECTORS * (1.0 + 0.8 * np.sin(0.37 * i + 0.11 * j * j))


def main():
    i, j = np.meshgrid(np.arange(SECTORS, dtype=float), np.arange(SECTORS, dtype=float), indexing="ij")
    a = coefficient(i, j)
    leontief = np.eye(SECTORS) - a
    emission = 1.0 + np.arange(SECTORS) / SECTORS

    start = time.perf_counter()
    runs = np.arange(SAMPLES, dtype=np.uint64)[:, None]
    dims = np.arange(SECTORS, dtype=np.uint64)[None, :]
    demand = 50.0 + 100.0 * uniform(SEED, runs, dims)  # SAMPLES x SECTORS
    draws = time.perf_counter() - start

    start = time.perf_counter()
    totals = np.empty(SAMPLES)
    for k in range(SAMPLES):
        x = np.linalg.solve(leontief, demand[k])
        totals[k] = emission @ x
    loop = time.perf_counter() - start

    start = time.perf_counter()
    x_all = np.linalg.solve(leontief, demand.T)  # one LU, all right-hand sides
    batched_totals = emission @ x_all
    batched = time.perf_counter() - start

    assert np.allclose(totals, batched_totals, rtol=1e-12)
    print(f"leontief48 sample 0: total co2 = {totals[0]!r}")
    print(f"numpy {np.__version__}: draws {draws / SAMPLES * 1e6:.2f} us/sample")
    print(f"  loop of np.linalg.solve: {loop / SAMPLES * 1e6:.2f} us/sample")
    print(f"  one batched solve:       {batched / SAMPLES * 1e6:.2f} us/sample")


if __name__ == "__main__":
    main()
