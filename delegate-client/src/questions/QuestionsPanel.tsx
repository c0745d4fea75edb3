/**
 * Chất vấn. A question form (phiếu chất vấn) addressed to a respondent, optionally within a question group, and the
 * delegate's own questions with their status — including "trả lời bằng văn bản, hạn …" for those not reached.
 *
 * Respondents: the view carries officials only for the group being questioned, so the form lists the council's
 * respondents from the (redacted) machine snapshot in the view — officials with `respondent: true` (see snapshot.ts).
 * While a group is being questioned the form defaults to it and lists only its respondents; "Không chọn nhóm" brings
 * back everyone. Whether the form may be sent is `useCan`'s call.
 */
import { vnShortDate, type QuestionView } from '@hall/core';
import { CommandStatusBadge, useCan, useView } from '@hall/client-kit/react';
import { useId, useMemo, useState } from 'react';
import { useT } from '../i18n.ts';
import { groupRespondents, respondentsOf } from '../snapshot.ts';
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx';
import { newId, useSend } from '../ui/useSend.ts';

export function QuestionsPanel() {
  const { t } = useT();
  const view = useView();
  const titleId = useId();
  if (!view?.me) return null;
  const active = view.questioning?.activeGroup;
  return (
    <div className="questions">
      {active ? (
        <p className="banner banner--info questions__active" role="status">
          {t('questions.activeGroup', { topic: active.topic })}
        </p>
      ) : null}
      <QuestionForm />
      <section className="card questions__mine" aria-labelledby={titleId}>
        <h2 id={titleId} className="card__title">
          {t('questions.mine')}
        </h2>
        {view.me.questions.length === 0 ? (
          <p className="muted">{t('questions.none')}</p>
        ) : (
          <ul className="my-questions">
            {[...view.me.questions].reverse().map((q) => (
              <MyQuestion key={q.questionId} q={q} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function QuestionForm() {
  const { t, tc } = useT();
  const view = useView();
  const ids = { title: useId(), respondent: useId(), group: useId(), text: useId(), hint: useId() };
  const everyone = useMemo(() => respondentsOf(view), [view]);
  const groupsById = useMemo(() => groupRespondents(view), [view]);
  // null: not chosen by the delegate — follow the group being questioned ("" is "Không chọn nhóm", chosen).
  const [groupChoice, setGroupChoice] = useState<string | null>(null);
  const [respondentChoice, setRespondentChoice] = useState('');
  const [text, setText] = useState('');
  const [questionId, setQuestionId] = useState(() => newId('q'));
  const [confirm, setConfirm] = useState(false);
  const { send, last } = useSend();

  const groups = (view?.questioning?.groups ?? []).filter((g) => g.status !== 'done');
  const active = view?.questioning?.activeGroup ?? null;
  const groupId = groupChoice !== null && (groupChoice === '' || groups.some((g) => g.groupId === groupChoice)) ? groupChoice : (active?.groupId ?? '');
  // Within a group only its respondents may be asked: the list narrows to them, and a single one is chosen for you.
  const inGroup = groupId ? (groupsById.get(groupId) ?? []) : null;
  const respondents = inGroup ? everyone.filter((r) => inGroup.includes(r.id)) : everyone;
  const respondentId = respondents.some((r) => r.id === respondentChoice) ? respondentChoice : respondents.length === 1 ? respondents[0]!.id : '';
  const payload = { questionId, respondentId: respondentId || 'none', text, ...(groupId ? { groupId } : {}) };
  const can = useCan('question.submit', payload);
  const sending = last?.status.state === 'sending';
  const respondent = respondents.find((r) => r.id === respondentId);

  return (
    <section className="card question-form" aria-labelledby={ids.title}>
      <h2 id={ids.title} className="card__title">
        {t('questions.formTitle')}
      </h2>
      {everyone.length === 0 ? (
        <p className="muted">{t('questions.noRespondents')}</p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (respondentId && can.ok && !sending) setConfirm(true);
          }}
        >
          {/* The group first: while one is being questioned it is the default, and it decides who may be asked. */}
          <div className="field">
            <label htmlFor={ids.group}>{t('questions.group')}</label>
            <select id={ids.group} className="input" value={groupId} onChange={(e) => setGroupChoice(e.target.value)}>
              <option value="">{t('questions.noGroup')}</option>
              {groups.map((g) => (
                <option key={g.groupId} value={g.groupId}>
                  {g.topic} ({tc(`groupStatus.${g.status}`)})
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.respondent}>{t('questions.respondent')}</label>
            <select id={ids.respondent} className="input" value={respondentId} onChange={(e) => setRespondentChoice(e.target.value)}>
              {respondents.length !== 1 ? <option value="">{t('questions.chooseRespondent')}</option> : null}
              {respondents.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name} — {r.post}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.text}>{t('questions.text')}</label>
            <textarea
              id={ids.text}
              className="input input--area"
              rows={5}
              maxLength={2000}
              value={text}
              aria-describedby={ids.hint}
              onChange={(e) => setText(e.target.value)}
            />
            <p id={ids.hint} className="field__hint">
              {t('questions.textHint')} {t('questions.count', { count: text.length })}
            </p>
          </div>
          <button type="submit" className="btn btn--primary btn--xl" disabled={!respondentId || !can.ok || sending}>
            {t('questions.submit')}
          </button>
          {respondentId && !can.ok && can.message ? <p className="muted">{t('questions.cannot', { reason: can.message })}</p> : null}
          {last ? <CommandStatusBadge command={last} className="badge-line" /> : null}
        </form>
      )}
      <ConfirmDialog
        open={confirm}
        title={t('questions.confirmSubmit', { respondent: respondent ? `${respondent.name} (${respondent.post})` : '' })}
        confirmLabel={t('questions.submit')}
        cancelLabel={tc('actions.cancel')}
        onConfirm={() => {
          setConfirm(false);
          const cmd = send('question.submit', payload);
          setQuestionId(newId('q'));
          // The form empties only once the server has the question, so a refused one can be corrected and resent.
          void cmd.done.then((s) => {
            if (s.state === 'recorded') {
              setText('');
              setGroupChoice(null);
              setRespondentChoice('');
            }
          });
        }}
        onCancel={() => setConfirm(false)}
      >
        {text ? <p className="confirm__quote">{text}</p> : null}
      </ConfirmDialog>
    </section>
  );
}

function MyQuestion({ q }: { q: QuestionView }) {
  const { t, tc } = useT();
  const view = useView();
  const can = useCan('question.withdraw', { questionId: q.questionId });
  const { send, last } = useSend();
  const [confirm, setConfirm] = useState(false);
  const topic = q.groupId ? view?.questioning?.groups.find((g) => g.groupId === q.groupId)?.topic : undefined;
  const post = respondentsOf(view).find((r) => r.id === q.respondentId)?.post;
  const status =
    q.status === 'writtenPending' && q.writtenDueAt !== null ? t('questions.writtenDue', { date: vnShortDate(q.writtenDueAt) }) : tc(`questionStatus.${q.status}`);
  return (
    <li className={`my-question my-question--${q.status}`}>
      <p className="my-question__status">
        <span className={`tag tag--q-${q.status}`}>{status}</span>
      </p>
      <p className="my-question__to">{t('questions.to', { name: post ? `${q.respondent} — ${post}` : q.respondent })}</p>
      {topic ? <p className="my-question__group">{topic}</p> : null}
      {q.text ? <p className="my-question__text">{q.text}</p> : null}
      {can.ok ? (
        <button type="button" className="btn btn--secondary btn--lg" disabled={last?.status.state === 'sending'} onClick={() => setConfirm(true)}>
          {t('questions.withdraw')}
        </button>
      ) : null}
      {last ? <CommandStatusBadge command={last} className="badge-line" /> : null}
      <ConfirmDialog
        open={confirm}
        title={t('questions.confirmWithdraw')}
        confirmLabel={t('questions.withdraw')}
        cancelLabel={tc('actions.cancel')}
        tone="danger"
        onConfirm={() => {
          setConfirm(false);
          send('question.withdraw', { questionId: q.questionId });
        }}
        onCancel={() => setConfirm(false)}
      />
    </li>
  );
}
