#!/usr/bin/python3
"""Writes bsth/model/src/test/resources/io/bsth/data/tiny_v73.mat (copied to bsth/cli/src/test/resources/io/bsth/data/): a MATLAB v7.3-style file (HDF5 with a
512-byte user block and MATLAB's text header) holding the nine keys, each stored transposed as MATLAB
does (an n x d matrix appears in HDF5 as d x n). Values follow formulas the Java test recomputes:
  I[i, j] = split_base + i + j / 100         (float64), d_I = 5
  T[i, j] = 1 if (i + 2 j) % 3 == 0 else 0   (float32), d_T = 3
  L[i, i % 4] = L[i, (3 i + 1) % 4] = 1, else 0            (uint8), C = 4
Run with Debian's interpreter: /usr/bin/python3 tools/make_mat_fixture.py"""
import os
import shutil
import h5py
import numpy as np

ROOT = os.path.join(os.path.dirname(__file__), "..", "bsth")
OUT = os.path.join(ROOT, "model", "src", "test", "resources", "io", "bsth", "data", "tiny_v73.mat")
COPY = os.path.join(ROOT, "cli", "src", "test", "resources", "io", "bsth", "data", "tiny_v73.mat")
SIZES = {"tr": (6, 100.0), "db": (10, 200.0), "te": (4, 300.0)}


def labels(n):
    L = np.zeros((n, 4), dtype=np.uint8)
    for i in range(n):
        L[i, i % 4] = 1
        L[i, (i * 3 + 1) % 4] = 1
    return L


def main():
    header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Tue Nov 24 00:00:00 2026 HDF5 schema 1.00 ."
    with h5py.File(OUT, "w", userblock_size=512, libver="earliest") as f:
        for key, (n, base) in SIZES.items():
            I = np.array([[base + i + j / 100.0 for j in range(5)] for i in range(n)], dtype=np.float64)
            T = np.array([[1.0 if (i + 2 * j) % 3 == 0 else 0.0 for j in range(3)] for i in range(n)], dtype=np.float32)
            f.create_dataset("I_" + key, data=I.T)
            f.create_dataset("T_" + key, data=T.T)
            f.create_dataset("L_" + key, data=labels(n).T)
    with open(OUT, "r+b") as f:
        f.write(header.ljust(116, b" ")[:116])
        f.seek(124)
        f.write(b"\x00\x02IM")
    shutil.copyfile(OUT, COPY)


if __name__ == "__main__":
    main()
