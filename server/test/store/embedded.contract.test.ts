import { afterAll, beforeAll, expect } from 'vitest';
import { describeStoreContract } from '../../src/store/contract.ts';
import { journalScanPool } from '../../src/store/scan-pool.ts';
import { embeddedHarness } from './helpers.ts';

describeStoreContract('embedded', () => embeddedHarness());

// The same contract with every journal verified on the store's verification thread (scan-pool.ts), once it runs.
const logs: string[] = [];
beforeAll(async () => {
  expect(await journalScanPool.whenReady()).toBe(true);
});
describeStoreContract('embedded, verification thread', () => embeddedHarness((m) => logs.push(m), { offThreadScanBytes: 0 }));
afterAll(() => {
  // It never fell back to the store's own thread.
  expect(logs.filter((m) => m.includes('verification thread'))).toEqual([]);
});
