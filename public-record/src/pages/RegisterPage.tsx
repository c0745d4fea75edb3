import { commitmentStatusLabel, writtenStatusLabel, vnShortDate, type CommitmentStatus } from '@hall/core';
import { useState } from 'react';
import { Link, useSearch } from 'wouter';
import type { RegisterPage as Data } from '../api.ts';
import { useStrings } from '../i18n.ts';
import { useData } from '../useData.ts';
import { Loading, PageTools } from './common.tsx';

type Filter = 'all' | CommitmentStatus;

/** The commitments register: every commitment with its status; overdue ones first and highlighted. */
export function RegisterPage() {
  const { p } = useStrings();
  const council = new URLSearchParams(useSearch()).get('council');
  const loaded = useData<Data>(`/api/public/commitments${council ? `?councilId=${encodeURIComponent(council)}` : ''}`);
  const [filter, setFilter] = useState<Filter>('all');
  const filters: [Filter, string][] = [
    ['all', p('filterAll')],
    ['overdue', p('filterOverdue')],
    ['inProgress', p('filterOpen')],
    ['done', p('filterDone')],
  ];
  return (
    <Loading loaded={loaded}>
      {(data) => (
        <article>
          <h1>{council && data.commitments[0] ? p('registerOf', { name: data.commitments[0].councilName }) : p('register')}</h1>
          <PageTools />
          <div className="pr-filters" role="group" aria-label={p('register')}>
            {filters.map(([f, label]) => (
              <button key={f} type="button" aria-pressed={filter === f} onClick={() => setFilter(f)}>
                {label} ({f === 'all' ? data.commitments.length : data.commitments.filter((c) => c.status === f).length})
              </button>
            ))}
          </div>
          {data.commitments.length === 0 && <p>{p('noCommitments')}</p>}
          <ul className="pr-list pr-register">
            {data.commitments
              .filter((c) => filter === 'all' || c.status === filter)
              .map((c) => {
                const last = c.updates.at(-1);
                return (
                  <li key={`${c.sessionId}/${c.commitmentId}`} className={`pr-commitment pr-commitment--${c.status}`}>
                    <span className={`pr-badge pr-badge--${c.status}`}>{commitmentStatusLabel[c.status]}</span>
                    <p className="pr-commitment-content">{c.content}</p>
                    <p>
                      <strong>{c.respondent}</strong>, {c.respondentPost}
                      {c.deadline ? ` · ${p('deadline', { date: vnShortDate(c.deadline) })}` : ''}
                    </p>
                    {last && <p>{p('lastUpdate', { date: vnShortDate(last.at), note: last.note })}</p>}
                    {last?.evidence && <p>{p('evidence', { evidence: last.evidence })}</p>}
                    <small>
                      <Link href={`/sessions/${c.sessionId}`}>{c.sessionTitle}</Link> · {c.councilName}
                    </small>
                  </li>
                );
              })}
          </ul>
          <h2>{p('writtenAnswers')}</h2>
          <ul className="pr-list">
            {data.written.map((q) => (
              <li key={`${q.sessionId}/${q.questionId}`} className={`pr-commitment pr-commitment--${q.writtenStatus === 'overdue' ? 'overdue' : q.writtenStatus === 'answered' ? 'done' : 'inProgress'}`}>
                <span className="pr-badge">{writtenStatusLabel[q.writtenStatus]}</span> {q.text} — {p('asker', { name: q.asker, respondent: q.respondent })}
                {q.dueDate ? ` · ${p('dueDate', { date: vnShortDate(q.dueDate) })}` : ''}
              </li>
            ))}
          </ul>
        </article>
      )}
    </Loading>
  );
}
