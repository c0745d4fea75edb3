/**
 * Rounds of a vote. A re-vote (`poll.revote`) opens a new poll whose `revoteOf` names the round it replaces; the
 * replaced round keeps its result in the record, but only the latest round counts. Every screen says which is which
 * and lists the official result before the rounds it replaced.
 */
import { revotedBy, type PollView } from '@hall/core';

/** Which round replaced which is core's rule (rules/adjourn.ts), re-exported for the screens. */
export { revotedBy };

/**
 * Announced results, newest first, each official round followed directly by the earlier rounds it replaced: a reader
 * meets the result that counts before the one that was voted again.
 */
export function officialFirst(polls: readonly PollView[]): PollView[] {
  const announced = polls.filter((p) => p.status === 'announced' && p.result);
  const byId = new Map(polls.map((p) => [p.pollId, p]));
  const out: PollView[] = [];
  const placed = new Set<string>();
  for (const head of [...polls].reverse()) {
    // Start a chain at its latest round: a poll nobody re-voted (or whose re-vote was cancelled).
    if (head.status === 'cancelled' || revotedBy(head, polls)) continue;
    for (let p: PollView | undefined = head; p; p = p.revoteOf ? byId.get(p.revoteOf) : undefined) {
      if (p.status === 'announced' && p.result && !placed.has(p.pollId)) {
        out.push(p);
        placed.add(p.pollId);
      }
    }
  }
  // Anything not reached from a chain head (never expected) still shows, in its own order.
  for (const p of [...announced].reverse()) if (!placed.has(p.pollId)) out.push(p);
  return out;
}
