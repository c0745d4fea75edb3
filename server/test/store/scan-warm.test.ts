/**
 * [SCANWARM] The server loads the journals' verification thread while it builds the app (main.ts), so that a restart
 * verifies its journals off the main thread from the first one — and only when there are journals to restore.
 */
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../src/store/embedded.ts';
import { journalScanPool, warmJournalScans } from '../../src/store/scan-pool.ts';
import { tempDir } from './helpers.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('[SCANWARM] loading the verification thread before a restore', () => {
  it('[SCANWARM-1] no thread for a data directory without journals (or none at all); a ready one once a journal exists', async () => {
    const missing = await tempDir('hall-warm-');
    dirs.push(missing);
    await warmJournalScans(`${missing}/nothing-here`);
    const dir = await tempDir('hall-warm-');
    dirs.push(dir);
    const store = await openEmbeddedStore(dir, { log: () => undefined });
    await warmJournalScans(dir);
    expect(journalScanPool.started).toBe(false);

    await store.journal.append('s1', [{ at: 1_760_000_000_000, event: { type: 'note.added', n: 1 } }]);
    await store.close();
    await warmJournalScans(dir);
    expect(journalScanPool.started).toBe(true);
    // Loaded: the restore's first big journal goes to it instead of being verified here.
    expect(await journalScanPool.whenReady()).toBe(true);
  });
});
