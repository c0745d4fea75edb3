/**
 * The province oversight dashboard: every council the account may see (oversight: all; a council's staff: their
 * own), each session's state at a glance updated live over Socket.IO (`oversight:watch` → `oversight:glance`), a
 * session's compliance checks and read-only live view, and the commitments register across councils.
 */
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'wouter';
import { io, type Socket } from 'socket.io-client';
import {
  foldVietnamese,
  vnShortDate,
  type ClientToServerEvents,
  type Compliance,
  type RegisterEntry,
  type ServerToClientEvents,
  type SessionGlance,
  type SessionView,
} from '@hall/core';
import { HallClient } from '@hall/client-kit';
import { useApi } from '../api.ts';
import { useStrings } from '../i18n.ts';
import { Status } from '../ui.tsx';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
type SessionStatus = 'scheduled' | 'live' | 'adjourned';

interface CouncilRow {
  id: string;
  name: string;
  level: 'province' | 'commune';
  delegates: number;
  vacancies: number;
  groups: number;
  sessions: { id: string; title: string; date: string; status: SessionStatus; glance: SessionGlance | null }[];
}

function useSocket(token: string, onConnect: (socket: Client) => void): { socket: Client | null; connected: boolean } {
  const [socket, setSocket] = useState<Client | null>(null);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const s: Client = io(location.origin, { auth: { token }, transports: ['websocket'] });
    // Rooms are forgotten by the server on a reconnect: watch (or join) again each time.
    s.on('connect', () => {
      setConnected(true);
      onConnect(s);
    });
    s.on('disconnect', () => setConnected(false));
    setSocket(s);
    return () => {
      s.disconnect();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [token]);
  return { socket, connected };
}

/** The newest glance of each session pushed since the page opened (older pushes never replace newer ones). */
function useGlances(token: string) {
  const [glances, setGlances] = useState<Record<string, SessionGlance>>({});
  const { socket, connected } = useSocket(token, (s) => void s.emit('oversight:watch', () => undefined));
  useEffect(() => {
    if (!socket) return;
    const take = (g: SessionGlance) => setGlances((prev) => ((prev[g.sessionId]?.seq ?? -1) > g.seq ? prev : { ...prev, [g.sessionId]: g }));
    socket.on('oversight:glance', take);
    return () => {
      socket.off('oversight:glance', take);
    };
  }, [socket]);
  return { glances, connected };
}

const statusOf = (status: SessionStatus, glance: SessionGlance | null): SessionStatus =>
  glance ? (glance.phase === 'adjourned' ? 'adjourned' : glance.phase === 'scheduled' ? 'scheduled' : 'live') : status;

