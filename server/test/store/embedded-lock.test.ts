import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEmbeddedStore, DataDirLockedError } from '../../src/store/embedded.ts';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('embedded store data-directory lock', () => {
  it('[LOCK-1] refuses a data directory held by another running process', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hall-lock-'));
    await writeFile(path.join(dir, 'LOCK'), String(process.ppid));
    await expect(openEmbeddedStore(dir)).rejects.toBeInstanceOf(DataDirLockedError);
  });

  it('[LOCK-2] takes over a stale lock left by a killed process and releases it on close', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hall-lock-'));
    await writeFile(path.join(dir, 'LOCK'), '4194000');
    const store = await openEmbeddedStore(dir);
    expect((await readFile(path.join(dir, 'LOCK'), 'utf8')).trim()).toBe(String(process.pid));
    await store.close();
    await expect(readFile(path.join(dir, 'LOCK'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
