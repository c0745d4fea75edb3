/**
 * [E2E-3] A delegate tablet survives a server restart. The server is a child process (`tsx server/src/main.ts`) on a
 * fixed data directory and port; it is killed (SIGKILL) while a poll is open and started again on the same directory
 * and port. One tablet voted before the crash, the other votes while the server is down.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { freePort, ServerProcess, type TestClient } from '../../server/test/support/hall.ts';
import { launch, screenshot } from '../support/browser.ts';
import {
  ballotRecorded,
  ballotResending,
  checkInAll,
  connectChair,
  connectDelegates,
  delegateCheckIn,
  delegateLogin,
  dumpPages,
  gone,
  motionButton,
  newPage,
  range,
  visible,
} from '../support/e2e.ts';

const SUBJECT = 'Nghị quyết về điều chỉnh kế hoạch đầu tư công trung hạn giai đoạn 2026-2030';
/** The kit's ConnectionBanner while the socket is down. */
const BANNER = 'Mất kết nối — đang kết nối lại…';

let dir: string;
let server: ServerProcess;
let browser: Browser;
let observer: TestClient;
let bots: Map<number, TestClient>;
let voted: Page; // votes before the crash
let offline: Page; // votes while the server is down

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hall-e2e-restart-'));
  server = new ServerProcess(path.join(dir, 'data'), await freePort());
  await server.start();
  browser = await launch();
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') {
    await dumpPages({ voted, offline });
    console.log(server.output.slice(-3000));
  }
});

afterAll(async () => {
  for (const b of bots?.values() ?? []) b.close();
  observer?.close();
  await browser?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('restart', () => {
  it('[E2E-3] a tablet reconnects after a server restart, still shows its recorded ballot, and a ballot sent while the server was down is "not recorded" until it is', async () => {
    const base = server.baseUrl;
    observer = await connectChair(base);
    await observer.must('session.openCheckIn', {});
    [voted, offline] = await Promise.all([newPage(browser, 'tablet'), newPage(browser, 'tablet')]);
    await Promise.all([delegateLogin(voted, base, 1), delegateLogin(offline, base, 2)]);
    await Promise.all([delegateCheckIn(voted), delegateCheckIn(offline)]);
    bots = await connectDelegates(base, range(3, 60));
    await checkInAll(bots.values());
    await observer.must('session.start', {});
    await observer.must('poll.open', { pollId: 'e2e3-poll', subject: SUBJECT, kind: 'motion', mode: 'electronic', durationSec: 900 });

    // Tablet 1 votes and sees it recorded.
    await visible(voted.getByRole('heading', { level: 2, name: SUBJECT }));
    await motionButton(voted, 'Tán thành').click();
    await visible(ballotRecorded(voted));
    await visible(voted.getByText('Phiếu “Tán thành” của bạn đã được hệ thống ghi nhận.'));
    await observer.until((v) => v.poll?.castCount === 1, 'first ballot counted');

    // The server dies.
    await server.kill9();
    await visible(voted.getByRole('status').filter({ hasText: BANNER }));
    await visible(offline.getByRole('status').filter({ hasText: BANNER }));

    // Tablet 2 votes while nothing can answer: it must say plainly that the ballot is NOT recorded.
    await visible(offline.getByRole('heading', { level: 2, name: SUBJECT }));
    await motionButton(offline, 'Không tán thành').click();
    await visible(offline.getByRole('alert').filter({ hasText: 'CHƯA GHI NHẬN — đang gửi lại' }));
    await visible(motionButton(offline, 'Không tán thành').getByText('Chưa ghi nhận', { exact: true }));
    expect(await ballotRecorded(offline).count()).toBe(0);
    await screenshot(offline, 'e2e-3-delegate-not-recorded');
    // Tablet 1's ballot was acknowledged before the crash: it stays recorded.
    await visible(ballotRecorded(voted));

    // The server comes back on the same data directory and port.
    await server.start();
    await gone(voted.getByRole('status').filter({ hasText: BANNER }), 30_000);
    await gone(offline.getByRole('status').filter({ hasText: BANNER }), 30_000);

    // The ballot sent while the server was down is delivered (same commandId) and only now shown as recorded.
    await visible(ballotRecorded(offline));
    await visible(offline.getByText('Phiếu “Không tán thành” của bạn đã được hệ thống ghi nhận.'));
    expect(await ballotResending(offline).count()).toBe(0);
    await screenshot(offline, 'e2e-3-delegate-recorded-after-restart');

    // Tablet 1 resynced: the restarted server's view holds its ballot — also after a reload, when only the server knows.
    await visible(ballotRecorded(voted));
    await expect.poll(() => motionButton(voted, 'Tán thành').getAttribute('aria-pressed')).toBe('true');
    await voted.reload();
    await visible(voted.getByRole('heading', { level: 2, name: SUBJECT }));
    await visible(ballotRecorded(voted));
    await visible(voted.getByText('Phiếu “Tán thành” của bạn đã được hệ thống ghi nhận.'));
    await expect.poll(() => motionButton(voted, 'Tán thành').getAttribute('aria-pressed')).toBe('true');

    // Each ballot counted exactly once.
    await observer.until((v) => v.poll?.pollId === 'e2e3-poll' && v.poll.castCount === 2, 'two ballots after the restart', 30_000);
    await observer.must('poll.close', { pollId: 'e2e3-poll' });
    const closed = await observer.until((v) => v.poll?.result != null, 'result');
    expect(closed.poll!.result).toMatchObject({ kind: 'motion', yes: 1, no: 1, abstain: 0, tookPart: 2 });
  });
});
