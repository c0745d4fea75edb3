/**
 * Committee ballots on the delegate tablet (docs/committee-ballots.md): the note that says how this secret ballot is
 * sealed, the "Ban kiểm phiếu" panel of a counting-committee member (the key ceremony runs by itself on the member's
 * tablet; decrypting waits for the member's "Xác nhận giải mã"), and the voter's receipt with its check on the public
 * board once the result is announced. The steps themselves are client-kit's `advanceMember`; this file only runs them
 * and says where they are.
 */
import type { PollView } from '@hall/core';
import { advanceMember, fetchBoard, receiptOnBoard, shortReceipt, storedReceipt, type CommitteeBoard, type MemberCommand, type MemberStep } from '@hall/client-kit';
import { useHall } from '@hall/client-kit/react';
import { useEffect, useId, useRef, useState } from 'react';
import { useT } from '../i18n.ts';
import { IconCheck, IconLock, IconWarning } from '../ui/icons.tsx';
import { useBallots } from './ballots.tsx';

const RETRY_MS = 3000;

/** The poll's public board, fetched again whenever the committee's progress or the ballot count changes. */
function useBoard(sessionId: string | null, poll: PollView, wanted: boolean): { board: CommitteeBoard | null; failed: boolean } {
  const c = poll.committee;
  const signature = c ? `${poll.pollId}|${c.phase}|${poll.castCount}|${c.members.map((m) => `${+m.committed}${+m.dealt}${+m.decrypted}`).join('')}` : '';
  const [state, setState] = useState<{ signature: string; board: CommitteeBoard | null; failed: boolean }>({ signature: '', board: null, failed: false });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!wanted || !sessionId || !signature) return;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    fetchBoard(sessionId, poll.pollId, { signal: abort.signal }).then(
      (board) => setState({ signature, board, failed: false }),
      (err: Error) => {
        if (err.name === 'AbortError') return;
        // Another node may be serving the session (503), or the network blinked: try again shortly.
        setState((s) => ({ ...s, failed: true }));
        timer = setTimeout(() => setAttempt((n) => n + 1), RETRY_MS);
      },
    );
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [sessionId, poll.pollId, signature, wanted, attempt]);
  return { board: state.signature === signature ? state.board : null, failed: state.failed };
}

/** Under the poll's title: how this secret ballot is sealed, and that it waits for the committee's key. */
export function SealingNote({ poll }: { poll: PollView }) {
  const { t } = useT();
  if (poll.sealing !== 'committee' || !poll.committee) return null;
  const c = poll.committee;
  return (
    <div className="vote__sealing">
      <p className="vote__mode">
        <IconLock size={20} /> <span>{t('committee.sealing', { k: c.threshold, n: c.members.length })}</span>
      </p>
      {c.phase === 'ceremony' ? (
        <p className="banner banner--info" role="status">
          {t('committee.ceremonyWait', { done: c.members.filter((m) => m.dealt).length, n: c.members.length })}
        </p>
      ) : null}
    </div>
  );
}

/** A committee member's tablet: runs the member's steps and shows the whole committee's progress. */
export function CommitteePanel({ poll }: { poll: PollView }) {
  const client = useHall();
  const me = client.actor?.id ?? null;
  const member = poll.committee?.members.find((m) => m.delegateId === me);
  if (!poll.committee || !member || !me) return null;
  return <MemberPanel poll={poll} delegateId={me} />;
}

