/**
 * Đăng ký phát biểu. Three states for the delegate: not registered (choose a purpose, register), registered (place in
 * the queue, withdraw), and speaking (a clear "Bạn đang phát biểu" with the countdown and "Kết thúc phát biểu").
 * Who else is speaking is shown with the kit's SpeakerCard.
 */
import type { SessionView } from '@hall/core';
import { CommandStatusBadge, Countdown, SpeakerCard, useCan, useView } from '@hall/client-kit/react';
import { useEffect, useId, useRef, useState } from 'react';
import { useT } from '../i18n.ts';
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx';
import { IconMic } from '../ui/icons.tsx';
import { newId, useSend } from '../ui/useSend.ts';

const PURPOSES = ['speech', 'secondSpeech', 'debate', 'pointOfOrder'] as const;
type RequestPurpose = (typeof PURPOSES)[number];

/** True when the floor is this delegate's (a speech, a question in questioning, a debate turn). */
export const hasFloor = (view: SessionView | null) =>
  !!view?.speaker && view.speaker.kind === 'delegate' && view.speaker.id === view.me?.delegateId;

/** Big, unmissable: the delegate's own turn, with the time left and the button to end it. */
export function SpeakingNow() {
  const { t, tc } = useT();
  const view = useView();
  const { send, last } = useSend();
  const [confirm, setConfirm] = useState(false);
  const canYield = useCan('floor.yield', {});
  const titleId = useId();
  const ref = useRef<HTMLElement>(null);
  const s = view?.speaker;
  const mine = !!s && hasFloor(view);
  const speechId = mine ? s.speechId : null;
  // The chair has just given this delegate the floor: bring the panel into view and say so to a screen reader.
  useEffect(() => {
    if (!speechId) return;
    ref.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
    ref.current?.focus({ preventScroll: true });
  }, [speechId]);
  if (!s || !mine) return null;
  return (
    <section
      ref={ref}
      tabIndex={-1}
      className={`speaking-now${s.overtime ? ' speaking-now--overtime' : ''}`}
      aria-labelledby={titleId}
      role="region"
    >
      <div className="speaking-now__head">
        <IconMic size={48} />
        <div>
          <h2 id={titleId} className="speaking-now__title">
            {t('floor.youHaveFloor')}
          </h2>
          <p className="speaking-now__purpose">{tc(`purposes.${s.purpose}`)}</p>
        </div>
      </div>
      <Countdown endsAt={s.endsAt} overtime={s.overtime} label={t('floor.timeLeft')} size="large" />
      {s.overtime ? (
        <p className="speaking-now__overtime" role="alert">
          {t('floor.overtime')}
        </p>
      ) : null}
      <button type="button" className="btn btn--danger btn--xl" disabled={!canYield.ok || last?.status.state === 'sending'} onClick={() => setConfirm(true)}>
        {t('floor.yield')}
      </button>
      {last ? <CommandStatusBadge command={last} /> : null}
      <ConfirmDialog
        open={confirm}
        title={t('floor.confirmYield')}
        confirmLabel={t('floor.yield')}
        cancelLabel={tc('actions.cancel')}
        tone="danger"
        onConfirm={() => {
          setConfirm(false);
          send('floor.yield', {});
        }}
        onCancel={() => setConfirm(false)}
      />
    </section>
  );
}

export function FloorPanel() {
  const { t, tc } = useT();
  const view = useView();
  const titleId = useId();
  const { send, last } = useSend();
  const [purpose, setPurpose] = useState<RequestPurpose>('speech');
  // A fresh id per registration: a resend of the same press keeps its id, a new press gets a new one.
  const [requestId, setRequestId] = useState(() => newId('rq'));
  const [confirmWithdraw, setConfirmWithdraw] = useState(false);
  const me = view?.me;
  const canRequest = useCan('floor.request', { requestId, purpose });
  const canWithdraw = useCan('floor.withdraw', { requestId: me?.requestId ?? 'none' });
  if (!view || !me) return null;

  const mine = me.requestId ? view.queue.find((q) => q.requestId === me.requestId) : undefined;
  const sending = last?.status.state === 'sending';
  const speaking = hasFloor(view);

  return (
    <section className="card floor" aria-labelledby={titleId}>
      <h2 id={titleId} className="card__title">
        {t('floor.title')}
      </h2>

      {!speaking ? <SpeakerCard speaker={view.speaker} size="normal" headingLevel={3} className="floor__speaker" /> : null}

      {me.queuePosition !== null ? (
        <div className="floor__queued">
          <p className="floor__position" aria-live="polite">
            {t('floor.position', { position: me.queuePosition })}
          </p>
          <p className="floor__position-of">{t('floor.positionOf', { position: me.queuePosition, total: view.queue.length })}</p>
          {mine ? <p>{t('floor.queued', { purpose: tc(`purposes.${mine.purpose}`) })}</p> : null}
          <button type="button" className="btn btn--secondary btn--lg" disabled={!canWithdraw.ok || sending} onClick={() => setConfirmWithdraw(true)}>
            {t('floor.withdraw')}
          </button>
        </div>
      ) : !speaking ? (
        <form
          className="floor__request"
          onSubmit={(e) => {
            e.preventDefault();
            if (!canRequest.ok || sending) return;
            send('floor.request', { requestId, purpose });
            setRequestId(newId('rq'));
          }}
        >
          <fieldset className="purposes">
            <legend>{t('floor.purposeLegend')}</legend>
            <div className="purposes__grid">
              {PURPOSES.map((p) => (
                <label key={p} className={`purpose${purpose === p ? ' purpose--checked' : ''}`}>
                  <input type="radio" name="purpose" value={p} checked={purpose === p} onChange={() => setPurpose(p)} />
                  <span>{tc(`purposes.${p}`)}</span>
                </label>
              ))}
            </div>
          </fieldset>
          <button type="submit" className="btn btn--primary btn--xl" disabled={!canRequest.ok || sending}>
            <IconMic size={32} />
            <span>{t('floor.request')}</span>
          </button>
          {!canRequest.ok && canRequest.message ? <p className="muted">{t('floor.notNow', { reason: canRequest.message })}</p> : null}
        </form>
      ) : null}
      {last && !speaking ? <CommandStatusBadge command={last} className="badge-line" /> : null}

      <ConfirmDialog
        open={confirmWithdraw}
        title={t('floor.confirmWithdraw')}
        confirmLabel={t('floor.withdraw')}
        cancelLabel={tc('actions.cancel')}
        tone="danger"
        onConfirm={() => {
          setConfirmWithdraw(false);
          if (me.requestId) send('floor.withdraw', { requestId: me.requestId });
        }}
        onCancel={() => setConfirmWithdraw(false)}
      />
    </section>
  );
}
