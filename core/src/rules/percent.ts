/**
 * Percentages as shown on the result panel (docs/rules.md): two decimals, rounded half up, decimal comma. Computed
 * in hundredths of a percent so the display never disagrees with an exact rational computation.
 */
import { assertCount, idiv } from './integers.ts';

/** round_half_up(10000·x / N) = floor((20000·x + N) / (2N)); 0 when N = 0 so an empty base shows "0,00%". */
export function hundredths(x: number, N: number): number {
  assertCount('x', x);
  assertCount('N', N);
  if (N === 0) return 0;
  return idiv(20000 * x + N, 2 * N);
}

/** `"82,35%"`: Vietnamese decimal comma, always two decimals. */
export function formatPercent(x: number, N: number): string {
  const h = hundredths(x, N);
  const fraction = h % 100;
  return `${idiv(h, 100)},${fraction < 10 ? '0' : ''}${fraction}%`;
}

/** `"70 (82,35%)"`: the count with its percentage, as each line of the result panel reads. */
export function formatCountPercent(x: number, N: number): string {
  return `${x} (${formatPercent(x, N)})`;
}
