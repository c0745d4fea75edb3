/**
 * The session's lifecycle and the broadcast, in fixed positions so the chair's hand learns them. Every button is
 * always there; the machine says which one applies now. Irreversible steps (opening the sitting, a closed sitting,
 * a new sitting, closing the session) ask first.
 */
import { useView } from '@hall/client-kit/react';
import { useT } from '../i18n.ts';
import { formatTime } from './data.ts';
import { CommandButton, PromptCommandButton, useRoleMay } from './ui/command.tsx';
import { RecessButton } from './RecessButton.tsx';

export function Toolbar() {
  const view = useView();
  const { t, k } = useT();
  const isChair = useRoleMay('session.start');
  if (!view || !isChair) return null;
  const a = view.attendance;
  return (
    <nav className="toolbar" aria-label={t('lifecycle.label')}>
      <div className="toolbar-group">
        <CommandButton type="session.openCheckIn" payload={{}}>
          {k('common:sessionActions.openCheckIn')}
        </CommandButton>
        <CommandButton
          type="session.start"
          payload={{}}
          variant="primary"
          confirm={{
            title: t('lifecycle.confirmStartTitle'),
            body: a ? t('lifecycle.confirmStartBody', { present: a.quorum.counted, total: a.total, percent: a.quorum.percent }) : undefined,
          }}
        >
          {k('common:sessionActions.start')}
        </CommandButton>
        <RecessButton />
        <CommandButton type="session.resume" payload={{}}>
          {k('common:sessionActions.resume')}
        </CommandButton>
        <PromptCommandButton
          type="sitting.begin"
          payload={{ title: 'x' }}
          field="title"
          fieldLabel={t('lifecycle.sittingTitleLabel')}
          initial={k('common:terms.sittingNumber', { number: view.sitting.number + 1 })}
          title={t('lifecycle.newSittingTitle')}
          body={t('lifecycle.newSittingBody')}
        >
          {t('lifecycle.newSitting')}
        </PromptCommandButton>
      </div>
      <div className="toolbar-group">
        {view.closedSitting ? (
          <CommandButton type="sitting.setClosed" payload={{ closed: false }}>
            <span aria-hidden="true">◯ </span>
            {t('lifecycle.openSitting')}
          </CommandButton>
        ) : (
          <CommandButton
            type="sitting.setClosed"
            payload={{ closed: true }}
            confirm={{ title: t('lifecycle.confirmClosedTitle'), body: t('lifecycle.confirmClosedBody') }}
          >
            <span aria-hidden="true">⊘ </span>
            {t('lifecycle.closeSitting')}
          </CommandButton>
        )}
        {view.broadcast.onAir ? (
          <CommandButton type="broadcast.stop" payload={{}} label={t('broadcast.stopLabel')} confirm={{ title: t('broadcast.stopTitle') }} variant="onair">
            <span aria-hidden="true">◉ </span>
            {t('broadcast.stop')}
            {view.broadcast.since !== null && <span className="btn-sub"> · {formatTime(view.broadcast.since)}</span>}
          </CommandButton>
        ) : (
          <CommandButton type="broadcast.start" payload={{}} label={t('broadcast.startLabel')}>
            <span aria-hidden="true">○ </span>
            {t('broadcast.start')}
          </CommandButton>
        )}
      </div>
      <div className="toolbar-group toolbar-end">
        <CommandButton
          type="session.adjourn"
          payload={{}}
          variant="danger"
          confirm={{ title: t('lifecycle.confirmAdjournTitle'), body: k('chair:session.confirmAdjourn'), danger: true }}
        >
          {k('common:sessionActions.adjourn')}
        </CommandButton>
      </div>
    </nav>
  );
}
