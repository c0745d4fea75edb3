/** [VNTIME] Times of day in Vietnam (UTC+7) whatever the machine's time zone (records/time.ts). */
import { describe, expect, it } from 'vitest';
import { vnDateTime, vnHhmm, vnHhmmss } from '../../src/records/time.ts';

describe('[VNTIME] Vietnam clock', () => {
  it('[VNTIME-1] hh:mm and hh:mm:ss read Vietnam time, across the UTC date line too', () => {
    const morning = Date.UTC(2026, 6, 1, 1, 30, 5);
    expect(vnHhmm(morning)).toBe('08:30');
    expect(vnHhmmss(morning)).toBe('08:30:05');
    expect(vnHhmmss(Date.UTC(2026, 6, 1, 23, 59, 59))).toBe('06:59:59');
    expect(vnHhmmss(Date.UTC(2026, 6, 1, 17, 0, 0))).toBe('00:00:00');
  });

  it('[VNTIME-2] "HH:mm dd/mm/yyyy" of a moment reads the councils\' zone, Asia/Ho_Chi_Minh, whatever the machine\'s zone', () => {
    expect(vnDateTime(Date.UTC(2026, 11, 6, 7, 5))).toBe('14:05 06/12/2026');
    // Past 17:00 UTC it is already the next day in Vietnam, also across a month and a year.
    expect(vnDateTime(Date.UTC(2026, 11, 31, 17, 0))).toBe('00:00 01/01/2027');
    expect(vnDateTime(Date.UTC(2028, 1, 28, 23, 59, 59))).toBe('06:59 29/02/2028');
    // The fixed UTC+7 core uses is the tz database's Asia/Ho_Chi_Minh (no daylight saving since 1975).
    const tz = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', day: '2-digit', month: '2-digit', year: 'numeric' });
    const asZone = (ms: number) => {
      const p = Object.fromEntries(tz.formatToParts(ms).map((x) => [x.type, x.value]));
      return `${p.hour}:${p.minute} ${p.day}/${p.month}/${p.year}`;
    };
    for (let ms = Date.UTC(1990, 0, 1); ms < Date.UTC(2040, 0, 1); ms += 97 * 86_400_000 + 3_600_000 * 5 + 60_000 * 17) expect(vnDateTime(ms)).toBe(asZone(ms));
  });
});
