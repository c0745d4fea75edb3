/** Picks the storage adapter from configuration: embedded files by default, Redis when REDIS_URL is set. */
import type { Config } from '../config.ts';
import type { Store } from './types.ts';
import { openEmbeddedStore } from './embedded.ts';

export async function openStore(config: Pick<Config, 'dataDir' | 'redisUrl' | 'snapshotEvery'>): Promise<Store> {
  if (config.redisUrl) {
    const { openRedisStore } = await import('./redis.ts');
    return openRedisStore(config.redisUrl);
  }
  return openEmbeddedStore(config.dataDir);
}
