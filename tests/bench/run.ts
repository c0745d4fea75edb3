/**
 * `pnpm bench [-- --quick] [--store embedded|redis] [--out path]` — the benchmark suite (issue 6, item 4).
 *
 * Runs S1 (vote storm), S2 (fan-out), S3 (recovery) and Memory against the real server as a separate process, each
 * with its baseline in the same run, prints a table, writes JSON (default tests/bench/results/latest.json) and
 * regenerates docs/benchmarks.md (full runs; a quick run only when --docs is given).
 *
 * Options:
 *   --quick                 smoke sizes (S1 S=1, S2 N=200, S3 5×100, memory 5 sessions / 200 clients, 3 s windows)
 *   --store embedded|redis  storage adapter of the server and of the baseline's journal (default embedded)
 *   --out <path>            JSON output
 *   --docs <path>           Markdown output (default docs/benchmarks.md for full runs)
 *   --no-docs               do not write the Markdown page
 *   --only s1,s2,s3,memory  run some scenarios only; `cores` adds S1 with HALL_CORES = every core, `nodes` S1 at
 *                           its largest S ≥ 100 on two nodes (both on Redis, same schedule and baseline as S1's
 *                           rows; in the full run by default, not in --quick)
 *   --workers <n>           load-generator processes for the big scenarios (default max(2, CPUs − 1), at most 8)
 *   --s2-per-worker <n>     S2 subscribers per generator process: the pool grows to ⌈N / n⌉ processes (default 1250)
 *   --window <ms>           S1 vote window and S2 drive length (default 10000; quick 3000)
 *   --redis-url <url>       default $REDIS_URL or redis://127.0.0.1:6379
 *   --seed <n>              schedule seed (default 1)
 *   --render <json>         run nothing: print the table of an earlier run's JSON and regenerate the Markdown from it
 *                           (a soak's JSON: its section of the page)
 *   --s1 1,10 | --s2 1000 | --s3 100x1000 | --memory 100x5000
 *                           override a scenario's sizes (S1 session counts, S2 subscriber counts, S3
 *                           sessions×events, memory sessions×clients)
 *   --media                 run the broadcast figures instead (scenarios/media.ts): WebRTC viewers one process serves
 *                           before frames drop, hub CPU per viewer, HLS encoder CPU per rung; JSON to
 *                           tests/bench/results/media.json (or --out). With --quick: 2 and 5 viewers, 3 s windows.
 *   --media-steps 10,50,100 viewer counts of the ramp (default 5,10,25,50,75,100,150,200)
 *   --preset <x264 preset>  the HLS encoder's preset for --media (default superfast, as MEDIA_HLS_PRESET)
 *   --soak                  run the province soak instead (scenarios/soak.ts; not in CI): 100 sessions of the province
 *                           seed's sizes in scripted sittings + 5,000 public viewers; JSON to
 *                           tests/bench/results/soak.json (or --out), its section of docs/benchmarks.md rewritten in
 *                           place (unless --no-docs). With --quick: 2 sessions, 20 viewers, 20 s cycles, no docs.
 *   --soak-minutes <n>      soak length (default 20; quick 1)
 *   --soak-window <min>     report window (default 5; quick 0.5)
 *   --soak-sessions <n>     sessions (default 100; quick 2)   --soak-viewers <n>  public viewers (default 5000; quick 20)
 *   --soak-cycle <s>        one cycle of speeches, questions and a vote per session (default 180; quick 20)
 */
import { cpus, loadavg, totalmem, platform, release } from 'node:os';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadIoRedis, repoRoot } from './lib/deps.ts';
import { runCleanup } from './lib/proc.ts';
import { Pool } from './lib/pool.ts';
import { logLine } from './lib/log.ts';
import { hashAccounts, type StoreKind } from './lib/hall.ts';
import type { Ctx } from './lib/common.ts';
import { flags, markdown, rows, textTable, type Meta, type Results } from './lib/report.ts';
import { runS1 } from './scenarios/s1-vote-storm.ts';
import { allCores, twoNodes } from './scenarios/s1-cores.ts';
import { SUBSCRIBERS_PER_WORKER, runS2 } from './scenarios/s2-fanout.ts';
import { runS3 } from './scenarios/s3-recovery.ts';
import { runMemory } from './scenarios/memory.ts';
import { mediaTable, runMediaBench } from './scenarios/media.ts';
import { SOAK_BEGIN, SOAK_DEFAULTS, SOAK_END, runSoak, soakMarkdown, spliceSoak, type SoakOptions, type SoakResult } from './scenarios/soak.ts';

interface Args {
  quick: boolean;
  store: StoreKind;
  out: string;
  docs: string | null;
  only: Set<string>;
  workers: number;
  subscribersPerWorker: number;
  windowMs: number;
  redisUrl: string;
  seed: number;
  sizes: Sizes;
  render: string | null;
  media: { steps: number[]; preset: string; out: string } | null;
  soak: (SoakOptions & { out: string }) | null;
}

