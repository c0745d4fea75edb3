/**
 * The broadcast archive: recordings of each on-air period with their chapters, read from `$MEDIA_DIR/recordings/
 * <sessionId>/` and the session's journal. Nothing here is stored twice — the files are what ffmpeg wrote, the
 * chapters are computed from the journal each time (media/src/chapters.ts), the closed parts from core's record model.
 *
 * A recording is one on-air period: `<sessionId>-phien<N>-<UTC stamp>` and its parts, the files whose name starts
 * with it (`….mkv`, `…-part2.mkv`, …; a period is split into parts when the ingest drops and comes back). Where each
 * part starts on the wall clock decides where its chapters fall: the file's last write minus its duration (ffprobe)
 * — the muxer writes until the last packet, so the end is exact to a second and so is the start — but never before
 * the moment the outputs were started, which `<recording>.parts.json` (`{ parts: [{ file, startedAt, endedAt }] }`,
 * written by the follower when it stops the outputs) records.
 *
 * Who sees what: staff of the council see every recording; the public sees a recording only when the whole period
 * lies outside every closed part (họp kín) of the session — a period cut short by a closed sitting ends a moment
 * after the doors close (ffmpeg stops on the follower's signal), so it stays staff-only.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { z } from 'zod';
import { ID_CHARS, type SessionRecordModel, type SessionSetup } from '@hall/core';
import { chapterList, chaptersVtt, type Chapter, type JournalLike } from './lib.ts';

const run = promisify(execFile);

/** `<session>-phien<N>-<UTC stamp>[-partK].<ext>`; the session part is core's id alphabet. */
export const RECORDING_FILE = new RegExp(`^[${ID_CHARS}]{1,64}-phien\\d{1,3}-\\d{8}-\\d{6}[A-Za-z0-9_.-]{0,40}\\.(mkv|webm|mp4)$`);
const PERIOD = new RegExp(`^(?<session>[${ID_CHARS}]{1,64})-phien(?<sitting>\\d{1,3})-(?<stamp>\\d{8}-\\d{6})`);

export interface RecordingPart {
  file: string;
  /** Where the browser fetches it (relative to the server). */
  url: string;
  startedAt: number;
  durationSec: number;
  bytes: number;
}

export interface RecordingChapter extends Chapter {
  /** Index of the part this chapter starts in, and the offset in that part (seconds). */
  part: number;
  partOffsetSec: number;
}

export interface Recording {
  id: string;
  sessionId: string;
  sitting: number;
  title: string;
  startedAt: number;
  endedAt: number;
  durationSec: number;
  /** Visible to the public (no closed part of the session overlaps it). */
  public: boolean;
  /** It has questioning chapters (a question group or a question): the public archive of questioning sittings. */
  questioning: boolean;
  parts: RecordingPart[];
  chapters: RecordingChapter[];
  /** WebVTT chapters of each part, in part order. */
  chapterTracks: string[];
}

const Manifest = z.object({ parts: z.array(z.object({ file: z.string(), startedAt: z.number(), endedAt: z.number().nullable().optional() })) });

export const manifestFile = (recordingFile: string) => recordingFile.replace(/\.(mkv|webm|mp4)$/, '.parts.json');

/** Written by the follower when a period ends (and by whoever splits a period into parts). */
export async function writeManifest(recordingFile: string, parts: { file: string; startedAt: number; endedAt: number | null }[]) {
  await fs.writeFile(manifestFile(recordingFile), `${JSON.stringify({ parts }, null, 1)}\n`);
}

async function probeDuration(file: string): Promise<number> {
  try {
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file], { timeout: 20_000 });
    const d = Number(stdout.trim());
    return Number.isFinite(d) ? d : 0;
  } catch {
    return 0;
  }
}

/** ffprobe is slow: durations are remembered per file, size and mtime. */
const durations = new Map<string, { key: string; sec: number }>();
async function durationOf(file: string, stat: { size: number; mtimeMs: number }): Promise<number> {
  const key = `${stat.size}:${stat.mtimeMs}`;
  const known = durations.get(file);
  if (known?.key === key) return known.sec;
  const sec = await probeDuration(file);
  durations.set(file, { key, sec });
  if (durations.size > 2000) durations.delete(durations.keys().next().value as string);
  return sec;
}

