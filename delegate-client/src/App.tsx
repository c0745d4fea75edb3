/**
 * Signed out → LoginScreen (code, or the QR link in `#login=…`); signed in → one HallClient for this tab, then the
 * session picker, then the session screen. The token lives in sessionStorage until it expires or the delegate signs
 * out; undelivered commands (a ballot sent just as the Wi-Fi dropped) live there too, so a reload resends them.
 */
import { HallClient, type LoginResult } from '@hall/client-kit';
import { ConnectionBanner, HallProvider, useHall, useView } from '@hall/client-kit/react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { AuthContext, useAuth, type Auth } from './auth/auth-context.ts';
import { LoginScreen, type LoginNotice } from './auth/LoginScreen.tsx';
import {
  clearLogin,
  isLive,
  loadLogin,
  loadSessionId,
  cardInHash,
  loginTokenInHash,
  saveLogin,
  saveSessionId,
  stripLoginHash,
  type StoredLogin,
} from './auth/token-store.ts';
import { DocumentsProvider } from './documents/documents.tsx';
import { Home } from './home/Home.tsx';
import { i18n, useT } from './i18n.ts';
import { SessionPicker } from './sessions/SessionPicker.tsx';
import { ConfirmDialog } from './ui/ConfirmDialog.tsx';
import { BallotProvider } from './voting/ballots.tsx';

const qrToken = loginTokenInHash();
const card = qrToken ? null : cardInHash();
// The one-time token (or a card's code) leaves the address bar at once: it must not stay in history or be bookmarked.
if (qrToken || card) stripLoginHash();
/**
 * Redeemed once per page load, whoever asks: the link works only once, so an effect that runs twice (React's
 * StrictMode does that) must share the first answer instead of spending the link and then being refused.
 */
let redemption: Promise<LoginResult> | null = null;
const redeemQr = (token: string) => (redemption ??= HallClient.redeemLink(location.origin, token));
const signInWithCard = (c: { id: string; code: string }) => (redemption ??= HallClient.login(location.origin, 'code', c.id, c.code));

const MAX_TIMER_MS = 2_000_000_000; // setTimeout's limit is 2^31 - 1 ms

export function App() {
  const [login, setLogin] = useState<StoredLogin | null>(() => (qrToken || card ? null : loadLogin()));
  const [notice, setNotice] = useState<LoginNotice>(qrToken || card ? 'redeeming' : null);

  const accept = useCallback((r: LoginResult) => {
    if (r.claims.role !== 'delegate' || !r.claims.delegateId) {
      setNotice('notDelegate');
      return;
    }
    saveLogin(r.token);
    setNotice(null);
    setLogin({ token: r.token, claims: r.claims });
  }, []);

  useEffect(() => {
    if (!qrToken && !card) return;
    let live = true;
    (qrToken ? redeemQr(qrToken) : signInWithCard(card!)).then(
      (r) => live && accept(r),
      () => {
        if (!live) return;
        // A QR link works once: a reload after using it falls back to the tab's existing sign-in, if any.
        const existing = loadLogin();
        if (existing) {
          setNotice(null);
          setLogin(existing);
        } else setNotice('qrInvalid');
      },
    );
    return () => {
      live = false;
    };
  }, [accept]);

  const logout = useCallback((reason?: 'expired' | 'revoked') => {
    clearLogin();
    setLogin(null);
    setNotice(reason ?? null);
  }, []);

  // The token carries its expiry; sign out when it passes rather than fail on the next action.
  useEffect(() => {
    if (!login) return;
    const ms = login.claims.exp * 1000 - Date.now();
    if (!isLive(login.claims)) return logout('expired');
    const timer = setTimeout(() => logout('expired'), Math.min(ms, MAX_TIMER_MS));
    return () => clearTimeout(timer);
  }, [login, logout]);

  if (!login) return <LoginScreen notice={notice} onLoggedIn={accept} />;
  return <SignedIn login={login} logout={logout} />;
}

