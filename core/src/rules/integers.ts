/**
 * Guards shared by the rules. Inputs reaching here were validated by the machine, so a bad value is a programmer
 * error and fails loudly with a RangeError instead of producing a plausible but wrong legal result.
 */

/**
 * Upper bound for any count or base. Far above any electorate, and small enough that 20000·x (percent.ts) and
 * 3·x (thresholds.ts) stay exact in a double, so plain number arithmetic is integer arithmetic.
 */
export const MAX_COUNT = 1_000_000_000;

export function assertCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_COUNT) {
    throw new RangeError(`${name} must be an integer between 0 and ${MAX_COUNT}, got ${String(value)}`);
  }
}

/** A base of zero makes every "at least" rule hold vacuously, which would adopt motions nobody voted for. */
export function assertPositive(name: string, value: number): void {
  assertCount(name, value);
  if (value === 0) throw new RangeError(`${name} must be at least 1, got 0`);
}

export function assertAtMost(smallName: string, small: number, bigName: string, big: number): void {
  if (small > big) throw new RangeError(`${smallName} (${small}) cannot exceed ${bigName} (${big})`);
}

/** Floor division of non-negative integers without going through a rounded quotient. */
export function idiv(a: number, b: number): number {
  return (a - (a % b)) / b;
}
