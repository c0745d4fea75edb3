/**
 * Display helpers shared by the wall and the public page. Presentation only: counts, percentages and outcomes come
 * from the view (core's rules), never from here.
 */
import type { AgendaItem, PledgeView, PollView, SessionView } from '@hall/core';
import { formatHallTime, HALL_TIME_ZONE } from '@hall/client-kit';
import { vnShortDate } from '@hall/core';

export { HALL_TIME_ZONE };
/** `2028-12-08` → `08/12/2028`, the way dates are written in Vietnamese documents. */
export const formatIsoDate = vnShortDate;
export const formatTime = formatHallTime;

export function formatDate(ms: number, lang: string): string {
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'vi-VN', { weekday: 'long', day: '2-digit', month: '2-digit', year: 'numeric', timeZone: HALL_TIME_ZONE }).format(ms);
}

/** The current agenda item with its 1-based number as the agenda lists it. */
export function currentItem(view: SessionView): { item: AgendaItem; number: number } | null {
  const i = view.agenda.findIndex((a) => a.id === view.currentItemId);
  return i === -1 ? null : { item: view.agenda[i]!, number: i + 1 };
}

/**
 * Splits core's result line "70 (82,35%)" into its count and percentage so the wall can align them in columns. The
 * text itself is core's; if it ever changes shape the whole line is shown as the count.
 */
export function splitLine(line: string): { count: string; percent: string } {
  const m = /^(\d+)\s*\(([^)]*)\)$/.exec(line.trim());
  return m ? { count: m[1]!, percent: m[2]! } : { count: line, percent: '' };
}

/** Pages of at most `size` items, for walls that must never scroll. */
export function pages<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out.length ? out : [[]];
}

/** What the hall is doing, in its own words: a rating is "lấy phiếu", a confidence vote or an election "bỏ phiếu". */
export function pollWords(kind: PollView['kind']) {
  switch (kind) {
    case 'motion':
      return { doing: 'voting', label: 'votedOfLabel', spoken: 'votedOfSpoken', closesIn: 'pollClosesIn' } as const;
    case 'confidenceRating':
      return { doing: 'votingRating', label: 'ballotsOfLabel', spoken: 'ballotsOfSpoken', closesIn: 'ballotClosesIn' } as const;
    case 'confidenceVote':
      return { doing: 'votingConfidence', label: 'ballotsOfLabel', spoken: 'ballotsOfSpoken', closesIn: 'ballotClosesIn' } as const;
    case 'election':
      return { doing: 'votingElection', label: 'ballotsOfLabel', spoken: 'ballotsOfSpoken', closesIn: 'ballotClosesIn' } as const;
  }
}

/**
 * The latest commitment made by a respondent of the open question group, shown on the wall and over the broadcast as
 * soon as the secretary records it; null when no group is open or none of its respondents has committed yet.
 */
export function latestGroupPledge(view: Pick<SessionView, 'questioning' | 'pledges'>): PledgeView | null {
  const group = view.questioning?.activeGroup;
  if (!group) return null;
  const inGroup = new Set(group.respondents.map((r) => r.id));
  return view.pledges.findLast((c) => inGroup.has(c.respondentId)) ?? null;
}