interface Sizes {
  s1: number[];
  s2: number[];
  s3: { sessions: number; events: number };
  memory: { sessions: number; clients: number };
}

const SCENARIOS = ['s1', 's2', 's3', 'memory', 'cores', 'nodes'];

function parseArgs(argv: string[]): Args {
  const a = argv.filter((x) => x !== '--');
  const value = (name: string): string | undefined => {
    const i = a.indexOf(name);
    if (i < 0) return undefined;
    const v = a[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
    return v;
  };
  const known = new Set(['--quick', '--store', '--out', '--docs', '--no-docs', '--only', '--workers', '--window', '--redis-url', '--seed', '--s1', '--s2', '--s3', '--memory', '--render', '--media', '--media-steps', '--preset', '--s2-per-worker', '--soak', '--soak-minutes', '--soak-window', '--soak-sessions', '--soak-viewers', '--soak-cycle']);
  for (const x of a) if (x.startsWith('--') && !known.has(x)) throw new Error(`unknown option ${x}`);
  const quick = a.includes('--quick');
  const store = (value('--store') ?? 'embedded') as StoreKind;
  if (store !== 'embedded' && store !== 'redis') throw new Error('--store must be embedded or redis');
  const only = new Set((value('--only') ?? (quick ? ['s1', 's2', 's3', 'memory'] : SCENARIOS).join(',')).split(',').map((s) => s.trim().toLowerCase()));
  for (const s of only) if (!SCENARIOS.includes(s)) throw new Error(`--only: unknown scenario ${s} (${SCENARIOS.join(', ')})`);
  const docsDefault = quick ? null : path.join(repoRoot, 'docs/benchmarks.md');
  const base = quick ? SIZES.quick : SIZES.full;
  const list = (name: string, dflt: number[]) => (value(name) ? value(name)!.split(',').map(positive(name)) : dflt);
  const pair = (name: string): [number, number] | null => {
    const v = value(name);
    if (!v) return null;
    const m = /^(\d+)x(\d+)$/.exec(v);
    if (!m) throw new Error(`${name} expects AxB, e.g. 100x1000`);
    return [positive(name)(m[1]!), positive(name)(m[2]!)];
  };
  const s3 = pair('--s3');
  const mem = pair('--memory');
  const sizes: Sizes = {
    s1: list('--s1', base.s1),
    s2: list('--s2', base.s2),
    s3: s3 ? { sessions: s3[0], events: s3[1] } : base.s3,
    memory: mem ? { sessions: mem[0], clients: mem[1] } : base.memory,
  };
  return {
    quick,
    store,
    out: path.resolve(value('--out') ?? path.join(repoRoot, 'tests/bench/results/latest.json')),
    docs: a.includes('--no-docs') ? null : value('--docs') ? path.resolve(value('--docs')!) : docsDefault,
    only,
    workers: Number(value('--workers') ?? Math.max(2, Math.min(8, cpus().length - 1))),
    subscribersPerWorker: value('--s2-per-worker') ? positive('--s2-per-worker')(value('--s2-per-worker')!) : SUBSCRIBERS_PER_WORKER,
    windowMs: Number(value('--window') ?? (quick ? 3000 : 10_000)),
    redisUrl: value('--redis-url') ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    seed: Number(value('--seed') ?? 1),
    sizes,
    render: value('--render') ? path.resolve(value('--render')!) : null,
    media: a.includes('--media')
      ? {
          steps: value('--media-steps') ? value('--media-steps')!.split(',').map(positive('--media-steps')) : quick ? [2, 5] : [5, 10, 25, 50, 75, 100, 150, 200],
          preset: value('--preset') ?? 'superfast',
          out: path.resolve(value('--out') ?? path.join(repoRoot, 'tests/bench/results/media.json')),
        }
      : null,
    soak: a.includes('--soak')
      ? {
          ...SOAK_DEFAULTS,
          ...(quick ? { minutes: 1, windowMinutes: 0.5, sessions: 2, viewers: 20, cycleSec: 20 } : {}),
          ...(value('--soak-minutes') ? { minutes: positiveNumber('--soak-minutes')(value('--soak-minutes')!) } : {}),
          ...(value('--soak-window') ? { windowMinutes: positiveNumber('--soak-window')(value('--soak-window')!) } : {}),
          ...(value('--soak-sessions') ? { sessions: positive('--soak-sessions')(value('--soak-sessions')!) } : {}),
          ...(value('--soak-viewers') ? { viewers: Number(value('--soak-viewers')) } : {}),
          ...(value('--soak-cycle') ? { cycleSec: positive('--soak-cycle')(value('--soak-cycle')!) } : {}),
          out: path.resolve(value('--out') ?? path.join(repoRoot, 'tests/bench/results/soak.json')),
        }
      : null,
  };
}

const positiveNumber = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: ${v} is not a positive number`);
  return n;
};

const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: ${v} is not a positive whole number`);
  return n;
};

