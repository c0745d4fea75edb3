/**
 * Login → session → console. Each step is its own screen, so the console only ever renders with a signed-in staff
 * account and a chosen session, and a reload lands where the chair was.
 */
import { useState } from 'react';
import { loadAuth, loadSessionId, saveAuth, saveSessionId, type Auth } from './auth-store.ts';
import { LoginScreen } from './screens/LoginScreen.tsx';
import { SessionPicker } from './screens/SessionPicker.tsx';
import { WrongRole } from './screens/WrongRole.tsx';
import { ConsoleRoot } from './console/ConsoleRoot.tsx';

const STAFF = new Set(['chair', 'secretary', 'admin']);

export function App() {
  const [auth, setAuth] = useState<Auth | null>(loadAuth);
  const [sessionId, setSessionId] = useState<string | null>(loadSessionId);
  const [refusal, setRefusal] = useState<string | null>(null);

  const logout = () => {
    saveAuth(null);
    saveSessionId(null);
    setAuth(null);
    setSessionId(null);
  };
  const choose = (id: string | null, refused: string | null = null) => {
    saveSessionId(id);
    setSessionId(id);
    setRefusal(refused);
  };

  let screen;
  if (!auth) {
    screen = (
      <LoginScreen
        onLogin={(a) => {
          saveAuth(a);
          setAuth(a);
        }}
      />
    );
  } else if (!STAFF.has(auth.claims.role)) {
    screen = <WrongRole onLogout={logout} />;
  } else if (!sessionId) {
    screen = <SessionPicker auth={auth} onChoose={choose} onLogout={logout} refusal={refusal} />;
  } else {
    screen = (
      <ConsoleRoot
        key={`${auth.token}:${sessionId}`}
        auth={auth}
        sessionId={sessionId}
        onSwitch={() => choose(null)}
        onRefused={(message) => choose(null, message)}
        onLogout={logout}
      />
    );
  }
  // The kit's components find the console's i18n instance without a provider: `createI18n` registered it.
  return screen;
}
