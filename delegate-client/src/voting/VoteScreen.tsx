/**
 * The voting screen. While a poll is open it replaces everything else on the tablet: what is being decided, the time
 * left, the ballot, and the ballot's fate in words (BallotStatus). Every "may I press this" comes from `useCan`
 * (the same machine the server runs); this file decides only layout and the confirmation steps.
 */
import type { BallotChoice, MotionChoice, PollView } from '@hall/core';
import { probeBallot } from '@hall/client-kit';
import { useId, useState, type ReactNode } from 'react';
import { CheckInButton } from '../attendance/CheckIn.tsx';
import { useT } from '../i18n.ts';
import { ballotChangeAllowed } from '../snapshot.ts';
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx';
import { IconAbstain, IconCheck, IconCross, IconLock, IconSending, IconWarning } from '../ui/icons.tsx';
import { Countdown, useCan, useConnection, useView, type CanResult } from '@hall/client-kit/react';
import { BallotStatus, ballotState, choiceLabel } from './BallotStatus.tsx';
import { useBallots } from './ballots.tsx';
import { CommitteePanel, ReceiptCard, SealingNote } from './committee.tsx';

export function VoteScreen({ poll }: { poll: PollView }) {
  const { t, tc } = useT();
  const titleId = useId();
  const secret = poll.mode === 'secret';
  const memberFirst = poll.committee?.phase === 'decrypting';
  return (
    <section className={`vote vote--${secret ? 'secret' : 'public'}`} aria-labelledby={titleId}>
      <header className="vote__head">
        <div className="vote__meta">
          <p className="vote__kind">{t(`vote.kind.${poll.kind}`)}</p>
          <p className={`vote__mode vote__mode--${poll.mode}`}>
            {secret || poll.mode === 'paper' ? <IconLock size={24} /> : null}
            <span>{tc(`pollModes.${poll.mode}`)}</span>
          </p>
          {poll.round > 1 ? <p className="vote__round">{t('vote.round', { round: poll.round })}</p> : null}
        </div>
        <h2 id={titleId} className="vote__subject">
          {poll.subject}
        </h2>
        {poll.revoteReason ? <p className="vote__revote">{t('vote.revote', { reason: poll.revoteReason })}</p> : null}
        <SealingNote poll={poll} />
      </header>
      {/* The ballot's fate stays above the fold; only at the close, when the member must act, does the panel lead. */}
      {memberFirst ? <CommitteePanel poll={poll} /> : null}
      {/* Pinned while the delegate scrolls a long ballot (15 officials): the time left and how many have voted. */}
      <div className="vote__clock">
        {poll.closesAt !== null ? (
          <Countdown endsAt={poll.closesAt} label={t('vote.closesIn')} size="normal" />
        ) : (
          <p className="vote__no-deadline">{t('vote.noDeadline')}</p>
        )}
        <p className="vote__cast-count">{t('vote.castCount', { count: poll.castCount, eligible: poll.eligible })}</p>
      </div>

      {poll.mode === 'hands' || poll.mode === 'paper' ? (
        <p className="vote__offline-mode" role="note">
          {t(`vote.notElectronic.${poll.mode}`)}
        </p>
      ) : poll.kind === 'motion' ? (
        <MotionBallot poll={poll} />
      ) : poll.kind === 'election' ? (
        <ElectionBallot poll={poll} />
      ) : (
        <GridBallot poll={poll} levels={poll.kind === 'confidenceRating' ? ['high', 'confidence', 'low'] : ['confidence', 'noConfidence']} />
      )}
      <ReceiptCard poll={poll} />
      {memberFirst ? null : <CommitteePanel poll={poll} />}
    </section>
  );
}

/**
 * May this delegate cast this choice now? A committee poll takes only encrypted ballots (the machine refuses a readable
 * choice there), so it is asked about an encrypted cast — eligibility and timing — and the choice is checked here.
 */
function useCastCan(poll: PollView, choice: BallotChoice, complete = true): CanResult {
  const plain = useCan('ballot.cast', { pollId: poll.pollId, choice });
  const sealed = useCan('ballot.castEncrypted', { pollId: poll.pollId, ballot: probeBallot });
  if (poll.sealing !== 'committee') return plain;
  if (sealed.ok && !complete) return { ok: false, code: 'REJECTED', reason: 'BAD_BALLOT' };
  return sealed;
}

