#!/usr/bin/python3
"""Prints the README results table from report JSONs: DIR/java_{set}_{bits}.json (bin/bsth train --report)
and DIR/ref_{set}_{bits}.json (tools/bsth_reference.py --report).
    /usr/bin/python3 tools/results_table.py DIR"""
import json
import os
import sys

d = sys.argv[1]
sets = [("syn", "synthetic"), ("fm", "fashion-mnist")]
print("| data | implementation | 16 bits | 32 bits | 64 bits | 128 bits |")
print("| --- | --- | --- | --- | --- | --- |")
for key, name in sets:
    for impl, label in (("java", "bsth-java"), ("ref", "PyTorch reference")):
        cells = []
        for b in (16, 32, 64, 128):
            f = os.path.join(d, f"{impl}_{key}_{b}.json")
            cells.append(f"{json.load(open(f))['map_all']:.4f}" if os.path.exists(f) else "-")
        print(f"| {name} | {label} | " + " | ".join(cells) + " |")
print()
print("| data | bits | implementation | stage 1 s | stage 2 s/epoch (mean) | encode s |")
print("| --- | --- | --- | --- | --- | --- |")
for key, name in sets:
    for b in (16, 32, 64, 128):
        for impl, label in (("java", "bsth-java"), ("ref", "PyTorch")):
            f = os.path.join(d, f"{impl}_{key}_{b}.json")
            if not os.path.exists(f):
                continue
            r = json.load(open(f))
            e = r["epoch_seconds"]
            print(f"| {name} | {b} | {label} | {r['stage1_seconds']:.1f} | {sum(e) / len(e):.1f} | {r['encode_seconds']:.1f} |")
