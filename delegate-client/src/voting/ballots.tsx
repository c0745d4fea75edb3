/**
 * What happened to this tablet's ballots, per poll, for as long as the page lives: sending, recorded (only on the
 * server's ok ack), or refused. It outlives the voting screen on purpose: if a poll closes while a ballot is still
 * being resent, the home screen must still say that ballot was NOT recorded.
 *
 * Secrecy: for a secret poll the track never holds the choice. The kit keeps the payload only while the command is
 * pending (it must, to resend it); once the ack arrives nothing on this tablet remembers what was chosen.
 */
import type { BallotChoice, CommandPayload } from '@hall/core';
import type { CommandStatus, PendingCommand } from '@hall/client-kit';
import { useHall } from '@hall/client-kit/react';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

export interface BallotTrack {
  commandId: string;
  status: CommandStatus;
  /** Times the kit has emitted it; more than one means it is being resent. */
  attempts: number;
  /** Public polls only: the choice that was sent (shown as "Đang gửi: Tán thành"). Never set for secret polls. */
  publicChoice?: BallotChoice;
}

interface BallotApi {
  track: (pollId: string) => BallotTrack | null;
  /** Sends a ballot. `secret` decides whether the choice may be remembered for display. */
  cast: (pollId: string, choice: BallotChoice, secret: boolean) => void;
  /** Forgets a refused ballot's notice once the delegate has seen it. */
  dismiss: (pollId: string) => void;
}

const BallotContext = createContext<BallotApi | null>(null);

type Tracks = Record<string, BallotTrack>;

const pollOf = (cmd: PendingCommand) => (cmd.payload as CommandPayload<'ballot.cast'>).pollId;

export function BallotProvider({ children }: { children: ReactNode }) {
  const client = useHall();
  const [tracks, setTracks] = useState<Tracks>(() => {
    // After a reload the kit restores undelivered ballots from sessionStorage and resends them: show them as pending.
    const initial: Tracks = {};
    for (const cmd of client.pending()) {
      if (cmd.type === 'ballot.cast') initial[pollOf(cmd)] = { commandId: cmd.commandId, status: cmd.status, attempts: Math.max(cmd.attempts, 2) };
    }
    return initial;
  });

  useEffect(
    () =>
      client.onCommand((cmd) => {
        if (cmd.type !== 'ballot.cast') return;
        const pollId = pollOf(cmd);
        setTracks((prev) => {
          const cur = prev[pollId];
          // A newer ballot for the same poll replaces the older one's track; answers to an older one are ignored.
          if (cur && cur.commandId !== cmd.commandId) return prev;
          const next: BallotTrack = { commandId: cmd.commandId, status: cmd.status, attempts: cmd.attempts };
          if (cur?.publicChoice !== undefined) next.publicChoice = cur.publicChoice;
          return { ...prev, [pollId]: next };
        });
      }),
    [client],
  );

  const cast = useCallback(
    (pollId: string, choice: BallotChoice, secret: boolean) => {
      const cmd = client.send('ballot.cast', { pollId, choice });
      const track: BallotTrack = { commandId: cmd.commandId, status: cmd.status, attempts: cmd.attempts };
      if (!secret) track.publicChoice = choice;
      setTracks((prev) => ({ ...prev, [pollId]: track }));
    },
    [client],
  );

  const dismiss = useCallback((pollId: string) => {
    setTracks((prev) => {
      if (!prev[pollId]) return prev;
      const next = { ...prev };
      delete next[pollId];
      return next;
    });
  }, []);

  const api = useMemo<BallotApi>(() => ({ track: (pollId) => tracks[pollId] ?? null, cast, dismiss }), [tracks, cast, dismiss]);
  return <BallotContext.Provider value={api}>{children}</BallotContext.Provider>;
}

export function useBallots(): BallotApi {
  const api = useContext(BallotContext);
  if (!api) throw new Error('useBallots: wrap in <BallotProvider>');
  return api;
}
