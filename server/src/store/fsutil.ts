/** File primitives for the embedded adapter: every "durable" here means data and directory entry both fsynced. */
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Temporary files carry a `~`, which no valid id contains, so they can never be mistaken for (or collide with) a
 * real file and can be swept at startup.
 */
export const TMP_MARK = '~';

export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

/** A new or renamed entry is only durable once its directory is fsynced. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** write(2) may write less than asked; loop rather than lose the end of a record. */
export async function writeAll(fh: FileHandle, buf: Buffer, position: number | null = null): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off, position === null ? null : position + off);
    if (bytesWritten <= 0) throw new Error('write made no progress');
    off += bytesWritten;
  }
}

export async function readRange(fh: FileHandle, start: number, end: number): Promise<Buffer> {
  const buf = Buffer.alloc(end - start);
  let off = 0;
  while (off < buf.length) {
    const { bytesRead } = await fh.read(buf, off, buf.length - off, start + off);
    if (bytesRead === 0) return buf.subarray(0, off);
    off += bytesRead;
  }
  return buf;
}

/** Overwrites a file's current bytes with zeros in place and syncs, so the old content is not left on its blocks. */
export async function zeroFill(fh: FileHandle): Promise<void> {
  const { size } = await fh.stat();
  const zeros = Buffer.alloc(Math.min(size, 1 << 16));
  for (let pos = 0; pos < size; pos += zeros.length) {
    await writeAll(fh, zeros.subarray(0, Math.min(zeros.length, size - pos)), pos);
  }
  await fh.datasync();
}

/** Zero-fills then unlinks; a missing file is fine. Does not fsync the directory (callers batch that). */
export async function scrubFile(path: string): Promise<boolean> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r+');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
  try {
    await zeroFill(fh);
  } finally {
    await fh.close();
  }
  await unlink(path);
  return true;
}

export interface AtomicWriteOptions {
  mode?: number;
  /**
   * Zero the replaced version in place after the rename is durable. Rename alone leaves the previous version's bytes
   * on free blocks; for ballot boxes those are exactly the history docs/architecture.md says must not survive.
   */
  scrubPrevious?: boolean;
}

/** Replace `dir/name` all-or-nothing: write a temp file, fsync it, rename over, fsync the directory. */
export async function atomicWrite(dir: string, name: string, data: string | Buffer, opts: AtomicWriteOptions = {}): Promise<void> {
  const final = join(dir, name);
  const tmp = join(dir, `${name}${TMP_MARK}${randomBytes(6).toString('hex')}.tmp`);
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    const fh = await open(tmp, 'wx', opts.mode ?? 0o644);
    try {
      await writeAll(fh, buf, 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (err) {
    await (opts.scrubPrevious ? scrubFile(tmp) : unlink(tmp)).catch(() => undefined);
    throw err;
  }
  let previous: FileHandle | undefined;
  if (opts.scrubPrevious) {
    try {
      previous = await open(final, 'r+');
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
  }
  try {
    try {
      await rename(tmp, final);
    } catch (err) {
      await (opts.scrubPrevious ? scrubFile(tmp) : unlink(tmp)).catch(() => undefined);
      throw err;
    }
    await fsyncDir(dir);
    // Only after the new version is durable may the old one be destroyed.
    if (previous) await zeroFill(previous);
  } finally {
    await previous?.close();
  }
}

/** Removes temp files a crash left behind; returns how many. Ballot temp files are zero-filled first. */
export async function sweepTemps(dir: string, scrub: boolean): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir)) {
    if (!name.includes(TMP_MARK)) continue;
    const path = join(dir, name);
    if (scrub) await scrubFile(path);
    else await unlink(path).catch((err: unknown) => {
      if (!isErrno(err, 'ENOENT')) throw err;
    });
    removed++;
  }
  if (removed > 0) await fsyncDir(dir);
  return removed;
}