/** A refusal that applies to the whole ballot (not present, change not allowed…), said once, with a way out. */
function Blocker({ reason, message }: { reason: string | undefined; message: string | undefined }) {
  const { t } = useT();
  if (reason === 'NOT_PRESENT') {
    return (
      <div className="vote__blocker" role="note">
        <p>{t('vote.notPresent')}</p>
        <CheckInButton />
      </div>
    );
  }
  if (reason === 'CHANGE_NOT_ALLOWED' || reason === 'ALREADY_CAST') return <p className="vote__blocker" role="note">{t('vote.cannotChange')}</p>;
  // Wrong state (the poll just closed) and the like: the view will move on by itself in a moment.
  return message ? <p className="vote__blocker" role="note">{message}</p> : null;
}

const MOTION: { choice: MotionChoice; icon: ReactNode }[] = [
  { choice: 'yes', icon: <IconCheck size={56} /> },
  { choice: 'no', icon: <IconCross size={56} /> },
  { choice: 'abstain', icon: <IconAbstain size={56} /> },
];

function MotionBallot({ poll }: { poll: PollView }) {
  const { t, tc } = useT();
  const view = useView();
  const ballots = useBallots();
  const track = ballots.track(poll.pollId);
  const secret = poll.mode === 'secret';
  const sending = track?.status.state === 'sending';
  const can = {
    yes: useCastCan(poll, 'yes'),
    no: useCastCan(poll, 'no'),
    abstain: useCastCan(poll, 'abstain'),
  };
  /** The choice awaiting confirmation; dropped the moment it is sent or cancelled. */
  const [confirming, setConfirming] = useState<MotionChoice | null>(null);
  // The highlighted button: what is being sent, else what the server holds (public polls only; secret never echoes).
  const shown = secret ? undefined : sending && typeof track?.publicChoice === 'string' ? track.publicChoice : poll.mine?.choice;
  const finalOnceCast = secret || !ballotChangeAllowed(view);
  const state = ballotState(track, poll, useConnection());

  const press = (choice: MotionChoice) => {
    if (!can[choice].ok || sending || shown === choice) return;
    if (finalOnceCast) setConfirming(choice);
    else ballots.cast(poll.pollId, choice, false);
  };
  const send = () => {
    const choice = confirming;
    setConfirming(null);
    if (choice && poll.sealing === 'committee') ballots.castCommittee(poll, choice);
    else if (choice) ballots.cast(poll.pollId, choice, secret);
  };

  // A secret ballot is final: once the server holds one, the buttons go away for good.
  const done = secret && (poll.mine?.cast || track?.status.state === 'recorded' || sending);
  const blocked = !can.yes.ok && !can.no.ok && !can.abstain.ok ? can.yes : null;

  return (
    <div className="ballot ballot--motion">
      {/* The ballot's fate first: on a portrait tablet it must be readable without scrolling. */}
      <BallotStatus poll={poll} track={track} />
      {!done ? (
        <>
          <div className="motion-buttons" role="group" aria-label={t('vote.region')}>
            {MOTION.map(({ choice, icon }) => {
              const selected = shown === choice;
              const disabled = !can[choice].ok || sending;
              return (
                <button
                  key={choice}
                  type="button"
                  className={`motion-btn motion-btn--${choice}${selected ? ' motion-btn--selected' : ''}`}
                  aria-pressed={secret ? undefined : selected}
                  aria-disabled={disabled && !selected ? true : undefined}
                  onClick={() => press(choice)}
                >
                  <span className="motion-btn__icon">{icon}</span>
                  <span className="motion-btn__label">{t(`vote.${choice}`)}</span>
                  {selected ? (
                    <span className={`motion-btn__chosen motion-btn__chosen--${state}`}>
                      {/* A tick only once recorded: before the ack it would read as "done". */}
                      {state === 'resending' ? <IconWarning size={22} /> : sending ? <IconSending size={22} /> : <IconCheck size={22} />}{' '}
                      {state === 'resending' ? t('vote.notRecordedShort') : sending ? t('vote.sending') : t('vote.chosen')}
                    </span>
                  ) : null}
                </button>
              );
            })}
          </div>
          {blocked && !sending ? <Blocker reason={blocked.reason} message={blocked.message} /> : null}
          {/* The view may show the ballot before the ack arrives: offer a change only once this tablet has its ack. */}
          {!secret && poll.mine?.cast && !blocked && !sending ? <p className="vote__hint">{t('vote.canChange')}</p> : null}
        </>
      ) : null}

      <ConfirmDialog
        open={confirming !== null}
        title={secret ? t('vote.secretConfirmTitle') : tc('actions.confirm')}
        confirmLabel={t('vote.secretConfirmSend')}
        cancelLabel={tc('actions.cancel')}
        tone="primary"
        onConfirm={send}
        onCancel={() => setConfirming(null)}
      >
        <p className="confirm__choice">{confirming ? choiceLabel(confirming, poll, t, tc) : ''}</p>
        <p>{secret ? t('vote.secretConfirm') : tc('refusals.CHANGE_NOT_ALLOWED')}</p>
      </ConfirmDialog>
    </div>
  );
}