const SIZES: { quick: Sizes; full: Sizes } = {
  quick: { s1: [1], s2: [200], s3: { sessions: 5, events: 100 }, memory: { sessions: 5, clients: 200 } },
  full: { s1: [1, 10, 100], s2: [1000, 5000, 10_000], s3: { sessions: 100, events: 1000 }, memory: { sessions: 100, clients: 5000 } },
};

/** Prints the table of a saved run and rewrites its Markdown (after a change to the report's wording). */
async function render(args: Args) {
  const saved = JSON.parse(await readFile(args.render!, 'utf8')) as { meta: Meta; results: Results } | { result: SoakResult };
  if ('result' in saved) {
    // A soak's JSON: its section of the page only.
    const docs = args.docs ?? path.join(repoRoot, 'docs/benchmarks.md');
    await writeFile(docs, spliceSoak(await readFile(docs, 'utf8').catch(() => '# Benchmarks\n'), soakMarkdown(saved.result)));
    console.log(`Markdown: ${path.relative(process.cwd(), docs) || docs}`);
    return;
  }
  const table = rows(saved.results);
  console.log(`\n${textTable(table)}\n`);
  for (const f of flags(saved.results, saved.meta)) console.log(`FLAG: ${f}`);
  const docs = args.docs ?? (saved.meta.mode === 'full' ? path.join(repoRoot, 'docs/benchmarks.md') : null);
  if (docs) {
    await writeFile(docs, markdown(saved.meta, saved.results, table) + (await keptSoakSection(docs)));
    console.log(`Markdown: ${path.relative(process.cwd(), docs) || docs}`);
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.render) return render(args);
  if (args.media) {
    logLine(`bench --media: viewer steps ${args.media.steps.join(', ')}, window ${args.windowMs / 1000} s, HLS preset ${args.media.preset}`);
    try {
      const r = await runMediaBench({ steps: args.media.steps, windowSec: args.windowMs / 1000, preset: args.media.preset, log: logLine, out: args.media.out });
      console.log(`\n${mediaTable(r)}\n\nJSON: ${path.relative(process.cwd(), args.media.out) || args.media.out}`);
    } finally {
      await runCleanup();
    }
    return;
  }
  if (args.soak) return soak(args, args.soak);
  const started = performance.now();
  const sizes = args.sizes;
  const loadAvgStart = loadavg();
  logLine(`bench ${args.quick ? 'quick' : 'full'} run, store ${args.store}, ${args.workers} generator processes, window ${args.windowMs} ms`);

  // Demo accounts are hashed up front, while the generators start: nothing is measured yet.
  const [pool] = await Promise.all([Pool.start(args.workers), hashAccounts()]);
  const ctx: Ctx = { store: args.store, redisUrl: args.redisUrl, quick: args.quick, workers: args.workers, subscribersPerWorker: args.subscribersPerWorker, windowMs: args.windowMs, seed: args.seed, log: logLine, pool };
  const results: Results = { s1: [], s2: [], s3: null, memory: null, errors: [] };
  // A scenario that fails (a server crash, a timeout) is reported and the others still run.
  const attempt = async <T>(name: string, run: () => Promise<T>): Promise<T | null> => {
    try {
      return await run();
    } catch (err) {
      const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
      logLine(`${name} FAILED: ${err instanceof Error ? err.stack ?? err.message : err}`);
      results.errors.push({ scenario: name, error: message });
      // Its own finally blocks killed its servers; make sure the generators hold no socket of it either.
      await ctx.pool.all('closeAll').catch(() => undefined);
      return null;
    }
  };
  try {
    if (args.only.has('s1')) {
      const biggest = Math.max(...sizes.s1);
      for (const s of sizes.s1) {
        const variants = [...(args.only.has('cores') ? [allCores()] : []), ...(args.only.has('nodes') && s === biggest && s >= 100 ? [twoNodes()] : [])];
        const r = await attempt(`S1 S=${s}`, () => runS1(ctx, s, variants));
        if (r) results.s1.push(r);
      }
    }
    if (args.only.has('s2')) {
      for (const n of sizes.s2) {
        const r = await attempt(`S2 N=${n}`, () => runS2(ctx, n));
        if (r) results.s2.push(r);
      }
    }
    if (args.only.has('s3')) results.s3 = await attempt(`S3 ${sizes.s3.sessions}x${sizes.s3.events}`, () => runS3(ctx, sizes.s3.sessions, sizes.s3.events));
    if (args.only.has('memory')) results.memory = await attempt(`Memory ${sizes.memory.sessions}x${sizes.memory.clients}`, () => runMemory(ctx, sizes.memory.sessions, sizes.memory.clients));
  } finally {
    await pool.stop();
    await runCleanup();
  }

  const redisConfig = args.store === 'redis' ? await redisDurability(args.redisUrl) : null;
  const cpuList = cpus();
  const meta: Meta = {
    date: new Date().toISOString(),
    mode: args.quick ? 'quick' : 'full',
    store: args.store,
    node: process.version,
    platform: `${platform()} ${release()}`,
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    memoryGB: totalmem() / 1024 ** 3,
    loadAvgStart,
    loadAvgEnd: loadavg(),
    workers: pool.size,
    subscribersPerWorker: args.subscribersPerWorker,
    windowMs: args.windowMs,
    durationMs: performance.now() - started,
    seed: args.seed,
    ...(redisConfig ? { redis: redisConfig } : {}),
  };
  const table = rows(results);
  const flagged = flags(results, meta);
  console.log(`\n${textTable(table)}\n`);
  for (const f of flagged) console.log(`FLAG: ${f}`);
  console.log(`\n${meta.cpus} × ${meta.cpuModel}, Node ${meta.node}, store ${meta.store}, ${(meta.durationMs / 1000).toFixed(1)} s`);

  await mkdir(path.dirname(args.out), { recursive: true });
  await writeFile(args.out, `${JSON.stringify({ meta, results, rows: table, flags: flagged }, null, 2)}\n`);
  console.log(`JSON: ${path.relative(process.cwd(), args.out) || args.out}`);
  if (args.docs) {
    await mkdir(path.dirname(args.docs), { recursive: true });
    await writeFile(args.docs, markdown(meta, results, table) + (await keptSoakSection(args.docs)));
    console.log(`Markdown: ${path.relative(process.cwd(), args.docs) || args.docs}`);
  } else if (args.quick) console.log('docs/benchmarks.md not regenerated for --quick (pass --docs <path> to write one)');
}

