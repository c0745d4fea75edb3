/** Pieces shared by the poll tab and the right-hand status: the live counter, the countdown, the lifecycle buttons. */
import { type CommandPayload, type PollView, type RefusalReason, type ThresholdRule } from '@hall/core';
import { Countdown, useView } from '@hall/client-kit/react';
import { useId, useState } from 'react';
import { useT } from '../../i18n.ts';
import { CommandButton, PromptCommandButton, useAction } from '../ui/command.tsx';
import { Dialog } from '../ui/Dialog.tsx';
import { ClosingChoice, ClosingLine, DurationField, RuleSelect, type Closing } from './PollTiming.tsx';

const SECRET_CLOSE: readonly RefusalReason[] = ['COUNTS_REQUIRED'];

export function PollHeading({ poll }: { poll: PollView }) {
  const { t, k } = useT();
  return (
    <div className="poll-heading">
      <p className="poll-subject">{poll.subject}</p>
      <p className="muted small">
        {k(`common:pollKinds.${poll.kind}`)} · {k(`common:pollModes.${poll.mode}`)}
        {poll.kind === 'motion' && <> · {k(`common:rules.${poll.rule}`)}</>}
        {poll.round > 1 && <> · {k('common:voting.round', { round: poll.round })}</>}
        {' · '}
        <span className={`badge badge-poll-${poll.status}`}>{k(`common:pollStatus.${poll.status}`)}</span>
      </p>
      {poll.revoteReason && <p className="small">{t('polls.revoteReason', { reason: poll.revoteReason })}</p>}
      <PollSealing poll={poll} />
    </div>
  );
}

