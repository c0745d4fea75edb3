import { describe, expect, it } from 'vitest';
import { formatCountPercent, formatPercent, hundredths } from '../../src/rules/index.ts';

describe('[RULES-2] hundredths', () => {
  it('[RULES-2] result-panel example on 85', () => {
    expect(hundredths(80, 85)).toBe(9412);
    expect(hundredths(70, 85)).toBe(8235);
    expect(hundredths(6, 85)).toBe(706);
    expect(hundredths(4, 85)).toBe(471);
  });

  it('[RULES-2] rounds half up exactly at the half', () => {
    // 1/8 = 12.5% exactly; 1/16 = 6.25%; 1/32 = 3.125% → 3.13; 1/160 = 0.625% → 0.63; 1/400 = 0.25%.
    expect(hundredths(1, 8)).toBe(1250);
    expect(hundredths(1, 32)).toBe(313);
    expect(hundredths(1, 160)).toBe(63);
    expect(hundredths(3, 160)).toBe(188); // 1.875 → 1.88
    expect(hundredths(1, 400)).toBe(25);
    // 1/3 = 33.333… → 33.33; 2/3 = 66.666… → 66.67
    expect(hundredths(1, 3)).toBe(3333);
    expect(hundredths(2, 3)).toBe(6667);
  });

  it('[RULES-2] 0 and 100%', () => {
    expect(hundredths(0, 85)).toBe(0);
    expect(hundredths(85, 85)).toBe(10000);
    expect(hundredths(1, 1)).toBe(10000);
  });

  it('[RULES-2] base 0 gives 0 rather than dividing by zero', () => {
    expect(hundredths(0, 0)).toBe(0);
    expect(hundredths(3, 0)).toBe(0);
  });

  it('[RULES-2] rejects impossible input', () => {
    expect(() => hundredths(-1, 10)).toThrow(RangeError);
    expect(() => hundredths(1, -10)).toThrow(RangeError);
    expect(() => hundredths(0.5, 10)).toThrow(/x must be an integer/);
    expect(() => formatPercent(1, 2.5)).toThrow(/N must be an integer/);
  });
});

describe('[RULES-2] formatPercent', () => {
  it('[RULES-2] decimal comma, always two decimals', () => {
    expect(formatPercent(70, 85)).toBe('82,35%');
    expect(formatPercent(6, 85)).toBe('7,06%');
    expect(formatPercent(25, 47)).toBe('53,19%');
    expect(formatPercent(1, 2)).toBe('50,00%');
    expect(formatPercent(1, 10)).toBe('10,00%');
    expect(formatPercent(1, 1000)).toBe('0,10%');
    expect(formatPercent(1, 10000)).toBe('0,01%');
    expect(formatPercent(1, 20001)).toBe('0,00%');
    expect(formatPercent(1, 20000)).toBe('0,01%'); // 0.005% rounds half up
  });

  it('[RULES-2] 100,00% and 0,00%', () => {
    expect(formatPercent(85, 85)).toBe('100,00%');
    expect(formatPercent(15, 15)).toBe('100,00%');
    expect(formatPercent(0, 85)).toBe('0,00%');
    expect(formatPercent(0, 0)).toBe('0,00%');
  });

  it('[RULES-2] a non-unanimous count never shows 100,00% on any council-sized base', () => {
    for (let n = 1; n <= 500; n++) {
      expect(formatPercent(n - 1, n)).not.toBe('100,00%');
      if (n > 1) expect(formatPercent(1, n)).not.toBe('0,00%');
    }
    expect(formatPercent(9999, 10000)).toBe('99,99%');
    // Only from 20000 up can half-up rounding reach 100: 99,995% → 100,00%.
    expect(formatPercent(19999, 20000)).toBe('100,00%');
  });
});

describe('[RULES-2] formatCountPercent', () => {
  it('[RULES-2] "count (percent)"', () => {
    expect(formatCountPercent(70, 85)).toBe('70 (82,35%)');
    expect(formatCountPercent(0, 15)).toBe('0 (0,00%)');
    expect(formatCountPercent(15, 15)).toBe('15 (100,00%)');
  });
});
