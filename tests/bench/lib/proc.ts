/**
 * Processes the bench starts (the server under test, the baseline server) and what it reads about them from /proc:
 * CPU time (utime + stime of the process and its descendants, in clock ticks) and resident memory (VmRSS).
 *
 * Every process runs as `node --import tsx <script>` (no tsx CLI wrapper in between), so the pid we hold IS the
 * server, in a process group of its own: `kill9()` signals the whole group, and `cleanup` kills whatever is left.
 */
import { spawn, execSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from './deps.ts';

// ---------------------------------------------------------------------------------------------------------------
// Clean-up registry: every child process and temp dir registers itself; `runCleanup` undoes them in reverse.

const cleanups: { name: string; fn: () => Promise<void> | void }[] = [];

export function onCleanup(name: string, fn: () => Promise<void> | void): () => void {
  const entry = { name, fn };
  cleanups.push(entry);
  return () => {
    const i = cleanups.indexOf(entry);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

export async function runCleanup(): Promise<void> {
  while (cleanups.length) {
    const { name, fn } = cleanups.pop()!;
    try {
      await fn();
    } catch (err) {
      console.error(`cleanup ${name} failed:`, err instanceof Error ? err.message : err);
    }
  }
}

export async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `hall-bench-${label}-`));
  onCleanup(`rm ${dir}`, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

// ---------------------------------------------------------------------------------------------------------------
// /proc readings

let clkTck = 0;
export function clockTicks(): number {
  if (!clkTck) {
    try {
      clkTck = Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  /** utime + stime + cutime + cstime, ticks. */
  ticks: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state): field n is rest[n - 3].
    return { pid, ppid: Number(rest[1]), pgrp: Number(rest[2]), ticks: Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]) };
  } catch {
    return null;
  }
}

function allStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/** The process and every descendant. */
export function processTree(pid: number): number[] {
  const stats = allStats();
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const s of stats) if (s.ppid === tree[i]) tree.push(s.pid);
  return tree;
}

/** CPU milliseconds used so far by the process and its descendants. */
export function cpuMs(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) ticks += readStat(p)?.ticks ?? 0;
  return (ticks * 1000) / clockTicks();
}

/** Resident set size of the process, bytes. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes

export interface StartOptions {
  name: string;
  script: string;
  args?: string[];
  env?: Record<string, string>;
  /** Ready when this URL answers 2xx. */
  readyUrl: string;
  timeoutMs?: number;
}

export class Proc {
  output = '';
  readonly startedAt = performance.now();
  private readonly forget: () => void;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const collect = (b: Buffer) => {
      this.output = (this.output + b.toString()).slice(-200_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.forget = onCleanup(`kill ${name}`, () => this.kill9());
  }

  get pid(): number {
    return this.child.pid!;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Spawns and waits until `readyUrl` answers; `readyMs` is spawn → ready. */
  static async start(opts: StartOptions): Promise<{ proc: Proc; readyMs: number }> {
    const t0 = performance.now();
    // BENCH_PROFILE_DIR=dir: every server writes a V8 CPU profile there (see kill9); for finding hot spots, not figures.
    const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
    const child = spawn(process.execPath, [...profile, '--import', 'tsx', opts.script, ...(opts.args ?? [])], {
      cwd: repoRoot,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const proc = new Proc(opts.name, child);
    const timeout = opts.timeoutMs ?? 60_000;
    while (performance.now() - t0 < timeout) {
      if (proc.exited) throw new Error(`${opts.name} exited (${child.exitCode ?? child.signalCode}):\n${proc.output.slice(-4000)}`);
      const ok = await fetch(opts.readyUrl).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return { proc, readyMs: performance.now() - t0 };
      await sleep(25);
    }
    await proc.kill9();
    throw new Error(`${opts.name} not ready within ${timeout} ms:\n${proc.output.slice(-4000)}`);
  }

  /** SIGKILL to the whole process group; resolves when no member is left. */
  async kill9(): Promise<void> {
    const pid = this.child.pid;
    this.forget();
    if (!pid) return;
    const groupAlive = () => {
      try {
        process.kill(-pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    if (!groupAlive()) return;
    const exited = this.exited ? Promise.resolve() : new Promise<void>((r) => this.child.once('exit', () => r()));
    if (process.env.BENCH_PROFILE_DIR && !this.exited) {
      // A profile is written on a graceful exit only: profiling runs trade the crash for it.
      process.kill(pid, 'SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
    }
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
    const until = performance.now() + 5000;
    while (groupAlive() && performance.now() < until) await sleep(10);
  }

  /** SIGTERM (graceful), then SIGKILL after 5 s. */
  async stop(): Promise<void> {
    const pid = this.child.pid;
    if (pid && !this.exited) {
      const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // gone
      }
      await Promise.race([exited, sleep(5000)]);
    }
    await this.kill9();
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
