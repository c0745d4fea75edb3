/**
 * Wall mode (/wall/): a dedicated device signed in once with its device token, which it remembers. The session comes
 * from `?session=<id>` (set once when the wall is installed) or from the picker, which writes it into the address so
 * a reload or a power cut returns to the same session.
 */
import { decodeClaims, HallClient } from '@hall/client-kit';
import { ConnectionBanner, HallProvider, LoginForm, useConnection, useView } from '@hall/client-kit/react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { sessionFromUrl, setSessionInUrl, wallVideoFromUrl } from '../mode.ts';
import { BroadcastPlayer } from '../live/BroadcastPlayer.tsx';
import type { AppI18n } from '../shared/i18n.ts';
import { useStrings } from '../shared/i18n.ts';
import { SessionPicker } from '../shared/SessionPicker.tsx';
import { useJoin } from '../shared/useJoin.ts';
import { DeviceMenu } from './DeviceMenu.tsx';
import { WallScreen } from './WallScreen.tsx';

const TOKEN_KEY = 'hall.wall.token';

/** The remembered device token, unless it has expired (then the wall asks to be signed in again). */
function storedToken(): string | null {
  try {
    const token = localStorage.getItem(TOKEN_KEY);
    const claims = decodeClaims(token);
    if (!token || !claims || claims.exp * 1000 <= Date.now()) return null;
    return token;
  } catch {
    return null;
  }
}

function storeToken(token: string | null) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage forbidden: the sign-in lasts until the page is reloaded
  }
}

export function WallApp({ i18n }: { i18n: AppI18n }) {
  const [token, setToken] = useState<string | null>(storedToken);
  const [sessionId, setSessionId] = useState<string | null>(() => sessionFromUrl());
  const client = useMemo(() => (token ? new HallClient({ token }) : null), [token]);

  useEffect(() => {
    if (!client) return;
    client.connect();
    return () => client.close();
  }, [client]);

  const { error } = useJoin(client, sessionId);

  const signOut = useCallback(() => {
    storeToken(null);
    setToken(null);
  }, []);
  const pick = (id: string | null) => {
    setSessionInUrl(id);
    setSessionId(id);
  };

  if (!client) {
    return (
      <main className="wall-form">
        <DeviceLogin
          onToken={(t) => {
            storeToken(t);
            setToken(t);
          }}
        />
      </main>
    );
  }
  return (
    <HallProvider client={client} i18n={i18n}>
      <WallShell
        sessionId={sessionId}
        joinError={error?.message ?? null}
        onPick={pick}
        onSignOut={signOut}
        token={token}
      />
    </HallProvider>
  );
}

function DeviceLogin({ onToken }: { onToken: (token: string) => void }) {
  const { w } = useStrings();
  return (
    <div className="wall-form__box">
      <h1 className="wall-form__title">{w('deviceLoginTitle')}</h1>
      <p className="wall-form__hint">{w('deviceLoginHint')}</p>
      <LoginForm kind="device" onLoggedIn={(r) => onToken(r.token)} />
    </div>
  );
}

function WallShell({
  sessionId,
  joinError,
  onPick,
  onSignOut,
  token,
}: {
  sessionId: string | null;
  joinError: string | null;
  onPick: (id: string | null) => void;
  onSignOut: () => void;
  token: string | null;
}) {
  const { w } = useStrings();
  const view = useView();
  const connection = useConnection();

  // A token the server no longer accepts (expired, device revoked): back to the sign-in form.
  useEffect(() => {
    if (connection === 'unauthorized') onSignOut();
  }, [connection, onSignOut]);

  const wallVideo = useMemo(() => wallVideoFromUrl(), []);
  const menu = <DeviceMenu onChangeSession={() => onPick(null)} onSignOut={onSignOut} />;

  if (!sessionId || joinError) {
    return (
      <main className="wall-form">
        <div className="wall-form__box wall-form__box--wide">
          <SessionPicker
            token={token}
            onlyMine
            onPick={onPick}
            error={joinError ? w('sessionNotFound', { message: joinError }) : null}
          />
        </div>
        {menu}
      </main>
    );
  }
  return (
    <>
      {view && view.sessionId === sessionId ? (
        <>
          <WallScreen view={view} />
          {/* `?video=1`: the program feed in a corner (the hall normally has its own screens for the picture). */}
          {wallVideo && !view.closedSitting && (
            <aside className="wall-video" aria-label={w('previewTitle')}>
              <BroadcastPlayer onAir={view.broadcast.onAir} sessionId={view.sessionId} closed={view.closedSitting} compact />
            </aside>
          )}
        </>
      ) : (
        <main className="wall wall--loading">
          <p className="wall-ceremony__word wall-ceremony__word--small" role="status">
            {w('loading')}
          </p>
        </main>
      )}
      <ConnectionBanner className="wall-banner" />
      {menu}
    </>
  );
}
