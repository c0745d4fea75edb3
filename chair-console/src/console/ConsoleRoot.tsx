/**
 * Owns the one HallClient of the console: connects with the staff token, joins the chosen session and closes on the
 * way out. Undelivered commands are kept in localStorage, so a chair's "Kết thúc biểu quyết" pressed during a Wi-Fi
 * drop is still sent after a reload.
 */
import { HallClient, isHallError } from '@hall/client-kit';
import { HallProvider } from '@hall/client-kit/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Auth } from '../auth-store.ts';
import { i18n, useT } from '../i18n.ts';
import { Console } from './Console.tsx';
import { NoticeProvider } from './ui/notices.tsx';
import { ShortcutProvider } from './ui/shortcuts.tsx';

export interface ConsoleRootProps {
  auth: Auth;
  sessionId: string;
  onSwitch: () => void;
  /** The server would not let this account open the session: back to the list, saying why. */
  onRefused: (message: string) => void;
  onLogout: () => void;
}

export function ConsoleRoot({ auth, sessionId, onSwitch, onRefused, onLogout }: ConsoleRootProps) {
  const { t } = useT();
  const client = useMemo(() => new HallClient({ token: auth.token, storage: window.localStorage }), [auth.token]);
  const [joinError, setJoinError] = useState<string | null>(null);
  const leave = useRef(onRefused);
  leave.current = onRefused;

  useEffect(() => {
    // Joined before connecting: the first handshake names the session (a server of several processes routes by it).
    client.join(sessionId).catch((err: unknown) => {
      // A session that no longer exists (or another council's) sends the chair back to the list, with the reason.
      if (isHallError(err) && (err.code === 'NOT_FOUND' || err.code === 'FORBIDDEN')) leave.current(err.message);
      else setJoinError(isHallError(err) ? err.message : String(err));
    });
    client.connect();
    return () => client.close();
  }, [client, sessionId]);

  return (
    <HallProvider client={client} i18n={i18n}>
      <NoticeProvider>
        <ShortcutProvider>
          {joinError && (
            <p role="alert" className="banner banner-error">
              {t('app.joinFailed', { message: joinError })}
            </p>
          )}
          <Console auth={auth} onSwitch={onSwitch} onLogout={onLogout} />
        </ShortcutProvider>
      </NoticeProvider>
    </HallProvider>
  );
}
