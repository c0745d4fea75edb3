/**
 * A Hall with the broadcast on the werift hub and media files in the test's temp dir.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { buildApp, type Hall } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import type { AttachedMedia } from '../../src/media/index.ts';
import { TEST_SECRETS } from '../support/hall.ts';

export interface MediaHall {
  hall: Hall;
  media: AttachedMedia;
  baseUrl: string;
  dir: string;
  close(): Promise<void>;
}

export type LogLine = { msg: string; time: number } & Record<string, unknown>;

export async function startMediaHall(env: Record<string, string> = {}, logLines?: LogLine[]): Promise<MediaHall> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hall-media-test-'));
  let hall: Hall | undefined;
  try {
    const config = await loadConfig({ DATA_DIR: path.join(dir, 'data'), HALL_DEMO: '1', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', MEDIA_BACKEND: 'werift', ...TEST_SECRETS });
    hall = await buildApp(config, {
      // The broadcast tests read the follower's log lines (the order of what it did) from this stream.
      logger: logLines ? { level: 'info', stream: { write: (line: string) => void logLines.push(JSON.parse(line) as LogLine) } } : false,
      mediaEnv: { MEDIA_BACKEND: 'werift', MEDIA_HLS_PRESET: 'ultrafast', MEDIA_DIR: path.join(dir, 'media'), ...env },
    });
    await seedDemo(hall.store);
    await hall.app.listen({ port: 0, host: '127.0.0.1' });
  } catch (e) {
    // Half started (no seed, no port): the caller gets nothing to close, so the app and the temp dir go here.
    await hall?.app.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const media = hall.media;
  const baseUrl = `http://127.0.0.1:${(hall.app.server.address() as AddressInfo).port}`;
  return {
    hall,
    media,
    baseUrl,
    dir,
    async close() {
      await hall.app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A connected Socket.IO client (anonymous without a token), put in `into` so the test's afterAll disconnects it. */
export async function mediaSocket(baseUrl: string, token: string | null, into: Socket[]): Promise<Socket> {
  const s = io(baseUrl, { transports: ['websocket'], auth: token ? { token } : {} });
  into.push(s);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('connect_error', reject);
  });
  return s;
}
