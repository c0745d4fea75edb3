import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import type { Council } from '@hall/core';
import { api, useApi } from '../api.ts';
import { useStrings } from '../i18n.ts';
import { Status, useAction } from '../ui.tsx';

export function CouncilsPage() {
  const { a } = useStrings();
  const [loaded] = useApi<{ councils: Council[] }>('/api/admin/councils');
  const [, navigate] = useLocation();
  const [form, setForm] = useState({ id: '', name: '', level: 'commune' as Council['level'], term: '2026-2031' });
  const { busy, run, lines } = useAction();
  const create = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await api('PUT', `/api/admin/councils/${encodeURIComponent(form.id)}`, { ...form, delegates: [], officials: [] });
      navigate(`/councils/${form.id}`);
    });
  };
  return (
    <>
      <h1>{a('councils.heading')}</h1>
      <Status loaded={loaded} />
      {loaded.state === 'ok' &&
        (loaded.data.councils.length === 0 ? (
          <p>{a('councils.empty')}</p>
        ) : (
          <ul className="ad-cards">
            {loaded.data.councils.map((c) => (
              <li key={c.id} className="ad-card">
                <Link href={`/councils/${c.id}`}>{c.name}</Link>
                <small>
                  {a(`level.${c.level}`)} · {a('councils.delegates', { count: c.delegates.filter((d) => d.status === 'sitting').length })}
                </small>
              </li>
            ))}
          </ul>
        ))}
      <form className="ad-form" onSubmit={create} aria-label={a('councils.create')}>
        <h2>{a('councils.create')}</h2>
        <label>
          {a('councils.id')}
          <input required pattern="[A-Za-z0-9_.:\-]+" value={form.id} onChange={(e) => setForm({ ...form, id: e.target.value })} />
        </label>
        <label>
          {a('councils.name')}
          <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label>
          {a('councils.level')}
          <select value={form.level} onChange={(e) => setForm({ ...form, level: e.target.value as Council['level'] })}>
            <option value="province">{a('level.province')}</option>
            <option value="commune">{a('level.commune')}</option>
          </select>
        </label>
        <label>
          {a('councils.term')}
          <input value={form.term} onChange={(e) => setForm({ ...form, term: e.target.value })} />
        </label>
        <button type="submit" disabled={busy}>
          {a('councils.create')}
        </button>
        {lines}
      </form>
    </>
  );
}
