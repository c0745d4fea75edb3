/**
 * [E2E-MSTART] A media sitting whose start fails halfway releases what it had acquired — the Hall (its port, its temp
 * directory, the werift hub's UDP sockets), Chromium and the chair's connection — and the caller sees the start's own
 * error. Without it a failed beforeAll leaves a server and a browser running under the next test file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { connectChair } from '../support/e2e.ts';
import { ownUdpSockets, startMediaSitting, stopStrayFfmpeg, type MediaHall } from '../support/media.ts';

/** This process's child processes (Chromium is one while a browser is open). */
function children(): string[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when there is none
  }
}

/** Starts a media sitting with `prepare`, expecting it to fail; returns the Hall `prepare` saw and the error. */
async function failedStart(prepare: (h: MediaHall) => Promise<void>): Promise<{ hall: MediaHall; error: unknown }> {
  let hall: MediaHall | undefined;
  const error = await startMediaSitting(async (h) => {
    hall = h;
    await prepare(h);
  }).then(
    () => new Error('the start should have failed'),
    (e: unknown) => e,
  );
  if (!hall) throw new Error('prepare never ran');
  return { hall, error };
}

async function expectReleased(hall: MediaHall, udpBefore: Set<string>, childrenBefore: string[]) {
  await expect(fetch(`${hall.baseUrl}/healthz`)).rejects.toThrow();
  expect(existsSync(hall.dir)).toBe(false);
  await expect.poll(() => ownUdpSockets().filter((x) => !udpBefore.has(x.inode))).toEqual([]);
  await expect.poll(() => children().filter((pid) => !childrenBefore.includes(pid))).toEqual([]);
  expect(await stopStrayFfmpeg()).toBe(0);
}

describe('[E2E-MSTART] a media sitting that fails to start', () => {
  it('[E2E-MSTART-1] failing before Chromium: the Hall is closed, its port refuses, its directory and UDP sockets are gone', async () => {
    const udpBefore = new Set(ownUdpSockets().map((x) => x.inode));
    const childrenBefore = children();
    const { hall, error } = await failedStart(async () => {
      throw new Error('prepare failed');
    });
    expect(error).toMatchObject({ message: 'prepare failed' });
    await expectReleased(hall, udpBefore, childrenBefore);
  });

  it('[E2E-MSTART-2] failing after Chromium and the chair connected (check-in already open): the browser, the chair and the Hall are released', async () => {
    const udpBefore = new Set(ownUdpSockets().map((x) => x.inode));
    const childrenBefore = children();
    const { hall, error } = await failedStart(async (h) => {
      // Someone opened check-in first: the start's own session.openCheckIn is refused.
      const chair = await connectChair(h.baseUrl);
      try {
        await chair.must('session.openCheckIn', {});
      } finally {
        chair.close();
      }
    });
    expect(error).toMatchObject({ message: expect.stringMatching(/^session\.openCheckIn: /) });
    await expectReleased(hall, udpBefore, childrenBefore);
  });
});
