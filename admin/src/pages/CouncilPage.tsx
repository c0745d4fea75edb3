/**
 * One council: delegates (import with a row-by-row report, export, groups, vacancies, seats, QR login cards),
 * officials and who is rated, the rules profile against the legal defaults, accounts and devices, sessions.
 */
import { useState, type ChangeEvent, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { defaultProfile, vnDateTime, type Council, type Delegate, type Official, type RulesProfile } from '@hall/core';
import { saveBlob } from '@hall/client-kit';
import { api, fetchAdminFile, fileToBase64, useApi, type ApiError } from '../api.ts';
import { useStrings } from '../i18n.ts';
import { Status, useAction } from '../ui.tsx';

interface SessionRow {
  id: string;
  councilId: string;
  title: string;
  date: string;
  status: 'scheduled' | 'live' | 'adjourned';
}

const TABS = ['delegates', 'officials', 'rules', 'accounts', 'sessions'] as const;

export function CouncilPage({ id, tab }: { id: string; tab: string }) {
  const { a } = useStrings();
  const [loaded, reload] = useApi<{ council: Council }>(`/api/admin/councils/${encodeURIComponent(id)}`);
  const [sessions, reloadSessions] = useApi<{ sessions: SessionRow[] }>(`/api/admin/sessions?councilId=${encodeURIComponent(id)}`);
  if (loaded.state !== 'ok') return <Status loaded={loaded} />;
  const council = loaded.data.council;
  const started = sessions.state === 'ok' ? sessions.data.sessions.filter((s) => s.status !== 'scheduled') : [];
  const save = async (next: Council) => {
    await api('PUT', `/api/admin/councils/${encodeURIComponent(council.id)}`, next);
    reload();
  };
  return (
    <>
      <p>
        <Link href="/">{a('back')}</Link>
      </p>
      <h1>{council.name}</h1>
      <p className="ad-meta">
        {a(`level.${council.level}`)} · {council.term}
      </p>
      {started.map((s) => (
        <p key={s.id} className="ad-frozen" role="note">
          {a('council.frozen', { title: s.title })}
        </p>
      ))}
      <nav className="ad-tabs" aria-label={council.name}>
        {TABS.map((t) => (
          <Link key={t} href={`/councils/${council.id}/${t}`} aria-current={t === tab ? 'page' : undefined}>
            {a(`council.tabs.${t}`)}
          </Link>
        ))}
      </nav>
      {tab === 'delegates' && <DelegatesTab council={council} reload={reload} />}
      {tab === 'officials' && <OfficialsTab council={council} save={save} />}
      {tab === 'rules' && <RulesTab council={council} save={save} />}
      {tab === 'accounts' && <AccountsTab council={council} />}
      {tab === 'sessions' && <SessionsTab council={council} sessions={sessions.state === 'ok' ? sessions.data.sessions : []} reload={reloadSessions} />}
    </>
  );
}

// ---------------------------------------------------------------------------------------------------------------

interface ImportReport {
  valid: boolean;
  fileErrors: string[];
  rows: { row: number; delegate: Delegate | null; errors: { column: string; message: string }[] }[];
  errorCount: number;
}

function DelegatesTab({ council, reload }: { council: Council; reload: () => void }) {
  const { a } = useStrings();
  const [pending, setPending] = useState<{ format: 'xlsx' | 'csv'; data: string; report: ImportReport } | null>(null);
  const { busy, run, lines } = useAction();
  const sitting = council.delegates.filter((d) => d.status === 'sitting').length;
  const groups = new Set(council.delegates.map((d) => d.group).filter(Boolean)).size;
  const base = `/api/admin/councils/${encodeURIComponent(council.id)}`;

  const choose = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    const format = /\.csv$/i.test(file.name) ? 'csv' : 'xlsx';
    void run(async () => {
      setPending(null);
      const data = await fileToBase64(file);
      try {
        const res = await api<{ report: ImportReport }>('POST', `${base}/delegates/import`, { format, data });
        setPending({ format, data, report: res.report });
      } catch (err) {
        const report = (err as ApiError).body?.report as ImportReport | undefined;
        if (!report) throw err;
        setPending({ format, data, report });
      }
    });
  };
  const apply = () =>
    void run(async () => {
      if (!pending) return;
      const res = await api<{ imported: number }>('POST', `${base}/delegates/import`, { format: pending.format, data: pending.data, apply: true });
      setPending(null);
      reload();
      return a('delegates.imported', { count: res.imported });
    });
  const patch = (d: Delegate, change: Partial<Delegate>) =>
    void run(async () => {
      await api('PATCH', `${base}/delegates/${encodeURIComponent(d.id)}`, change);
      reload();
    });
  const exportAs = (format: 'xlsx' | 'csv') => void run(async () => saveBlob((await fetchAdminFile('GET', `${base}/delegates/export?format=${format}`)).blob, `dai-bieu-${council.id}.${format}`));
  const cards = () =>
    void run(async () => {
      // A batch (re)print leaves tablets in use signed in; only a lost card signs devices out (lostCard below).
      saveBlob((await fetchAdminFile('POST', `${base}/cards`, { mode: 'reprint' })).blob, `the-dang-nhap-${council.id}.pdf`);
      return a('delegates.cardsReady', { count: sitting });
    });
  const lostCard = (d: Delegate) => {
    if (!window.confirm(a('delegates.lostCardConfirm', { name: d.fullName }))) return;
    void run(async () => {
      const { blob, headers } = await fetchAdminFile('POST', `${base}/cards`, { delegateIds: [d.id], mode: 'lost' });
      saveBlob(blob, `the-dang-nhap-${d.id}.pdf`);
      return a('delegates.lostCardReady', { name: d.fullName, count: Number(headers.get('x-signed-out') ?? 0) });
    });
  };

  const report = pending?.report;
  return (
    <section aria-labelledby="ad-delegates">
      <h2 id="ad-delegates">{a('delegates.heading')}</h2>
      <p>{a('delegates.count', { sitting, vacant: council.delegates.length - sitting, groups })}</p>
      <div className="ad-tools">
        <button type="button" disabled={busy || council.delegates.length === 0} onClick={() => exportAs('xlsx')}>
          {a('delegates.export')} (XLSX)
        </button>
        <button type="button" disabled={busy || council.delegates.length === 0} onClick={() => exportAs('csv')}>
          {a('delegates.export')} (CSV)
        </button>
        <button type="button" disabled={busy || sitting === 0} onClick={cards}>
          {a('delegates.cards')}
        </button>
      </div>
      <p className="ad-help">{a('delegates.cardsHelp')}</p>
      <h3>{a('delegates.import')}</h3>
      <p className="ad-help">{a('delegates.importHelp')}</p>
      <label className="ad-file">
        {a('delegates.file')}
        <input type="file" accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" onChange={choose} disabled={busy} />
      </label>
      {busy && <p aria-busy="true">{a('delegates.checking')}</p>}
      {lines}
      {report && (
        <div className="ad-report" role="region" aria-label={a('delegates.import')}>
          {report.valid ? (
            <>
              <p role="status">{a('delegates.reportOk', { count: report.rows.length })}</p>
              <button type="button" className="ad-primary" disabled={busy} onClick={apply}>
                {a('delegates.apply', { count: report.rows.length })}
              </button>
            </>
          ) : (
            <>
              <p role="alert" className="ad-error">
                {a('delegates.reportBad', { count: report.errorCount })}
              </p>
              {report.fileErrors.map((e) => (
                <p key={e}>{e}</p>
              ))}
              {report.rows.some((r) => r.errors.length) && (
                <table className="ad-table">
                  <caption>{a('delegates.problem')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{a('delegates.row')}</th>
                      <th scope="col">{a('delegates.column')}</th>
                      <th scope="col">{a('delegates.problem')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.rows.flatMap((r) =>
                      r.errors.map((e, i) => (
                        <tr key={`${r.row}-${i}`}>
                          <td>{r.row}</td>
                          <td>{e.column}</td>
                          <td>{e.message}</td>
                        </tr>
                      )),
                    )}
                  </tbody>
                </table>
              )}
            </>
          )}
        </div>
      )}
      <table className="ad-table">
        <caption>{a('delegates.heading')}</caption>
        <thead>
          <tr>
            <th scope="col">{a('delegates.id')}</th>
            <th scope="col">{a('delegates.fullName')}</th>
            <th scope="col">{a('delegates.group')}</th>
            <th scope="col">{a('delegates.seat')}</th>
            <th scope="col">{a('delegates.status')}</th>
          </tr>
        </thead>
        <tbody>
          {council.delegates.map((d) => (
            <tr key={d.id} className={d.status === 'vacant' ? 'ad-vacant' : undefined}>
              <td>{d.id}</td>
              <td>{d.fullName}</td>
              <td>
                <input aria-label={`${a('delegates.group')} ${d.fullName}`} defaultValue={d.group} onBlur={(e) => e.target.value !== d.group && patch(d, { group: e.target.value })} />
              </td>
              <td>
                <input aria-label={`${a('delegates.seat')} ${d.fullName}`} defaultValue={d.seat} size={5} onBlur={(e) => e.target.value !== d.seat && patch(d, { seat: e.target.value })} />
              </td>
              <td>
                {a(`delegates.${d.status}`)}{' '}
                <button type="button" disabled={busy} onClick={() => patch(d, { status: d.status === 'sitting' ? 'vacant' : 'sitting' })}>
                  {d.status === 'sitting' ? a('delegates.makeVacant') : a('delegates.makeSitting')}
                </button>
                {d.status === 'sitting' && (
                  <button type="button" disabled={busy} onClick={() => lostCard(d)}>
                    {a('delegates.lostCard')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

// ---------------------------------------------------------------------------------------------------------------

function OfficialsTab({ council, save }: { council: Council; save: (c: Council) => Promise<void> }) {
  const { a } = useStrings();
  const [officials, setOfficials] = useState<Official[]>(council.officials);
  const [draft, setDraft] = useState({ fullName: '', post: '' });
  const { busy, run, lines } = useAction();
  const set = (i: number, change: Partial<Official>) => setOfficials(officials.map((o, j) => (j === i ? { ...o, ...change } : o)));
  const add = (e: FormEvent) => {
    e.preventDefault();
    const n = officials.length + 1;
    let id = `${council.id}-o${String(n).padStart(2, '0')}`;
    for (let k = n; officials.some((o) => o.id === id); k++) id = `${council.id}-o${String(k + 1).padStart(2, '0')}`;
    setOfficials([...officials, { id, fullName: draft.fullName, post: draft.post, ratable: true, respondent: true }]);
    setDraft({ fullName: '', post: '' });
  };
  return (
    <section aria-labelledby="ad-officials">
      <h2 id="ad-officials">{a('officials.heading')}</h2>
      <p className="ad-help">{a('officials.ratableHelp')}</p>
      <table className="ad-table">
        <thead>
          <tr>
            <th scope="col">{a('officials.fullName')}</th>
            <th scope="col">{a('officials.post')}</th>
            <th scope="col">{a('officials.ratable')}</th>
            <th scope="col">{a('officials.respondent')}</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {officials.map((o, i) => (
            <tr key={o.id}>
              <td>{o.fullName}</td>
              <td>{o.post}</td>
              <td>
                <input type="checkbox" aria-label={`${a('officials.ratable')}: ${o.fullName}`} checked={o.ratable} onChange={(e) => set(i, { ratable: e.target.checked })} />
              </td>
              <td>
                <input type="checkbox" aria-label={`${a('officials.respondent')}: ${o.fullName}`} checked={o.respondent} onChange={(e) => set(i, { respondent: e.target.checked })} />
              </td>
              <td>
                <button type="button" onClick={() => setOfficials(officials.filter((_, j) => j !== i))}>
                  {a('remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="ad-form ad-inline" onSubmit={add} aria-label={a('officials.add')}>
        <label>
          {a('officials.fullName')}
          <input required value={draft.fullName} onChange={(e) => setDraft({ ...draft, fullName: e.target.value })} />
        </label>
        <label>
          {a('officials.post')}
          <input required value={draft.post} onChange={(e) => setDraft({ ...draft, post: e.target.value })} />
        </label>
        <button type="submit">{a('officials.add')}</button>
      </form>
      <button type="button" className="ad-primary" disabled={busy} onClick={() => void run(async () => (await save({ ...council, officials }), a('saved')))}>
        {a('save')}
      </button>
      {lines}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------------------------

/** Choices of the rules that are not numbers or switches (core's RulesProfile enums). */
const CHOICES: Record<string, string[]> = {
  quorumRule: ['at-least-two-thirds', 'more-than-half', 'more-than-two-thirds', 'at-least-one-third'],
  quorumEnforcement: ['block', 'warn'],
  'questioning.answerMode': ['perRound', 'perQuestion'],
  confidenceBase: ['total-ballots', 'total-delegates'],
  legalMode: ['normal', 'special'],
};
/** Set by law (Law on Local Government), not by the council's own rules: changing them is flagged as such. */
const STATUTORY = new Set(['quorumRule', 'questioning.writtenAnswerDays', 'legalMode']);

type Leaf = string | number | boolean;
function leaves(obj: object, prefix = ''): [string, Leaf][] {
  return Object.entries(obj).flatMap(([k, v]) => (v !== null && typeof v === 'object' ? leaves(v as object, `${prefix}${k}.`) : [[`${prefix}${k}`, v as Leaf]]));
}
function setLeaf(obj: RulesProfile, path: string, value: Leaf): RulesProfile {
  const [head, tail] = path.split('.') as [keyof RulesProfile, string | undefined];
  if (tail === undefined) return { ...obj, [head]: value };
  return { ...obj, [head]: { ...(obj[head] as object), [tail]: value } };
}

function RulesTab({ council, save }: { council: Council; save: (c: Council) => Promise<void> }) {
  const { a } = useStrings();
  const defaults = Object.fromEntries(leaves(defaultProfile()));
  const [profile, setProfile] = useState<RulesProfile>(council.profile);
  const { busy, run, lines } = useAction();
  const show = (path: string, v: Leaf) => (typeof v === 'boolean' ? a(v ? 'yes' : 'no') : CHOICES[path] ? a(`rules.options.${String(v)}`) : String(v));
  return (
    <section aria-labelledby="ad-rules">
      <h2 id="ad-rules">{a('rules.heading')}</h2>
      <p className="ad-help">{a('rules.help')}</p>
      <div className="ad-rules">
        {leaves(profile).map(([path, value]) => {
          const departs = value !== defaults[path];
          const id = `rule-${path.replace('.', '-')}`;
          const label = `${a(`rules.fields.${path}`)}${STATUTORY.has(path) ? ` (${a('rules.law')})` : ''}`;
          return (
            <div key={path} className={departs ? 'ad-rule ad-rule--departs' : 'ad-rule'}>
              <label htmlFor={id}>{label}</label>
              {typeof value === 'boolean' ? (
                <input id={id} type="checkbox" checked={value} onChange={(e) => setProfile(setLeaf(profile, path, e.target.checked))} />
              ) : CHOICES[path] ? (
                <select id={id} value={String(value)} onChange={(e) => setProfile(setLeaf(profile, path, e.target.value))}>
                  {CHOICES[path]!.map((o) => (
                    <option key={o} value={o}>
                      {a(`rules.options.${o}`)}
                    </option>
                  ))}
                </select>
              ) : (
                <input id={id} type="number" min={0} value={Number(value)} onChange={(e) => setProfile(setLeaf(profile, path, Number(e.target.value)))} />
              )}
              {departs && (
                <span className="ad-warning" role="note">
                  ⚠ {a('rules.departs', { value: show(path, defaults[path]!) })}{' '}
                  <button type="button" onClick={() => setProfile(setLeaf(profile, path, defaults[path]!))}>
                    {a('rules.reset')}
                  </button>
                </span>
              )}
            </div>
          );
        })}
      </div>
      <button type="button" className="ad-primary" disabled={busy} onClick={() => void run(async () => (await save({ ...council, profile }), a('saved')))}>
        {a('save')}
      </button>
      {lines}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------------------------

interface AccountRow {
  id: string;
  role: string;
  displayName: string;
  councilIds: string[];
  disabled: boolean;
}
interface DeviceRow {
  jti: string;
  via: string;
  at: number;
  userAgent?: string;
}

const STAFF_ROLES = ['chair', 'secretary', 'display', 'oversight', 'admin'] as const;

function AccountsTab({ council }: { council: Council }) {
  const { a } = useStrings();
  const [loaded, reload] = useApi<{ accounts: AccountRow[] }>(`/api/admin/accounts?councilId=${encodeURIComponent(council.id)}`);
  const [form, setForm] = useState({ id: '', displayName: '', role: 'secretary' as (typeof STAFF_ROLES)[number] });
  const [devices, setDevices] = useState<{ id: string; list: DeviceRow[] } | null>(null);
  const { busy, run, lines } = useAction();
  const create = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const everywhere = form.role === 'admin' || form.role === 'oversight';
      // A random first secret, shown once: nobody picks "123456" for a wall device.
      const secret = Array.from(crypto.getRandomValues(new Uint8Array(9)), (b) => 'abcdefghijkmnpqrstuvwxyz23456789'[b % 32]).join('');
      await api('PUT', `/api/admin/accounts/${encodeURIComponent(form.id)}`, { ...form, councilIds: everywhere ? [] : [council.id], secret });
      reload();
      setForm({ ...form, id: '', displayName: '' });
      return a('accounts.secretOnce', { id: form.id, secret });
    });
  };
  const reset = (id: string) =>
    void run(async () => {
      const res = await api<{ secret: string }>('POST', `/api/admin/accounts/${encodeURIComponent(id)}/reset`);
      return a('accounts.secretOnce', { id, secret: res.secret });
    });
  const disable = (id: string) =>
    void run(async () => {
      await api('POST', `/api/admin/accounts/${encodeURIComponent(id)}/disable`);
      reload();
    });
  const showDevices = (id: string) =>
    void run(async () => {
      const res = await api<{ devices: DeviceRow[] }>('GET', `/api/admin/accounts/${encodeURIComponent(id)}/devices`);
      setDevices({ id, list: res.devices });
    });
  const revoke = (jti: string) =>
    void run(async () => {
      await api('DELETE', `/api/admin/devices/${encodeURIComponent(jti)}`);
      if (devices) setDevices({ ...devices, list: devices.list.filter((d) => d.jti !== jti) });
    });
  const staff = loaded.state === 'ok' ? loaded.data.accounts.filter((x) => x.role !== 'delegate') : [];
  return (
    <section aria-labelledby="ad-accounts">
      <h2 id="ad-accounts">{a('accounts.heading')}</h2>
      <Status loaded={loaded} />
      {lines}
      <table className="ad-table">
        <thead>
          <tr>
            <th scope="col">{a('accounts.id')}</th>
            <th scope="col">{a('accounts.displayName')}</th>
            <th scope="col">{a('accounts.role')}</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {staff.map((x) => (
            <tr key={x.id}>
              <td>{x.id}</td>
              <td>
                {x.displayName} {x.disabled && <em>({a('accounts.disabled')})</em>}
              </td>
              <td>{a(`roles.${x.role}`)}</td>
              <td className="ad-row-tools">
                <button type="button" disabled={busy} onClick={() => reset(x.id)}>
                  {a('accounts.reset')}
                </button>
                <button type="button" disabled={busy} onClick={() => showDevices(x.id)}>
                  {a('accounts.devices')}
                </button>
                {!x.disabled && (
                  <button type="button" disabled={busy} onClick={() => disable(x.id)}>
                    {a('accounts.disable')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {devices && (
        <div role="region" aria-label={`${a('accounts.devices')} ${devices.id}`}>
          <h3>
            {a('accounts.devices')} — {devices.id}
          </h3>
          {devices.list.length === 0 && <p>{a('accounts.noDevices')}</p>}
          <ul>
            {devices.list.map((d) => (
              <li key={d.jti}>
                {a('accounts.deviceLine', { via: d.via, at: vnDateTime(d.at), ua: d.userAgent ?? '' })}{' '}
                <button type="button" onClick={() => revoke(d.jti)}>
                  {a('accounts.revoke')}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <form className="ad-form" onSubmit={create} aria-label={a('accounts.create')}>
        <h3>{a('accounts.create')}</h3>
        <label>
          {a('accounts.id')}
          <input required pattern="[A-Za-z0-9_.:\-]+" value={form.id} onChange={(e) => setForm({ ...form, id: e.target.value })} />
        </label>
        <label>
          {a('accounts.displayName')}
          <input required value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
        </label>
        <label>
          {a('accounts.role')}
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as (typeof STAFF_ROLES)[number] })}>
            {STAFF_ROLES.map((r) => (
              <option key={r} value={r}>
                {a(`roles.${r}`)}
              </option>
            ))}
          </select>
        </label>
        {(form.role === 'admin' || form.role === 'oversight') && <p className="ad-help">{a('accounts.allCouncils')}</p>}
        <button type="submit" disabled={busy}>
          {a('accounts.create')}
        </button>
      </form>
    </section>
  );
}

// ---------------------------------------------------------------------------------------------------------------

function SessionsTab({ council, sessions, reload }: { council: Council; sessions: SessionRow[]; reload: () => void }) {
  const { a } = useStrings();
  const [, navigate] = useLocation();
  const [form, setForm] = useState({ id: '', title: '', date: '' });
  const { busy, run, lines } = useAction();
  const create = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await api('PUT', `/api/admin/sessions/${encodeURIComponent(form.id)}`, { ...form, councilId: council.id, agenda: [] });
      reload();
      navigate(`/sessions/${form.id}`);
    });
  };
  return (
    <section aria-labelledby="ad-sessions">
      <h2 id="ad-sessions">{a('sessions.heading')}</h2>
      {sessions.length === 0 && <p>{a('sessions.empty')}</p>}
      <ul className="ad-list">
        {sessions.map((s) => (
          <li key={s.id}>
            <Link href={`/sessions/${s.id}`}>{s.title}</Link> <small>{s.date}</small> <span className={`ad-status ad-status--${s.status}`}>{a(`status.${s.status}`)}</span>
          </li>
        ))}
      </ul>
      <form className="ad-form" onSubmit={create} aria-label={a('sessions.create')}>
        <h3>{a('sessions.create')}</h3>
        <label>
          {a('sessions.id')}
          <input required pattern="[A-Za-z0-9_.:\-]+" value={form.id} onChange={(e) => setForm({ ...form, id: e.target.value })} />
        </label>
        <label>
          {a('sessions.title')}
          <input required value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} />
        </label>
        <label>
          {a('sessions.date')}
          <input required type="date" value={form.date} onChange={(e) => setForm({ ...form, date: e.target.value })} />
        </label>
        <button type="submit" disabled={busy}>
          {a('sessions.create')}
        </button>
        {lines}
      </form>
    </section>
  );
}
