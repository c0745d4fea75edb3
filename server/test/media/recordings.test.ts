/**
 * The archive's rule for when a recording part is finished (src/media/recordings.ts), on real files ffmpeg wrote: a
 * part the period's `.parts.json` lists is finished at once, however fresh its last write; a part not listed yet is
 * taken to be still being written until it has been untouched for 3 s. The clock is the `now` the archive is given.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { listRecordings, writeManifest, type ArchiveContext } from '../../src/media/recordings.ts';
import { tmpDir } from '../../../media/test/support.ts';

const run = promisify(execFile);
const SESSION = 'td-kh10';
const LISTED = `${SESSION}-phien1-20261206-100000`;
const UNLISTED = `${SESSION}-phien2-20261206-110000`;
/** No journal: no chapters; the rule under test does not look at them. */
const ctx: ArchiveContext = { setup: { council: { delegates: [], officials: [] }, agenda: [] } as unknown as ArchiveContext['setup'], journal: [], model: { sittings: [] } };
let root: string;
let written: number;

beforeAll(async () => {
  root = await tmpDir('hall-recordings-test');
  const dir = path.join(root, SESSION);
  await fs.mkdir(dir, { recursive: true });
  const clip = path.join(dir, `${LISTED}.mkv`);
  await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-t', '2', '-c:v', 'mpeg4', '-y', clip], { timeout: 60_000 });
  await fs.copyFile(clip, path.join(dir, `${LISTED}-part2.mkv`));
  await fs.copyFile(clip, path.join(dir, `${UNLISTED}.mkv`));
  // The first period's manifest lists only its first part; the second period has none yet.
  written = Date.now();
  await writeManifest(clip, [{ file: `${LISTED}.mkv`, startedAt: written - 2000, endedAt: written }]);
  for (const f of await fs.readdir(dir)) await fs.utimes(path.join(dir, f), written / 1000, written / 1000);
  // The second part was written after the first (the ingest dropped and came back).
  await fs.utimes(path.join(dir, `${LISTED}-part2.mkv`), written / 1000 + 1, written / 1000 + 1);
}, 90_000);

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('recording archive', () => {
  it('[MEDIA-8] a part the manifest lists is listed at once even with a fresh mtime; an unlisted fresh part is not, until 3 s after its last write', async () => {
    const fresh = await listRecordings(root, SESSION, ctx, { urlBase: '/api/media/recordings', now: written + 100 });
    expect(fresh.map((r) => r.id)).toEqual([LISTED]);
    expect(fresh[0]!.parts.map((p) => p.file)).toEqual([`${LISTED}.mkv`]);
    expect(fresh[0]!.parts[0]!.durationSec).toBeGreaterThan(1);

    const later = await listRecordings(root, SESSION, ctx, { urlBase: '/api/media/recordings', now: written + 4500 });
    expect(later.map((r) => r.id)).toEqual([LISTED, UNLISTED]);
    expect(later[0]!.parts.map((p) => p.file)).toEqual([`${LISTED}.mkv`, `${LISTED}-part2.mkv`]);
  });
});
