// SemVer oracle: npm's own `semver` package (from npm's node_modules).
//
// Versions: the SEMVER range events of the RustSec OSV records in
// ../shared/conformance/osv/rustsec, the versions of every package.json in
// npm's node_modules (real npm releases), and generated pre-release and
// build variants. Emits validity (semver.valid, strict) and comparisons
// (semver.compare) in the format pairs.py describes.
'use strict';
const fs = require('fs');
const path = require('path');
const { execSync } = require('child_process');

const conformance = process.argv[2];
const npmRoot = process.argv[3] || path.join(execSync('npm root -g', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim(), 'npm');
const semver = require(path.join(npmRoot, 'node_modules', 'semver'));

let seed = 6;
const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
const groups = new Map();
const add = (k, v) => { if (typeof v === 'string' && v && !/[\t\n\r]/.test(v)) { if (!groups.has(k)) groups.set(k, []); groups.get(k).push(v); } };

const dir = path.join(conformance, 'osv/rustsec/osv/crates');
for (const f of fs.readdirSync(dir)) {
  const rec = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  for (const a of rec.affected || []) {
    for (const r of a.ranges || []) {
      for (const ev of r.events || []) {
        for (const k of ['introduced', 'fixed', 'last_affected']) if (ev[k] && ev[k] !== '0') add('crates/' + a.package.name, ev[k]);
      }
    }
  }
}
const walk = (d, depth) => {
  if (depth > 6) return;
  let entries;
  try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
  for (const e of entries) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p, depth + 1);
    else if (e.name === 'package.json') {
      try { const j = JSON.parse(fs.readFileSync(p, 'utf8')); if (j.name && j.version) add('npm/' + j.name, j.version); } catch { }
    }
  }
};
walk(path.join(npmRoot, 'node_modules'), 0);

const real = [...new Set([].concat(...groups.values()))];
const out = [];
out.push('R\t' + real.filter((v) => semver.valid(v) !== null).length);
for (const v of real) {
  const ok = semver.valid(v) !== null;
  out.push('V\t' + v + '\t' + (ok ? 1 : 0));
  if (ok) out.push('P\t' + v);
}
const PRE = ['alpha', 'beta', 'rc', '0', '1', '2', '10', 'alpha.1', 'beta.11', 'x-y', '01', 'a..b', '', 'rc.1.2', '-', '99999'];
const gen = [];
for (let i = 0; i < 3000; i++) {
  const base = real[rand(real.length)] || '1.0.0';
  const core = base.replace(/[-+].*$/, '');
  let s = core;
  const k = rand(6);
  if (k >= 1) s += '-' + PRE[rand(PRE.length)];
  if (k >= 3) s += '.' + PRE[rand(PRE.length)];
  if (k === 5) s += '+build.' + rand(100);
  if (rand(10) === 0) s = 'v' + s;
  if (rand(20) === 0) s = s.replace(/^(\d+)/, '0$1');
  gen.push(s);
}
const valid = [];
for (const s of new Set(gen)) {
  const ok = semver.valid(s) !== null;
  out.push('V\t' + s + '\t' + (ok ? 1 : 0));
  if (ok) valid.push(s);
}
groups.set('generated', valid);
const every = [...new Set([].concat(...groups.values()))].filter((v) => semver.valid(v) !== null);
const emit = (a, b) => out.push('C\t' + a + '\t' + b + '\t' + semver.compare(a, b));
for (const vs0 of groups.values()) {
  const vs = [...new Set(vs0)].filter((v) => semver.valid(v) !== null);
  let n = 0;
  for (let i = 0; i < vs.length && n < 30; i++) for (let j = i + 1; j < vs.length && n < 30; j++, n++) emit(vs[i], vs[j]);
}
for (const v of every.slice(0, 800)) emit(v, (rand(2) ? 'v' + v : v) + (v.includes('+') ? '' : '+build.' + rand(9)));
for (let i = 0; i < 4000; i++) emit(every[rand(every.length)], every[rand(every.length)]);
process.stdout.write(out.join('\n') + '\n');
