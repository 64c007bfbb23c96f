"""Peer for bench/fit-law.ts: the same fit with SciPy's BFGS (the optimiser of the paper's authors).

Reads the points the TypeScript benchmark wrote (CSV: sparsity,nonzero_params,tokens,loss), fits the sparse law
with the same objective (mean Huber, delta 1e-3, on log loss), the same parameterisation (logs of the seven
coefficients, N' = N/1e6, D' = D/1e7), 25 random starts and 200 bootstrap replicates warm-started from the
full fit plus 2 random starts each, and prints the wall time. Gradients are analytic, as in sparsebench.
Run by `npm run bench:fit` when python3 has numpy and scipy.
"""
import sys
import time

import numpy as np
from scipy.optimize import minimize

DELTA = 1e-3


def load(path):
    d = np.genfromtxt(path, delimiter=",", names=True)
    return d["sparsity"], d["nonzero_params"] / 1e6, d["tokens"] / 1e7, d["loss"]


def objective(theta, s, n, dd, loss, w):
    a, b, c, bn, e, f, g = np.exp(theta)
    x = 1.0 - s
    size = a * x**b + c
    tn = n ** (-bn)
    td = dd ** (-f)
    pred = size * tn + e * td + g
    r = np.log(pred) - np.log(loss)
    absr = np.abs(r)
    quad = absr <= DELTA
    h = np.where(quad, 0.5 * r**2, DELTA * (absr - 0.5 * DELTA))
    dh = np.where(quad, r, DELTA * np.sign(r)) / pred * w
    value = np.sum(w * h) / np.sum(w)
    # d pred / d log(param) = param * d pred / d param
    grads = np.array([
        np.sum(dh * a * x**b * tn),
        np.sum(dh * a * x**b * np.log(x) * tn) * b,
        np.sum(dh * c * tn),
        np.sum(dh * size * tn * -np.log(n)) * bn,
        np.sum(dh * e * td),
        np.sum(dh * e * td * -np.log(dd)) * f,
        np.sum(dh * g),
    ]) / np.sum(w)
    return value, grads


def fit(data, w, starts):
    best = None
    for t0 in starts:
        r = minimize(objective, t0, args=(*data, w), jac=True, method="BFGS", options={"gtol": 1e-12, "maxiter": 2000})
        if best is None or r.fun < best.fun:
            best = r
    return best


def main(path):
    data = load(path)
    n = len(data[0])
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    starts = [np.log(rng.uniform(0.02, 1.0, 7)) for _ in range(25)]
    full = fit(data, np.ones(n), starts)
    for _ in range(200):
        w = np.bincount(rng.integers(0, n, n), minlength=n).astype(float)
        fit(data, w, [full.x] + [np.log(rng.uniform(0.02, 1.0, 7)) for _ in range(2)])
    seconds = time.perf_counter() - t
    print(f"scipy BFGS peer: {n} points, 25 starts, 200 bootstrap replicates: {seconds:.2f} s "
          f"(loss {full.fun:.4e}, numpy {np.__version__})")


if __name__ == "__main__":
    main(sys.argv[1])
