/** Picks the storage adapter from configuration: embedded files by default, Redis when REDIS_URL is set. */
import type { Config } from '../config.ts';
import type { Store } from './types.ts';
import { openEmbeddedStore } from './embedded.ts';

export async function openStore(
  config: Pick<Config, 'dataDir' | 'redisUrl' | 'snapshotEvery'> & Partial<Pick<Config, 'redisPrefix'>>,
  opts: { requireFence?: boolean; onFenced?: (sessionId: string) => void } = {},
): Promise<Store> {
  if (config.redisUrl) {
    const { openRedisStore } = await import('./redis.ts');
    return openRedisStore(config.redisUrl, { prefix: config.redisPrefix ?? 'hall:', ...opts });
  }
  return openEmbeddedStore(config.dataDir);
}
