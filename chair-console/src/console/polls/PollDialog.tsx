/**
 * Setting up a vote on the current item. Which kinds and modes are offered is asked of the machine with a probe
 * payload per choice (confidence ballots must be secret, elections cannot be public, commune councils may have
 * confidence ratings switched off), so the dialog never offers what the server would refuse for that reason.
 */
import { type CommandPayload, type PollKind, type PollMode, type ThresholdRule } from '@hall/core';
import { can } from '@hall/client-kit';
import { useHall, useView } from '@hall/client-kit/react';
import { useEffect, useId, useMemo, useState } from 'react';
import { useT } from '../../i18n.ts';
import { newId } from '../../ids.ts';
import { currentItem, officialsOf, profileOf } from '../data.ts';
import { useAction } from '../ui/command.tsx';
import { Dialog } from '../ui/Dialog.tsx';
import { ClosingChoice, DurationField, RuleSelect, type Closing } from './PollTiming.tsx';

const KINDS: PollKind[] = ['motion', 'confidenceRating', 'confidenceVote', 'election'];
const MODES: PollMode[] = ['electronic', 'secret', 'hands', 'paper'];
/** Refusals that are about the kind/mode combination itself, not about the moment (quorum, an open poll…). */
const SETUP_REASONS = new Set(['SECRET_NEEDS_SECRECY', 'BAD_POLL', 'CONFIDENCE_DISABLED']);
/** Why the counting committee cannot seal a poll: nobody of it present, or a ballot that is not one-of-n. */
const COMMITTEE_REASONS = new Set(['NO_COMMITTEE', 'COMMITTEE_UNSUPPORTED']);

interface Candidate {
  id: string;
  name: string;
}

