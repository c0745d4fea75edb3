/**
 * What the adjournment would leave undone, read from the chair's view: agenda items never taken up, votes without an
 * announced result, questions never answered. The machine allows the adjournment anyway (only an open poll blocks
 * it); the chair decides, but with the list in front of them.
 */
import { revotedBy } from '@hall/client-kit';
import type { SessionView } from '@hall/core';
import { useT } from '../i18n.ts';

/** Items that end in a vote: without an announced result they are not done, whatever else happened on them. */
const DECIDED_BY_VOTE = new Set(['resolution', 'confidence', 'election']);

export interface Unfinished {
  items: SessionView['agenda'];
  polls: SessionView['polls'];
  questions: NonNullable<SessionView['questions']>;
}

export function unfinishedWork(view: SessionView): Unfinished {
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

export function AdjournChecklist({ view }: { view: SessionView }) {
  const { t } = useT();
  const { items, polls, questions } = unfinishedWork(view);
  if (items.length + polls.length + questions.length === 0) return <p>{t('adjourn.nothingLeft')}</p>;
  return (
    <div className="adjourn-checklist" role="group" aria-label={t('adjourn.label')}>
      <p className="strong">
        <span aria-hidden="true">⚠ </span>
        {t('adjourn.intro')}
      </p>
      {items.length > 0 && (
        <section aria-label={t('adjourn.items', { count: items.length })}>
          <h3 className="checklist-title">{t('adjourn.items', { count: items.length })}</h3>
          <ul>
            {items.map((i) => (
              <li key={i.id}>{i.title}</li>
            ))}
          </ul>
        </section>
      )}
      {polls.length > 0 && (
        <section aria-label={t('adjourn.polls', { count: polls.length })}>
          <h3 className="checklist-title">{t('adjourn.polls', { count: polls.length })}</h3>
          <ul>
            {polls.map((p) => (
              <li key={p.pollId}>
                {p.subject} — {t(p.status === 'open' ? 'adjourn.pollOpen' : 'adjourn.pollCounted')}
              </li>
            ))}
          </ul>
        </section>
      )}
      {questions.length > 0 && (
        <section aria-label={t('adjourn.questions', { count: questions.length })}>
          <h3 className="checklist-title">{t('adjourn.questions', { count: questions.length })}</h3>
          <ul>
            {questions.map((q) => (
              <li key={q.questionId}>
                {q.asker} → {q.respondent}
                {q.text ? `: ${q.text}` : ''}
              </li>
            ))}
          </ul>
          <p className="hint">{t('adjourn.questionsHint')}</p>
        </section>
      )}
    </div>
  );
}
