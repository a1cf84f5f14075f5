"""rpm oracle: rpm.labelCompare (python3-rpm) on thousands of EVR pairs.

Versions: the fixed/introduced EVRs of the AlmaLinux OSV records in
../shared/conformance/osv/almalinux, grouped by package, plus mutations
with `~`, `^`, epochs and release bumps. The EVR is split as palisade
splits it (epoch: leading digits before `:`; release: after the last
`-`), and a missing epoch is passed as "0"."""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import rpm  # noqa: E402

from pairs import RNG, clean, emit_compare, pairs  # noqa: E402

conformance = sys.argv[1]
groups = {}
for path in glob.glob(os.path.join(conformance, "osv/almalinux/advisories/*/*.json")):
    with open(path) as f:
        record = json.load(f)
    for affected in record.get("affected", []):
        vs = groups.setdefault(affected["package"]["name"], [])
        for r in affected.get("ranges", []):
            for ev in r.get("events", []):
                vs.extend(v for k, v in ev.items() if k in ("introduced", "fixed", "last_affected") and v != "0")

real = clean(v for vs in groups.values() for v in vs)
print("R\t%d" % len(real))
for v in real:
    print("P\t%s" % v)


def split(evr):
    i = 0
    while i < len(evr) and evr[i].isdigit():
        i += 1
    if i < len(evr) and evr[i] == ":":
        epoch, rest = evr[:i] or "0", evr[i + 1:]
    else:
        epoch, rest = "0", evr
    v, sep, r = rest.rpartition("-")
    if not sep:
        v, r = rest, ""
    return (epoch, v, r)


def mutate(v):
    e, ver, r = split(v)
    choice = RNG.randrange(8)
    if choice == 0:
        ver += "~rc1"
    elif choice == 1:
        ver += "^git20240101"
    elif choice == 2:
        e = str(RNG.randrange(3))
    elif choice == 3:
        r = r.replace("el9", "el9_4", 1) if "el9" in r else r + ".1"
    elif choice == 4:
        ver = ver.replace(".", ".0", 1)
    elif choice == 5:
        r += "~bootstrap"
    elif choice == 6:
        ver += "a"
    else:
        ver += "^"
    s = ver + ("-" + r if r else "")
    return (e + ":" if e != "0" or RNG.randrange(2) else "") + s


mutated = {k: vs + [mutate(v) for v in clean(vs)[:10]] for k, vs in groups.items()}
for a, b in pairs(mutated.values(), per_group=8, cross=3000):
    emit_compare(a, b, rpm.labelCompare(split(a), split(b)))
