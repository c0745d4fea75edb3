/**
 * Đăng ký phát biểu. Three states for the delegate: not registered (choose a purpose, register), registered (place in
 * the queue, withdraw), and speaking (SpeakingBanner: "Bạn đang phát biểu" with the countdown and "Kết thúc phát biểu").
 * Who else is speaking is shown with the kit's SpeakerCard.
 */
import type { SessionView } from '@hall/core';
import { CommandStatusBadge, Countdown, SpeakerCard, useCan, useView } from '@hall/client-kit/react';
import { useId, useState } from 'react';
import { useT } from '../i18n.ts';
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx';
import { IconMic } from '../ui/icons.tsx';
import { newId, useSend } from '../ui/useSend.ts';

const PURPOSES = ['speech', 'secondSpeech', 'debate', 'pointOfOrder'] as const;
type RequestPurpose = (typeof PURPOSES)[number];

/** True when the floor is this delegate's (a speech, a question in questioning, a debate turn). */
export const hasFloor = (view: SessionView | null) =>
  !!view?.speaker && view.speaker.kind === 'delegate' && view.speaker.id === view.me?.delegateId;

/**
 * The delegate's own turn, unmissable wherever they are: a banner pinned to the top of every tab (with the tab bar,
 * never under it), at the top of the ballot, and inside the document viewer — "Bạn đang phát biểu", the purpose,
 * the time left and "Kết thúc phát biểu". The floor may come from "Mời phát biểu" or, while questioning, "Mời hỏi".
 */
export function SpeakingBanner({ placement = 'page' }: { placement?: 'page' | 'vote' | 'viewer' }) {
  const { t, tc } = useT();
  const view = useView();
  const { send, last } = useSend();
  const [confirm, setConfirm] = useState(false);
  // The speech the last "Kết thúc phát biểu" was for: its status must not show on the delegate's next turn.
  const [yieldedSpeech, setYieldedSpeech] = useState<string | null>(null);
  const canYield = useCan('floor.yield', {});
  const titleId = useId();
  const s = view?.speaker;
  if (!s || !hasFloor(view)) return null;
  const status = last && yieldedSpeech === s.speechId ? last : null;
  return (
    <section className={`speaking-now speaking-now--${placement}${s.overtime ? ' speaking-now--overtime' : ''}`} aria-labelledby={titleId}>
      <div className="speaking-now__head">
        <IconMic size={40} />
        <div>
          <h2 id={titleId} className="speaking-now__title">
            {t('floor.youHaveFloor')}
          </h2>
          <p className="speaking-now__purpose">{tc(`purposes.${s.purpose}`)}</p>
        </div>
      </div>
      <Countdown endsAt={s.endsAt} overtime={s.overtime} label={t('floor.timeLeft')} size="normal" className="speaking-now__clock" />
      <div className="speaking-now__end">
        <button type="button" className="btn btn--danger btn--lg" disabled={!canYield.ok || status?.status.state === 'sending'} onClick={() => setConfirm(true)}>
          {t('floor.yield')}
        </button>
        {status ? <CommandStatusBadge command={status} /> : null}
      </div>
      {s.overtime ? (
        <p className="speaking-now__overtime" role="alert">
          {t('floor.overtime')}
        </p>
      ) : null}
      <ConfirmDialog
        open={confirm}
        title={t('floor.confirmYield')}
        confirmLabel={t('floor.yield')}
        cancelLabel={tc('actions.cancel')}
        tone="danger"
        onConfirm={() => {
          setConfirm(false);
          setYieldedSpeech(s.speechId);
          send('floor.yield', {});
        }}
        onCancel={() => setConfirm(false)}
      />
    </section>
  );
}

/**
 * Says "Bạn đang phát biểu" to a screen reader when the chair gives this delegate the floor. A polite live region
 * that is always there (a region created with its text is not announced), instead of moving focus: a delegate
 * typing a question keeps their caret, and Enter never lands on "Kết thúc phát biểu" by accident.
 */
export function FloorAnnouncer() {
  const { t } = useT();
  const view = useView();
  return (
    <p className="visually-hidden" role="status">
      {hasFloor(view) ? t('floor.youHaveFloor') : ''}
    </p>
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

      {!speaking ? <SpeakerCard speaker={view.speaker} size="normal" headingLevel={3} className="floor__speaker" /> : <p className="floor__mine">{t('floor.seeBanner')}</p>}

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