type Level = 'high' | 'confidence' | 'low' | 'noConfidence';

const LEVEL_ICON: Record<Level, ReactNode> = {
  high: <IconCheck size={26} />,
  confidence: <IconAbstain size={26} />,
  low: <IconCross size={26} />,
  noConfidence: <IconCross size={26} />,
};

/** Confidence rating (three levels) and vote of confidence (two): one radio group per official. */
function GridBallot({ poll, levels }: { poll: PollView; levels: Level[] }) {
  const { t, tc } = useT();
  const ballots = useBallots();
  const track = ballots.track(poll.pollId);
  const [marks, setMarks] = useState<Record<string, Level>>({});
  const [confirming, setConfirming] = useState(false);
  const sending = track?.status.state === 'sending';
  const missing = poll.officials.filter((o) => !marks[o.id]).length;
  const can = useCastCan(poll, marks, missing === 0);
  const done = poll.mine?.cast || track?.status.state === 'recorded' || sending;
  // Ask the machine about a complete ballot too, so "not present" shows before the delegate fills every row.
  const probe = useCastCan(poll, Object.fromEntries(poll.officials.map((o) => [o.id, levels[0]!])));

  const send = () => {
    setConfirming(false);
    if (!can.ok) return;
    if (poll.sealing === 'committee') ballots.castCommittee(poll, marks);
    else ballots.cast(poll.pollId, marks, true);
    // The marks leave this component with the command: nothing here remembers them.
    setMarks({});
  };

  return (
    <div className="ballot ballot--grid">
      <BallotStatus poll={poll} track={track} />
      {track?.status.state === 'refused' && !poll.mine?.cast ? <p className="vote__hint">{t('vote.chooseAgain')}</p> : null}
      {!done ? (
        <form
          className="grid-ballot"
          onSubmit={(e) => {
            e.preventDefault();
            if (can.ok && !sending) setConfirming(true);
          }}
        >
          {!probe.ok ? <Blocker reason={probe.reason} message={probe.message} /> : null}
          <ol className="grid-ballot__rows">
            {poll.officials.map((o, i) => (
              <li key={o.id} className={`grid-row${marks[o.id] ? ' grid-row--done' : ''}`}>
                <fieldset className="grid-row__set">
                  <legend className="grid-row__who">
                    <span className="grid-row__n" aria-hidden="true">
                      {i + 1}.
                    </span>
                    <span className="grid-row__name">{o.name}</span>
                    <span className="grid-row__post">{o.post}</span>
                  </legend>
                  <div className={`grid-row__choices grid-row__choices--${levels.length}`}>
                    {levels.map((level) => (
                      <label key={level} className={`level level--${level}${marks[o.id] === level ? ' level--checked' : ''}`}>
                        <input
                          type="radio"
                          name={`${poll.pollId}-${o.id}`}
                          value={level}
                          checked={marks[o.id] === level}
                          disabled={!probe.ok}
                          onChange={() => setMarks((m) => ({ ...m, [o.id]: level }))}
                        />
                        <span className="level__icon">{LEVEL_ICON[level]}</span>
                        <span className="level__text">{tc(`choices.${level}`)}</span>
                      </label>
                    ))}
                  </div>
                </fieldset>
              </li>
            ))}
          </ol>
          <div className="grid-ballot__footer">
            <p className="grid-ballot__progress" aria-live="polite">
              {missing > 0 ? t('vote.remaining', { count: missing }) : t('vote.complete', { count: poll.officials.length })}
            </p>
            <button type="submit" className="btn btn--primary btn--xl" disabled={!can.ok || sending}>
              {t('vote.submit')}
            </button>
            <p className="vote__hint">{t('vote.submitHint')}</p>
          </div>
        </form>
      ) : null}

      <ConfirmDialog
        open={confirming}
        title={t('vote.secretConfirmTitle')}
        confirmLabel={t('vote.secretConfirmSend')}
        cancelLabel={tc('actions.cancel')}
        onConfirm={send}
        onCancel={() => setConfirming(false)}
      >
        <p>{t('vote.secretConfirm')}</p>
        <ul className="confirm__summary">
          {poll.officials.map((o) => (
            <li key={o.id}>
              <span>{o.name}</span>
              <strong>{marks[o.id] ? tc(`choices.${marks[o.id]}`) : '—'}</strong>
            </li>
          ))}
        </ul>
      </ConfirmDialog>
    </div>
  );
}

