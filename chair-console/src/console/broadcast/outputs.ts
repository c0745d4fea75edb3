/**
 * The program outputs as the chair reads them: one row per output (HLS, recording, each RTMP push) with a tone
 * (green running, amber starting again, red down with a Vietnamese reason). Driven only by the typed status list
 * the server sends, so whatever the server learns to say about an output (state, code, reason) shows up here.
 */
import type { Key } from '../../i18n.ts';
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
/** Codes the server may attach to a stopped output, with the words for them (anything else gets the generic words). */
const KNOWN_CODES = new Set(['NO_INGEST', 'NO_KEYFRAME', 'INGEST_GAP', 'FFMPEG_EXITED', 'GAVE_UP', 'DESTINATION']);
const PENDING_STATES = new Set(['starting', 'retrying', 'waiting']);

/** A server reason is shown as is only when it is in Vietnamese words (it has Vietnamese letters). */
const looksVietnamese = (s: string) => /[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]/i.test(s);

export function outputRows(outputs: readonly MediaOutputStatus[]): OutputRow[] {
  return outputs.map((o, i) => {
    const label: OutputRow['label'] = KNOWN_KINDS.has(o.kind)
      ? { key: `tv.outputKinds.${o.kind}` as Key, vars: { name: o.name ?? '' } }
      : { key: 'tv.outputKinds.other', vars: { name: o.name ?? o.kind } };
    const key = `${o.kind}:${o.name ?? i}`;
    if (o.running && (!o.state || o.state === 'running')) return { key, label, tone: 'ok', state: 'tv.outputState.running', reason: null };
    if (o.state && PENDING_STATES.has(o.state)) return { key, label, tone: 'pending', state: 'tv.outputState.starting', reason: reasonOf(o) };
    return { key, label, tone: 'down', state: 'tv.outputState.down', reason: reasonOf(o) ?? { key: 'tv.outputReasons.unknown' } };
  });
}

function reasonOf(o: MediaOutputStatus): OutputRow['reason'] {
  if (o.reason && looksVietnamese(o.reason)) return { text: o.reason };
  if (o.code && KNOWN_CODES.has(o.code)) return { key: `tv.outputReasons.${o.code}` as Key };
  return null;
}
