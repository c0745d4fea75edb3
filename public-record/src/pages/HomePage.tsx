import { Link } from 'wouter';
import type { CouncilSummary } from '../api.ts';
import { useStrings } from '../i18n.ts';
import { useData } from '../useData.ts';
import { Loading } from './common.tsx';

export function HomePage() {
  const { p } = useStrings();
  const loaded = useData<{ councils: CouncilSummary[] }>('/api/public/councils');
  return (
    <section>
      <h1>{p('councils')}</h1>
      <Loading loaded={loaded}>
        {({ councils }) => (
          <ul className="pr-cards">
            {councils.map((c) => (
              <li key={c.id} className="pr-card">
                <Link href={`/councils/${c.id}`}>
                  <strong>{c.name}</strong>
                </Link>
                <span>
                  {c.term} · {p('sessionsCount', { count: c.sessions })}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Loading>
    </section>
  );
}