/** Which way a secret poll is opened, and for a committee poll the ceremony and who has confirmed decryption. */
function PollSealing({ poll }: { poll: PollView }) {
  const { t } = useT();
  if (!poll.sealing) return null;
  const c = poll.committee;
  if (poll.sealing === 'server' || !c) return <p className="small">{t('polls.sealingServer')}</p>;
  const stage = (m: (typeof c.members)[number]) => (m.decrypted ? 'decrypted' : m.dealt ? 'dealt' : m.committed ? 'committed' : 'waiting');
  return (
    <div className="small">
      <p>
        {t('polls.sealingCommittee', { threshold: c.threshold, members: c.members.length })} · {t(`polls.committeePhase.${c.phase}`)}
      </p>
      {c.failed && (
        <p role="alert" className="error-text">
          <strong>{t('polls.ceremonyFailed', { dealer: c.failed.dealer, name: c.failed.dealerName, by: c.members.find((m) => m.delegateId === c.failed!.by)?.name ?? c.failed.by })}</strong>
        </p>
      )}
      {c.phase === 'decrypting' && (
        <p role="status">
          <strong>{t('polls.decryptedOf', { done: c.members.filter((m) => m.decrypted).length, threshold: c.threshold })}</strong>
        </p>
      )}
      <ul>
        {c.members.map((m) => (
          <li key={m.index}>
            {m.name}: {t(`polls.committeeMember.${stage(m)}`)}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Ballots cast of delegates present (eligible), as a number and a bar; secret polls show only the count. */
export function CastCounter({ poll }: { poll: PollView }) {
  const { t } = useT();
  const electronic = poll.mode === 'electronic' || poll.mode === 'secret';
  if (!electronic) return <p className="hint">{t('polls.manual')}</p>;
  const pct = poll.eligible ? Math.min(100, Math.round((poll.castCount / poll.eligible) * 100)) : 0;
  return (
    <div className="cast">
      <p className="cast-text">
        <strong className="cast-number">{poll.castCount}</strong>/{poll.eligible}{' '}
        <span className="muted">{t(poll.mode === 'secret' ? 'polls.castSecret' : 'polls.cast', { count: poll.castCount, eligible: poll.eligible })}</span>
      </p>
      <div className="bar" aria-hidden="true">
        <div className="bar-fill" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

export function PollClock({ poll }: { poll: PollView }) {
  const { t } = useT();
  const electronic = poll.mode === 'electronic' || poll.mode === 'secret';
  if (poll.closesAt === null) return electronic ? <ClosingLine closesAt={null} /> : <p className="muted small">{t('polls.noDeadline')}</p>;
  return (
    <>
      <Countdown endsAt={poll.closesAt} label={t('polls.closesIn')} size="normal" />
      <ClosingLine closesAt={poll.closesAt} />
    </>
  );
}

/** Public electronic polls, while open: the present delegates who have not pressed a button yet, by name. */
export function NotVoted({ poll }: { poll: PollView }) {
  const view = useView();
  const { t } = useT();
  if (!poll.notVoted) return null;
  const names = new Map((view?.roll ?? []).map((r) => [r.delegateId, `${r.seat ? `${r.seat} · ` : ''}${r.name}`]));
  return (
    <details className="not-voted">
      <summary>{t('polls.notVoted', { count: poll.notVoted.length })}</summary>
      {poll.notVoted.length === 0 ? (
        <p className="muted">{t('polls.notVotedNone')}</p>
      ) : (
        <ul className="name-grid">
          {poll.notVoted.map((id) => (
            <li key={id}>{names.get(id) ?? id}</li>
          ))}
        </ul>
      )}
    </details>
  );
}

export function CloseButton({ poll }: { poll: PollView }) {
  const { t } = useT();
  if (poll.status !== 'open' || (poll.mode !== 'electronic' && poll.mode !== 'secret')) return null;
  return (
    <CommandButton
      type="poll.close"
      payload={{ pollId: poll.pollId }}
      variant="primary"
      confirm={{ title: t('polls.close') }}
      // A secret e-ballot's counts come from the server's sealed box at close (core's prepareCommand refuses them from
      // a client), so the machine on this side can only say "counts required": that part is the server's to fill.
      accept={poll.mode === 'secret' ? SECRET_CLOSE : undefined}
    >
      {t('polls.close')}
    </CommandButton>
  );
}

export function AnnounceButton({ poll }: { poll: PollView }) {
  const { t } = useT();
  if (poll.status !== 'counted') return null;
  return (
    <CommandButton
      type="poll.announce"
      payload={{ pollId: poll.pollId }}
      variant="primary"
      confirm={{ title: t('polls.announceTitle'), body: t('polls.announceBody') }}
    >
      {t('polls.announce')}
    </CommandButton>
  );
}

export function RevoteButton({ poll }: { poll: PollView }) {
  const { t } = useT();
  const base = useAction('poll.revote', { pollId: poll.pollId, newPollId: 'poll-check', reason: 'x' });
  const [open, setOpen] = useState(false);
  if (!base.visible || (poll.status !== 'counted' && poll.status !== 'announced')) return null;
  return (
    <span className="cmd">
      <button
        type="button"
        className="btn"
        aria-disabled={!base.verdict.ok || undefined}
        title={base.verdict.ok ? undefined : base.verdict.message}
        onClick={() => (base.verdict.ok ? setOpen(true) : base.run())}
      >
        {t('polls.revote')}
      </button>
      {open && <RevoteDialog poll={poll} onClose={() => setOpen(false)} />}
    </span>
  );
}

/** A revote's reason (a sentence says it is needed, not a bare label), and what the new round may change. */
function RevoteDialog({ poll, onClose }: { poll: PollView; onClose: () => void }) {
  const { t } = useT();
  const [reason, setReason] = useState('');
  const [duration, setDuration] = useState('');
  const [closing, setClosing] = useState<Closing>(poll.closesAt === null ? 'manual' : 'auto');
  const [rule, setRule] = useState<ThresholdRule | ''>('');
  const reasonId = useId();
  const timed = poll.mode === 'electronic' || poll.mode === 'secret';
  const manual = timed && closing === 'manual';
  const durationSec = !manual && duration.trim() ? Math.round(Number(duration)) : undefined;
  const payload: CommandPayload<'poll.revote'> = {
    pollId: poll.pollId,
    newPollId: 'poll-check',
    reason: reason.trim(),
    ...(durationSec !== undefined && Number.isFinite(durationSec) ? { durationSec } : {}),
    ...(manual ? { manualClose: true } : {}),
    ...(rule ? { rule } : {}),
  };
  const action = useAction('poll.revote', payload, ['newPollId']);
  const missingReason = !reason.trim();
  return (
    <Dialog
      open
      wide
      title={t('polls.revoteTitle')}
      onClose={onClose}
      onSubmit={() => {
        if (action.run()) onClose();
      }}
      submitLabel={t('polls.revote')}
      submitDisabled={missingReason || !action.verdict.ok}
      submitHint={missingReason ? t('polls.revoteReasonNeeded') : action.verdict.message}
    >
      <p className="dialog-text">{t('polls.revoteBody')}</p>
      <label htmlFor={reasonId} className="field">
        <span className="field-label">{t('polls.revoteReasonLabel')}</span>
        <input id={reasonId} className="input" value={reason} maxLength={500} data-autofocus required onChange={(e) => setReason(e.target.value)} />
      </label>
      <p className="hint">{t('polls.revoteSetup')}</p>
      <div className="field-row">
        {poll.kind === 'motion' && <RuleSelect value={rule} onChange={setRule} keep={poll.rule} />}
        <DurationField value={duration} onChange={setDuration} disabled={manual} />
      </div>
      {timed && <ClosingChoice value={closing} onChange={setClosing} />}
    </Dialog>
  );
}

export function CancelButton({ poll }: { poll: PollView }) {
  const { t } = useT();
  if (poll.status !== 'open') return null;
  return (
    <PromptCommandButton
      type="poll.cancel"
      payload={{ pollId: poll.pollId, reason: 'x' }}
      field="reason"
      fieldLabel={t('polls.reason')}
      title={t('polls.cancelTitle')}
      body={t('polls.cancelBody')}
      submitLabel={t('polls.cancel')}
      variant="quiet"
      danger
    >
      {t('polls.cancel')}
    </PromptCommandButton>
  );
}

/** One line for a result: the outcome of a motion, who was elected, how many were rated. */
export function outcome(poll: PollView, t: ReturnType<typeof useT>): string {
  const r = poll.result;
  if (!r) return t.t('polls.nothing');
  switch (r.kind) {
    case 'motion':
      return `${r.outcome} · ${r.lines.yes}`;
    case 'election':
      return t.t('polls.elected', { names: r.electedIds.map((id) => r.names[id] ?? id).join(', ') || t.t('polls.nothing') });
    case 'confidenceRating':
    case 'confidenceVote':
      return t.t('polls.ratingSummary', { count: r.officials.length, flagged: r.officials.filter((o) => o.consequence !== 'none').length });
  }
}
