/**
 * `pnpm verify` as an operator meets it: a run with nothing to check says so and fails (never "0 failed" over an empty
 * directory it created), a data directory held by a running server is explained in one sentence, not a stack trace,
 * and a real journal verifies (0) or names the first bad record (2).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalInput } from '../../src/store/types.ts';
import { openEmbeddedStore } from '../../src/store/embedded.ts';
import { runBoardVerify, runVerify, VERIFY_EXIT } from '../../src/cli/verify-run.ts';
import { tamperEmbedded, tempDir } from '../store/helpers.ts';

const ev = (n: number): JournalInput => ({ at: 1_760_000_000_000 + n, event: { type: 'note.added', n, text: `ghi chú số ${n}` } as unknown as JournalInput['event'] });

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function run(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runVerify(env, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function dataDirWithJournal(): Promise<string> {
  const dir = await tempDir('hall-verify-');
  dirs.push(dir);
  const store = await openEmbeddedStore(dir, { log: () => undefined });
  await store.journal.append('kh-1', [ev(1), ev(2), ev(3)]);
  await store.journal.append('kh-2', [ev(1)]);
  await store.close();
  return dir;
}

describe('pnpm verify', () => {
  it('[VERIFY-1] a directory that is not a Hall data directory: exit 3, a bilingual reason, and nothing created', async () => {
    const parent = await tempDir('hall-verify-');
    dirs.push(parent);
    const missing = join(parent, 'data');
    const r = await run({ DATA_DIR: missing });
    expect(r.code).toBe(VERIFY_EXIT.nothingToVerify);
    expect(r.err).toMatch(/Không có gì để kiểm tra/);
    expect(r.err).toMatch(/Nothing to verify/);
    expect(existsSync(missing)).toBe(false);
  });

  it('[VERIFY-2] a data directory without journals is not a success', async () => {
    const dir = await tempDir('hall-verify-');
    dirs.push(dir);
    await (await openEmbeddedStore(dir, { log: () => undefined })).close();
    const r = await run({ DATA_DIR: dir });
    expect(r.code).toBe(VERIFY_EXIT.nothingToVerify);
    expect(r.err).toMatch(/Không có nhật ký kỳ họp nào/);
  });

  it('[VERIFY-3] every journal verifies: exit 0, one line per session; a changed byte: exit 2 naming the seq', async () => {
    const dir = await dataDirWithJournal();
    const good = await run({ DATA_DIR: dir });
    expect(good.code).toBe(VERIFY_EXIT.ok);
    expect(good.out).toMatch(/OK {2}kh-1: 3 records/);
    expect(good.out).toMatch(/OK {2}kh-2: 1 records/);
    expect(good.out).toMatch(/2 journals, 0 failed/);
    await tamperEmbedded(dir, 'kh-1', 2);
    const bad = await run({ DATA_DIR: dir });
    expect(bad.code).toBe(VERIFY_EXIT.broken);
    expect(bad.out).toMatch(/BAD kh-1: .*first bad seq 2/);
  });

  it('[VERIFY-4] the CLI against a directory a live server holds: exit 4, the lock explained, no stack trace', async () => {
    const dir = await dataDirWithJournal();
    // A live process that is not the CLI holds the lock: this test runner.
    await writeFile(join(dir, 'LOCK'), String(process.pid));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/verify.ts'], { env: { ...process.env, DATA_DIR: dir, REDIS_URL: '' }, cwd: join(import.meta.dirname, '../..') });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(VERIFY_EXIT.inUse);
    expect(stderr).toMatch(/đang được một tiến trình Hall sử dụng/);
    expect(stderr).toMatch(/only one process may open it/);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('[VERIFY-5] an unreachable Redis is a clear error (exit 1) with the password hidden', async () => {
    const r = await run({ REDIS_URL: 'redis://:hunter2@127.0.0.1:1' });
    expect(r.code).toBe(VERIFY_EXIT.error);
    expect(r.err).toMatch(/Không mở được kho dữ liệu|Lỗi khi kiểm tra/);
    expect(r.err).not.toContain('hunter2');
  }, 120_000);

  it('[VERIFY-7] storage settings the server would refuse are refused the same way (exit 1, the variable named)', async () => {
    const r = await run({ REDIS_URL: 'http://:hunter2@127.0.0.1:1', REDIS_PREFIX: 'two words' });
    expect(r.code).toBe(VERIFY_EXIT.error);
    expect(r.err).toContain('REDIS_URL');
    expect(r.err).toContain('REDIS_PREFIX');
    expect(r.err).not.toContain('hunter2');
  });
});


describe('pnpm verify -- --board', () => {
  it('[VERIFY-6] a committee poll\'s bulletin board verifies from the file alone; a changed count is named (exit 2)', async () => {
    const { webcrypto } = await import('node:crypto');
    const bc = await import('@hall/core/ballot-crypto');
    const random = (n: number) => webcrypto.getRandomValues(new Uint8Array(n));
    const shape = { pollContext: 'bac-ninh/bn-kh12/p1', options: [3] };
    const params = { members: 2, threshold: 2 };
    const started = [1, 2].map((i) => bc.startCeremony(shape.pollContext, params, i, random));
    const pub = started.map((s) => s.published);
    const sealed = started.flatMap((s) => bc.dealShares(shape.pollContext, s.secrets, pub, random));
    const secrets = started.map((s) => bc.finishCeremony(shape.pollContext, params, s.secrets, pub, sealed));
    const h = bc.committeeKey(pub);
    const ballots = [0, 0, 2].map((c) => bc.encryptBallot(shape, h, [c], random));
    const aggregates = bc.aggregate(shape, ballots.map((b) => bc.verifyBallot(shape, h, b)));
    const partials = secrets.map((x, i) => bc.decryptShare(shape, i + 1, x, aggregates, random));
    const board = {
      version: 1 as const,
      shape,
      committee: params,
      commitments: pub,
      publicKey: bc.encodePoint(h),
      ballots: ballots.map((ballot) => ({ receipt: bc.ballotReceipt(ballot), ballot })).sort((x, y) => (x.receipt < y.receipt ? -1 : 1)),
      partials,
      counts: [[2, 0, 1]],
    };
    const dir = await tempDir('hall-board-');
    dirs.push(dir);
    const file = join(dir, 'board.json');
    await writeFile(file, JSON.stringify(board));
    const out: string[] = [];
    expect(runBoardVerify(file, (l) => out.push(l), (l) => out.push(l))).toBe(VERIFY_EXIT.ok);
    expect(out.join('\n')).toMatch(/OK {2}3 ballots.*\[\[2,0,1\]\]/);
    await writeFile(file, JSON.stringify({ ...board, counts: [[1, 1, 1]] }));
    out.length = 0;
    expect(runBoardVerify(file, (l) => out.push(l), (l) => out.push(l))).toBe(VERIFY_EXIT.broken);
    expect(out.join('\n')).toMatch(/claimed counts/);
    expect(runBoardVerify(join(dir, 'missing.json'), (l) => out.push(l), (l) => out.push(l))).toBe(VERIFY_EXIT.error);
  }, 300_000);
});
