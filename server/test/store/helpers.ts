import { mkdtemp, open, readFile, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { embeddedPaths, openEmbeddedStore, type EmbeddedStore, type EmbeddedStoreOptions } from '../../src/store/embedded.ts';
import type { StoreHarness } from '../../src/store/contract.ts';

export async function tempDir(prefix = 'hall-store-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Changes one ASCII letter or digit inside record `seq`'s event, in place (same length), as a disk editor would. */
export async function tamperEmbedded(dataDir: string, sessionId: string, seq: number): Promise<void> {
  const path = embeddedPaths.journal(dataDir, sessionId);
  const buf = await readFile(path);
  let start = 0;
  for (let i = 1; i < seq; i++) start = buf.indexOf(0x0a, start) + 1;
  let pos = buf.indexOf('"event":', start) + '"event":'.length;
  while (!/[a-y0-8]/.test(String.fromCharCode(buf[pos]!))) pos++;
  const fh = await open(path, 'r+');
  try {
    await fh.write(Buffer.from([buf[pos]! + 1]), 0, 1, pos);
  } finally {
    await fh.close();
  }
}

export async function embeddedHarness(log: (m: string) => void = () => {}, opts: Omit<EmbeddedStoreOptions, 'log'> = {}): Promise<StoreHarness & { dir: string }> {
  const dir = await tempDir();
  let current: EmbeddedStore = await openEmbeddedStore(dir, { log, ...opts });
  return {
    dir,
    store: current,
    async reopen() {
      await current.close();
      current = await openEmbeddedStore(dir, { log, ...opts });
      return current;
    },
    async cleanup() {
      await current.close();
      await rm(dir, { recursive: true, force: true });
    },
    tamper: (sessionId, seq) => tamperEmbedded(dir, sessionId, seq),
  };
}

/**
 * Journal files this process holds open (Linux: /proc/self/fd), by session id. What a store "keeps open" is only seen
 * from the outside this way.
 */
export async function openJournalFiles(dataDir: string): Promise<string[]> {
  const ids: string[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    const id = basename(target, '.jsonl');
    if (target === embeddedPaths.journal(dataDir, id)) ids.push(id);
  }
  return ids.sort();
}
