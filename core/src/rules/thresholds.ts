/**
 * Voting thresholds (docs/rules.md). Decisions are comparisons of integer products, never of fractions, so that a
 * 2/3 rule on 85 delegates cannot be lost to 0.6666… rounding.
 */
import type { ThresholdRule } from '../model.ts';
import { assertCount, idiv } from './integers.ts';

export const THRESHOLD_RULES: readonly ThresholdRule[] = [
  'more-than-half',
  'at-least-two-thirds',
  'at-least-one-third',
  'more-than-two-thirds',
];

function unknownRule(rule: never): never {
  throw new RangeError(`unknown threshold rule: ${String(rule)}`);
}

/** Whether `count` out of `base` satisfies `rule`. */
export function meetsThreshold(rule: ThresholdRule, count: number, base: number): boolean {
  assertCount('count', count);
  assertCount('base', base);
  switch (rule) {
    case 'more-than-half':
      return 2 * count > base;
    case 'at-least-two-thirds':
      return 3 * count >= 2 * base;
    case 'at-least-one-third':
      return 3 * count >= base;
    case 'more-than-two-thirds':
      return 3 * count > 2 * base;
    default:
      return unknownRule(rule);
  }
}

/** The smallest count that meets `rule` on `base` (85 → 43, 57, 29, 57). */
export function minimumFor(rule: ThresholdRule, base: number): number {
  assertCount('base', base);
  switch (rule) {
    case 'more-than-half':
      return idiv(base, 2) + 1;
    case 'at-least-two-thirds':
      return idiv(2 * base + 2, 3);
    case 'at-least-one-third':
      return idiv(base + 2, 3);
    case 'more-than-two-thirds':
      return idiv(2 * base, 3) + 1;
    default:
      return unknownRule(rule);
  }
}

/**
 * "More than half but under two thirds" — the confidence-rating band (Resolution 96/2023) where the official may
 * resign or else faces a vote of confidence. Not a ThresholdRule because nothing is adopted by it.
 */
export function inLowBand(count: number, base: number): boolean {
  return meetsThreshold('more-than-half', count, base) && !meetsThreshold('at-least-two-thirds', count, base);
}
