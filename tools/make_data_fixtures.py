#!/usr/bin/python3
"""Writes the data-format fixtures of bsth/model/src/test/resources/io/bsth/data/, with the values of
tools/make_mat_fixture.py (train 6, database 10, query 4 items; d_I = 5, d_T = 3, 4 classes):
  tiny_h5py.h5     a plain HDF5 file as h5py writes NumPy arrays: (n, d), not transposed, no MATLAB header
  tiny.npz         np.savez (stored): the nine arrays, labels as 0/1 matrices
  tiny_ids.npz     np.savez_compressed (deflated): labels as int64 class ids (n,), id = i % 4
Copies go to bsth/cli/src/test/resources/io/bsth/data/ (the property tests of every reader start from them).
Run with Debian's interpreter: /usr/bin/python3 tools/make_data_fixtures.py"""
import os
import shutil
import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "bsth", "model", "src", "test", "resources", "io", "bsth", "data")
COPY = os.path.join(os.path.dirname(__file__), "..", "bsth", "cli", "src", "test", "resources", "io", "bsth", "data")
SIZES = {"tr": (6, 100.0), "db": (10, 200.0), "te": (4, 300.0)}


def labels(n):
    L = np.zeros((n, 4), dtype=np.uint8)
    for i in range(n):
        L[i, i % 4] = 1
        L[i, (i * 3 + 1) % 4] = 1
    return L


def arrays(ids=False):
    out = {}
    for key, (n, base) in SIZES.items():
        out["I_" + key] = np.array([[base + i + j / 100.0 for j in range(5)] for i in range(n)], dtype=np.float64)
        out["T_" + key] = np.array([[1.0 if (i + 2 * j) % 3 == 0 else 0.0 for j in range(3)] for i in range(n)], dtype=np.float32)
        out["L_" + key] = np.arange(n, dtype=np.int64) % 4 if ids else labels(n).astype(np.float32)
    return out


def main():
    with h5py.File(os.path.join(OUT, "tiny_h5py.h5"), "w") as f:
        for k, v in arrays().items():
            f.create_dataset(k, data=v)
    np.savez(os.path.join(OUT, "tiny.npz"), **arrays())
    np.savez_compressed(os.path.join(OUT, "tiny_ids.npz"), **arrays(ids=True))
    for name in ("tiny_h5py.h5", "tiny.npz", "tiny_ids.npz"):
        shutil.copyfile(os.path.join(OUT, name), os.path.join(COPY, name))


if __name__ == "__main__":
    main()
