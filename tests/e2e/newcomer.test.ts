/**
 * The first hour of a newcomer, as README's Quick start and "A rehearsal with bot delegates" sections say it goes: `pnpm start` (the
 * first Quick-start line, apps built, demo seeded, URLs and logins printed) on a port that is not 8080, the bot session
 * exactly as README writes it with `--url`, a chair opening check-in and a poll, and Ctrl-C ending the server cleanly
 * (exit 0, no `ELIFECYCLE Command failed`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../server/test/support/hall.ts';
import { connectChair } from '../support/e2e.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
let server: ChildProcess | undefined;
let bots: ChildProcess | undefined;
let dir = '';

afterAll(async () => {
  for (const p of [bots, server]) if (p?.pid && p.exitCode === null && p.signalCode === null) process.kill(-p.pid, 'SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs a package script in its own process group (as a terminal would), collecting its output. */
function run(args: string[], env: Record<string, string>) {
  const child = spawn('pnpm', args, { cwd: root, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { text: '' };
  child.stdout!.on('data', (c) => (out.text += c));
  child.stderr!.on('data', (c) => (out.text += c));
  // 'close', not 'exit': pnpm may end first (it gets the same Ctrl-C), while the program it ran still writes its last
  // lines into the same pipes.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('close', (code, signal) => r({ code, signal })));
  return { child, out, exited };
}

async function waitFor(what: string, ok: () => boolean, exited: Promise<unknown>, out: { text: string }, timeoutMs: number) {
  let gone = false;
  void exited.then(() => (gone = true));
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (gone) throw new Error(`exited before ${what}:\n${out.text.slice(-3000)}`);
    if (Date.now() > end) throw new Error(`no ${what} after ${timeoutMs} ms:\n${out.text.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a newcomer from the README', () => {
  it('[NEWCOMER-1] pnpm start serves on another port, the README bot session votes as written, and Ctrl-C exits cleanly', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hall-newcomer-'));
    const port = await freePort();
    const base = `http://localhost:${port}`;
    const start = run(['start'], { PORT: String(port), DATA_DIR: join(dir, 'data'), HALL_DEMO: '1', NODE_ENV: 'development', REDIS_URL: '' });
    server = start.child;
    await waitFor('the start banner', () => /Demo logins/.test(start.out.text) && /listening/i.test(start.out.text), start.exited, start.out, 600_000);
    for (const shown of ['/chair/', '/delegate/', '/wall/', '/live/', 'chutoa.bn', 'wall.bn']) expect(start.out.text).toContain(shown);
    for (const path of ['/healthz', '/chair/', '/delegate/', '/wall/', '/live/', '/public/']) expect((await fetch(`${base}${path}`)).status, path).toBe(200);

    // README: leave bn-d001 to a person; the bots check in when the chair opens check-in and vote in every poll.
    const swarm = run(['bots', '--', '--url', base, '--session', 'bn-kh12', '--skip', 'bn-d001', '--delay-ms', '200'], {});
    bots = swarm.child;
    await waitFor('the bots joining', () => /joined bn-kh12: 84\/84/.test(swarm.out.text), swarm.exited, swarm.out, 300_000);
    const chair = await connectChair(base);
    try {
      await chair.must('session.openCheckIn', {});
      await chair.until((v) => (v.attendance?.present ?? 0) >= 84, 'the 84 bots checked in', 300_000);
      await chair.must('session.start', {});
      for (const pollId of ['newcomer-1', 'newcomer-2']) {
        await chair.must('poll.open', { pollId, subject: `Thông qua nội dung ${pollId}`, kind: 'motion', mode: 'electronic', durationSec: 900 });
        await chair.until((v) => (v.polls.find((p) => p.pollId === pollId)?.castCount ?? 0) 
          >= 84, `84 ballots in ${pollId}`, 300_000);
        await chair.must('poll.close', { pollId });
        await chair.must('poll.announce', { pollId });
      }
    } finally {
      chair.close();
    }
    // The bots keep going until Ctrl-C, then print their summary.
    process.kill(-bots.pid!, 'SIGINT');
    // As for the server below: pnpm gets the same Ctrl-C and may end by it; the bots' own clean end is their summary.
    const swarmEnded = await swarm.exited;
    expect(swarmEnded.code === 0 || swarmEnded.signal === 'SIGINT', JSON.stringify(swarmEnded)).toBe(true);
    expect(swarm.out.text).not.toContain('ELIFECYCLE');
    expect(swarm.out.text).toMatch(/Phiếu được xác nhận \/ ballots acked\s+168/);
    expect(swarm.out.text).not.toMatch(/acked: bn-d001 /);
    expect(swarm.out.text).toMatch(/acked: bn-d002 /);

    process.kill(-server.pid!, 'SIGINT');
    // What a terminal shows is what matters: nothing reports a failure. pnpm itself gets the same Ctrl-C, so it may end
    // by that signal (a shell prints nothing then) or with the server's 0.
    const ended = await start.exited;
    expect(ended.code === 0 || ended.signal === 'SIGINT', JSON.stringify(ended)).toBe(true);
    expect(start.out.text).not.toContain('ELIFECYCLE');
  }, 1_200_000);
});
