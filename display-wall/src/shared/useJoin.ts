import type { HallClient } from '@hall/client-kit';
import { isHallError } from '@hall/client-kit';
import { useEffect, useState } from 'react';

/**
 * Joins `sessionId` once the client exists; the client re-joins by itself after every reconnect. Returns the
 * server's refusal (unknown session, another council's session) so the page can say so and offer the picker.
 */
export function useJoin(client: HallClient | null, sessionId: string | null): { error: { code: string; message: string } | null } {
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  useEffect(() => {
    setError(null);
    if (!client || !sessionId) return;
    let live = true;
    client.join(sessionId).catch((err: unknown) => {
      // A join superseded by another (the user picked a different session) is not an error worth showing.
      if (!live || !isHallError(err)) return;
      setError({ code: err.code, message: err.message });
    });
    return () => {
      live = false;
    };
  }, [client, sessionId]);
  return { error };
}
