/**
 * `pnpm test` after the Debian prerequisites: every workspace package's own test script, one package at a time (they
 * share two cores, real ports and one Redis), and **every** suite runs even when an earlier one failed, so one red
 * suite never hides the state of the others. A table of all suites closes the run; the exit code is 1 if any failed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
/** Cheap, foundational suites first; the browser and benchmark suites last. Unknown packages go before `tests`. */
const ORDER = ['core', 'client-kit', 'server', 'media'];
const LAST = ['tests'];

interface Pkg {
  name: string;
  dir: string;
}

function packagesWithTests(): Pkg[] {
  const listed = JSON.parse(execFileSync('pnpm', ['-r', 'ls', '--json', '--depth', '-1'], { cwd: root, encoding: 'utf8' })) as { name: string; path: string }[];
  const pkgs = listed
    .filter((p) => path.resolve(p.path) !== path.resolve(root))
    .filter((p) => {
      const manifest = JSON.parse(readFileSync(path.join(p.path, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
      return typeof manifest.scripts?.test === 'string';
    })
    .map((p) => ({ name: p.name, dir: path.relative(root, p.path) }));
  const rank = (p: Pkg) => {
    const i = ORDER.indexOf(p.dir);
    if (i >= 0) return i;
    return LAST.includes(p.dir) ? ORDER.length + 1 + LAST.indexOf(p.dir) : ORDER.length;
  };
  return pkgs.sort((a, b) => rank(a) - rank(b) || a.dir.localeCompare(b.dir));
}

function run(pkg: Pkg): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('pnpm', ['-C', pkg.dir, 'test'], { cwd: root, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.on('error', () => resolve(127));
  });
}

const suites = packagesWithTests();
if (process.argv.includes('--list')) {
  for (const p of suites) console.log(`${p.name}\t${p.dir}`);
  process.exit(0);
}
const results: { pkg: Pkg; code: number; seconds: number }[] = [];
for (const pkg of suites) {
  console.log(`\n━━━ ${pkg.name} (${pkg.dir}) ━━━`);
  const started = performance.now();
  const code = await run(pkg);
  results.push({ pkg, code, seconds: Math.round((performance.now() - started) / 1000) });
}

const width = Math.max(...results.map((r) => r.pkg.name.length));
console.log('\nKết quả các bộ kiểm thử / test suites:');
for (const r of results) console.log(`  ${r.code === 0 ? 'PASS' : 'FAIL'}  ${r.pkg.name.padEnd(width)}  ${String(r.seconds).padStart(5)} s${r.code === 0 ? '' : `  (exit ${r.code})`}`);
const failed = results.filter((r) => r.code !== 0);
console.log(failed.length === 0 ? `All ${results.length} suites passed.` : `${failed.length} of ${results.length} suites failed: ${failed.map((r) => r.pkg.name).join(', ')}`);
process.exit(failed.length === 0 ? 0 : 1);
