/** [ADJ] What an adjournment would leave undone (rules/adjourn.ts), the list the chair console shows before it. */
import { describe, expect, it } from 'vitest';
import { nothingUnfinished, revotedBy, unfinishedWork } from '../../src/rules/adjourn.ts';
import type { PollView, QuestionView, SessionView } from '../../src/views/project.ts';
import { AGENDA } from '../helpers.ts';

const agenda: SessionView['agenda'] = [
  ...AGENDA.map((i) => ({ ...i, documents: [] })),
  { id: 'i4', title: 'Thảo luận báo cáo giám sát', kind: 'discussion', documents: [] },
] as SessionView['agenda'];
const poll = (pollId: string, itemId: string | undefined, status: PollView['status'], revoteOf?: string) =>
  ({ pollId, itemId, subject: `Biểu quyết ${pollId}`, status, ...(revoteOf ? { revoteOf } : {}) }) as PollView;
const question = (questionId: string, status: QuestionView['status']) => ({ questionId, status, asker: 'Đại biểu A', respondent: 'Giám đốc Sở', text: '' }) as QuestionView;

describe('[ADJ] unfinished work before an adjournment', () => {
  it('[ADJ-1] a resolution without an announced result, items after the current one never reached, open or counted votes, unanswered questions', () => {
    const work = unfinishedWork({
      agenda,
      currentItemId: 'i3',
      polls: [poll('p1', 'i1', 'counted'), poll('p2', undefined, 'open')],
      questions: [question('q1', 'queued'), question('q2', 'asked'), question('q3', 'answered')],
    });
    expect(work.items.map((i) => i.id)).toEqual(['i1', 'i4']);
    expect(work.polls.map((p) => p.pollId)).toEqual(['p1', 'p2']);
    expect(work.questions.map((q) => q.questionId)).toEqual(['q1', 'q2']);
    expect(nothingUnfinished(work)).toBe(false);
  });

  it('[ADJ-2] only the latest round counts; a cancelled re-vote leaves the round it would have replaced standing', () => {
    const replaced = [poll('p1', 'i1', 'counted'), poll('p2', 'i1', 'announced', 'p1')];
    expect(revotedBy(replaced[0]!, replaced)?.pollId).toBe('p2');
    const done = unfinishedWork({ agenda: agenda.slice(0, 1), currentItemId: 'i1', polls: replaced, questions: [] });
    expect(done).toEqual({ items: [], polls: [], questions: [] });
    expect(nothingUnfinished(done)).toBe(true);
    const cancelled = [poll('p1', 'i1', 'counted'), poll('p2', 'i1', 'cancelled', 'p1')];
    expect(unfinishedWork({ agenda: agenda.slice(0, 1), currentItemId: 'i1', polls: cancelled }).polls.map((p) => p.pollId)).toEqual(['p1']);
  });
});
