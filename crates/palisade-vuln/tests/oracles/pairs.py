"""Shared helpers for the version oracles: deterministic pairing of real
versions, and the output format the Rust test reads.

Output lines (tab-separated):
  C <a> <b> <-1|0|1>   the oracle's comparison of a and b
  V <s> <1|0>          whether the oracle accepts s as a version
"""
import itertools
import random
import sys

RNG = random.Random(6)


def clean(versions):
    """Drops versions the line format cannot carry; keeps order, no duplicates."""
    seen, out = set(), []
    for v in versions:
        if not isinstance(v, str) or not v or v in seen:
            continue
        if any(c in v for c in "\t\n\r") or len(v) > 200:
            continue
        seen.add(v)
        out.append(v)
    return out


def pairs(groups, per_group=40, cross=2000):
    """Pairs within each group (versions of one package), capped, then
    random pairs across all versions."""
    out = []
    for vs in groups:
        vs = clean(vs)
        if len(vs) * (len(vs) - 1) // 2 <= per_group:
            out.extend(itertools.combinations(vs, 2))
        elif len(vs) > 1:
            out.extend(tuple(RNG.sample(vs, 2)) for _ in range(per_group))
    every = clean(v for vs in groups for v in vs)
    if len(every) > 1:
        for _ in range(cross):
            out.append(tuple(RNG.sample(every, 2)))
    return out


def sign(x):
    return (x > 0) - (x < 0)


def emit_compare(a, b, r):
    sys.stdout.write("C\t%s\t%s\t%d\n" % (a, b, sign(r)))


def emit_valid(s, ok):
    sys.stdout.write("V\t%s\t%d\n" % (s, 1 if ok else 0))
