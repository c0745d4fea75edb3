/**
 * Sign in → by role: admins set councils and sessions up (/admin/councils/…) and watch every council; oversight
 * accounts (the province Standing Committee) and a council's chair and secretary get the oversight dashboard
 * (/admin/oversight/…), the latter for their own council only. Every page has its own address.
 */
import { LanguageSwitch, LoginForm } from '@hall/client-kit/react';
import { useEffect, useState, type ReactNode } from 'react';
import { Link, Redirect, Route, Router, Switch } from 'wouter';
import { loadAuth, saveAuth, setCurrentAuth, type Auth } from './api.ts';
import { useStrings } from './i18n.ts';
import { AuditPage } from './pages/AuditPage.tsx';
import { CouncilPage } from './pages/CouncilPage.tsx';
import { CouncilsPage } from './pages/CouncilsPage.tsx';
import { CommitmentsPage, OversightPage, OversightSessionPage } from './pages/Oversight.tsx';
import { SessionPage } from './pages/SessionPage.tsx';

const USERS = new Set(['admin', 'oversight', 'chair', 'secretary']);

export function App() {
  const { a } = useStrings();
  const [auth, setAuth] = useState<Auth | null>(() => {
    const stored = loadAuth();
    setCurrentAuth(stored);
    return stored;
  });
  const signIn = (next: Auth | null) => {
    saveAuth(next);
    setCurrentAuth(next);
    setAuth(next);
  };
  useEffect(() => {
    const out = () => signIn(null);
    window.addEventListener('hall-admin-signed-out', out);
    return () => window.removeEventListener('hall-admin-signed-out', out);
  }, []);

  if (!auth) {
    return (
      <main className="ad-login">
        <div className="ad-login-head">
          <h1>{a('title')}</h1>
          <LanguageSwitch />
        </div>
        <p>{a('loginIntro')}</p>
        <LoginForm kind="password" onLoggedIn={(r) => signIn({ token: r.token, claims: r.claims })} />
      </main>
    );
  }
  const role = auth.claims.role;
  if (!USERS.has(role)) {
    return (
      <main className="ad-login">
        <p role="alert">{a('wrongRole')}</p>
        <button type="button" onClick={() => signIn(null)}>
          {a('logout')}
        </button>
      </main>
    );
  }
  const isAdmin = role === 'admin';
  const adminOnly = (page: ReactNode) => (isAdmin ? page : <Redirect to="/oversight" />);
  return (
    <Router base="/admin">
      <header className="ad-header">
        <Link href="/" className="ad-brand">
          {a('title')}
        </Link>
        <nav className="ad-nav" aria-label={a('title')}>
          {isAdmin && <Link href="/">{a('nav.councils')}</Link>}
          <Link href="/oversight">{a('nav.oversight')}</Link>
          <Link href="/oversight/commitments">{a('nav.commitments')}</Link>
          {isAdmin && <Link href="/audit">{a('nav.audit')}</Link>}
        </nav>
        <span className="ad-user">{a('signedInAs', { name: auth.claims.name, role: a(`roles.${role}`) })}</span>
        <LanguageSwitch />
        <button type="button" onClick={() => signIn(null)}>
          {a('logout')}
        </button>
      </header>
      <main className="ad-main">
        <Switch>
          <Route path="/">{adminOnly(<CouncilsPage />)}</Route>
          <Route path="/councils/:id/:tab?">{(p) => adminOnly(<CouncilPage id={p.id} tab={p.tab ?? 'delegates'} />)}</Route>
          <Route path="/sessions/:id">{(p) => adminOnly(<SessionPage id={p.id} />)}</Route>
          <Route path="/audit">{adminOnly(<AuditPage />)}</Route>
          <Route path="/oversight">
            <OversightPage token={auth.token} />
          </Route>
          <Route path="/oversight/commitments" component={CommitmentsPage} />
          <Route path="/oversight/sessions/:id">{(p) => <OversightSessionPage id={p.id} token={auth.token} />}</Route>
          <Route>
            <Redirect to="/" />
          </Route>
        </Switch>
      </main>
    </Router>
  );
}
