/**
 * The public record (no login): councils → sessions → the session's record; the commitments register; search.
 * Every page has its own address under /public/ (shareable, printable); the server answers deep links with this app.
 */
import { LanguageSwitch } from '@hall/client-kit/react';
import { useState, type FormEvent } from 'react';
import { Link, Route, Router, Switch, useLocation } from 'wouter';
import { useStrings } from './i18n.ts';
import { CouncilPage } from './pages/CouncilPage.tsx';
import { HomePage } from './pages/HomePage.tsx';
import { RegisterPage } from './pages/RegisterPage.tsx';
import { SearchPage } from './pages/SearchPage.tsx';
import { SessionPage } from './pages/SessionPage.tsx';

function SearchBox() {
  const { p } = useStrings();
  const [, navigate] = useLocation();
  const [q, setQ] = useState(() => new URLSearchParams(location.search).get('q') ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (q.trim()) navigate(`/search?q=${encodeURIComponent(q.trim())}`);
  };
  return (
    <form role="search" className="pr-search" onSubmit={submit}>
      <label className="pr-visually-hidden" htmlFor="pr-q">
        {p('search')}
      </label>
      <input id="pr-q" type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={p('searchPlaceholder')} />
      <button type="submit">{p('search')}</button>
    </form>
  );
}

export function App() {
  const { p } = useStrings();
  return (
    <Router base="/public">
      <header className="pr-header">
        <Link href="/" className="pr-brand">
          {p('siteTitle')}
        </Link>
        <nav className="pr-nav">
          <Link href="/">{p('home')}</Link>
          <Link href="/commitments">{p('register')}</Link>
          <LanguageSwitch />
        </nav>
        <SearchBox />
      </header>
      <main className="pr-main" id="main">
        <Switch>
          <Route path="/" component={HomePage} />
          <Route path="/councils/:id">{(params) => <CouncilPage id={params.id} />}</Route>
          <Route path="/sessions/:id">{(params) => <SessionPage id={params.id} />}</Route>
          <Route path="/commitments" component={RegisterPage} />
          <Route path="/search" component={SearchPage} />
          <Route>
            <p>{p('notFound')}</p>
          </Route>
        </Switch>
      </main>
    </Router>
  );
}
