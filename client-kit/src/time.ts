/**
 * Countdown arithmetic. Deadlines (`SpeakerView.endsAt`, `PollView.closesAt`) are on the server's clock, so callers
 * pass `client.serverNow()`, never `Date.now()`: a tablet whose clock is a minute off still shows the hall's time.
 */
import { vnHhmm } from '@hall/core';

export interface Remaining {
  /** Milliseconds left; 0 once the time is up. */
  ms: number;
  /** Milliseconds past the end; 0 while time is left. */
  overtimeMs: number;
  overtime: boolean;
  /** `mm:ss` while time is left, `+mm:ss` in overtime. Minutes may exceed 59 (a 90-minute limit reads `90:00`). */
  label: string;
}

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `mm:ss` of a whole number of seconds. */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  return `${pad(Math.floor(s / 60))}:${pad(s % 60)}`;
}

export function remaining(endsAtServerMs: number, serverNow: number): Remaining {
  const diff = endsAtServerMs - serverNow;
  if (diff >= 0) {
    // Rounded up, as a countdown reads: "00:01" until the last millisecond, "00:00" exactly at the end.
    return { ms: diff, overtimeMs: 0, overtime: false, label: formatClock(Math.ceil(diff / 1000)) };
  }
  // Overtime counts whole seconds already spent, so it reads "+00:00" for the first second past the end.
  return { ms: 0, overtimeMs: -diff, overtime: true, label: `+${formatClock(Math.floor(-diff / 1000))}` };
}

/** The hall's time zone: a tablet or wall whose OS clock is set to UTC must still show the time the chair reads out. */
export const HALL_TIME_ZONE = 'Asia/Ho_Chi_Minh';

/**
 * `HH:mm` of a server time (ms since epoch) in the hall's time zone, 24-hour, as the chair announces it. Both languages
 * write it alike, so it is core's record time (fixed UTC+7, no time-zone data needed in the browser); `lang` stays for
 * callers that format per language.
 */
export function formatHallTime(ms: number, _lang?: string): string {
  return vnHhmm(ms);
}
