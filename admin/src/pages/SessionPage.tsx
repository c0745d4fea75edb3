/**
 * One session: title and date, the agenda (items, kinds), PDF documents per item with public / not public marking.
 * Once the session has started its agenda is frozen (the machine took a copy when it opened); the page says so.
 */
import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import type { AgendaItem } from '@hall/core';
import { api, useApi } from '../api.ts';
import { useStrings } from '../i18n.ts';
import { Status, useAction } from '../ui.tsx';

interface SessionData {
  id: string;
  councilId: string;
  title: string;
  date: string;
  agenda: AgendaItem[];
  status: 'scheduled' | 'live' | 'adjourned';
}
interface DocumentRow {
  id: string;
  title: string;
  itemId?: string;
  public?: boolean;
}

const KINDS: AgendaItem['kind'][] = ['ceremony', 'report', 'resolution', 'discussion', 'questioning', 'confidence', 'election', 'other'];

export function SessionPage({ id }: { id: string }) {
  const { a } = useStrings();
  const [loaded, reload] = useApi<{ session: SessionData }>(`/api/admin/sessions/${encodeURIComponent(id)}`);
  const [docs, reloadDocs] = useApi<{ documents: DocumentRow[] }>(`/api/sessions/${encodeURIComponent(id)}/documents`);
  const [record] = useApi<{ committee: { delegateId: string; role: 'head' | 'secretary' | 'member'; name: string }[] }>(`/api/records/sessions/${encodeURIComponent(id)}`);
  const [item, setItem] = useState({ title: '', kind: 'report' as AgendaItem['kind'] });
  const { busy, run, lines } = useAction();
  if (loaded.state !== 'ok') return <Status loaded={loaded} />;
  const session = loaded.data.session;
  const frozen = session.status !== 'scheduled';
  const documents = docs.state === 'ok' ? docs.data.documents : [];

  const saveAgenda = (agenda: AgendaItem[]) =>
    run(async () => {
      await api('PUT', `/api/admin/sessions/${encodeURIComponent(id)}/agenda`, { agenda });
      reload();
    });
  const addItem = (e: FormEvent) => {
    e.preventDefault();
    const n = session.agenda.length + 1;
    let itemId = `${id}-${String(n).padStart(2, '0')}`;
    for (let k = n; session.agenda.some((i) => i.id === itemId); k++) itemId = `${id}-${String(k + 1).padStart(2, '0')}`;
    void saveAgenda([...session.agenda, { id: itemId, title: item.title, kind: item.kind, documents: [] }]).then(() => setItem({ ...item, title: '' }));
  };
  const upload = (itemId: string, form: HTMLFormElement) =>
    void run(async () => {
      const data = new FormData(form);
      await api('POST', `/api/sessions/${encodeURIComponent(id)}/items/${encodeURIComponent(itemId)}/documents`, undefined, data);
      form.reset();
      reload();
      reloadDocs();
    });
  const mark = (doc: DocumentRow, pub: boolean) =>
    void run(async () => {
      await api('PUT', `/api/records/documents/${encodeURIComponent(doc.id)}/public`, { public: pub });
      reloadDocs();
    });

  return (
    <>
      <p>
        <Link href={`/councils/${session.councilId}/sessions`}>{a('back')}</Link>
      </p>
      <h1>{session.title}</h1>
      <p className="ad-meta">
        {session.date} · <span className={`ad-status ad-status--${session.status}`}>{a(`status.${session.status}`)}</span>
      </p>
      {frozen && (
        <p className="ad-frozen" role="note">
          {a('sessions.frozen')}
        </p>
      )}
      {lines}
      <h2>{a('sessions.agenda')}</h2>
      <ol className="ad-agenda">
        {session.agenda.map((it, i) => {
          const itemDocs = documents.filter((d) => d.itemId === it.id);
          return (
            <li key={it.id}>
              <strong>{it.title}</strong> <small>({a(`sessions.kinds.${it.kind}`)})</small>
              {!frozen && (
                <button type="button" disabled={busy} onClick={() => void saveAgenda(session.agenda.filter((x) => x.id !== it.id))}>
                  {a('remove')}
                </button>
              )}
              {itemDocs.length > 0 && (
                <ul>
                  {itemDocs.map((d) => (
                    <li key={d.id}>
                      📄 {d.title} — <span className={d.public ? 'ad-public' : 'ad-private'}>{d.public ? a('sessions.public') : a('sessions.notPublic')}</span>{' '}
                      <button type="button" disabled={busy} onClick={() => mark(d, !d.public)}>
                        {d.public ? a('sessions.makePrivate') : a('sessions.makePublic')}
                      </button>
                    </li>
                  ))}
                </ul>
              )}
              {!frozen && (
                <form
                  className="ad-form ad-inline"
                  aria-label={a('sessions.upload', { n: i + 1 })}
                  onSubmit={(e) => {
                    e.preventDefault();
                    upload(it.id, e.currentTarget);
                  }}
                >
                  <label>
                    {a('sessions.docTitle')}
                    <input name="title" required />
                  </label>
                  <label>
                    PDF
                    <input name="file" type="file" accept="application/pdf,.pdf" required />
                  </label>
                  <button type="submit" disabled={busy}>
                    {a('sessions.upload', { n: i + 1 })}
                  </button>
                </form>
              )}
            </li>
          );
        })}
      </ol>
      <h2>{a('sessions.committee')}</h2>
      <p className="ad-help">{a('sessions.committeeHelp')}</p>
      {record.state === 'ok' && record.data.committee.length === 0 && <p>{a('sessions.noCommittee')}</p>}
      {record.state === 'ok' && record.data.committee.length > 0 && (
        <ul className="ad-list" aria-label={a('sessions.committee')}>
          {record.data.committee.map((m) => (
            <li key={m.delegateId}>
              {m.name} — {a(`sessions.committeeRoles.${m.role}`)}
            </li>
          ))}
        </ul>
      )}
      {!frozen && (
        <form className="ad-form ad-inline" onSubmit={addItem} aria-label={a('sessions.addItem')}>
          <label>
            {a('sessions.itemTitle')}
            <input required value={item.title} onChange={(e) => setItem({ ...item, title: e.target.value })} />
          </label>
          <label>
            {a('sessions.itemKind')}
            <select value={item.kind} onChange={(e) => setItem({ ...item, kind: e.target.value as AgendaItem['kind'] })}>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {a(`sessions.kinds.${k}`)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy}>
            {a('sessions.addItem')}
          </button>
        </form>
      )}
    </>
  );
}
