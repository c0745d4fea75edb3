import type { Claims } from '@hall/client-kit';
import { createContext, useContext } from 'react';

export interface Auth {
  token: string;
  claims: Claims;
  /** Signs out of this tablet tab (forgets the token in sessionStorage). */
  logout: (reason?: 'expired' | 'revoked') => void;
}

export const AuthContext = createContext<Auth | null>(null);

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth: no signed-in delegate');
  return auth;
}
