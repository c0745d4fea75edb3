/**
 * What the adjournment would leave undone (core's `unfinishedWork`: items never taken up, votes without an announced
 * result, questions never answered), shown to the chair before they confirm. The machine allows the adjournment
 * anyway (only an open poll blocks it); the chair decides, but with the list in front of them.
 */
import { nothingUnfinished, unfinishedWork, type SessionView } from '@hall/core';
import { useT } from '../i18n.ts';

export function AdjournChecklist({ view }: { view: SessionView }) {
  const { t } = useT();
  const work = unfinishedWork(view);
  const { items, polls, questions } = work;
  if (nothingUnfinished(work)) return <p>{t('adjourn.nothingLeft')}</p>;
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