function MemberPanel({ poll, delegateId }: { poll: PollView; delegateId: string }) {
  const { t } = useT();
  const client = useHall();
  const titleId = useId();
  const c = poll.committee!;
  const allCommitted = c.members.every((m) => m.committed);
  const { board, failed } = useBoard(client.sessionId, poll, allCommitted);
  const [confirmed, setConfirmed] = useState(false);
  const [step, setStep] = useState<MemberStep | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  /** Steps this tablet has sent for this poll: each is sent once (a re-render must not send it again). */
  const sent = useRef(new Set<string>());

  useEffect(() => {
    // After a paint, so "Đang giải mã…" shows before the tablet is busy computing.
    const timer = setTimeout(() => {
      let result: { status: MemberStep; command?: MemberCommand };
      try {
        result = advanceMember({ poll, delegateId, storage: localStorage, board, confirmDecrypt: confirmed });
      } catch (err) {
        setProblem(t('committee.failed', { reason: (err as Error).message }));
        setBusy(false);
        return;
      }
      setStep(result.status);
      const command = result.command;
      const key = command ? `${poll.pollId}:${command.type}` : '';
      if (!command || sent.current.has(key)) {
        setBusy(false);
        return;
      }
      sent.current.add(key);
      const pending = client.send(command.type, command.payload as never);
      void pending.done.then((status) => {
        setBusy(false);
        if (status.state === 'refused') setProblem(t('committee.refused', { message: status.message }));
      });
    }, 30);
    return () => clearTimeout(timer);
  }, [client, poll, delegateId, board, confirmed, t]);

  const decrypted = c.members.filter((m) => m.decrypted).length;
  const where = step?.step ?? 'none';
  return (
    <section className="card committee" aria-labelledby={titleId}>
      <h3 id={titleId} className="card__title">
        {t('committee.title')}
      </h3>
      <p className="committee__lead">{t('committee.lead', { k: c.threshold, n: c.members.length })}</p>
      <ol className="committee__members">
        {c.members.map((m) => (
          <li key={m.index} className={m.delegateId === delegateId ? 'committee__me' : undefined}>
            <span className="committee__name">
              {m.index}. {m.name}
            </span>
            <span className="committee__marks">
              {m.committed ? t('committee.committed') : t('committee.notCommitted')} · {m.dealt ? t('committee.dealt') : t('committee.notDealt')}
              {c.phase === 'decrypting' || c.phase === 'done' ? ` · ${m.decrypted ? t('committee.decrypted') : t('committee.notDecrypted')}` : ''}
            </span>
          </li>
        ))}
      </ol>
      {step?.step === 'badShare' || step?.step === 'lost' ? (
        <p className="banner banner--warning" role="alert">
          <IconWarning size={24} /> {step.message}
        </p>
      ) : (
        <p className="committee__status" role="status" aria-live="polite">
          {busy ? t('committee.decrypting') : t(`committee.step.${where}`)}
        </p>
      )}
      {failed ? <p className="muted">{t('committee.boardRetry')}</p> : null}
      {problem ? (
        <p className="banner banner--warning" role="alert">
          {problem}
        </p>
      ) : null}
      {c.phase === 'decrypting' ? (
        <>
          <p className="committee__progress">{t('committee.threshold', { done: decrypted, k: c.threshold })}</p>
          <p className="muted">{t('committee.belowThreshold', { k: c.threshold })}</p>
          {where === 'confirmDecrypt' && !confirmed ? (
            <button
              type="button"
              className="btn btn--primary btn--xl"
              onClick={() => {
                setBusy(true);
                setConfirmed(true);
              }}
            >
              {t('committee.confirm')}
            </button>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

/** The voter's receipt: its short form, a copy button, and — once announced — the check on the public board. */
export function ReceiptCard({ poll }: { poll: PollView }) {
  const { t } = useT();
  const client = useHall();
  const ballots = useBallots();
  const titleId = useId();
  const me = client.actor?.id;
  const [copied, setCopied] = useState(false);
  const [check, setCheck] = useState<'idle' | 'checking' | 'found' | 'missing' | 'failed'>('idle');
  // Read on every render: the track's change after the cast re-renders this with the receipt just stored.
  void ballots.track(poll.pollId);
  const receipt = poll.sealing === 'committee' && me ? storedReceipt(poll, me) : null;
  if (!receipt) return null;

  const verify = async () => {
    setCheck('checking');
    try {
      const board = client.sessionId ? await fetchBoard(client.sessionId, poll.pollId) : null;
      setCheck(board && receiptOnBoard(board, receipt) ? 'found' : 'missing');
    } catch {
      setCheck('failed');
    }
  };

  return (
    <section className="card receipt" aria-labelledby={titleId}>
      <h3 id={titleId} className="card__title">
        {t('committee.receiptTitle')}
      </h3>
      <p className="receipt__code">
        <span className="muted">{t('committee.receiptCode')}: </span>
        <code>{shortReceipt(receipt)}</code>
      </p>
      <p className="muted">{t('committee.receiptNote')}</p>
      <button
        type="button"
        className="btn"
        onClick={() => {
          void navigator.clipboard?.writeText(receipt).then(
            () => setCopied(true),
            () => setCopied(false),
          );
        }}
      >
        {copied ? t('committee.copied') : t('committee.copy')}
      </button>
      {poll.status === 'announced' ? (
        <button type="button" className="btn btn--primary" onClick={() => void verify()} disabled={check === 'checking'}>
          {t('committee.check')}
        </button>
      ) : null}
      {check === 'found' ? (
        <p className="banner banner--success" role="status">
          <IconCheck size={24} /> {t('committee.found')}
        </p>
      ) : check === 'missing' ? (
        <p className="banner banner--warning" role="alert">
          {t('committee.missing')}
        </p>
      ) : check === 'failed' ? (
        <p className="banner banner--warning" role="alert">
          {t('committee.checkFailed')}
        </p>
      ) : check === 'checking' ? (
        <p role="status">{t('committee.checking')}</p>
      ) : null}
    </section>
  );
}
