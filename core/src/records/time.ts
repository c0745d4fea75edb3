/**
 * Dates and times as Vietnamese records write them. Vietnam keeps one offset all year (UTC+7, no daylight saving),
 * so local time is plain arithmetic on `event.at` — core never reads a clock or a time-zone database.
 */
const VN_OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;

const pad = (n: number) => String(n).padStart(2, '0');

function parts(ms: number) {
  const d = new Date(ms + VN_OFFSET_MS);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), min: d.getUTCMinutes(), s: d.getUTCSeconds() };
}

/** `2026-07-01`: the calendar date in Vietnam of a moment (ms since the epoch). */
export function vnDate(ms: number): string {
  const p = parts(ms);
  return `${p.y}-${pad(p.m)}-${pad(p.d)}`;
}

/** `08 giờ 30`: the time of day as minutes write it. */
export function vnClock(ms: number): string {
  const p = parts(ms);
  return `${pad(p.h)} giờ ${pad(p.min)}`;
}

/** `08:30`: the time of day for tables. */
export function vnHhmm(ms: number): string {
  const p = parts(ms);
  return `${pad(p.h)}:${pad(p.min)}`;
}

/** `08:30:05`: the time of day to the second (the chair console's clock). */
export function vnHhmmss(ms: number): string {
  const p = parts(ms);
  return `${pad(p.h)}:${pad(p.min)}:${pad(p.s)}`;
}

/** `ngày 01 tháng 7 năm 2026`, the date line of an administrative document. */
export function vnLongDate(msOrIso: number | string): string {
  const [y, m, d] = (typeof msOrIso === 'number' ? vnDate(msOrIso) : msOrIso).split('-').map(Number) as [number, number, number];
  // Decree 30/2020 Appendix I: days below 10 and months 1 and 2 are written with a leading zero.
  return `ngày ${pad(d)} tháng ${m <= 2 ? pad(m) : m} năm ${y}`;
}

/** `01/07/2026`. */
export function vnShortDate(msOrIso: number | string): string {
  const [y, m, d] = (typeof msOrIso === 'number' ? vnDate(msOrIso) : msOrIso).split('-');
  return `${d}/${m}/${y}`;
}

/** `14:05 06/12/2026`: a moment in lists and logs (an audit line, a saved draft), time first, in Vietnam's time. */
export function vnDateTime(ms: number): string {
  return `${vnHhmm(ms)} ${vnShortDate(ms)}`;
}

/** `7 phút 05 giây`, `45 giây`: a duration in whole seconds. */
export function vnDuration(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h} giờ ${pad(m)} phút`;
  if (m > 0) return r === 0 ? `${m} phút` : `${m} phút ${pad(r)} giây`;
  return `${r} giây`;
}

/** The date in Vietnam that is `days` calendar days after a moment's date. */
export function vnDatePlusDays(ms: number, days: number): string {
  return vnDate(ms + days * DAY_MS);
}
