import { describe, expect, it } from 'vitest';
import { quorumStatus } from '../../src/rules/index.ts';

describe('[RULES-3] quorumStatus', () => {
  it('[RULES-3] 85 delegates, 2/3 rule: 57 present is a quorum, 56 is not', () => {
    expect(quorumStatus({ present: 57, remote: 0, total: 85, rule: 'at-least-two-thirds', remoteCounts: false })).toEqual({
      counted: 57,
      required: 57,
      total: 85,
      met: true,
      percent: '67,06%',
    });
    const short = quorumStatus({ present: 56, remote: 0, total: 85, rule: 'at-least-two-thirds', remoteCounts: false });
    expect(short.met).toBe(false);
    expect(short.required).toBe(57);
    expect(short.percent).toBe('65,88%');
  });

  it('[RULES-3] remote delegates count only when the profile says so', () => {
    const input = { present: 50, remote: 10, total: 85, rule: 'at-least-two-thirds' as const };
    const off = quorumStatus({ ...input, remoteCounts: false });
    expect(off.counted).toBe(50);
    expect(off.met).toBe(false);
    const on = quorumStatus({ ...input, remoteCounts: true });
    expect(on.counted).toBe(60);
    expect(on.met).toBe(true);
    expect(on.percent).toBe('70,59%');
  });

  it('[RULES-3] small commune councils', () => {
    const q = (present: number, total: number) =>
      quorumStatus({ present, remote: 0, total, rule: 'at-least-two-thirds', remoteCounts: false });
    expect(q(10, 15).met).toBe(true);
    expect(q(9, 15).met).toBe(false);
    expect(q(20, 30).met).toBe(true);
    expect(q(19, 30)).toMatchObject({ met: false, required: 20, percent: '63,33%' });
    expect(q(1, 1)).toMatchObject({ met: true, required: 1, percent: '100,00%' });
    expect(q(0, 1)).toMatchObject({ met: false, required: 1, percent: '0,00%' });
  });

  it('[RULES-3] other rules as quorum', () => {
    const s = quorumStatus({ present: 43, remote: 0, total: 85, rule: 'more-than-half', remoteCounts: false });
    expect(s).toMatchObject({ met: true, required: 43 });
  });

  it('[RULES-3] rejects impossible attendance', () => {
    const base = { present: 0, remote: 0, total: 85, rule: 'at-least-two-thirds' as const, remoteCounts: true };
    expect(() => quorumStatus({ ...base, present: 86 })).toThrow(RangeError);
    expect(() => quorumStatus({ ...base, present: 80, remote: 6 })).toThrow(/present \+ remote \(86\) cannot exceed total \(85\)/);
    expect(() => quorumStatus({ ...base, remoteCounts: false, present: 80, remote: 6 })).toThrow(RangeError);
    expect(() => quorumStatus({ ...base, present: -1 })).toThrow(RangeError);
    expect(() => quorumStatus({ ...base, remote: 1.5 })).toThrow(RangeError);
    expect(() => quorumStatus({ ...base, total: 0 })).toThrow(/total must be at least 1/);
  });
});
