/**
 * Percentiles without a histogram library: nearest-rank over sorted samples, and a sparse fixed-resolution histogram
 * (0.1 ms buckets) for the fan-out scenario, where a million receipts are merged across generator processes.
 */

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface Summary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): Summary {
  const s = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of s) sum += v;
  return { count: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s.length ? s[s.length - 1]! : Number.NaN, mean: s.length ? sum / s.length : Number.NaN };
}

/** Bucket width of `Histogram`, ms. */
export const BUCKET_MS = 0.1;

/** Sparse histogram of latencies in 0.1 ms buckets: `[bucket, count][]` travels over IPC and merges by addition. */
export class Histogram {
  readonly buckets = new Map<number, number>();
  count = 0;
  sum = 0;

  add(ms: number) {
    const b = Math.max(0, Math.round(ms / BUCKET_MS));
    this.buckets.set(b, (this.buckets.get(b) ?? 0) + 1);
    this.count++;
    this.sum += ms;
  }

  toJSON(): { entries: [number, number][]; count: number; sum: number } {
    return { entries: [...this.buckets], count: this.count, sum: this.sum };
  }

  merge(h: { entries: [number, number][]; count: number; sum: number }) {
    for (const [b, n] of h.entries) this.buckets.set(b, (this.buckets.get(b) ?? 0) + n);
    this.count += h.count;
    this.sum += h.sum;
  }

  /** Nearest-rank percentile, to the bucket's resolution. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.min(this.count, Math.max(1, Math.ceil((p / 100) * this.count)));
    let seen = 0;
    for (const b of [...this.buckets.keys()].sort((x, y) => x - y)) {
      seen += this.buckets.get(b)!;
      if (seen >= rank) return b * BUCKET_MS;
    }
    return Number.NaN;
  }

  summary(): Summary {
    let top = -1;
    for (const b of this.buckets.keys()) if (b > top) top = b;
    return { count: this.count, p50: this.percentile(50), p99: this.percentile(99), max: top >= 0 ? top * BUCKET_MS : Number.NaN, mean: this.count ? this.sum / this.count : Number.NaN };
  }
}

/** A seeded PRNG (mulberry32), so a run's schedule is reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const round = (n: number, digits = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n);

type Tally = { yes?: number; no?: number; abstain?: number };

/** Whether a poll's counted result is exactly the tally of the acknowledged yes/no/abstain choices. */
export function tallyMatches(choices: readonly unknown[], result: Tally | null | undefined): boolean {
  const expected = { yes: 0, no: 0, abstain: 0 };
  for (const c of choices) if (c === 'yes' || c === 'no' || c === 'abstain') expected[c]++;
  return !!result && result.yes === expected.yes && result.no === expected.no && result.abstain === expected.abstain;
}
