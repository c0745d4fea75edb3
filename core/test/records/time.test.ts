/** [VNTIME] Times of day in Vietnam (UTC+7) whatever the machine's time zone (records/time.ts). */
import { describe, expect, it } from 'vitest';
import { vnHhmm, vnHhmmss } from '../../src/records/time.ts';

describe('[VNTIME] Vietnam clock', () => {
  it('[VNTIME-1] hh:mm and hh:mm:ss read Vietnam time, across the UTC date line too', () => {
    const morning = Date.UTC(2026, 6, 1, 1, 30, 5);
    expect(vnHhmm(morning)).toBe('08:30');
    expect(vnHhmmss(morning)).toBe('08:30:05');
    expect(vnHhmmss(Date.UTC(2026, 6, 1, 23, 59, 59))).toBe('06:59:59');
    expect(vnHhmmss(Date.UTC(2026, 6, 1, 17, 0, 0))).toBe('00:00:00');
  });
});
