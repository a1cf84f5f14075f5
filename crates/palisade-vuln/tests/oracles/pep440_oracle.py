"""PEP 440 oracle: Python's packaging.version.Version (the standalone
`packaging`, or the copy pip vendors).

Versions: every version in the PyPA advisories in
../shared/conformance/osv/pypa (versions lists and range events), this
Python's installed distributions, and generated strings that exercise the
grammar's corners (separators, spellings, case, local parts, invalid
forms). Emits validity for each string and comparisons of valid pairs."""
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

try:
    from packaging.version import InvalidVersion, Version
except ImportError:
    from pip._vendor.packaging.version import InvalidVersion, Version

from pairs import RNG, clean, emit_compare, emit_valid, pairs  # noqa: E402

conformance = sys.argv[1]


def unquote(v):
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
        v = v[1:-1]
    return v


# The records are block YAML written by one tool; reading the lines keeps
# every version exactly as written (a YAML loader would turn an unquoted
# 4.10 into the float 4.1) and is ten times faster.
groups = {}
for path in sorted(glob.glob(os.path.join(conformance, "osv/pypa/vulns/*/*.yaml"))):
    name, in_versions, in_ecosystem_range = os.path.basename(os.path.dirname(path)), False, False
    vs = groups.setdefault(name, [])
    with open(path) as f:
        for line in f:
            stripped = line.strip()
            if line.startswith("  versions:"):
                in_versions = True
                continue
            if in_versions and stripped.startswith("- ") and not stripped.endswith(":"):
                vs.append(unquote(stripped[2:]))
                continue
            in_versions = False
            if stripped.startswith("- type:"):
                in_ecosystem_range = stripped.endswith("ECOSYSTEM")
            for key in ("- introduced:", "- fixed:", "- last_affected:"):
                if in_ecosystem_range and stripped.startswith(key):
                    v = unquote(stripped[len(key):])
                    if v != "0":
                        vs.append(v)
try:
    from importlib import metadata
    for dist in metadata.distributions():
        groups.setdefault("installed/" + (dist.metadata["Name"] or "?"), []).append(dist.version)
except Exception:
    pass

real = clean(v for vs in groups.values() for v in vs)
ok_real = []
for v in real:
    try:
        Version(v)
        ok_real.append(v)
        emit_valid(v, True)
    except InvalidVersion:
        emit_valid(v, False)
print("R\t%d" % len(ok_real))
for v in ok_real:
    print("P\t%s" % v)

PARTS = ["", "a", "b", "c", "rc", "alpha", "beta", "pre", "preview", "post", "rev", "r", "dev", "-", "_", ".", "1", "0",
         "12", "+", "+abc", "+1.2", "+x-y_z", "v", "!", "1!", "A", "RC", "Post", "DEV", " ", "..", "x"]


def generated(n):
    out = []
    for _ in range(n):
        base = RNG.choice(["1", "1.0", "1.0.0", "2.5", "0.1.2.3", "1!1.0", "v1.0", "10.0.01", "1.0.0.0"])
        out.append(base + "".join(RNG.choice(PARTS) for _ in range(RNG.randrange(0, 5))))
    return out


gen = clean(generated(4000))
valid_gen = []
for s in gen:
    try:
        Version(s)
        ok = True
    except InvalidVersion:
        ok = False
    emit_valid(s, ok)
    if ok:
        valid_gen.append(s)

groups["generated"] = valid_gen
# Spellings of the same version, so that equality is exercised too.
same = []
for v in RNG.sample(ok_real, min(1500, len(ok_real))):
    same.append((v, RNG.choice(["v" + v, v.upper(), " " + v, v + ".0" if v.replace(".", "").isdigit() else v + "+0"])))
for a, b in pairs(groups.values(), per_group=25, cross=4000) + same:
    try:
        va, vb = Version(a), Version(b)
    except InvalidVersion:
        continue
    emit_compare(a, b, (va > vb) - (va < vb))