export function PollDialog({ onClose }: { onClose: () => void }) {
  const view = useView();
  const client = useHall();
  const { t, k } = useT();
  const item = currentItem(view);
  const officials = officialsOf(view);
  const ratable = useMemo(() => officials.filter((o) => o.ratable).map((o) => o.id), [officials]);
  const [subject, setSubject] = useState(item?.title ?? '');
  const [kind, setKind] = useState<PollKind>(item?.kind === 'confidence' ? 'confidenceRating' : item?.kind === 'election' ? 'election' : 'motion');
  const [mode, setMode] = useState<PollMode>('electronic');
  const [rule, setRule] = useState<ThresholdRule>('more-than-half');
  const [duration, setDuration] = useState('');
  const [closing, setClosing] = useState<Closing>('auto');
  const [officialIds, setOfficialIds] = useState<string[]>(ratable);
  const [candidates, setCandidates] = useState<Candidate[]>([{ id: newId('cand'), name: '' }]);
  const [seats, setSeats] = useState(1);
  /** Secret e-ballots: encrypted on the tablets to the counting committee's key, or sealed by the server. */
  const [byCommittee, setByCommittee] = useState(false);
  const ids = { subject: useId(), kind: useId(), mode: useId(), seats: useId(), sealing: useId() };

  // The machine's verdict on a kind/mode pair with the rest of the setup filled in plausibly.
  const setupRefusal = (kk: PollKind, mm: PollMode, sealing?: 'committee'): string | null => {
    const probe: Record<string, unknown> = { pollId: 'poll-probe', subject: 'probe', kind: kk, mode: mm, ...(sealing ? { sealing } : {}) };
    if (kk === 'confidenceRating' || kk === 'confidenceVote') probe.officialIds = officials[0] ? [officials[0].id] : ['none'];
    if (kk === 'election') probe.candidates = [{ id: 'probe', name: 'probe' }];
    const v = can(view, client.actor, 'poll.open', probe, client.serverNow());
    return !v.ok && v.reason && (SETUP_REASONS.has(v.reason) || (sealing && COMMITTEE_REASONS.has(v.reason))) ? v.message : null;
  };
  const modeRefusals = MODES.map((m) => setupRefusal(kind, m));
  const kindRefusals = KINDS.map((kk) => {
    const reasons = MODES.map((m) => setupRefusal(kk, m));
    return reasons.every((r) => r !== null) ? reasons[0]! : null;
  });

  // A kind that accepts fewer modes moves the mode to one it accepts (confidence → secret).
  useEffect(() => {
    if (modeRefusals[MODES.indexOf(mode)] === null) return;
    const first = MODES.find((_, i) => modeRefusals[i] === null);
    if (first) setMode(first);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [kind, modeRefusals.join('|')]);

  const confidence = kind === 'confidenceRating' || kind === 'confidenceVote';
  // Only electronic ballots have a clock the server acts on; counts of hands and paper are always entered by people.
  const timed = mode === 'electronic' || mode === 'secret';
  const manual = timed && closing === 'manual';
  const durationSec = !manual && duration.trim() ? Math.round(Number(duration)) : undefined;
  const named = candidates.filter((c) => c.name.trim());
  // Why the counting committee cannot seal this poll (no member present, an election), asked of the machine.
  const committeeRefusal = mode === 'secret' ? setupRefusal(kind, 'secret', 'committee') : null;
  const committee = mode === 'secret' && byCommittee && committeeRefusal === null;
  const payload: CommandPayload<'poll.open'> = {
    pollId: 'poll-check',
    subject: subject.trim(),
    kind,
    mode,
    ...(committee ? { sealing: 'committee' as const } : {}),
    ...(view?.currentItemId ? { itemId: view.currentItemId } : {}),
    ...(kind === 'motion' ? { rule } : {}),
    ...(durationSec !== undefined && Number.isFinite(durationSec) ? { durationSec } : {}),
    ...(manual ? { manualClose: true } : {}),
    ...(confidence ? { officialIds } : {}),
    ...(kind === 'election' ? { candidates: named.map((c) => ({ id: c.id, name: c.name.trim() })), seats } : {}),
  };
  const action = useAction('poll.open', payload, ['pollId']);

  return (
    <Dialog
      open
      wide
      title={t('polls.dialogTitle')}
      onClose={onClose}
      onSubmit={() => {
        if (action.run()) onClose();
      }}
      submitLabel={t('polls.open')}
      submitDisabled={!action.verdict.ok}
      submitHint={action.verdict.message}
    >
      <label className="field" htmlFor={ids.subject}>
        <span className="field-label">{t('polls.subject')}</span>
        <input id={ids.subject} className="input" value={subject} maxLength={500} data-autofocus onChange={(e) => setSubject(e.target.value)} />
      </label>
      <div className="field-row">
        <label className="field" htmlFor={ids.kind}>
          <span className="field-label">{t('polls.kind')}</span>
          <select id={ids.kind} className="input" value={kind} onChange={(e) => setKind(e.target.value as PollKind)}>
            {KINDS.map((kk, i) => (
              <option key={kk} value={kk} disabled={kindRefusals[i] !== null}>
                {k(`common:pollKinds.${kk}`)}
                {kindRefusals[i] ? ` — ${kindRefusals[i]}` : ''}
              </option>
            ))}
          </select>
        </label>
        <label className="field" htmlFor={ids.mode}>
          <span className="field-label">{t('polls.mode')}</span>
          <select id={ids.mode} className="input" value={mode} onChange={(e) => setMode(e.target.value as PollMode)}>
            {MODES.map((m, i) => (
              <option key={m} value={m} disabled={modeRefusals[i] !== null}>
                {k(`common:pollModes.${m}`)}
                {modeRefusals[i] ? ` ${t('polls.modeRefused')}` : ''}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="field-row">
        {kind === 'motion' && <RuleSelect value={rule} onChange={(r) => r && setRule(r)} />}
        <DurationField value={duration} onChange={setDuration} disabled={manual} />
      </div>
      {mode === 'secret' && (
        <label className="check" htmlFor={ids.sealing}>
          <input id={ids.sealing} type="checkbox" checked={committee} disabled={committeeRefusal !== null} onChange={(e) => setByCommittee(e.target.checked)} />
          <span>
            {t('polls.sealingChoice')}
            {committeeRefusal ? <span className="muted"> — {committeeRefusal}</span> : null}
          </span>
        </label>
      )}
      {timed && <ClosingChoice value={closing} onChange={setClosing} />}
      {confidence && (
        <fieldset className="field">
          <legend className="field-label">
            {t('polls.officials')} ({officialIds.length})
          </legend>
          <p className="hint">{t('polls.officialsHint')}</p>
          <div className="check-grid">
            {officials.map((o) => (
              <label key={o.id} className="check">
                <input
                  type="checkbox"
                  checked={officialIds.includes(o.id)}
                  onChange={(e) => setOfficialIds((list) => (e.target.checked ? [...list, o.id] : list.filter((x) => x !== o.id)))}
                />
                <span>
                  {o.fullName} <span className="muted">— {o.post}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
      )}
      {kind === 'election' && (
        <fieldset className="field">
          <legend className="field-label">{t('polls.candidates')}</legend>
          <ol className="candidate-list">
            {candidates.map((c, i) => (
              <li key={c.id} className="row">
                <input
                  className="input"
                  aria-label={t('polls.candidateName', { n: i + 1 })}
                  value={c.name}
                  maxLength={120}
                  onChange={(e) => setCandidates((list) => list.map((x) => (x.id === c.id ? { ...x, name: e.target.value } : x)))}
                />
                <button
                  type="button"
                  className="btn btn-small btn-quiet"
                  aria-label={t('polls.removeCandidate', { n: i + 1 })}
                  onClick={() => setCandidates((list) => list.filter((x) => x.id !== c.id))}
                  disabled={candidates.length === 1}
                >
                  ×
                </button>
              </li>
            ))}
          </ol>
          <div className="row">
            <button type="button" className="btn btn-small" onClick={() => setCandidates((list) => [...list, { id: newId('cand'), name: '' }])}>
              + {t('polls.addCandidate')}
            </button>
            <label className="field field-inline" htmlFor={ids.seats}>
              <span className="field-label">{t('polls.seats')}</span>
              <input
                id={ids.seats}
                className="input input-narrow"
                type="number"
                min={1}
                max={100}
                value={seats}
                onChange={(e) => setSeats(Math.max(1, Math.round(Number(e.target.value) || 1)))}
              />
            </label>
          </div>
        </fieldset>
      )}
    </Dialog>
  );
}
