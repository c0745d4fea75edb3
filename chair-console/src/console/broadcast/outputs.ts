/**
 * The program outputs as the chair reads them: one row per output (HLS, recording, each RTMP push) with a tone
 * (green running, amber starting/waiting for a signal/retrying, red stopped) and, when it is not running, why: the
 * supervisor's problem code (media/src/supervisor.ts) in the catalog's words.
 */
import type { Key } from '../../i18n.ts';
import type { OutputProblem, OutputState } from '@hall/media/wire';
import type { MediaOutputStatus } from './status.ts';

export type OutputTone = 'ok' | 'pending' | 'down';

export interface OutputRow {
  key: string;
  label: { key: Key; vars?: Record<string, string> };
  tone: OutputTone;
  state: Key;
  /** Already in words for people; null when running. */
  reason: { text: string } | { key: Key } | null;
}

const KNOWN_KINDS = new Set(['hls', 'recording', 'rtmp']);
const TONES: Record<OutputState, OutputTone> = { running: 'ok', starting: 'pending', waiting: 'pending', retrying: 'pending', stopped: 'down' };

export function outputRows(outputs: readonly MediaOutputStatus[]): OutputRow[] {
  return outputs.map((o, i) => {
    const label: OutputRow['label'] = KNOWN_KINDS.has(o.kind)
      ? { key: `tv.outputKinds.${o.kind}` as Key, vars: { name: o.name } }
      : { key: 'tv.outputKinds.other', vars: { name: o.name || o.kind } };
    const tone = TONES[o.state] ?? 'down';
    const state = `tv.outputState.${o.state in TONES ? o.state : 'stopped'}` as Key;
    return { key: `${o.kind}:${o.name || i}`, label, tone, state, reason: reasonOf(o, tone) };
  });
}

/** The catalog's words for the problem code (Vietnamese first, English second); else the server's Vietnamese reason. */
function reasonOf(o: MediaOutputStatus, tone: OutputTone): OutputRow['reason'] {
  if (o.problem && o.problem in OUTPUT_PROBLEM_KEYS) return { key: OUTPUT_PROBLEM_KEYS[o.problem] };
  if (o.reason) return { text: o.reason };
  return tone === 'down' ? { key: 'tv.outputReasons.unknown' } : null;
}

const OUTPUT_PROBLEM_KEYS: Record<OutputProblem, Key> = {
  NO_SIGNAL: 'tv.outputReasons.NO_SIGNAL',
  NO_KEYFRAME: 'tv.outputReasons.NO_KEYFRAME',
  STALLED: 'tv.outputReasons.STALLED',
  FFMPEG_EXITED: 'tv.outputReasons.FFMPEG_EXITED',
};
