import { describe, expect, it } from 'vitest';
import { formatClock, formatHallTime, remaining } from '../src/time.ts';

const END = 1_800_000_000_000;

describe('[KIT-TIME] countdown', () => {
  it('[KIT-TIME-1] counts down in mm:ss, rounding partial seconds up', () => {
    expect(remaining(END, END - 7 * 60_000)).toEqual({ ms: 420_000, overtimeMs: 0, overtime: false, label: '07:00' });
    expect(remaining(END, END - 252_000).label).toBe('04:12');
    expect(remaining(END, END - 4_200).label).toBe('00:05');
    expect(remaining(END, END - 1).label).toBe('00:01');
  });

  it('[KIT-TIME-2] reads 00:00 exactly at the end, then +mm:ss in overtime', () => {
    expect(remaining(END, END)).toEqual({ ms: 0, overtimeMs: 0, overtime: false, label: '00:00' });
    expect(remaining(END, END + 1)).toEqual({ ms: 0, overtimeMs: 1, overtime: true, label: '+00:00' });
    expect(remaining(END, END + 31_400).label).toBe('+00:31');
    expect(remaining(END, END + 61_000).label).toBe('+01:01');
  });

  it('[KIT-TIME-3] long limits keep counting minutes past 59', () => {
    expect(remaining(END, END - 90 * 60_000).label).toBe('90:00');
    expect(formatClock(3599)).toBe('59:59');
    expect(formatClock(-5)).toBe('00:00');
  });
});

describe('[KIT-TIME] hall time', () => {
  it('[KIT-TIME-4] the hall\'s clock time (UTC+7, 24-hour) whatever the device\'s zone, the same in both languages', () => {
    const utc = Date.UTC(2026, 11, 6, 17, 5);
    expect(formatHallTime(utc, 'vi')).toBe('00:05');
    expect(formatHallTime(utc, 'en')).toBe('00:05');
    expect(formatHallTime(Date.UTC(2026, 0, 1, 1, 30))).toBe('08:30');
  });
});
