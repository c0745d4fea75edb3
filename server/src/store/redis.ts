/** The Redis adapter of the storage port is production-scale work (issue 6); until it lands, say so plainly. */
import type { Store } from './types.ts';

export async function openRedisStore(url: string): Promise<Store> {
  throw new Error(`REDIS_URL=${url.replace(/\/\/[^@]*@/, '//***@')} is set, but this build has only the embedded store. Unset REDIS_URL to use it.`);
}
