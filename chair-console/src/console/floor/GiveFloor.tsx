/**
 * Giving the floor without a request: a delegate, an official (the submitting agency's explanation — giải trình, or
 * a presentation — trình bày tờ trình), or an invited guest.
 */
import type { FloorPurpose, SpeakerRef, SpeechPurpose } from '@hall/core';
import { useView } from '@hall/client-kit/react';
import { useId, useState } from 'react';
import { useT } from '../../i18n.ts';
import { officialsOf } from '../data.ts';
import { useAction } from '../ui/command.tsx';
import { StatusBadge } from '../ui/StatusBadge.tsx';
import { DelegatePicker, useRollDelegates } from './DelegatePicker.tsx';
import { LIMIT_MINUTES } from './limits.ts';

type Kind = SpeakerRef['kind'];
const PURPOSES: SpeechPurpose[] = ['speech', 'secondSpeech', 'debate', 'explanation', 'presentation', 'pointOfOrder'];
/** What each kind of speaker usually does, as a starting point the chair can change. */
const DEFAULT_PURPOSE: Record<Kind, SpeechPurpose> = { delegate: 'speech', official: 'explanation', guest: 'presentation' };

export function GiveFloor() {
  const view = useView();
  const { t, k } = useT();
  // Delegates are who the chair calls most often without a request; officials and guests are a click away.
  const [kind, setKind] = useState<Kind>('delegate');
  const [delegateId, setDelegateId] = useState('');
  const [officialId, setOfficialId] = useState('');
  const [guestName, setGuestName] = useState('');
  const [guestTitle, setGuestTitle] = useState('');
  const [purpose, setPurpose] = useState<FloorPurpose>(DEFAULT_PURPOSE.delegate);
  const [limit, setLimit] = useState<number | null>(null);
  const ids = { kind: useId(), who: useId(), purpose: useId(), limit: useId(), title: useId() };

  const delegates = useRollDelegates();
  const officials = officialsOf(view);

  let speaker: SpeakerRef;
  if (kind === 'delegate') speaker = { kind, id: delegateId || 'none' };
  else if (kind === 'official') speaker = { kind, id: officialId || 'none' };
  else speaker = { kind, name: guestName.trim() || '?', ...(guestTitle.trim() ? { title: guestTitle.trim() } : {}) };
  const chosen = kind === 'delegate' ? !!delegateId : kind === 'official' ? !!officialId : !!guestName.trim();
  const action = useAction('floor.give', { speechId: 'speech-check', speaker, purpose, ...(limit ? { limitSec: limit } : {}) }, ['speechId']);
  if (!action.visible) return null;
  const ok = chosen && action.verdict.ok;

  return (
    <section className="panel panel-flat" aria-labelledby="give-title">
      <h2 id="give-title" className="panel-title">
        {t('floor.give')}
      </h2>
      <form
        className="give-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (ok) action.run();
        }}
      >
        <fieldset className="field">
          <legend className="field-label">{t('floor.giveKind')}</legend>
          <div className="segmented" role="radiogroup">
            {(['delegate', 'official', 'guest'] as const).map((kk) => (
              <label key={kk} className={`segment${kind === kk ? ' is-on' : ''}`}>
                <input
                  type="radio"
                  name={ids.kind}
                  value={kk}
                  checked={kind === kk}
                  onChange={() => {
                    setKind(kk);
                    setPurpose(DEFAULT_PURPOSE[kk]);
                  }}
                />
                {t(`floor.${kk}`)}
              </label>
            ))}
          </div>
        </fieldset>
        {kind === 'delegate' && <DelegatePicker delegates={delegates} value={delegateId} onChange={setDelegateId} />}
        {kind === 'official' && (
          <label className="field">
            <span className="field-label">{t('floor.pickOfficial')}</span>
            <select className="input" value={officialId} onChange={(e) => setOfficialId(e.target.value)}>
              <option value="">{t('floor.choose')}</option>
              {officials.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.fullName} — {o.post}
                </option>
              ))}
            </select>
          </label>
        )}
        {kind === 'guest' && (
          <div className="field-row">
            <label className="field">
              <span className="field-label">{t('floor.guestName')}</span>
              <input className="input" value={guestName} maxLength={120} onChange={(e) => setGuestName(e.target.value)} />
            </label>
            <label className="field">
              <span className="field-label">{t('floor.guestTitle')}</span>
              <input className="input" value={guestTitle} maxLength={200} onChange={(e) => setGuestTitle(e.target.value)} />
            </label>
          </div>
        )}
        <div className="field-row">
          <label className="field">
            <span className="field-label">{t('floor.givePurpose')}</span>
            <select className="input" value={purpose} onChange={(e) => setPurpose(e.target.value as FloorPurpose)}>
              {PURPOSES.map((p) => (
                <option key={p} value={p}>
                  {k(`common:purposes.${p}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">{t('floor.limit')}</span>
            <select className="input" value={limit ?? ''} onChange={(e) => setLimit(e.target.value ? Number(e.target.value) : null)}>
              <option value="">{t('floor.limitDefault')}</option>
              {LIMIT_MINUTES.map((m) => (
                <option key={m} value={m * 60}>
                  {t('floor.limitMinutes', { count: m })}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" aria-disabled={!ok || undefined} title={!action.verdict.ok ? action.verdict.message : undefined}>
            {t('floor.giveSubmit')}
          </button>
          {chosen && !action.verdict.ok && <span className="hint hint-refused">{action.verdict.message}</span>}
          <StatusBadge cmd={action.cmd} />
        </div>
      </form>
    </section>
  );
}
