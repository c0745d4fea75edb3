/** What the phase means for the chair right now, and the closed-sitting and quorum warnings — in words, not colour. */
import { useView } from '@hall/client-kit/react';
import { useT } from '../i18n.ts';
import { profileOf } from './data.ts';

export function PhaseBanner() {
  const view = useView();
  const { t } = useT();
  if (!view) return null;
  const lines: { key: string; text: string; tone: 'info' | 'warn' | 'closed' }[] = [];
  if (view.phase === 'scheduled') lines.push({ key: 'p', text: t('phase.scheduled'), tone: 'info' });
  if (view.phase === 'checkIn') lines.push({ key: 'p', text: t('phase.checkIn'), tone: 'info' });
  if (view.phase === 'recess') lines.push({ key: 'p', text: t('phase.recess'), tone: 'warn' });
  if (view.phase === 'adjourned') lines.push({ key: 'p', text: t('phase.adjourned'), tone: 'info' });
  if (view.closedSitting) lines.push({ key: 'c', text: t('phase.closed'), tone: 'closed' });
  // Where the council's rules only warn about quorum, the machine lets the chair go on: the console must say it.
  const q = view.attendance?.quorum;
  if (q && !q.met && profileOf(view)?.quorumEnforcement === 'warn' && (view.phase === 'inProgress' || view.phase === 'checkIn')) {
    lines.push({ key: 'q', text: t('phase.quorumWarn', { counted: q.counted, required: q.required }), tone: 'warn' });
  }
  if (!lines.length) return null;
  return (
    <div className="phase-banners">
      {lines.map((l) => (
        <p key={l.key} className={`banner banner-${l.tone}`} role={l.tone === 'warn' ? 'alert' : undefined}>
          <span aria-hidden="true">{l.tone === 'closed' ? '⊘ ' : l.tone === 'warn' ? '⚠ ' : 'ℹ '}</span>
          {l.text}
        </p>
      ))}
    </div>
  );
}