export interface ArchiveContext {
  setup: Pick<SessionSetup, 'council' | 'agenda'>;
  journal: JournalLike[];
  model: Pick<SessionRecordModel, 'sittings'>;
}

/**
 * Every recording of a session, oldest first. Files still being written (the current on-air period) are left out:
 * they have no duration yet and their chapters are not final.
 */
export async function listRecordings(root: string, sessionId: string, ctx: ArchiveContext, options: { urlBase: string; now?: number }): Promise<Recording[]> {
  const dir = path.join(root, sessionId);
  const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => RECORDING_FILE.test(n)).sort(naturalOrder);
  const periods = new Map<string, string[]>();
  for (const name of names) {
    const m = PERIOD.exec(name);
    if (!m || m.groups!.session !== sessionId) continue;
    const id = m[0];
    periods.set(id, [...(periods.get(id) ?? []), name]);
  }
  const now = options.now ?? Date.now();
  const out: Recording[] = [];
  for (const [id, files] of periods) {
    const manifest = await fs
      .readFile(path.join(dir, `${id}.parts.json`), 'utf8')
      .then((t) => Manifest.parse(JSON.parse(t)))
      .catch(() => null);
    const parts: RecordingPart[] = [];
    for (const file of files) {
      const full = path.join(dir, file);
      const stat = await fs.stat(full).catch(() => null);
      const listed = manifest?.parts.find((p) => p.file === file);
      // The manifest is written once the period's outputs have stopped, so a part it lists is finished; a part it
      // does not list yet is taken to be still being written while it was touched in the last few seconds. An empty
      // part is never finished. (Deciding by the clock alone hid a part closed a moment ago.)
      const closed = listed !== undefined;
      if (!stat || stat.size === 0 || (!closed && now - stat.mtimeMs < 3000)) continue;
      const sec = await durationOf(full, stat);
      if (sec <= 0) continue;
      parts.push({
        file,
        url: `${options.urlBase}/${encodeURIComponent(sessionId)}/${encodeURIComponent(file)}`,
        startedAt: Math.round(Math.max(listed?.startedAt ?? 0, stat.mtimeMs - sec * 1000)),
        durationSec: Math.round(sec * 10) / 10,
        bytes: stat.size,
      });
    }
    if (parts.length === 0) continue;
    parts.sort((a, b) => a.startedAt - b.startedAt);
    out.push(recordingOf(id, sessionId, parts, ctx));
  }
  return out.sort((a, b) => a.startedAt - b.startedAt);
}

function recordingOf(id: string, sessionId: string, parts: RecordingPart[], ctx: ArchiveContext): Recording {
  const sitting = Number(PERIOD.exec(id)!.groups!.sitting);
  const startedAt = parts[0]!.startedAt;
  const last = parts[parts.length - 1]!;
  const endedAt = last.startedAt + last.durationSec * 1000;
  const chapters: RecordingChapter[] = [];
  const chapterTracks: string[] = [];
  parts.forEach((part, index) => {
    const window = { start: part.startedAt, end: part.startedAt + part.durationSec * 1000 };
    const list = chapterList(ctx.journal, ctx.setup, window);
    chapterTracks.push(chaptersVtt(ctx.journal, ctx.setup, window));
    for (const c of list) {
      chapters.push({ ...c, start: c.start + (part.startedAt - startedAt), end: c.end + (part.startedAt - startedAt), part: index, partOffsetSec: Math.round(c.start / 100) / 10 });
    }
  });
  const sittingRecord = ctx.model.sittings.find((s) => s.number === sitting);
  const closedParts = ctx.model.sittings.flatMap((s) => s.closedParts);
  const overlapsClosed = closedParts.some((c) => c.from < endedAt && (c.to === null || c.to > startedAt));
  return {
    id,
    sessionId,
    sitting,
    title: `Phiên ${sitting}${sittingRecord?.title ? `: ${sittingRecord.title}` : ''}`,
    startedAt,
    endedAt: Math.round(endedAt),
    durationSec: Math.round(parts.reduce((a, p) => a + p.durationSec, 0) * 10) / 10,
    public: !overlapsClosed && !sittingRecord?.closedThroughout,
    questioning: chapters.some((c) => c.kind === 'question' || c.kind === 'group'),
    parts,
    chapters,
    chapterTracks,
  };
}

/** `…-part2` before `…-part10`. */
function naturalOrder(a: string, b: string) {
  return a.localeCompare(b, 'en', { numeric: true });
}
