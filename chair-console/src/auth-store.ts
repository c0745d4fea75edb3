/**
 * The signed-in account and the chosen session survive a page reload: a chair who presses F5 mid-sitting must land
 * back in the same console, not on the login form. The token's expiry (read from its claims) is honoured.
 */
import { decodeClaims, type Claims } from '@hall/client-kit';

const TOKEN_KEY = 'hall.chair.token';
const SESSION_KEY = 'hall.chair.session';

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // storage forbidden: the choice lasts for this page only
  }
}

export interface Auth {
  token: string;
  claims: Claims;
}

export function loadAuth(): Auth | null {
  const token = read(TOKEN_KEY);
  const claims = decodeClaims(token);
  if (!token || !claims || claims.exp * 1000 <= Date.now()) return null;
  return { token, claims };
}

export const saveAuth = (auth: Auth | null) => write(TOKEN_KEY, auth?.token ?? null);
export const loadSessionId = () => read(SESSION_KEY);
export const saveSessionId = (id: string | null) => write(SESSION_KEY, id);