async function soak(args: Args, opts: SoakOptions & { out: string }) {
  logLine(`bench --soak: ${opts.sessions} sessions, ${opts.viewers} viewers, ${opts.minutes} min, store ${args.store}`);
  const [pool] = await Promise.all([Pool.start(1), hashAccounts()]);
  const ctx: Ctx = { store: args.store, redisUrl: args.redisUrl, quick: args.quick, workers: args.workers, windowMs: args.windowMs, seed: args.seed, log: logLine, pool };
  let result: SoakResult;
  try {
    result = await runSoak(ctx, opts);
  } finally {
    await pool.stop();
    await runCleanup();
  }
  await mkdir(path.dirname(opts.out), { recursive: true });
  await writeFile(opts.out, `${JSON.stringify({ node: process.version, platform: `${platform()} ${release()}`, cpuModel: cpus()[0]?.model.trim() ?? 'unknown', store: args.store, result }, null, 2)}\n`);
  console.log(`\nJSON: ${path.relative(process.cwd(), opts.out) || opts.out}`);
  const docs = args.docs;
  if (docs) {
    const page = await readFile(docs, 'utf8').catch(() => '# Benchmarks\n');
    await writeFile(docs, spliceSoak(page, soakMarkdown(result)));
    console.log(`Markdown: ${path.relative(process.cwd(), docs) || docs}`);
  }
}

/** The soak's section of the page as it stands, kept when a full run rewrites the rest (the soak runs far less often). */
async function keptSoakSection(docs: string): Promise<string> {
  const page = await readFile(docs, 'utf8').catch(() => '');
  const a = page.indexOf(SOAK_BEGIN);
  const b = page.indexOf(SOAK_END);
  return a >= 0 && b > a ? `\n${page.slice(a, b + SOAK_END.length)}\n` : '';
}

/** Redis's persistence settings, which decide what an XADD ack costs (and means). */
async function redisDurability(url: string): Promise<string> {
  const Redis = loadIoRedis();
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    const get = async (key: string) => ((await redis.config('GET', key)) as string[])[1] ?? '?';
    return `redis ${((await redis.info('server')) as string).match(/redis_version:(\S+)/)?.[1] ?? '?'}, appendonly ${await get('appendonly')}, appendfsync ${await get('appendfsync')}`;
  } catch (err) {
    return `unknown (${err instanceof Error ? err.message : String(err)})`;
  } finally {
    redis.disconnect();
  }
}

let exiting = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (exiting) return;
    exiting = true;
    logLine(`${sig}: cleaning up`);
    void runCleanup().finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    console.error('bench failed:', err instanceof Error ? err.stack ?? err.message : err);
    await runCleanup();
    process.exit(1);
  },
);
