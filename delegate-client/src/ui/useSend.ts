/**
 * Sends a command and keeps the live PendingCommand, so the screen can show CommandStatusBadge next to the button
 * that sent it (sending → recorded, or "not recorded yet — resending" while offline, or the refusal).
 */
import type { CommandPayload, CommandType } from '@hall/core';
import type { PendingCommand } from '@hall/client-kit';
import { useHall } from '@hall/client-kit/react';
import { useCallback, useState } from 'react';

export function useSend() {
  const client = useHall();
  const [last, setLast] = useState<PendingCommand | null>(null);
  const send = useCallback(
    <T extends CommandType>(type: T, payload: CommandPayload<T>) => {
      const cmd = client.send(type, payload);
      setLast(cmd as unknown as PendingCommand);
      return cmd;
    },
    [client],
  );
  const clear = useCallback(() => setLast(null), []);
  return { send, last, clear };
}

/** Ids for requests and questions: the alphabet core's `Id` accepts, unique enough per tablet and session. */
export function newId(prefix: string): string {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return `${prefix}-${Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('')}`;
}
