/**
 * What an adjournment would leave undone, read from a session view: agenda items never taken up, votes without an
 * announced result, questions never answered. The machine allows the adjournment anyway (only an open poll blocks
 * it); the chair decides, but with the list in front of them. The rule lives here so every screen that shows it (the
 * chair console's adjourn checklist) shows the same list.
 */
import type { PollView, SessionView } from '../views/project.ts';

/** Items that end in a vote: without an announced result they are not done, whatever else happened on them. */
const DECIDED_BY_VOTE: ReadonlySet<string> = new Set(['resolution', 'confidence', 'election']);

/** The round that replaced this one (a re-vote that was not cancelled), or null when this round stands. */
export function revotedBy(poll: Pick<PollView, 'pollId'>, polls: readonly PollView[]): PollView | null {
  return polls.find((p) => p.revoteOf === poll.pollId && p.status !== 'cancelled') ?? null;
}

export interface UnfinishedWork {
  items: SessionView['agenda'];
  polls: SessionView['polls'];
  questions: NonNullable<SessionView['questions']>;
}

export function unfinishedWork(view: Pick<SessionView, 'agenda' | 'currentItemId' | 'polls' | 'questions'>): UnfinishedWork {
  const current = view.agenda.findIndex((i) => i.id === view.currentItemId);
  const announced = new Set(view.polls.filter((p) => p.status === 'announced').map((p) => p.itemId));
  const polled = new Set(view.polls.map((p) => p.itemId));
  const items = view.agenda.filter((item, i) => {
    if (DECIDED_BY_VOTE.has(item.kind)) return !announced.has(item.id);
    // The agenda runs in order: an item after the current one with no vote on it was never reached.
    return i > current && !polled.has(item.id);
  });
  // Only the latest round of each subject counts (a cancelled re-vote leaves the round it would have replaced standing).
  const polls = view.polls.filter((p) => (p.status === 'open' || p.status === 'counted') && !revotedBy(p, view.polls));
  const questions = (view.questions ?? []).filter((q) => q.status === 'queued' || q.status === 'asked');
  return { items, polls, questions };
}

/** Nothing would be left undone. */
export const nothingUnfinished = (work: UnfinishedWork) => work.items.length + work.polls.length + work.questions.length === 0;
