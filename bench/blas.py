#!/usr/bin/env python3
"""The BLAS that /usr/bin/python3's torch uses, and the sgemm rate it reaches on the step's shapes.

Run by `npm run bench` (bench/bench.ts); prints one JSON object. With torch's default threading
(as torch_reference.py and torch_fast.py run), for each batch size B it times the three k x N
products of a training step, written as torch_fast.py writes them:

  h @ W2.t()      (B x k)(k x N)   forward, decoder
  out @ W2        (B x N)(N x k)   gradient with respect to h
  out.t() @ h     (N x B)(B x k)   gradient of W2

in float32, best of several blocks, and reports GFLOP/s (2 B k N per product). The BLAS is named
from the shared libraries the process maps after a matrix product (/proc/self/maps), and for
OpenBLAS from openblas_get_config().

  /usr/bin/python3 bench/blas.py --N 512 --k 1024 --log2_batch_sizes 8,10,13 [--seconds 0.3]
"""
import argparse, ctypes, json, os, re, time
import torch


def mapped_libraries():
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 6 and parts[5].startswith("/"):
                libs.add(parts[5])
    return sorted(libs)


def blas_description():
    libs = [p for p in mapped_libraries() if re.search(r"(openblas|mkl|blis|libblas|libcblas|atlas|flexiblas)", os.path.basename(p), re.I)]
    desc = {"libraries": libs, "name": None, "threads": None}
    openblas = [p for p in libs if re.search(r"libopenblas", os.path.basename(p))]
    if openblas:
        lib = ctypes.CDLL(openblas[0])  # already mapped: the same handle torch calls through
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
        config = lib.openblas_get_config().decode()
        version = re.match(r"OpenBLAS\s+(\S+)", config)
        variant = re.search(r"openblas-(pthread|openmp|serial)", openblas[0])
        base = os.path.basename(openblas[0])
        if not variant:
            variant = {"libopenblasp": "pthread", "libopenblaso": "openmp"}.get(base.split("-")[0])
        else:
            variant = variant.group(1)
        desc["threads"] = lib.openblas_get_num_threads()
        desc["name"] = "OpenBLAS %s (%s, core %s, %d threads)" % (
            version.group(1) if version else "?", variant or "unknown threading", lib.openblas_get_corename().decode(), desc["threads"])
        desc["config"] = config
    elif any("mkl" in os.path.basename(p) for p in libs) or torch.backends.mkl.is_available():
        desc["name"] = "MKL"
    elif libs:
        desc["name"] = os.path.basename(os.path.realpath(libs[0]))
    else:
        desc["name"] = "unknown (BLAS_INFO from torch: %s)" % (re.search(r"BLAS_INFO=([^,]*)", torch.__config__.show()) or [None, "?"])[1]
    desc["path"] = os.path.realpath(openblas[0]) if openblas else (os.path.realpath(libs[0]) if libs else None)
    return desc


def time_step_products(B, N, k, seconds):
    g = torch.Generator().manual_seed(0)
    h = torch.rand(B, k, generator=g)
    W2 = torch.rand(N, k, generator=g)
    out = torch.rand(B, N, generator=g)
    y = torch.empty(B, N)
    g_h = torch.empty(B, k)
    dW2 = torch.empty(N, k)

    def step():
        torch.mm(h, W2.t(), out=y)
        torch.mm(out, W2, out=g_h)
        torch.mm(out.t(), h, out=dW2)

    for _ in range(3):
        step()
    t = time.perf_counter()
    step()
    once = max(time.perf_counter() - t, 1e-6)
    reps = max(1, int(seconds / once))
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(reps):
            step()
        best = min(best, (time.perf_counter() - t) / reps)
    return {"log2_batch_size": B.bit_length() - 1, "ms_per_step": best * 1e3, "gflops": 3 * 2 * B * k * N / best / 1e9}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--N", type=int, default=512)
    ap.add_argument("--k", type=int, default=1024)
    ap.add_argument("--log2_batch_sizes", default="10")
    ap.add_argument("--seconds", type=float, default=0.3, help="length of one timed block")
    a = ap.parse_args()
    torch.mm(torch.rand(64, 64), torch.rand(64, 64))  # load and start the BLAS before reading the maps
    gemm = [time_step_products(2 ** int(b), a.N, a.k, a.seconds) for b in a.log2_batch_sizes.split(",")]
    print(json.dumps({
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "blas": blas_description(),
        "gemm": gemm,
    }))


if __name__ == "__main__":
    main()
