import { Link } from 'wouter';
import { vnShortDate } from '@hall/core';
import type { CouncilPage as Data } from '../api.ts';
import { useStrings } from '../i18n.ts';
import { useData } from '../useData.ts';
import { Loading, PageTools } from './common.tsx';

export function CouncilPage({ id }: { id: string }) {
  const { p } = useStrings();
  const loaded = useData<Data>(`/api/public/councils/${encodeURIComponent(id)}`);
  return (
    <Loading loaded={loaded}>
      {({ council, sessions }) => (
        <article>
          <h1>{council.name}</h1>
          <p>
            {council.term} · {p('delegatesCount', { count: council.delegates })} · <Link href={`/commitments?council=${council.id}`}>{p('register')}</Link>
          </p>
          <PageTools />
          <h2>{p('sessions')}</h2>
          <ul className="pr-cards">
            {sessions.map((s) => (
              <li key={s.id} className="pr-card">
                <Link href={`/sessions/${s.id}`}>
                  <strong>{s.title}</strong>
                </Link>
                <span>
                  {vnShortDate(s.date)} · <span className={`pr-status pr-status--${s.status}`}>{p(`status.${s.status}`)}</span>
                </span>
              </li>
            ))}
          </ul>
          <h2>{p('officials')}</h2>
          <ul className="pr-list">
            {council.officials.map((o) => (
              <li key={o.id}>
                {o.fullName} — {o.post}
              </li>
            ))}
          </ul>
        </article>
      )}
    </Loading>
  );
}
