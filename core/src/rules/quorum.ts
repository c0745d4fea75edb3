/**
 * Quorum (docs/rules.md, §9). Counted against total delegates, not those expected; remote delegates count only when
 * the council's profile says so, because remote participation is not confirmed in law.
 */
import type { ThresholdRule } from '../model.ts';
import { assertAtMost, assertCount, assertPositive } from './integers.ts';
import { formatPercent } from './percent.ts';
import { meetsThreshold, minimumFor } from './thresholds.ts';

export interface QuorumInput {
  /** Present in the hall. */
  present: number;
  /** Present remotely; ignored for the count unless `remoteCounts`. */
  remote: number;
  /** Total delegates (seats minus vacancies). */
  total: number;
  rule: ThresholdRule;
  remoteCounts: boolean;
}

export interface QuorumStatus {
  counted: number;
  required: number;
  total: number;
  met: boolean;
  /** `counted` as a percentage of `total`, e.g. "94,12%". */
  percent: string;
}

export function quorumStatus(input: QuorumInput): QuorumStatus {
  const { present, remote, total, rule, remoteCounts } = input;
  assertCount('present', present);
  assertCount('remote', remote);
  assertPositive('total', total);
  // A delegate is either in the hall or remote, never both, whether or not remote attendance counts.
  assertAtMost('present + remote', present + remote, 'total', total);
  const counted = present + (remoteCounts ? remote : 0);
  return {
    counted,
    required: minimumFor(rule, total),
    total,
    met: meetsThreshold(rule, counted, total),
    percent: formatPercent(counted, total),
  };
}
