/**
 * The session's lifecycle and the broadcast, in fixed positions so the chair's hand learns them, and pinned to the
 * top of the window (with the phase) so they never scroll away behind a long list or after a dialog. The machine says
 * which button applies now; a closed sitting and the adjournment mean nothing before the sitting opens, so they are
 * not offered then. Irreversible steps (opening the sitting, a closed sitting, a new sitting, closing the session)
 * ask first; the adjournment lists what is left undone.
 */
import { useView } from '@hall/client-kit/react';
import { useLayoutEffect, useRef } from 'react';
import { useT } from '../i18n.ts';
import { AdjournChecklist } from './AdjournChecklist.tsx';
import { formatTime } from './data.ts';
import { PhaseBadges } from './PhaseBadges.tsx';
import { CommandButton, PromptCommandButton, useRoleMay } from './ui/command.tsx';
import { RecessButton } from './RecessButton.tsx';

/** The side columns stick below the toolbar: they read its height from this property. */
function usePublishedHeight<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const root = document.documentElement;
    const publish = () => root.style.setProperty('--toolbar-h', `${el.offsetHeight}px`);
    publish();
    const observer = new ResizeObserver(publish);
    observer.observe(el);
    return () => {
      observer.disconnect();
      root.style.removeProperty('--toolbar-h');
    };
  });
  return ref;
}

export function Toolbar() {
  const view = useView();
  const { t, k } = useT();
  const isChair = useRoleMay('session.start');
  const ref = usePublishedHeight<HTMLElement>();
  if (!view || !isChair) return null;
  const a = view.attendance;
  const opened = view.phase !== 'scheduled' && view.phase !== 'checkIn';
  return (
    <nav className="toolbar" aria-label={t('lifecycle.label')} ref={ref}>
      <p className="toolbar-status">
        <PhaseBadges view={view} />
      </p>
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
        {!opened ? null : view.closedSitting ? (
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
      {opened && (
        <div className="toolbar-group toolbar-end">
          <CommandButton
            type="session.adjourn"
            payload={{}}
            variant="danger"
            confirm={{
              title: t('lifecycle.confirmAdjournTitle'),
              body: (
                <>
                  <AdjournChecklist view={view} />
                  <p>{k('chair:session.confirmAdjourn')}</p>
                </>
              ),
              danger: true,
            }}
          >
            {k('common:sessionActions.adjourn')}
          </CommandButton>
        </div>
      )}
    </nav>
  );
}
