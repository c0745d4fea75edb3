/**
 * The hub contract on MediasoupHub runs only where a mediasoup worker binary exists (MEDIASOUP_WORKER_BIN). Elsewhere
 * it says so twice: a line on stdout and a test reported as skipped with that reason — never a silent pass.
 * The fallback behaviour (auto → werift, mediasoup requested → clear error) is tested everywhere.
 */
import { describe, expect, it } from 'vitest';
import { selectHub } from '../src/select.ts';
import { isLoopback } from '../src/rtp-util.ts';
import { hubContract } from './hub.contract.ts';

const workerBin = process.env.MEDIASOUP_WORKER_BIN;
const NOT_RUN = 'mediasoup contract suite NOT run: no MEDIASOUP_WORKER_BIN';

if (workerBin) {
  hubContract('mediasoup', async () => {
    const { MediasoupHub } = await import('../src/mediasoup-hub.ts');
    return MediasoupHub.create({ maxViewers: 3, workers: 2, listenIp: '127.0.0.1', acceptRemoteAddress: isLoopback, webRtcServerPort: 44000 + (process.pid % 1000) * 2 });
  });
} else {
  console.log(NOT_RUN);
  describe('MediaHub contract: mediasoup', () => {
    it.skip(NOT_RUN, () => undefined);
  });
}

describe('backend selection', () => {
  it.runIf(!workerBin)('[SEL-1] auto falls back to werift when no mediasoup worker starts, and says why', async () => {
    const selected = await selectHub({ backend: 'auto', env: {} });
    try {
      expect(selected.hub.backend).toBe('werift');
      expect(selected.reason).toMatch(/no mediasoup worker binary/);
    } finally {
      await selected.hub.close();
    }
  });

  it.runIf(!workerBin)('[SEL-2] MEDIA_BACKEND=mediasoup without a worker is an error, not a silent downgrade', async () => {
    await expect(selectHub({ backend: 'mediasoup', env: { MEDIASOUP_WORKER_BIN: '/nonexistent/mediasoup-worker' } })).rejects.toThrow(/no mediasoup worker/);
  });

  it('[SEL-3] createWorker() fails cleanly (rejects, no crash) when the binary is missing', async () => {
    const mediasoup = await import('mediasoup');
    if (workerBin) return; // a real worker exists here; nothing to show
    await expect(mediasoup.createWorker({ logLevel: 'none' })).rejects.toThrow();
  });

  it('[SEL-4] MEDIA_BACKEND=werift picks werift', async () => {
    const selected = await selectHub({ env: { MEDIA_BACKEND: 'werift' } });
    expect(selected.hub.backend).toBe('werift');
    await selected.hub.close();
  });
});
