/**
 * Picks the hub: `MEDIA_BACKEND=mediasoup|werift|auto` (docs/architecture.md). `auto` starts mediasoup when a worker binary
 * starts and falls back to werift otherwise, and says which one runs and why — an operator must be able to see that
 * a site is on the fallback.
 */
import { access, constants } from 'node:fs/promises';
import type { HubOptions, MediaHub } from './hub.ts';
import { WeriftHub } from './werift-hub.ts';
import type { MediasoupHubOptions } from './mediasoup-hub.ts';

export type BackendChoice = 'mediasoup' | 'werift' | 'auto';

export interface Selected {
  hub: MediaHub;
  requested: BackendChoice;
  /** Why this backend runs (shown in the start-up log and /api/media/status). */
  reason: string;
}

export interface SelectOptions extends HubOptions {
  backend?: BackendChoice;
  mediasoup?: Omit<MediasoupHubOptions, keyof HubOptions>;
  env?: NodeJS.ProcessEnv;
}

/** Where mediasoup will look for its worker: MEDIASOUP_WORKER_BIN, else the path its installer downloads to. */
export async function mediasoupWorkerPath(env: NodeJS.ProcessEnv = process.env): Promise<{ path: string; exists: boolean }> {
  if (env.MEDIASOUP_WORKER_BIN) {
    const p = env.MEDIASOUP_WORKER_BIN;
    return { path: p, exists: await access(p, constants.X_OK).then(() => true, () => false) };
  }
  // Importing mediasoup only reads its package; the worker is not spawned until createWorker().
  const { workerBin } = await import('mediasoup');
  return { path: workerBin, exists: await access(workerBin, constants.X_OK).then(() => true, () => false) };
}

export async function createMediasoupHub(options: MediasoupHubOptions): Promise<MediaHub> {
  const { MediasoupHub } = await import('./mediasoup-hub.ts');
  return MediasoupHub.create(options);
}

export async function selectHub(options: SelectOptions = {}): Promise<Selected> {
  const env = options.env ?? process.env;
  const requested: BackendChoice = options.backend ?? ((env.MEDIA_BACKEND as BackendChoice | undefined) || 'auto');
  const { backend: _b, mediasoup: msOptions, env: _e, ...hubOptions } = options;
  if (requested === 'werift') return { hub: await WeriftHub.create(hubOptions), requested, reason: 'MEDIA_BACKEND=werift' };

  const worker = await mediasoupWorkerPath(env);
  if (requested === 'mediasoup') {
    // Asked for explicitly: failing to start is an error, not a silent downgrade.
    if (!worker.exists) throw new Error(`MEDIA_BACKEND=mediasoup but no mediasoup worker at ${worker.path} (set MEDIASOUP_WORKER_BIN; see media/README.md)`);
    return { hub: await createMediasoupHub({ ...hubOptions, ...msOptions }), requested, reason: `MEDIA_BACKEND=mediasoup (worker ${worker.path})` };
  }
  if (worker.exists) {
    try {
      return { hub: await createMediasoupHub({ ...hubOptions, ...msOptions }), requested, reason: `auto: mediasoup worker started (${worker.path})` };
    } catch (err) {
      return {
        hub: await WeriftHub.create(hubOptions),
        requested,
        reason: `auto: mediasoup worker at ${worker.path} failed to start (${(err as Error).message}); using werift`,
      };
    }
  }
  return { hub: await WeriftHub.create(hubOptions), requested, reason: `auto: no mediasoup worker binary (${worker.path}); using werift` };
}
