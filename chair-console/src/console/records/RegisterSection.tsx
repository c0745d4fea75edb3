/**
 * The commitments register of the council (every session), with follow-ups, and the questions passed to a written
 * answer. Each follow-up is a journaled command of the session that recorded the commitment, sent through the records
 * API (the register spans sessions, the console joins one). Overdue rows are marked in words, not only in red.
 */
import { useCallback, useEffect, useId, useState } from 'react';
import { useT } from '../../i18n.ts';
import { formatDate } from '../data.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { useNotify } from '../ui/notices.tsx';
import { errorText, recordsApi, type CouncilRegister, type RegisterRow } from './api.ts';
import type { RecordsAccess } from './RecordsTab.tsx';

export function RegisterSection({ access, councilId }: { access: RecordsAccess; councilId: string }) {
  const { t } = useT();
  const notify = useNotify();
  const [register, setRegister] = useState<CouncilRegister | null>(null);
  const [editing, setEditing] = useState<RegisterRow | null>(null);
  const fail = useCallback((err: unknown) => notify(t('records.failed', { message: errorText(err) }), 'error'), [notify, t]);
  const reload = useCallback(() => recordsApi.register(access.token, councilId).then(setRegister, fail), [access.token, councilId, fail]);
  useEffect(() => {
    void reload();
  }, [reload]);

  if (!register) return <p aria-busy="true">{t('records.loading')}</p>;
  return (
    <>
      <section className="panel panel-flat" aria-labelledby="records-register-title">
        <h2 id="records-register-title" className="panel-title">
          {t('records.register.title')} <span className="count-pill">{register.commitments.length}</span>
        </h2>
        <p className="hint">{t('records.register.intro')}</p>
        {register.commitments.length === 0 ? (
          <p className="muted">{t('records.register.empty')}</p>
        ) : (
          <table className="table register-table">
            <thead>
              <tr>
                <th scope="col">{t('records.register.respondent')}</th>
                <th scope="col">{t('records.register.content')}</th>
                <th scope="col">{t('records.register.deadline')}</th>
                <th scope="col">{t('records.register.status')}</th>
                <th scope="col">{t('records.register.updates')}</th>
              </tr>
            </thead>
            <tbody>
              {register.commitments.map((c) => (
                <tr key={`${c.sessionId}:${c.commitmentId}`} className={c.status === 'overdue' ? 'is-overdue' : undefined}>
                  <td>
                    <span className="strong">{c.respondent}</span>
                    <br />
                    <span className="muted small">{c.respondentPost}</span>
                  </td>
                  <td className="text-cell">
                    {c.content}
                    <br />
                    <span className="muted small">{c.sessionTitle}</span>
                  </td>
                  <td>{c.deadline ? formatDate(c.deadline) : '—'}</td>
                  <td>
                    <span className={`badge badge-commitment-${c.status}`}>{t(`records.register.statuses.${c.status}`)}</span>
                  </td>
                  <td>
                    {c.updates.length > 0 && (
                      <ul className="plain-list small">
                        {c.updates.map((u) => (
                          <li key={u.updateId}>
                            {formatDate(u.at)}: {u.note}
                            {u.evidence && <span className="muted"> ({u.evidence})</span>}
                          </li>
                        ))}
                      </ul>
                    )}
                    {access.canWrite && (
                      <button type="button" className="btn btn-small" aria-label={`${t('records.register.update')}: ${c.respondent}`} onClick={() => setEditing(c)}>
                        {t('records.register.update')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="panel panel-flat" aria-labelledby="records-written-title">
        <h2 id="records-written-title" className="panel-title">
          {t('records.register.written')} <span className="count-pill">{register.written.length}</span>
        </h2>
        {register.written.length === 0 ? (
          <p className="muted">{t('records.register.writtenEmpty')}</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('records.register.asker')}</th>
                <th scope="col">{t('records.register.question')}</th>
                <th scope="col">{t('records.register.due')}</th>
                <th scope="col">{t('records.register.status')}</th>
              </tr>
            </thead>
            <tbody>
              {register.written.map((q) => (
                <tr key={`${q.sessionId}:${q.questionId}`} className={q.writtenStatus === 'overdue' ? 'is-overdue' : undefined}>
                  <td className="strong">{q.asker}</td>
                  <td className="text-cell">
                    {q.text} <span className="muted small">→ {q.respondent}</span>
                  </td>
                  <td>{q.dueDate ? formatDate(q.dueDate) : '—'}</td>
                  <td>
                    {t(`records.register.writtenStatuses.${q.writtenStatus}`)}
                    {access.canWrite && q.writtenStatus !== 'answered' && (
                      <>
                        {' '}
                        <button
                          type="button"
                          className="btn btn-small"
                          aria-label={`${t('records.register.markAnswered')}: ${q.asker}`}
                          onClick={() =>
                            recordsApi.writtenAnswer(access.token, q.sessionId, q.questionId).then(() => {
                              notify(t('records.register.saved'));
                              return reload();
                            }, fail)
                          }
                        >
                          {t('records.register.markAnswered')}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="panel panel-flat" aria-labelledby="records-open-title">
        <h2 id="records-open-title" className="panel-title">
          {t('records.register.open')}
        </h2>
        {register.openByRespondent.length === 0 ? (
          <p className="muted">{t('records.register.openEmpty')}</p>
        ) : (
          <ul className="plain-list">
            {register.openByRespondent.map((r) => (
              <li key={r.respondentId}>
                <span className="strong">{r.respondent}</span> <span className="muted">— {r.post}</span>: {r.commitments.length}
              </li>
            ))}
          </ul>
        )}
      </section>

      {editing && (
        <FollowUpDialog
          row={editing}
          onClose={() => setEditing(null)}
          onSave={async (body) => {
            try {
              await recordsApi.followUp(access.token, editing.sessionId, editing.commitmentId, body);
              notify(t('records.register.saved'));
              setEditing(null);
              await reload();
            } catch (err) {
              fail(err);
            }
          }}
        />
      )}
    </>
  );
}

function FollowUpDialog({ row, onClose, onSave }: { row: RegisterRow; onClose: () => void; onSave: (body: { status: 'inProgress' | 'done'; note: string; evidence?: string }) => Promise<void> }) {
  const { t } = useT();
  const [status, setStatus] = useState<'inProgress' | 'done'>(row.status === 'done' ? 'done' : 'inProgress');
  const [note, setNote] = useState('');
  const [evidence, setEvidence] = useState('');
  const ids = { status: useId(), note: useId(), evidence: useId() };
  return (
    <Dialog
      open
      wide
      title={t('records.register.updateTitle')}
      onClose={onClose}
      onSubmit={() => void onSave({ status, note: note.trim(), ...(evidence.trim() ? { evidence: evidence.trim() } : {}) })}
      submitLabel={t('records.register.saveUpdate')}
      submitDisabled={!note.trim()}
      submitHint={t('records.register.note')}
    >
      <p>
        <span className="strong">{row.respondent}</span>: {row.content}
      </p>
      <label className="field" htmlFor={ids.status}>
        <span className="field-label">{t('records.register.newStatus')}</span>
        <select id={ids.status} className="input" value={status} onChange={(e) => setStatus(e.target.value as 'inProgress' | 'done')}>
          <option value="inProgress">{t('records.register.statuses.inProgress')}</option>
          <option value="done">{t('records.register.statuses.done')}</option>
        </select>
      </label>
      <label className="field" htmlFor={ids.note}>
        <span className="field-label">{t('records.register.note')}</span>
        <textarea id={ids.note} className="input" rows={3} maxLength={2000} value={note} data-autofocus onChange={(e) => setNote(e.target.value)} />
      </label>
      <label className="field" htmlFor={ids.evidence}>
        <span className="field-label">{t('records.register.evidence')}</span>
        <input id={ids.evidence} className="input" maxLength={500} value={evidence} onChange={(e) => setEvidence(e.target.value)} />
      </label>
    </Dialog>
  );
}
