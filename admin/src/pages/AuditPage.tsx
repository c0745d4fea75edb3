/** Who did what, when: the audit log the server keeps (admin changes, QR logins issued, devices signed out). */
import { vnDateTime } from '@hall/core';
import { useApi } from '../api.ts';
import { useStrings } from '../i18n.ts';
import { Status } from '../ui.tsx';

interface Entry {
  id: string;
  at: number;
  action: string;
  actor: { sub: string; role: string };
  target: string;
  councilIds: string[];
  what?: string;
  detail?: string;
}

export function AuditPage() {
  const { a } = useStrings();
  const [loaded] = useApi<{ entries: Entry[] }>('/api/admin/audit?limit=300');
  return (
    <>
      <h1>{a('audit.heading')}</h1>
      <p className="ad-help">{a('audit.help')}</p>
      <Status loaded={loaded} />
      {loaded.state === 'ok' && loaded.data.entries.length === 0 && <p>{a('audit.empty')}</p>}
      {loaded.state === 'ok' && loaded.data.entries.length > 0 && (
        <table className="ad-table">
          <caption>{a('audit.heading')}</caption>
          <thead>
            <tr>
              <th scope="col">{a('audit.at')}</th>
              <th scope="col">{a('audit.actor')}</th>
              <th scope="col">{a('audit.what')}</th>
              <th scope="col">{a('audit.target')}</th>
            </tr>
          </thead>
          <tbody>
            {loaded.data.entries.map((e) => (
              <tr key={e.id}>
                <td>{vnDateTime(e.at)}</td>
                <td>
                  {e.actor.sub} ({a(`roles.${e.actor.role}`)})
                </td>
                <td>
                  <span>{e.what ?? e.action}</span>
                  {e.detail && <div className="ad-detail">{e.detail}</div>}
                </td>
                <td>
                  {e.target}
                  {e.councilIds.length > 0 && <div className="ad-detail">{e.councilIds.join(', ')}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
