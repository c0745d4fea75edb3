import { Link, useSearch } from 'wouter';
import type { SearchHit } from '../api.ts';
import { useStrings } from '../i18n.ts';
import { useData } from '../useData.ts';
import { Loading } from './common.tsx';

export function SearchPage() {
  const { p } = useStrings();
  const q = new URLSearchParams(useSearch()).get('q') ?? '';
  const loaded = useData<{ results: SearchHit[] }>(q ? `/api/public/search?q=${encodeURIComponent(q)}` : null);
  return (
    <section>
      <h1>{p('searchResults', { q })}</h1>
      <Loading loaded={loaded}>
        {({ results }) =>
          results.length === 0 ? (
            <p>{p('noResults')}</p>
          ) : (
            <ul className="pr-list pr-results">
              {results.map((r, i) => (
                <li key={i}>
                  <span className="pr-tag">{p(`kind.${r.kind}`)}</span> <Link href={`/sessions/${r.sessionId}`}>{r.title}</Link>
                  <br />
                  <small>
                    {r.sessionTitle} · {r.councilName}
                  </small>
                </li>
              ))}
            </ul>
          )
        }
      </Loading>
    </section>
  );
}
