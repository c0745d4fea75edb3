/** Picks the storage adapter from configuration: embedded files by default, Redis when REDIS_URL is set. */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.ts';
import type { Store } from './types.ts';
import { openEmbeddedStore } from './embedded.ts';
import { atomicWrite, isErrno } from './fsutil.ts';

export async function openStore(
  config: Pick<Config, 'dataDir' | 'redisUrl' | 'snapshotEvery'> & Partial<Pick<Config, 'redisPrefix' | 'redisNewStore'>>,
  opts: { requireFence?: boolean; onFenced?: (sessionId: string) => void; readOnly?: boolean } = {},
): Promise<Store> {
  if (config.redisUrl) {
    const { openRedisStore } = await import('./redis.ts');
    const store = await openRedisStore(config.redisUrl, { prefix: config.redisPrefix ?? 'hall:', ...opts });
    try {
      await rememberRedisStore(config.dataDir, store.name, config.redisNewStore ?? false, !opts.readOnly);
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    }
    return store;
  }
  return openEmbeddedStore(config.dataDir);
}

/** Where each process keeps the names of the Redis stores it has used (one line per Redis and prefix). */
export const REDIS_STORES_FILE = 'redis-stores.json';

/**
 * A Redis that lost its data while every Hall process was down (a machine restart with a Redis that keeps nothing)
 * looks like a first start: empty. Each process therefore remembers, in its data directory, the name of every store
 * it used, and refuses to start on a Redis whose name is not the one it knew — the sittings recorded there would
 * otherwise start over from nothing without a word. `HALL_REDIS_NEW_STORE=1` says the loss is known and accepted.
 * `write: false` (a read-only tool such as `pnpm verify`) compares and remembers nothing.
 */
export async function rememberRedisStore(dataDir: string, name: { id: string; where: string }, acceptNew: boolean, write = true): Promise<void> {
  const file = path.join(dataDir, REDIS_STORES_FILE);
  let known: Record<string, string> = {};
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) known = parsed as Record<string, string>;
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw new Error(`${file} cannot be read (${(err as Error).message}); remove it only if you know this Redis still holds its data`);
  }
  const before = known[name.where];
  if (before === name.id) return;
  if (before !== undefined && !acceptNew) {
    throw new Error(
      `Redis at ${name.where} is not the store this data directory (${dataDir}) knew: it held store ${before}, now ${name.id || 'none'}. ` +
        'It lost its data (restarted without persistence, flushed) or is another Redis. Hall does not start on it: the sittings ' +
        'recorded before would start over from nothing. Restore Redis from its AOF or a backup; to start anew on it knowingly, ' +
        'set HALL_REDIS_NEW_STORE=1 once (docs/data-directory.md).',
    );
  }
  if (!write) return;
  await mkdir(dataDir, { recursive: true });
  await atomicWrite(dataDir, REDIS_STORES_FILE, `${JSON.stringify({ ...known, [name.where]: name.id }, null, 2)}\n`);
}
