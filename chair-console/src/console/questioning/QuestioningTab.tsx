/**
 * Questioning (chất vấn): the open group and its respondents, the registered questions in order, who has been asked
 * and not answered, debate turns, commitments and the written answers still owed. Whether a respondent answers now
 * (per question or per round) and who may debate first is the machine's call, asked through each button.
 */
import type { QuestionView } from '@hall/core';
import { useServerNow, useView } from '@hall/client-kit/react';
import { useId, useState } from 'react';
import { useT } from '../../i18n.ts';
import { formatDate, officialName, officialsOf, profileOf } from '../data.ts';
import { CommandButton, useAction } from '../ui/command.tsx';
import { StatusBadge } from '../ui/StatusBadge.tsx';

export function QuestioningTab({ onCommitment }: { onCommitment: () => void }) {
  return (
    <div className="tab-stack">
      <ActiveGroup />
      <QuestionQueue />
      <Answered />
      <Groups />
      <Commitments onCommitment={onCommitment} />
      <Written />
    </div>
  );
}

function ActiveGroup() {
  const view = useView();
  const { t } = useT();
  const group = view?.questioning?.activeGroup;
  const profile = profileOf(view);
  if (!view) return null;
  if (!group) {
    return (
      <section className="panel panel-flat">
        <p className="muted empty">{t('questioning.noActive')}</p>
      </section>
    );
  }
  const mode = profile?.questioning.answerMode === 'perQuestion'
    ? t('questioning.perQuestion')
    : t('questioning.perRound', { count: profile?.questioning.questionsPerRound ?? 3 });
  const awaiting = view.questioning?.awaitingAnswer ?? [];
  return (
    <section className="panel panel-accent" aria-labelledby="qa-active">
      <div className="panel-head">
        <h2 id="qa-active" className="panel-title">
          {t('questioning.active', { topic: group.topic })}
        </h2>
        <CommandButton type="questioning.closeGroup" payload={{}} confirm={{ title: t('questioning.closeTitle'), body: t('questioning.closeBody') }}>
          {t('questioning.close')}
        </CommandButton>
      </div>
      {profile && <p className="hint">{t('questioning.answerMode', { mode })}</p>}
      <table className="table">
        <caption className="hall-sr-only">{t('questioning.respondents')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('questioning.respondent')}</th>
            <th scope="col">{t('questioning.awaiting')}</th>
            <th scope="col" className="col-actions">
              {t('floor.actions')}
            </th>
          </tr>
        </thead>
        <tbody>
          {group.respondents.map((r) => (
            <tr key={r.id}>
              <td>
                <span className="strong">{r.name}</span>
                <br />
                <span className="muted small">{r.post}</span>
              </td>
              <td>{awaiting.filter((q) => q.respondentId === r.id).length}</td>
              <td className="col-actions">
                <CommandButton
                  type="questioning.answer"
                  payload={{ respondentId: r.id, speechId: 'speech-check' }}
                  fresh={['speechId']}
                  variant="primary"
                  small
                  label={t('questioning.answerLabel', { name: r.name })}
                >
                  {t('questioning.answer')}
                </CommandButton>
                <CommandButton
                  type="questioning.opening"
                  payload={{ respondentId: r.id, speechId: 'speech-check' }}
                  fresh={['speechId']}
                  small
                  label={t('questioning.openingLabel', { name: r.name })}
                >
                  {t('questioning.opening')}
                </CommandButton>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {awaiting.length > 0 && (
        <>
          <h3 className="sub-title">{t('questioning.awaiting')}</h3>
          <ul className="plain-list">
            {awaiting.map((q) => (
              <li key={q.questionId}>
                <span className="strong">{q.asker}</span> → {q.respondent}
                {q.text && <span className="muted">: {q.text}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function QuestionQueue() {
  const view = useView();
  const { t } = useT();
  const group = view?.questioning?.activeGroup;
  const queue = view?.questioning?.queue ?? [];
  if (!group) return null;
  return (
    <section className="panel panel-flat" aria-labelledby="qa-queue">
      <h2 id="qa-queue" className="panel-title">
        {t('questioning.queue')} <span className="count-pill">{queue.length}</span>
      </h2>
      {queue.length === 0 ? (
        <p className="muted empty">{t('questioning.queueEmpty')}</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col" className="col-n">
                {t('floor.order')}
              </th>
              <th scope="col">{t('questioning.asker')}</th>
              <th scope="col">{t('questioning.respondent')}</th>
              <th scope="col">{t('questioning.text')}</th>
              <th scope="col" className="col-actions">
                {t('floor.actions')}
              </th>
            </tr>
          </thead>
          <tbody>
            {queue.map((q, i) => (
              <tr key={q.questionId}>
                <td className="col-n">{i + 1}</td>
                <td className="strong">{q.asker}</td>
                <td>{q.respondent}</td>
                <td className="text-cell">{q.text}</td>
                <td className="col-actions">
                  <CommandButton
                    type="questioning.call"
                    payload={{ questionId: q.questionId, speechId: 'speech-check' }}
                    fresh={['speechId']}
                    variant="primary"
                    small
                    label={t('questioning.callLabel', { name: q.asker })}
                  >
                    {t('questioning.call')}
                  </CommandButton>
                  <CommandButton
                    type="question.markWritten"
                    payload={{ questionId: q.questionId }}
                    small
                    variant="quiet"
                    label={t('questioning.markWrittenLabel', { name: q.asker })}
                    confirm={{ title: t('questioning.markWrittenTitle', { name: q.asker }) }}
                  >
                    {t('questioning.markWritten')}
                  </CommandButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Answered questions of the open group, with the two debate turns (the machine says the asker goes first). */
function Answered() {
  const view = useView();
  const { t } = useT();
  const group = view?.questioning?.activeGroup;
  if (!group) return null;
  // Which questions belong to the open group is core's rule: take its list rather than re-deriving it here.
  const answered = view?.questioning?.answered ?? [];
  return (
    <section className="panel panel-flat" aria-labelledby="qa-answered">
      <h2 id="qa-answered" className="panel-title">
        {t('questioning.answered')} <span className="count-pill">{answered.length}</span>
      </h2>
      {answered.length === 0 ? (
        <p className="muted empty">{t('questioning.answeredEmpty')}</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('questioning.asker')}</th>
              <th scope="col">{t('questioning.respondent')}</th>
              <th scope="col">{t('questioning.text')}</th>
              <th scope="col" className="col-actions">
                {t('floor.actions')}
              </th>
            </tr>
          </thead>
          <tbody>
            {answered.map((q) => (
              <tr key={q.questionId}>
                <td className="strong">{q.asker}</td>
                <td>{q.respondent}</td>
                <td className="text-cell">{q.text}</td>
                <td className="col-actions">
                  <CommandButton
                    type="questioning.debate"
                    payload={{ questionId: q.questionId, speechId: 'speech-check', speaker: { kind: 'delegate', id: q.delegateId } }}
                    fresh={['speechId']}
                    small
                    label={t('questioning.debateAskerLabel', { name: q.asker })}
                  >
                    {t('questioning.debateAsker')}
                  </CommandButton>
                  <CommandButton
                    type="questioning.debate"
                    payload={{ questionId: q.questionId, speechId: 'speech-check', speaker: { kind: 'official', id: q.respondentId } }}
                    fresh={['speechId']}
                    small
                    label={t('questioning.debateRespondentLabel', { name: q.respondent })}
                  >
                    {t('questioning.debateRespondent')}
                  </CommandButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Groups() {
  const view = useView();
  const { t, k } = useT();
  const groups = view?.questioning?.groups ?? [];
  return (
    <section className="panel panel-flat" aria-labelledby="qa-groups">
      <h2 id="qa-groups" className="panel-title">
        {t('questioning.groups')} <span className="count-pill">{groups.length}</span>
      </h2>
      {groups.length === 0 ? (
        <p className="muted empty">{t('questioning.groupsEmpty')}</p>
      ) : (
        <ul className="plain-list group-list">
          {groups.map((g) => (
            <li key={g.groupId} className={`group-item group-${g.status}`}>
              <span className="strong">{g.topic}</span>{' '}
              <span className={`badge badge-group-${g.status}`}>{k(`common:groupStatus.${g.status}`)}</span>
              {g.status === 'pending' && (
                <CommandButton type="questioning.openGroup" payload={{ groupId: g.groupId }} small label={t('questioning.openLabel', { topic: g.topic })}>
                  {t('questioning.open')}
                </CommandButton>
              )}
            </li>
          ))}
        </ul>
      )}
      <AddGroup />
    </section>
  );
}

function AddGroup() {
  const view = useView();
  const { t } = useT();
  const [topic, setTopic] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [open, setOpen] = useState(false);
  const topicId = useId();
  const formId = useId();
  const respondents = officialsOf(view).filter((o) => o.respondent);
  const payload = { groupId: 'group-check', topic: topic.trim(), respondentIds: picked };
  const action = useAction('questioning.addGroup', payload, ['groupId']);
  if (!action.visible) return null;
  const ready = !!topic.trim() && picked.length > 0 && action.verdict.ok;
  return (
    <div className="add-group">
      {/* A button that says it opens a form (a <summary> is announced as a disclosure, not as "Thêm nhóm vấn đề"). */}
      <button type="button" className="btn btn-small" aria-expanded={open} aria-controls={formId} onClick={() => setOpen((o) => !o)}>
        {t('questioning.addGroup')}
      </button>
      <form
        id={formId}
        hidden={!open}
        aria-label={t('questioning.addGroup')}
        onSubmit={(e) => {
          e.preventDefault();
          if (!ready) return;
          if (action.run()) {
            setTopic('');
            setPicked([]);
          }
        }}
      >
        <label className="field" htmlFor={topicId}>
          <span className="field-label">{t('questioning.topic')}</span>
          <input id={topicId} className="input" value={topic} maxLength={300} onChange={(e) => setTopic(e.target.value)} />
        </label>
        <fieldset className="field">
          <legend className="field-label">{t('questioning.pickRespondents')}</legend>
          <div className="check-grid">
            {respondents.map((o) => (
              <label key={o.id} className="check">
                <input
                  type="checkbox"
                  checked={picked.includes(o.id)}
                  onChange={(e) => setPicked((list) => (e.target.checked ? [...list, o.id] : list.filter((x) => x !== o.id)))}
                />
                <span>
                  {o.fullName} <span className="muted">— {o.post}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" aria-disabled={!ready || undefined}>
            {t('questioning.add')}
          </button>
          {topic.trim() && picked.length > 0 && !action.verdict.ok && <span className="hint hint-refused">{action.verdict.message}</span>}
          <StatusBadge cmd={action.cmd} />
        </div>
      </form>
    </div>
  );
}

function Commitments({ onCommitment }: { onCommitment: () => void }) {
  const view = useView();
  const { t } = useT();
  const list = view?.commitments ?? [];
  const record = useAction('commitment.record', { commitmentId: 'x', respondentId: 'x', content: 'x' });
  return (
    <section className="panel panel-flat" aria-labelledby="qa-commitments">
      <div className="panel-head">
        <h2 id="qa-commitments" className="panel-title">
          {t('questioning.commitments')} <span className="count-pill">{list.length}</span>
        </h2>
        {record.visible && (
          <button type="button" className="btn btn-small" onClick={onCommitment} aria-keyshortcuts="c">
            {t('questioning.commitment')}
            <kbd className="btn-kbd" aria-hidden="true">
              C
            </kbd>
          </button>
        )}
      </div>
      {list.length === 0 ? (
        <p className="muted empty">{t('questioning.commitmentsEmpty')}</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('questioning.commitmentWho')}</th>
              <th scope="col">{t('questioning.content')}</th>
              <th scope="col">{t('questioning.deadlineCol')}</th>
              <th scope="col">{t('questioning.reportAtCol')}</th>
            </tr>
          </thead>
          <tbody>
            {[...list].reverse().map((c) => (
              <tr key={c.commitmentId}>
                <td>{officialName(view, c.respondentId)}</td>
                <td className="text-cell">{c.content}</td>
                <td>{c.deadline ? formatDate(c.deadline) : '—'}</td>
                <td>{c.reportAt ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Written() {
  const view = useView();
  const { t, k } = useT();
  const now = useServerNow(60_000);
  const pending = (view?.questions ?? []).filter((q) => q.status === 'writtenPending').sort((a, b) => (a.writtenDueAt ?? 0) - (b.writtenDueAt ?? 0));
  const done = (view?.questions ?? []).filter((q) => q.status === 'writtenAnswered');
  return (
    <section className="panel panel-flat" aria-labelledby="qa-written">
      <h2 id="qa-written" className="panel-title">
        {t('questioning.written')} <span className="count-pill">{pending.length}</span>
      </h2>
      {pending.length === 0 ? (
        <p className="muted empty">{t('questioning.writtenEmpty')}</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('questioning.asker')}</th>
              <th scope="col">{t('questioning.respondent')}</th>
              <th scope="col">{t('questioning.text')}</th>
              <th scope="col">{t('questioning.due')}</th>
              <th scope="col" className="col-actions">
                {t('floor.actions')}
              </th>
            </tr>
          </thead>
          <tbody>
            {pending.map((q) => {
              const overdue = q.writtenDueAt !== null && q.writtenDueAt < now;
              return (
                <tr key={q.questionId}>
                  <td className="strong">{q.asker}</td>
                  <td>{q.respondent}</td>
                  <td className="text-cell">{q.text}</td>
                  <td>
                    {q.writtenDueAt ? formatDate(q.writtenDueAt) : '—'}
                    {overdue && <span className="badge badge-overdue"> ⚠ {t('questioning.overdue')}</span>}
                  </td>
                  <td className="col-actions">
                    <CommandButton
                      type="question.writtenAnswered"
                      payload={{ questionId: q.questionId }}
                      small
                      label={t('questioning.markAnsweredLabel', { name: q.asker })}
                      confirm={{ title: t('questioning.markAnsweredLabel', { name: q.asker }) }}
                    >
                      {t('questioning.markAnswered')}
                    </CommandButton>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {done.length > 0 && (
        <details>
          <summary className="muted">
            {k('common:questionStatus.writtenAnswered')} ({done.length})
          </summary>
          <ul className="plain-list">
            {done.map((q) => (
              <li key={q.questionId}>
                {q.asker} → {q.respondent}
                {q.text && <span className="muted">: {q.text}</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