function SignedIn({ login, logout }: { login: StoredLogin; logout: (reason?: 'expired' | 'revoked') => void }) {
  // sessionStorage, like the token: a ballot unacked at reload is resent, and nothing outlives the tab.
  const client = useMemo(() => new HallClient({ token: login.token, storage: safeSessionStorage() }), [login.token]);
  useEffect(() => {
    client.connect();
    // Signed out from another device (or by an admin): this token is refused everywhere from now on.
    const off = client.onNotice((n) => {
      if (n.code === 'DEVICE_REVOKED') logout('revoked');
    });
    return () => {
      off();
      client.close();
    };
  }, [client, logout]);
  const auth = useMemo<Auth>(() => ({ token: login.token, claims: login.claims, logout }), [login, logout]);
  return (
    <AuthContext.Provider value={auth}>
      <HallProvider client={client} i18n={i18n}>
        <Shell />
      </HallProvider>
    </AuthContext.Provider>
  );
}

function Shell() {
  const { t, tc } = useT();
  const client = useHall();
  const [sessionId, setSessionId] = useState<string | null>(() => loadSessionId());
  const [confirmLogout, setConfirmLogout] = useState(false);
  const [autoPick, setAutoPick] = useState(true);
  const { logout } = useAuth();

  const pick = useCallback((id: string) => {
    saveSessionId(id);
    setSessionId(id);
  }, []);
  const change = useCallback(() => {
    setAutoPick(false);
    client.leave();
    saveSessionId(null);
    setSessionId(null);
  }, [client]);
  const pendingCount = confirmLogout ? client.pending().length : 0;

  return (
    <>
      {sessionId ? (
        <SessionScreen sessionId={sessionId} onChangeSession={change} onLogoutClick={() => setConfirmLogout(true)} />
      ) : (
        <SessionPicker onPick={pick} onLogoutClick={() => setConfirmLogout(true)} autoPick={autoPick} />
      )}
      <ConfirmDialog
        open={confirmLogout}
        title={t('logout')}
        confirmLabel={t('logout')}
        cancelLabel={tc('actions.cancel')}
        tone={pendingCount ? 'danger' : 'primary'}
        onConfirm={() => {
          setConfirmLogout(false);
          logout();
        }}
        onCancel={() => setConfirmLogout(false)}
      >
        <p>{pendingCount ? t('confirmLogoutPending') : t('confirmLogout')}</p>
      </ConfirmDialog>
    </>
  );
}

function SessionScreen({ sessionId, onChangeSession, onLogoutClick }: { sessionId: string; onChangeSession: () => void; onLogoutClick: () => void }) {
  const { t } = useT();
  const client = useHall();
  const view = useView();
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    setFailed(null);
    client.join(sessionId).catch((err: Error & { code?: string }) => {
      // Joining another session replaced this one: not a failure to report.
      if (client.sessionId !== sessionId) return;
      if (err.code === 'UNAUTHENTICATED') return;
      setFailed(err.message || 'error');
    });
  }, [client, sessionId]);

  if (failed) {
    return (
      <div className="page page--center">
        <div className="banner banner--warning" role="alert">
          <p>{t('sessions.joinFailed')}</p>
          <p className="muted">{failed}</p>
          <button type="button" className="btn btn--primary btn--lg" onClick={onChangeSession}>
            {t('sessions.change')}
          </button>
        </div>
      </div>
    );
  }
  if (!view || view.sessionId !== sessionId) {
    return (
      <div className="page page--center">
        <ConnectionBanner className="conn" />
        <p className="loading" role="status">
          {t('sessions.joining')}
        </p>
        <button type="button" className="btn btn--secondary" onClick={onChangeSession}>
          {t('sessions.change')}
        </button>
      </div>
    );
  }
  return (
    <BallotProvider>
      <DocumentsProvider view={view}>
        <Home onChangeSession={onChangeSession} onLogoutClick={onLogoutClick} />
      </DocumentsProvider>
    </BallotProvider>
  );
}

function safeSessionStorage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}
