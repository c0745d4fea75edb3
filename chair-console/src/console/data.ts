/**
 * What the console reads beyond the view's own fields. The views carry names for the people in them, but not the
 * council's full list of officials nor its rules profile, which the pickers need; the staff view's machine snapshot
 * (sent so `can()` runs the same machine) holds both, so they are read from there rather than fetched separately.
 */
import { vnHhmm, vnHhmmss, vnShortDate, type Council, type Official, type RulesProfile, type SessionView } from '@hall/core';

interface SnapshotShape {
  context?: { council?: Council };
}

export function councilOf(view: SessionView | null): Council | null {
  const snap = view?.snapshot as SnapshotShape | undefined;
  return snap?.context?.council ?? null;
}

export const officialsOf = (view: SessionView | null): Official[] => councilOf(view)?.officials ?? [];
export const profileOf = (view: SessionView | null): RulesProfile | null => councilOf(view)?.profile ?? null;

export function officialName(view: SessionView | null, id: string): string {
  const o = officialsOf(view).find((x) => x.id === id);
  return o ? `${o.fullName} — ${o.post}` : id;
}

/** Names of the roll by delegate id (the roll is the staff view's list of sitting delegates). */
export function delegateNames(view: SessionView | null): Map<string, string> {
  return new Map((view?.roll ?? []).map((r) => [r.delegateId, r.name]));
}

export const currentItem = (view: SessionView | null) => view?.agenda.find((i) => i.id === view.currentItemId) ?? null;

/** 14:05 (or 14:05:09) in Vietnam's time whatever the browser's time zone; the server stamps ms since the epoch. */
export const formatTime = (ms: number, seconds = false): string => (seconds ? vnHhmmss(ms) : vnHhmm(ms));

/** 05/12/2028, the Vietnamese date order, dated in the hall's time zone whatever the browser's. */
export const formatDate = vnShortDate;

const pad = (n: number) => String(n).padStart(2, '0');

/** 7:00 or 1:02:03: a speech length or a time left, from whole seconds. */
export function formatDuration(totalSec: number): string {
  const s = Math.max(0, Math.round(totalSec));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}:${pad(m)}:${pad(r)}` : `${m}:${pad(r)}`;
}
