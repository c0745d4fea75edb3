/**
 * What happened to this tablet's ballots, per poll, for as long as the page lives: sending, recorded (only on the
 * server's ok ack), or refused. It outlives the voting screen on purpose: if a poll closes while a ballot is still
 * being resent, the home screen must still say that ballot was NOT recorded.
 *
 * Secrecy: for a secret poll the track never holds the choice. The kit keeps the payload only while the command is
 * pending (it must, to resend it); once the ack arrives nothing on this tablet remembers what was chosen.
 */
import type { BallotChoice, CommandPayload, PollView } from '@hall/core';
import { castCommittee as castCommitteeBallot, forgetFinished, type CommandStatus, type PendingCommand } from '@hall/client-kit';
import { useHall, useView } from '@hall/client-kit/react';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

export interface BallotTrack {
  commandId: string;
  status: CommandStatus;
  /** Times the kit has emitted it; more than one means it is being resent. */
  attempts: number;
  /** Public polls only: the choice that was sent (shown as "Đang gửi: Tán thành"). Never set for secret polls. */
  publicChoice?: BallotChoice;
  /** Committee polls: the ballot is being encrypted on this tablet (nothing sent yet). */
  encrypting?: boolean;
}

interface BallotApi {
  track: (pollId: string) => BallotTrack | null;
  /** Sends a ballot. `secret` decides whether the choice may be remembered for display. */
  cast: (pollId: string, choice: BallotChoice, secret: boolean) => void;
  /**
   * Committee polls: encrypts on this tablet to the key it computes from the committee's commitments, sends the
   * ciphertexts and keeps the receipt (which shows nothing of the choice) for the check on the public board.
   */
  castCommittee: (poll: PollView, choice: BallotChoice) => void;
  /** Forgets a refused ballot's notice once the delegate has seen it. */
  dismiss: (pollId: string) => void;
}

const BallotContext = createContext<BallotApi | null>(null);

type Tracks = Record<string, BallotTrack>;

const pollOf = (cmd: PendingCommand) => (cmd.payload as CommandPayload<'ballot.cast'>).pollId;
const isBallot = (cmd: PendingCommand) => cmd.type === 'ballot.cast' || cmd.type === 'ballot.castEncrypted';

/** Lets the "encrypting" line paint before the tablet is busy for a second or two. */
const nextFrame = () => new Promise<void>((resolve) => setTimeout(resolve, 50));

export function BallotProvider({ children }: { children: ReactNode }) {
  const client = useHall();
  const [tracks, setTracks] = useState<Tracks>(() => {
    // After a reload the kit restores undelivered ballots from sessionStorage and resends them: show them as pending.
    const initial: Tracks = {};
    for (const cmd of client.pending()) {
      if (isBallot(cmd)) initial[pollOf(cmd)] = { commandId: cmd.commandId, status: cmd.status, attempts: Math.max(cmd.attempts, 2) };
    }
    return initial;
  });

  useEffect(
    () =>
      client.onCommand((cmd) => {
        if (!isBallot(cmd)) return;
        const pollId = pollOf(cmd);
        setTracks((prev) => {
          const cur = prev[pollId];
          // Sent before its track was written (encrypting): this command is the ballot being encrypted.
          if (cur?.encrypting) return { ...prev, [pollId]: { commandId: cmd.commandId, status: cmd.status, attempts: cmd.attempts } };
          // A newer ballot for the same poll replaces the older one's track; answers to an older one are ignored.
          if (cur && cur.commandId !== cmd.commandId) return prev;
          const next: BallotTrack = { commandId: cmd.commandId, status: cmd.status, attempts: cmd.attempts };
          if (cur?.publicChoice !== undefined) next.publicChoice = cur.publicChoice;
          return { ...prev, [pollId]: next };
        });
      }),
    [client],
  );

  // A committee member's key shares of polls that are over are dropped from this tablet (the page outlives the panel).
  const polls = useView()?.polls;
  useEffect(() => {
    const me = client.actor?.id;
    if (!polls || !me) return;
    try {
      forgetFinished(localStorage, polls, me);
    } catch {
      // No storage on this tablet: nothing was kept either.
    }
  }, [client, polls]);

  const cast = useCallback(
    (pollId: string, choice: BallotChoice, secret: boolean) => {
      const cmd = client.send('ballot.cast', { pollId, choice });
      const track: BallotTrack = { commandId: cmd.commandId, status: cmd.status, attempts: cmd.attempts };
      if (!secret) track.publicChoice = choice;
      setTracks((prev) => ({ ...prev, [pollId]: track }));
    },
    [client],
  );

  const castCommittee = useCallback(
    (poll: PollView, choice: BallotChoice) => {
      const pollId = poll.pollId;
      setTracks((prev) => ({ ...prev, [pollId]: { commandId: '', status: { state: 'sending' }, attempts: 1, encrypting: true } }));
      void (async () => {
        try {
          await nextFrame();
          const { commandId } = await castCommitteeBallot(client, poll, choice);
          setTracks((prev) => {
            // The kit may already have answered (onCommand fired before this line): keep its newer status.
            const cur = prev[pollId];
            return cur && cur.commandId === commandId ? prev : { ...prev, [pollId]: { commandId, status: { state: 'sending' }, attempts: 1 } };
          });
        } catch (err) {
          setTracks((prev) => ({
            ...prev,
            [pollId]: { commandId: '', attempts: 1, status: { state: 'refused', code: 'REJECTED', message: `Không mã hoá được phiếu trên máy: ${(err as Error).message}` } },
          }));
        }
      })();
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

  const api = useMemo<BallotApi>(() => ({ track: (pollId) => tracks[pollId] ?? null, cast, castCommittee, dismiss }), [tracks, cast, castCommittee, dismiss]);
  return <BallotContext.Provider value={api}>{children}</BallotContext.Provider>;
}

export function useBallots(): BallotApi {
  const api = useContext(BallotContext);
  if (!api) throw new Error('useBallots: wrap in <BallotProvider>');
  return api;
}
