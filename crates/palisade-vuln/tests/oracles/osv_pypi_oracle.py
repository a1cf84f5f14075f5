"""OSV matching oracle for PyPI: which PyPA advisories affect a version,
evaluated with Python's packaging.version as the OSV specification's
evaluation algorithm describes (events sorted by version, "0" lowest,
introduced/fixed/last_affected/limit; the `versions` list), written
independently of palisade's matcher.

Versions checked per package: the distributions installed for this Python,
every event and listed version of its advisories, and a few made-up ones,
at most 24 per package. Prints `name<TAB>version<TAB>id,id,...` (ids may be
empty), one line per (package, version)."""
import glob
import os
import sys

import yaml

try:
    from packaging.utils import canonicalize_name
    from packaging.version import InvalidVersion, Version
except ImportError:
    from pip._vendor.packaging.utils import canonicalize_name
    from pip._vendor.packaging.version import InvalidVersion, Version

conformance = sys.argv[1]


def ver(s):
    try:
        return Version(s)
    except InvalidVersion:
        return None


def range_includes(events, v):
    parsed = []
    for e in events:
        (kind, text), = e.items()
        if kind == "introduced" and text == "0":
            parsed.append((kind, None))
            continue
        p = ver(text)
        if p is None:
            return None  # the range cannot be evaluated
        parsed.append((kind, p))
    limits = [p for k, p in parsed if k == "limit"]
    if limits and not any(v < l for l in limits):
        return False
    parsed.sort(key=lambda kp: (kp[1] is not None, kp[1] or Version("0"), kp[0] != "introduced"))
    affected = False
    for kind, p in parsed:
        if kind == "introduced":
            if p is None or v >= p:
                affected = True
        elif kind == "fixed":
            if v >= p:
                affected = False
        elif kind == "last_affected":
            if v > p:
                affected = False
    return affected


by_name = {}
for f in sorted(glob.glob(os.path.join(conformance, "pypa/vulns/*/*.yaml"))):
    with open(f) as fh:
        rec = yaml.load(fh, Loader=yaml.BaseLoader)  # every scalar a string
    for a in rec.get("affected") or []:
        pkg = a.get("package") or {}
        if pkg.get("ecosystem") != "PyPI":
            continue
        by_name.setdefault(canonicalize_name(pkg["name"]), []).append((rec, a))

installed = {}
try:
    import importlib.metadata as md

    for d in md.distributions():
        n = d.metadata["Name"]
        if n:
            installed.setdefault(canonicalize_name(n), set()).add(d.version)
except Exception:
    pass

for name in sorted(by_name):
    entries = by_name[name]
    cands = list(sorted(installed.get(name, ())))
    seen = set(cands)
    pool = []
    for rec, a in entries:
        for r in a.get("ranges") or []:
            for e in r.get("events") or []:
                (_, text), = e.items()
                pool.append(text)
        pool.extend(a.get("versions") or [])
    pool.extend(["0.0.1", "999.0"])
    for t in pool:
        if t not in seen and t != "0" and len(cands) < 24:
            seen.add(t)
            cands.append(t)
    for c in cands:
        v = ver(c)
        if v is None:
            continue
        ids = set()
        for rec, a in entries:
            if rec.get("withdrawn"):
                continue
            hit = False
            for r in a.get("ranges") or []:
                if r.get("type") not in ("ECOSYSTEM", "SEMVER"):
                    continue
                if r.get("type") == "SEMVER":
                    continue  # none in the PyPA data; palisade reads them as SemVer
                if range_includes(r.get("events") or [], v):
                    hit = True
            if not hit:
                for listed in a.get("versions") or []:
                    lv = ver(listed)
                    if (lv == v) if lv is not None else (listed == c):
                        hit = True
                        break
            if hit:
                ids.add(rec["id"])
        print(f"{name}\t{c}\t{','.join(sorted(ids))}")
