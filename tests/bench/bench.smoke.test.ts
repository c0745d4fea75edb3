/**
 * Smoke test of the benchmark suite: `pnpm bench -- --quick` (through the same tsx entry as the `bench` script) must
 * run every scenario and write JSON whose figures are all numbers, with no lost ballot.
 * The figures themselves are not asserted (targets are reported as ratios, docs/architecture.md).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
let dir = '';

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Row {
  scenario: string;
  figure: string;
  value: number;
  baseline: number | null;
  ratio: number | null;
  met: boolean | null;
}

describe('pnpm bench -- --quick', () => {
  // About a minute on a quiet 2-core machine; the kill and the test's limit leave room for ten times its load.
  it('runs S1, S2, S3 and Memory with numeric figures and 0 lost ballots', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hall-bench-smoke-'));
    const out = path.join(dir, 'quick.json');
    const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
    const { stdout } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(tsx, ['tests/bench/run.ts', '--quick', '--out', out, '--no-docs'], { cwd: repoRoot, timeout: 900_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve({ stdout, stderr }),
      );
    });
    expect(stdout).toContain('S1 vote storm');

    const json = JSON.parse(await readFile(out, 'utf8')) as {
      meta: { mode: string; cpus: number; cpuModel: string; node: string; durationMs: number };
      results: {
        s1: { sessions: number; app: { lost: number; failed: number; acked: number; votes: number; tallyMismatches: number } }[];
        s2: { subscribers: number }[];
        s3: { resynced: number; sessions: number } | null;
        memory: { perClientKB: number; perSessionKB: number } | null;
      };
      rows: Row[];
    };
    expect(json.meta.mode).toBe('quick');
    expect(json.meta.cpus).toBeGreaterThan(0);
    expect(json.meta.cpuModel).not.toBe('');
    // Its duration is reported, not asserted: timings belong in the bench output, never in pass/fail.
    expect(json.meta.durationMs).toBeGreaterThan(0);

    // Every scenario ran and has rows.
    expect(json.results.s1.map((s) => s.sessions)).toEqual([1]);
    expect(json.results.s2.map((s) => s.subscribers)).toEqual([200]);
    expect(json.results.s3).not.toBeNull();
    expect(json.results.memory).not.toBeNull();
    for (const prefix of ['S1 ', 'S2 ', 'S3 ', 'Memory ']) expect(json.rows.some((r) => r.scenario.startsWith(prefix))).toBe(true);

    // Every figure, baseline and ratio is a number.
    for (const r of json.rows) {
      expect(Number.isFinite(r.value), `${r.scenario} / ${r.figure} value`).toBe(true);
      if (r.baseline !== null) expect(Number.isFinite(r.baseline), `${r.scenario} / ${r.figure} baseline`).toBe(true);
      if (r.ratio !== null) expect(Number.isFinite(r.ratio), `${r.scenario} / ${r.figure} ratio`).toBe(true);
    }

    // Nothing acknowledged was lost, and every ballot was acknowledged and counted as cast.
    for (const s of json.results.s1) {
      expect(s.app.lost).toBe(0);
      expect(s.app.failed).toBe(0);
      expect(s.app.acked).toBe(s.app.votes);
      expect(s.app.tallyMismatches).toBe(0);
    }
    const lost = json.rows.find((r) => r.figure === 'lost ballots');
    expect(lost?.value).toBe(0);
    expect(json.results.s3!.resynced).toBe(json.results.s3!.sessions);
  }, 960_000);
});

describe('pnpm bench -- --soak --quick', () => {
  // Two sessions (Bắc Ninh's 85 and Tiên Du's 25 delegates) sitting for one minute of 20-second cycles: check-in,
  // speeches, questions, votes and a secret ballot. Correctness only; the timings are the soak's report, not a test.
  it('runs scripted sittings in which every command is acked, journaled and every ballot counted; adjourned, their rooms leave the server', async () => {
    dir ||= await mkdtemp(path.join(tmpdir(), 'hall-bench-smoke-'));
    const out = path.join(dir, 'soak.json');
    const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
    await new Promise<void>((resolve, reject) => {
      execFile(tsx, ['tests/bench/run.ts', '--soak', '--quick', '--out', out], { cwd: repoRoot, timeout: 900_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(),
      );
    });
    const { result } = JSON.parse(await readFile(out, 'utf8')) as {
      result: {
        sessions: number;
        delegates: number;
        windows: { acked: number; lost: number; ackMs: { p99: number }; rssMB: number }[];
        totals: { commands: number; acked: number; refused: number; unanswered: number; ballotsAcked: number; polls: number; lostJournal: number; lostBallots: number; tallyMismatches: number; errors: string[] };
        heapAt: { setupMB: number; sittingsMB: number; adjournedMB: number; roomsLeft: number };
      };
    };
    expect(result.sessions).toBe(2);
    expect(result.delegates).toBe(85 + 25);
    const t = result.totals;
    // Both sessions voted at least twice (a named motion and a secret ballot), every delegate each time.
    expect(t.polls).toBeGreaterThanOrEqual(4);
    expect(t.ballotsAcked).toBeGreaterThanOrEqual(2 * (85 + 25));
    expect(t.errors).toEqual([]);
    expect(t.refused).toBe(0);
    expect(t.unanswered).toBe(0);
    expect(t.acked).toBe(t.commands);
    expect(t.lostJournal).toBe(0);
    expect(t.lostBallots).toBe(0);
    expect(t.tallyMismatches).toBe(0);
    expect(result.windows.length).toBe(2);
    expect(result.windows.reduce((n, w) => n + w.acked, 0)).toBe(t.acked);
    for (const w of result.windows) {
      expect(w.lost).toBe(0);
      expect(Number.isFinite(w.rssMB)).toBe(true);
    }
    // Adjourned, with every screen gone: the server retired both rooms, and the probe answered each forced collection.
    expect(result.heapAt.roomsLeft).toBe(0);
    for (const mb of [result.heapAt.setupMB, result.heapAt.sittingsMB, result.heapAt.adjournedMB]) expect(mb).toBeGreaterThan(0);
  }, 960_000);
});