/** Election: choose up to `seats` candidates; boxes beyond the limit cannot be ticked. */
function ElectionBallot({ poll }: { poll: PollView }) {
  const { t, tc } = useT();
  const ballots = useBallots();
  const track = ballots.track(poll.pollId);
  const [chosen, setChosen] = useState<string[]>([]);
  const [confirming, setConfirming] = useState(false);
  const sending = track?.status.state === 'sending';
  const can = useCan('ballot.cast', { pollId: poll.pollId, choice: chosen });
  const full = chosen.length >= poll.seats;
  const done = poll.mine?.cast || track?.status.state === 'recorded' || sending;
  const hintId = useId();

  const toggle = (id: string) =>
    setChosen((cur) => (cur.includes(id) ? cur.filter((x) => x !== id) : cur.length >= poll.seats ? cur : [...cur, id]));
  const send = () => {
    setConfirming(false);
    if (!can.ok) return;
    ballots.cast(poll.pollId, chosen, true);
    setChosen([]);
  };

  return (
    <div className="ballot ballot--election">
      <BallotStatus poll={poll} track={track} />
      {!done ? (
        <form
          className="election"
          onSubmit={(e) => {
            e.preventDefault();
            if (can.ok && !sending) setConfirming(true);
          }}
        >
          {!can.ok && can.reason !== 'BAD_BALLOT' ? <Blocker reason={can.reason} message={can.message} /> : null}
          <fieldset className="election__set" aria-describedby={hintId}>
            <legend className="election__legend">{t('vote.electionHint', { seats: poll.seats })}</legend>
            <ul className="election__list">
              {poll.candidates.map((c) => {
                const checked = chosen.includes(c.id);
                const locked = !checked && full;
                return (
                  <li key={c.id}>
                    <label className={`candidate${checked ? ' candidate--checked' : ''}${locked ? ' candidate--locked' : ''}`}>
                      <input type="checkbox" checked={checked} disabled={locked} onChange={() => toggle(c.id)} />
                      <span className="candidate__box" aria-hidden="true">
                        {checked ? <IconCheck size={30} /> : null}
                      </span>
                      <span className="candidate__name">{c.name}</span>
                    </label>
                  </li>
                );
              })}
            </ul>
          </fieldset>
          <div className="grid-ballot__footer">
            <p id={hintId} className="grid-ballot__progress" aria-live="polite">
              {t('vote.selected', { count: chosen.length, seats: poll.seats })}
              {full ? ` — ${t('vote.seatsFull', { seats: poll.seats })}` : ''}
            </p>
            <button type="submit" className="btn btn--primary btn--xl" disabled={!can.ok || sending}>
              {t('vote.submit')}
            </button>
          </div>
        </form>
      ) : null}

      <ConfirmDialog
        open={confirming}
        title={t('vote.secretConfirmTitle')}
        confirmLabel={t('vote.secretConfirmSend')}
        cancelLabel={tc('actions.cancel')}
        onConfirm={send}
        onCancel={() => setConfirming(false)}
      >
        <p>{t('vote.secretConfirm')}</p>
        <p className="confirm__choice">{choiceLabel(chosen, poll, t, tc) || '—'}</p>
      </ConfirmDialog>
    </div>
  );
}
