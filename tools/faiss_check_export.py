#!/usr/bin/python3
"""Checks a `bsth export --format faiss` file against `bsth index search`.

Usage: faiss_check_export.py INDEX.faiss QUERIES.npy OUR_IDS.npy OUR_DIST.npy K

Loads the file with faiss.read_index_binary, searches the +1/-1 query codes (packed with
numpy.packbits(codes > 0, axis=1, bitorder="little"), the byte layout of the export), maps FAISS's
labels (positions in id order) to ids through INDEX.faiss.ids.npy, and compares with our ids and
distances. FAISS breaks distance ties by position, i.e. by ascending id, as bsth does, so the lists
must be identical. Prints one line and exits 0 when they are.
"""
import sys

import faiss
import numpy as np


def main():
    path, queries, our_ids, our_dist, k = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    index = faiss.read_index_binary(path)
    ids = np.load(path + ".ids.npy").reshape(-1)
    q = np.load(queries)
    nbit = q.shape[1]
    pad = (-nbit) % 8
    bits = np.concatenate([q > 0, np.zeros((q.shape[0], pad), dtype=bool)], axis=1)
    qb = np.packbits(bits, axis=1, bitorder="little")
    assert index.d == nbit + pad, f"faiss d {index.d}, codes {nbit} bits"
    assert index.ntotal == len(ids), f"faiss holds {index.ntotal} codes, ids file {len(ids)}"
    dist, lab = index.search(qb, k)
    got_ids = ids[lab]
    want_ids, want_dist = np.load(our_ids), np.load(our_dist)
    same_ids = np.array_equal(got_ids, want_ids)
    same_dist = np.array_equal(dist.astype(np.int32), want_dist)
    print(f"faiss {faiss.__version__}: {index.ntotal} codes x {index.d} bits, {q.shape[0]} queries, k {k}: "
          f"ids identical: {same_ids}, distances identical: {same_dist}")
    sys.exit(0 if same_ids and same_dist else 1)


if __name__ == "__main__":
    main()
