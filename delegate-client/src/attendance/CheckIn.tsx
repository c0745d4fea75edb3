/**
 * Điểm danh. The big button shows whenever the machine would accept a check-in from this delegate: during the roll
 * call, and later for a late arrival (or after being marked absent). Afterwards the recorded status is shown
 * instead of the button.
 */
import { CommandStatusBadge, useCan, useView } from '@hall/client-kit/react';
import { useId } from 'react';
import { useT } from '../i18n.ts';
import { IconCheck, IconHand } from '../ui/icons.tsx';
import { useSend } from '../ui/useSend.ts';

/** The press itself; also offered on the voting screen when a delegate who is not checked in tries to vote. */
export function CheckInButton({ big = false }: { big?: boolean }) {
  const { t } = useT();
  const view = useView();
  const me = view?.me;
  const { send, last } = useSend();
  const payload = { delegateId: me?.delegateId ?? '', channel: 'hall' as const };
  const can = useCan('attendance.checkIn', payload);
  const canRemote = useCan('attendance.checkIn', { delegateId: me?.delegateId ?? '', channel: 'remote' });
  if (!view || !me) return null;
  const late = view.phase === 'inProgress' || view.phase === 'recess';
  const sending = last?.status.state === 'sending';
  // The machine accepts a repeated check-in; the button is for getting in, so it goes once the delegate is in.
  const inAlready = me.attendance === 'present' || me.attendance === 'remote';
  return (
    <div className="checkin__actions">
      {can.ok && !inAlready ? (
        <button type="button" className={`btn btn--checkin ${big ? 'btn--xxl' : 'btn--xl'}`} disabled={sending} onClick={() => send('attendance.checkIn', payload)}>
          <IconHand size={big ? 48 : 36} />
          <span>{late ? t('checkIn.late') : t('checkIn.button')}</span>
        </button>
      ) : null}
      {canRemote.ok && !inAlready ? (
        <button type="button" className="btn btn--secondary btn--lg" disabled={sending} onClick={() => send('attendance.checkIn', { delegateId: me.delegateId, channel: 'remote' })}>
          {t('checkIn.remote')}
        </button>
      ) : null}
      {last ? <CommandStatusBadge command={last} /> : null}
    </div>
  );
}

export function CheckInCard() {
  const { t, tc } = useT();
  const view = useView();
  const titleId = useId();
  const can = useCan('attendance.checkIn', { delegateId: view?.me?.delegateId ?? '', channel: 'hall' });
  const me = view?.me;
  if (!view || !me) return null;
  const status = me.attendance;
  const checkedIn = status === 'present' || status === 'remote';
  const urgent = view.phase === 'checkIn' && !checkedIn;
  return (
    <section className={`card checkin${urgent ? ' checkin--urgent' : ''}${checkedIn ? ' checkin--done' : ''}`} aria-labelledby={titleId}>
      <h2 id={titleId} className="card__title">
        {t('checkIn.title')}
      </h2>
      {checkedIn ? (
        <p className="checkin__done">
          <IconCheck size={36} />
          <span>{t('checkIn.done', { status: tc(`attendance.${status}`) })}</span>
        </p>
      ) : (
        <p className="checkin__status">{t('checkIn.status', { status: tc(`attendance.${status}`) })}</p>
      )}
      <CheckInButton big={urgent} />
      {!checkedIn && !can.ok && view.phase === 'scheduled' ? <p className="muted">{t('checkIn.notOpen')}</p> : null}
      {status !== 'unknown' ? <p className="muted">{t('checkIn.askSecretary')}</p> : null}
    </section>
  );
}
