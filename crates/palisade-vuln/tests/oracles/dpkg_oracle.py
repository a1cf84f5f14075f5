"""dpkg oracle: apt_pkg.version_compare (python3-apt) on thousands of
pairs, and `dpkg --compare-versions` itself on a sample of them.

Versions: this machine's installed packages (dpkg-query) and the Ubuntu
OSV records in ../shared/conformance/osv/ubuntu, plus mutations that
exercise epochs, `~`, `+` and revisions."""
import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import apt_pkg  # noqa: E402

from pairs import RNG, clean, emit_compare, pairs  # noqa: E402

apt_pkg.init_system()
conformance = sys.argv[1]

groups = {}
out = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Version}\n"], capture_output=True, text=True, check=True)
for line in out.stdout.splitlines():
    name, _, version = line.partition("\t")
    groups.setdefault(name, []).append(version)
for path in glob.glob(os.path.join(conformance, "osv/ubuntu/osv/**/*.json"), recursive=True):
    with open(path) as f:
        record = json.load(f)
    for affected in record.get("affected", []):
        name = affected["package"]["name"]
        vs = groups.setdefault("ubuntu/" + name, [])
        vs.extend(affected.get("versions", []))
        for r in affected.get("ranges", []):
            for ev in r.get("events", []):
                vs.extend(v for k, v in ev.items() if k in ("introduced", "fixed", "last_affected") and v != "0")

real = clean(v for vs in groups.values() for v in vs)
print("R\t%d" % len(real))
for v in real:
    print("P\t%s" % v)

def mutate(v):
    choice = RNG.randrange(8)
    up, sep, rev = v.rpartition("-")
    if not sep:
        up, rev = v, ""
    if choice == 0:
        return v + "~rc1"
    if choice == 1:
        return v + "+b1"
    if choice == 2:
        return "1:" + v if ":" not in v else v.split(":", 1)[1]
    if choice == 3 and rev:
        return up + "~" + "-" + rev
    if choice == 4:
        return v.replace(".", ".0", 1)
    if choice == 5 and rev:
        return up + "-" + rev + "ubuntu0.1"
    if choice == 6:
        return v + "~~"
    return v + "a"

mutated = {}
for name, vs in groups.items():
    mutated[name] = vs + [mutate(v) for v in clean(vs)[:10]]
ps = pairs(mutated.values(), per_group=30, cross=3000)
for a, b in ps:
    emit_compare(a, b, apt_pkg.version_compare(a, b))

# dpkg itself on a sample, to show apt and dpkg agree on these pairs.
for a, b in RNG.sample(ps, min(150, len(ps))):
    lt = subprocess.run(["dpkg", "--compare-versions", a, "lt", b], stderr=subprocess.DEVNULL).returncode == 0
    eq = subprocess.run(["dpkg", "--compare-versions", a, "eq", b], stderr=subprocess.DEVNULL).returncode == 0
    emit_compare(a, b, -1 if lt else (0 if eq else 1))
