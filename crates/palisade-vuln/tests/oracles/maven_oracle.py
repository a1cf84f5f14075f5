"""Maven oracle: Maven's own ComparableVersion (its main compares each
pair of adjacent arguments), run once over a few thousand versions.

Versions: the version directories of the Debian Maven repository
(/usr/share/maven-repo, real artifacts on this machine) and generated
versions built from Maven's qualifiers, separators and numbers (including
long digit runs)."""
import glob
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pairs import RNG, clean, emit_compare  # noqa: E402

jars = glob.glob("/usr/share/maven/lib/maven-artifact-*.jar")
if not jars:
    sys.exit("maven-artifact jar not found in /usr/share/maven/lib (install maven)")

real = []
for pom in glob.glob("/usr/share/maven-repo/**/*.pom", recursive=True):
    real.append(os.path.basename(os.path.dirname(pom)))
real = clean(real)

QUAL = ["alpha", "beta", "milestone", "rc", "cr", "snapshot", "ga", "final", "release", "sp", "a", "b", "m", "foo", "jre",
        "RC", "SNAPSHOT", "Final", "", "x"]
SEP = [".", "-", "", "."]


def generated():
    parts = [str(RNG.choice([0, 0, 1, 2, 3, 10, 11, 2024, 123456789012, 12345678901234567890123]))]
    for _ in range(RNG.randrange(0, 5)):
        parts.append(RNG.choice(SEP))
        parts.append(RNG.choice(QUAL) if RNG.randrange(3) == 0 else str(RNG.choice([0, 1, 2, 9, 10, 0o0, 100])))
    s = "".join(parts)
    if RNG.randrange(15) == 0:
        s = "0000000000" + s
    return s


seq = [v for v in real if " " not in v]
gen = clean(generated() for _ in range(3500))
seq += gen
# Spellings of the same version, adjacent, so that equality is exercised.
for v in RNG.sample(seq, 600):
    seq += [v, RNG.choice([v + ".0", v + "-ga", v.upper(), v + "-final", v + ".0.0"])]
# Interleave: adjacent arguments are the compared pairs; shuffle a copy
# after the first pass so versions also meet others than their neighbours.
second = seq[:]
RNG.shuffle(second)
seq = seq + second

out = subprocess.run(["java", "-cp", jars[0], "org.apache.maven.artifact.versioning.ComparableVersion"] + seq,
                     capture_output=True, text=True, check=True).stdout.splitlines()
cmp_lines = [l for l in out if l.startswith("   ")]
if len(cmp_lines) != len(seq) - 1:
    sys.exit("unexpected ComparableVersion output: %d comparisons for %d versions" % (len(cmp_lines), len(seq)))
print("R\t%d" % len(real))
for v in real:
    print("P\t%s" % v)
for i, line in enumerate(cmp_lines):
    a, b = seq[i], seq[i + 1]
    rest = line[3 + len(a) + 1:]
    op = rest.split(" ", 1)[0]
    emit_compare(a, b, {"<": -1, "==": 0, ">": 1}[op])