export function OversightPage({ token }: { token: string }) {
  const { a } = useStrings();
  const [loaded] = useApi<{ councils: CouncilRow[] }>('/api/oversight/councils');
  const { glances, connected } = useGlances(token);
  const [filter, setFilter] = useState('');
  const councils = loaded.state === 'ok' ? loaded.data.councils : [];
  const rows = useMemo(
    () => councils.map((c) => ({ council: c, sessions: c.sessions.map((s) => ({ ...s, glance: glances[s.id] ?? s.glance })) })),
    [councils, glances],
  );
  const counts = { upcoming: 0, live: 0, finished: 0 };
  for (const r of rows)
    for (const s of r.sessions) {
      const st = statusOf(s.status, s.glance);
      if (st === 'scheduled') counts.upcoming++;
      else if (st === 'live') counts.live++;
      else counts.finished++;
    }
  const shown = filter ? rows.filter((r) => foldVietnamese(r.council.name).includes(foldVietnamese(filter))) : rows;
  return (
    <>
      <h1>{a('oversight.heading')}</h1>
      <Status loaded={loaded} />
      <p role="status" className="ad-summary">
        {a('oversight.summary', { councils: councils.length, ...counts })}{' '}
        <span className={connected ? 'ad-live' : 'ad-offline'}>{connected ? `● ${a('oversight.live')}` : a('oversight.offline')}</span>
      </p>
      <label className="ad-filter">
        {a('oversight.filter')}
        <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </label>
      <table className="ad-table ad-oversight">
        <caption>{a('oversight.council')}</caption>
        <thead>
          <tr>
            <th scope="col">{a('oversight.council')}</th>
            <th scope="col">{a('oversight.session')}</th>
            <th scope="col">{a('oversight.state')}</th>
            <th scope="col">{a('oversight.quorum')}</th>
            <th scope="col">{a('oversight.item')}</th>
            <th scope="col">{a('oversight.poll')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map(({ council, sessions }) => {
            const s = sessions.find((x) => statusOf(x.status, x.glance) === 'live') ?? sessions.find((x) => statusOf(x.status, x.glance) === 'scheduled') ?? sessions.at(-1);
            const g = s?.glance ?? null;
            const st = s ? statusOf(s.status, g) : null;
            return (
              <tr key={council.id} data-council={council.id} className={st === 'live' ? 'ad-row-live' : undefined}>
                <th scope="row">
                  {council.name}
                  <div className="ad-detail">
                    {a(`level.${council.level}`)} · {council.delegates}
                  </div>
                </th>
                <td>{s ? <Link href={`/oversight/sessions/${s.id}`}>{s.title}</Link> : '—'}</td>
                <td>{s ? (g ? a(`phase.${g.phase}`) : a(`status.${s.status}`)) : '—'}</td>
                <td>
                  {g && g.present !== null
                    ? `${a('oversight.quorumLine', { present: g.present, total: g.total, required: g.required })}${g.quorumMet ? '' : ` — ${a('oversight.noQuorum')}`}`
                    : '—'}
                </td>
                <td>{g?.currentItem?.title ?? '—'}</td>
                <td>{g?.poll?.subject ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

// ---------------------------------------------------------------------------------------------------------------

interface SessionDetail {
  session: { id: string; title: string; date: string; status: SessionStatus; councilId: string; councilName: string };
  compliance: Compliance;
  polls: { pollId: string; subject: string; mode: string; status: string; presentAtClose: number; totalDelegates: number }[];
}

/**
 * The session as the hall's wall sees it, joined read-only through the kit's client: it re-joins after a reconnect and
 * resyncs when a push is missed, as every other app's view does.
 */
function useLiveView(token: string, sessionId: string): SessionView | null {
  const [view, setView] = useState<SessionView | null>(null);
  useEffect(() => {
    const client = new HallClient({ token, socketOptions: { transports: ['websocket'] } });
    const unsubscribe = client.subscribe(setView);
    client.connect();
    // A refusal leaves the live panel empty; the page's compliance data comes from the API and says why.
    client.join(sessionId).catch(() => undefined);
    return () => {
      unsubscribe();
      client.close();
    };
  }, [token, sessionId]);
  return view;
}

export function OversightSessionPage({ id, token }: { id: string; token: string }) {
  const { a } = useStrings();
  const [loaded] = useApi<SessionDetail>(`/api/oversight/sessions/${encodeURIComponent(id)}`);
  const view = useLiveView(token, id);
  if (loaded.state !== 'ok') return <Status loaded={loaded} />;
  const { session, compliance } = loaded.data;
  const item = view?.currentItemId ? view.agenda.find((i) => i.id === view.currentItemId) : null;
  return (
    <>
      <p>
        <Link href="/oversight">{a('back')}</Link>
      </p>
      <h1>{session.title}</h1>
      <p className="ad-meta">
        {session.councilName} · {session.date}
      </p>
      <section aria-labelledby="ad-compliance">
        <h2 id="ad-compliance">{a('oversight.compliance')}</h2>
        <ul className="ad-checks">
          {compliance.checks.map((c) => (
            <li key={c.id} className={`ad-check ad-check--${c.status}`}>
              <span>{a(`oversight.checks.${c.id}`)}</span>: <strong>{a(`oversight.checkStatus.${c.status}`)}</strong>
              {(c.note || c.items.length > 0) && <div className="ad-detail">{[...(c.note ? [a(`oversight.notes.${c.note}`)] : []), ...c.items].join('; ')}</div>}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="ad-liveview" aria-live="polite">
        <h2 id="ad-liveview">{a('oversight.liveView')}</h2>
        {!view && <p aria-busy="true">{a('loading')}</p>}
        {view && (
          <dl className="ad-live-view">
            <dt>{a('oversight.state')}</dt>
            <dd data-testid="live-phase">{a(`phase.${view.phase}`)}</dd>
            <dt>{a('oversight.quorum')}</dt>
            <dd>
              {view.attendance
                ? a('oversight.quorumLine', { present: view.attendance.quorum.counted, total: view.attendance.total, required: view.attendance.quorum.required })
                : '—'}
            </dd>
            <dt>{a('oversight.item')}</dt>
            <dd>{item?.title ?? '—'}</dd>
            <dt>{a('oversight.poll')}</dt>
            <dd>{view.poll ? `${view.poll.subject} (${view.poll.status})` : '—'}</dd>
            {view.speaker && (
              <>
                <dt>{a('oversight.speaker')}</dt>
                <dd>{view.speaker.name}</dd>
              </>
            )}
          </dl>
        )}
      </section>
    </>
  );
}

// ---------------------------------------------------------------------------------------------------------------

export function CommitmentsPage() {
  const { a } = useStrings();
  const [loaded] = useApi<{ register: { today: string; commitments: RegisterEntry[] } }>('/api/oversight/commitments');
  return (
    <>
      <h1>{a('oversight.register')}</h1>
      <Status loaded={loaded} />
      {loaded.state === 'ok' && loaded.data.register.commitments.length === 0 && <p>{a('oversight.noCommitments')}</p>}
      <ul className="ad-list">
        {loaded.state === 'ok' &&
          loaded.data.register.commitments.map((c) => (
            <li key={`${c.sessionId}:${c.commitmentId}`} className={c.status === 'overdue' ? 'ad-overdue' : undefined}>
              <strong>{c.councilName}</strong> — {c.respondent} ({c.respondentPost}): {c.content}
              {c.deadline && <> · {a('oversight.deadline', { date: vnShortDate(c.deadline) })}</>}
              {c.status === 'overdue' && <span className="ad-badge"> {a('oversight.overdue')}</span>}
            </li>
          ))}
      </ul>
    </>
  );
}
