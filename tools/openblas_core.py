#!/usr/bin/python3
"""Prints the OpenBLAS core PyTorch runs on (honours OPENBLAS_CORETYPE), for the peer benchmark scripts."""
import ctypes

import torch  # noqa: F401  (loads PyTorch's OpenBLAS)

for p in sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l and ".so" in l}):
    try:
        f = ctypes.CDLL(p).openblas_get_corename
    except AttributeError:
        continue
    f.restype = ctypes.c_char_p
    print(f().decode())
    break
else:
    print("unknown (no OpenBLAS loaded)")
