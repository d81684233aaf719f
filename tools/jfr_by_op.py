#!/usr/bin/env python3
"""Summarise a Java Flight Recorder execution profile of a training step or an encode batch by op.

Usage:
  jfr print --stack-depth 64 --events jdk.ExecutionSample step.jfr | python3 tools/jfr_by_op.py

Prints the top frames over all threads, then the samples of the thread that runs the step (not the
pool's bsth-worker threads, whose stacks stop at the pool) by op: the first frame of io.bsth.autograd.F
on the stack, "fwd NAME" for the op itself and "bwd NAME" for its backward closure (F.lambda$NAME$...);
forward ops called from TransformerEncoderLayer or MultiheadAttention are marked [enc]. Samples with no
F frame are listed by their top frame.
"""
import collections
import re
import sys


def frames_of(event):
    st = re.search(r"stackTrace = \[(.*?)\n\s*\]", event, re.S)
    if not st:
        return []
    out = []
    for line in st.group(1).strip().split("\n"):
        line = line.strip()
        if line and not line.startswith("..."):
            out.append(re.sub(r"\(.*", "", line))
    return out


def op_of(frames):
    for f in frames:
        m = re.match(r"io\.bsth\.autograd\.F\.lambda\$(\w+)\$", f)
        if m:
            return "bwd " + m.group(1)
        m = re.match(r"io\.bsth\.autograd\.F\.(\w+)$", f)
        if m and m.group(1) not in ("addInto", "requireSameShape"):
            op = "fwd " + m.group(1)
            if any("TransformerEncoderLayer" in g or "MultiheadAttention" in g for g in frames):
                op += " [enc]"
            return op
        if f.startswith("io.bsth.autograd.optim.Adam"):
            return "adam"
    return "other: " + frames[0]


def main():
    top, ops = collections.Counter(), collections.Counter()
    n_all = n_step = 0
    for event in sys.stdin.read().split("jdk.ExecutionSample {")[1:]:
        m = re.search(r'sampledThread = "([^"]*)"', event)
        thread = m.group(1) if m else "?"
        frames = frames_of(event)
        if not frames:
            continue
        n_all += 1
        top[frames[0]] += 1
        if thread.startswith("bsth-worker") or not any("io.bsth" in f for f in frames):
            continue
        n_step += 1
        ops[op_of(frames)] += 1
    print(f"samples {n_all}, of the step's thread {n_step}")
    print("top frames (all threads):")
    for k, v in top.most_common(20):
        print(f"  {100 * v / n_all:5.1f}%  {k}")
    print("by op (the step's thread):")
    for k, v in ops.most_common(30):
        print(f"  {100 * v / max(1, n_step):5.1f}%  {k}")


if __name__ == "__main__":
    main()
