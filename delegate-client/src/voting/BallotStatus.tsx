/**
 * The one line a delegate reads after pressing: never ambiguous.
 *  - ĐÃ GHI NHẬN only on the server's ok ack (or, after a reload, when the server's own view says the ballot is in);
 *  - "Đang gửi…" while the first attempt is in flight on a live connection;
 *  - "CHƯA GHI NHẬN — đang gửi lại" in the warning style whenever the ballot is unacked and the connection is down or
 *    the first attempt went unanswered;
 *  - a refusal in words, with the reason.
 * For a secret poll the choice is never named: only "Phiếu của bạn đã được ghi nhận".
 */
import type { BallotChoice, PollView } from '@hall/core';
import { refusalText, useConnection } from '@hall/client-kit/react';
import { useT, type T } from '../i18n.ts';
import { IconCheck, IconCross, IconSending, IconWarning } from '../ui/icons.tsx';
import type { BallotTrack } from './ballots.tsx';

export type BallotState = 'none' | 'sending' | 'resending' | 'recorded' | 'refused';

export function ballotState(track: BallotTrack | null, poll: PollView, connection: string): BallotState {
  if (track) {
    const s = track.status.state;
    if (s === 'sending' && track.encrypting) return 'sending';
    if (s === 'sending') return connection !== 'connected' || track.attempts > 1 ? 'resending' : 'sending';
    if (s === 'recorded') return 'recorded';
    // Refused, but an earlier ballot of a public poll may still stand: the refusal is shown and so is the standing one.
    return 'refused';
  }
  return poll.mine?.cast ? 'recorded' : 'none';
}

/** Human words for a ballot's content (public polls only). */
export function choiceLabel(choice: BallotChoice | undefined, poll: PollView, t: T, tc: T): string {
  if (choice === undefined) return '';
  if (typeof choice === 'string') return tc(`choices.${choice}`);
  if (Array.isArray(choice)) return choice.map((id) => poll.candidates.find((c) => c.id === id)?.name ?? id).join(', ');
  return t('vote.complete', { count: Object.keys(choice).length });
}

export function BallotStatus({ poll, track }: { poll: PollView; track: BallotTrack | null }) {
  const { t, tc } = useT();
  const connection = useConnection();
  const state = ballotState(track, poll, connection);
  const secret = poll.mode === 'secret';
  const standing = poll.mine?.choice;

  switch (state) {
    case 'none':
      return (
        <div className="ballot-status ballot-status--none" role="status">
          <p className="ballot-status__title">{t('vote.notYet')}</p>
        </div>
      );
    case 'sending':
      return (
        <div className="ballot-status ballot-status--sending" role="status" aria-live="polite">
          <IconSending size={40} />
          <p className="ballot-status__title">
            {track?.encrypting ? t('committee.encrypting') : !secret && track?.publicChoice !== undefined ? t('vote.sendingChoice', { choice: choiceLabel(track.publicChoice, poll, t, tc) }) : t('vote.sending')}
          </p>
        </div>
      );
    case 'resending':
      return (
        <div className="ballot-status ballot-status--resending" role="alert">
          <IconWarning size={44} />
          <div>
            <p className="ballot-status__title">{t('vote.notRecorded')}</p>
            <p className="ballot-status__note">{t('vote.notRecordedNote')}</p>
          </div>
        </div>
      );
    case 'recorded': {
      // What the ack recorded is newer than the view for a moment; after a reload only the view knows.
      const recorded = track?.status.state === 'recorded' && track.publicChoice !== undefined ? track.publicChoice : standing;
      return (
        <div className="ballot-status ballot-status--recorded" role="status" aria-live="assertive">
          <IconCheck size={72} />
          <div>
            <p className="ballot-status__title">{t('vote.recorded')}</p>
            {secret ? (
              <>
                <p className="ballot-status__lead">{t('vote.recordedSecret')}</p>
                <p className="ballot-status__note">{t('vote.recordedSecretNote')}</p>
              </>
            ) : recorded !== undefined ? (
              <p className="ballot-status__lead">{t('vote.recordedChoice', { choice: choiceLabel(recorded, poll, t, tc) })}</p>
            ) : null}
          </div>
        </div>
      );
    }
    case 'refused': {
      const s = track!.status as Extract<BallotTrack['status'], { state: 'refused' }>;
      return (
        <div className="ballot-status ballot-status--refused" role="alert">
          <IconCross size={44} />
          <div>
            <p className="ballot-status__title">{t('vote.refused')}</p>
            <p className="ballot-status__note">{refusalText(tc as never, s)}</p>
            {!secret && poll.mine?.cast && standing !== undefined ? (
              <p className="ballot-status__note">{t('vote.current', { choice: choiceLabel(standing, poll, t, tc) })}</p>
            ) : null}
          </div>
        </div>
      );
    }
  }
}
