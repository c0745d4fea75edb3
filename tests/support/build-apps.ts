/**
 * Vitest global setup for the browser tests: the server serves an app's `dist/` only if it exists when `buildApp`
 * runs, so every app must be built — and built from the current sources — before any test file starts a server.
 * Runs `pnpm -r --if-present build` at the repository root when any app's `dist/index.html` is missing or older than
 * the newest file of its sources (the app's own, client-kit's and core's). `HALL_E2E_BUILD=always|never` overrides.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const APPS = ['chair-console', 'delegate-client', 'display-wall', 'public-record', 'admin'] as const;
/** Sources every app bundles besides its own. */
const SHARED = ['client-kit/src', 'core/src'];

function newest(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const e of readdirSync(p, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    max = Math.max(max, newest(path.join(p, e.name)));
  }
  return max;
}

/** Why an app needs building, or null when its dist is current. */
export function staleReason(app: string): string | null {
  const index = path.join(root, app, 'dist', 'index.html');
  if (!existsSync(index)) return `${app}: no dist/index.html`;
  const built = statSync(index).mtimeMs;
  const inputs = [
    path.join(root, app, 'src'),
    path.join(root, app, 'index.html'),
    path.join(root, app, 'vite.config.ts'),
    path.join(root, app, 'package.json'),
    ...SHARED.map((s) => path.join(root, s)),
  ];
  const src = Math.max(...inputs.map(newest));
  return src > built ? `${app}: sources newer than dist (${new Date(src).toISOString()} > ${new Date(built).toISOString()})` : null;
}

export default function setup() {
  const mode = process.env.HALL_E2E_BUILD ?? 'auto';
  if (mode === 'never') return;
  const reasons = APPS.map(staleReason).filter((r): r is string => r !== null);
  if (mode !== 'always' && reasons.length === 0) return;
  const started = performance.now();
  try {
    execFileSync('pnpm', ['-r', '--if-present', 'build'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], timeout: 170_000 });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(`pnpm -r build failed (${reasons.join('; ') || 'forced'}):\n${e.stdout?.toString().slice(-4000) ?? ''}\n${e.stderr?.toString().slice(-4000) ?? ''}\n${e.message}`);
  }
  for (const app of APPS) {
    if (!existsSync(path.join(root, app, 'dist', 'index.html'))) throw new Error(`${app}: still no dist/index.html after the build`);
  }
  console.log(`[e2e] built the apps in ${Math.round(performance.now() - started)} ms (${reasons.join('; ') || 'forced'})`);
}
