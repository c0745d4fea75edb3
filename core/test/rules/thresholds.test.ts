import { describe, expect, it } from 'vitest';
import type { ThresholdRule } from '../../src/model.ts';
import { inLowBand, MAX_COUNT, meetsThreshold, minimumFor, THRESHOLD_RULES } from '../../src/rules/index.ts';

describe('[RULES-1] meetsThreshold', () => {
  it('[RULES-1] 85 delegates: boundaries of every rule', () => {
    expect(meetsThreshold('more-than-half', 42, 85)).toBe(false);
    expect(meetsThreshold('more-than-half', 43, 85)).toBe(true);
    expect(meetsThreshold('at-least-two-thirds', 56, 85)).toBe(false);
    expect(meetsThreshold('at-least-two-thirds', 57, 85)).toBe(true);
    expect(meetsThreshold('at-least-one-third', 28, 85)).toBe(false);
    expect(meetsThreshold('at-least-one-third', 29, 85)).toBe(true);
    // 2·85/3 = 56.67 is not a whole count, so "more than" and "at least" two thirds coincide at 57.
    expect(meetsThreshold('more-than-two-thirds', 56, 85)).toBe(false);
    expect(meetsThreshold('more-than-two-thirds', 57, 85)).toBe(true);
  });

  it('[RULES-1] even base: exactly half is not more than half', () => {
    expect(meetsThreshold('more-than-half', 15, 30)).toBe(false);
    expect(meetsThreshold('more-than-half', 16, 30)).toBe(true);
  });

  it('[RULES-1] base divisible by 3: exactly two thirds is "at least" but not "more than"', () => {
    expect(meetsThreshold('at-least-two-thirds', 20, 30)).toBe(true);
    expect(meetsThreshold('at-least-two-thirds', 19, 30)).toBe(false);
    expect(meetsThreshold('more-than-two-thirds', 20, 30)).toBe(false);
    expect(meetsThreshold('more-than-two-thirds', 21, 30)).toBe(true);
    expect(meetsThreshold('at-least-one-third', 10, 30)).toBe(true);
    expect(meetsThreshold('at-least-one-third', 9, 30)).toBe(false);
  });

  it('[RULES-1] N = 1', () => {
    expect(meetsThreshold('more-than-half', 1, 1)).toBe(true);
    expect(meetsThreshold('more-than-half', 0, 1)).toBe(false);
    expect(meetsThreshold('at-least-two-thirds', 0, 1)).toBe(false);
    expect(meetsThreshold('at-least-one-third', 0, 1)).toBe(false);
    expect(meetsThreshold('more-than-two-thirds', 1, 1)).toBe(true);
  });

  it('[RULES-1] zero count fails every rule on a positive base; 100% meets every rule', () => {
    for (const rule of THRESHOLD_RULES) {
      for (let n = 1; n <= 30; n++) {
        expect(meetsThreshold(rule, 0, n)).toBe(false);
        expect(meetsThreshold(rule, n, n)).toBe(true);
      }
    }
  });

  it('[RULES-1] rejects negative, fractional, non-finite and oversized input', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_COUNT + 1]) {
      expect(() => meetsThreshold('more-than-half', bad, 10)).toThrow(RangeError);
      expect(() => meetsThreshold('more-than-half', 1, bad)).toThrow(RangeError);
      expect(() => minimumFor('more-than-half', bad)).toThrow(RangeError);
      expect(() => inLowBand(bad, 10)).toThrow(RangeError);
    }
    expect(() => meetsThreshold('more-than-half', -1, 10)).toThrow(/count must be an integer/);
  });

  it('[RULES-1] rejects an unknown rule from untyped callers', () => {
    expect(() => meetsThreshold('most' as ThresholdRule, 1, 2)).toThrow(RangeError);
    expect(() => minimumFor('most' as ThresholdRule, 2)).toThrow(/unknown threshold rule: most/);
  });
});

describe('[RULES-1] minimumFor', () => {
  it('[RULES-1] 85 delegates → 43, 57, 29, 57', () => {
    expect(minimumFor('more-than-half', 85)).toBe(43);
    expect(minimumFor('at-least-two-thirds', 85)).toBe(57);
    expect(minimumFor('at-least-one-third', 85)).toBe(29);
    expect(minimumFor('more-than-two-thirds', 85)).toBe(57);
    expect(minimumFor('more-than-two-thirds', 84)).toBe(57);
    expect(minimumFor('at-least-two-thirds', 84)).toBe(56);
  });

  it('[RULES-1] commune sizes 15..30 match a brute-force search', () => {
    for (const rule of THRESHOLD_RULES) {
      for (let n = 15; n <= 30; n++) {
        let least = 0;
        while (!meetsThreshold(rule, least, n)) least++;
        expect(minimumFor(rule, n), `${rule} on ${n}`).toBe(least);
      }
    }
  });

  it('[RULES-1] spot values for small councils', () => {
    expect(minimumFor('more-than-half', 15)).toBe(8);
    expect(minimumFor('at-least-two-thirds', 15)).toBe(10);
    expect(minimumFor('more-than-two-thirds', 15)).toBe(11);
    expect(minimumFor('at-least-one-third', 16)).toBe(6);
    expect(minimumFor('more-than-half', 1)).toBe(1);
    expect(minimumFor('at-least-two-thirds', 1)).toBe(1);
    expect(minimumFor('at-least-one-third', 1)).toBe(1);
    expect(minimumFor('more-than-two-thirds', 1)).toBe(1);
  });

  it('[RULES-1] base 0: "at least" rules hold vacuously, "more than" rules need one', () => {
    expect(minimumFor('at-least-two-thirds', 0)).toBe(0);
    expect(minimumFor('at-least-one-third', 0)).toBe(0);
    expect(minimumFor('more-than-half', 0)).toBe(1);
    expect(minimumFor('more-than-two-thirds', 0)).toBe(1);
  });
});

describe('[RULES-1] inLowBand', () => {
  it('[RULES-1] 85 delegates: 43..56', () => {
    const band: number[] = [];
    for (let x = 0; x <= 85; x++) if (inLowBand(x, 85)) band.push(x);
    expect(band[0]).toBe(43);
    expect(band.at(-1)).toBe(56);
    expect(band).toHaveLength(14);
  });

  it('[RULES-1] 47 ballots: 24..31', () => {
    expect(inLowBand(23, 47)).toBe(false);
    expect(inLowBand(24, 47)).toBe(true);
    expect(inLowBand(31, 47)).toBe(true);
    expect(inLowBand(32, 47)).toBe(false);
  });

  it('[RULES-1] tiny bases have an empty band', () => {
    for (const n of [1, 2, 3, 4]) for (let x = 0; x <= n; x++) expect(inLowBand(x, n)).toBe(false);
    // 5: more than half is 3, two thirds is 10/3 → 3 is in the band.
    expect(inLowBand(3, 5)).toBe(true);
  });
});
