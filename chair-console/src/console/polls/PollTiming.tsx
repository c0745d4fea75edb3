/**
 * How long a vote runs and who ends it, said in words at creation, at a revote and on the chair's card: an electronic
 * vote closes itself at its deadline unless the chair chose to close it by hand (`manualClose`, no deadline).
 */
import { THRESHOLD_RULES, type ThresholdRule } from '@hall/core';
import { useView } from '@hall/client-kit/react';
import { useId } from 'react';
import { useT } from '../../i18n.ts';
import { formatTime, profileOf } from '../data.ts';

export type Closing = 'auto' | 'manual';

export function DurationField({ value, onChange, disabled }: { value: string; onChange: (v: string) => void; disabled?: boolean }) {
  const view = useView();
  const { t } = useT();
  const id = useId();
  const sec = profileOf(view)?.defaultPollSeconds ?? 60;
  return (
    <label className="field" htmlFor={id}>
      <span className="field-label">{t('polls.duration')}</span>
      <input
        id={id}
        className="input"
        type="number"
        inputMode="numeric"
        min={10}
        max={3600}
        step={10}
        value={disabled ? '' : value}
        disabled={disabled}
        placeholder={disabled ? '—' : String(sec)}
        onChange={(e) => onChange(e.target.value)}
      />
      <span className="hint">{t('polls.durationHint', { sec })}</span>
    </label>
  );
}

export function ClosingChoice({ value, onChange }: { value: Closing; onChange: (v: Closing) => void }) {
  const { t } = useT();
  const name = useId();
  return (
    <fieldset className="field">
      <legend className="field-label">{t('polls.closing')}</legend>
      <div className="segmented" role="radiogroup">
        {(['auto', 'manual'] as const).map((c) => (
          <label key={c} className={`segment${value === c ? ' is-on' : ''}`}>
            <input type="radio" name={name} value={c} checked={value === c} onChange={() => onChange(c)} />
            {t(c === 'auto' ? 'polls.closingAuto' : 'polls.closingManual')}
          </label>
        ))}
      </div>
      <span className="hint">{t(value === 'auto' ? 'polls.closingAutoHint' : 'polls.closingManualHint')}</span>
    </fieldset>
  );
}

/** A motion's threshold; `keep` offers "as in the previous round" (a revote) as the first, empty choice. */
export function RuleSelect({ value, onChange, keep }: { value: ThresholdRule | ''; onChange: (r: ThresholdRule | '') => void; keep?: ThresholdRule }) {
  const { t, k } = useT();
  const id = useId();
  return (
    <label className="field" htmlFor={id}>
      <span className="field-label">{t('polls.rule')}</span>
      <select id={id} className="input" value={value} onChange={(e) => onChange(e.target.value as ThresholdRule | '')}>
        {keep && <option value="">{t('polls.sameRule', { rule: k(`common:rules.${keep}`) })}</option>}
        {THRESHOLD_RULES.filter((r) => r !== keep).map((r) => (
          <option key={r} value={r}>
            {k(`common:rules.${r}`)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The card's line under the countdown: when and how this vote ends. */
export function ClosingLine({ closesAt }: { closesAt: number | null }) {
  const { t } = useT();
  return <p className="small closing-line">{closesAt === null ? t('polls.manualClose') : t('polls.autoAt', { time: formatTime(closesAt, true) })}</p>;
}
