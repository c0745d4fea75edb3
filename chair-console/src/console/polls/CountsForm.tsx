/**
 * Counts for a show of hands (entered by the secretary) or a paper ballot (reported by the counting committee). The
 * sums shown beside the fields are arithmetic to help the person typing; whether the counts are acceptable is the
 * machine's verdict on the exact `poll.close` payload (core's `countsProblem`), and the server decides again.
 */
import type { PollCounts, PollView } from '@hall/core';
import { useId, useState } from 'react';
import { useT } from '../../i18n.ts';
import { CommandButton } from '../ui/command.tsx';

type Fields = Record<string, string>;

const num = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s.trim()) ? Number(s.trim()) : null);

function build(poll: PollView, f: Fields): PollCounts | null {
  const n = (key: string) => num(f[key]);
  switch (poll.kind) {
    case 'motion': {
      const [yes, no, abstain] = [n('yes'), n('no'), n('abstain')];
      return yes === null || no === null || abstain === null ? null : { kind: 'motion', yes, no, abstain };
    }
    case 'confidenceRating':
    case 'confidenceVote': {
      const issued = n('issued');
      const collected = n('collected');
      if (issued === null || collected === null) return null;
      const officials: Record<string, { valid: number; confidence: number; high?: number; low?: number; noConfidence?: number }> = {};
      for (const o of poll.officials) {
        const valid = n(`${o.id}.valid`);
        const confidence = n(`${o.id}.confidence`);
        if (valid === null || confidence === null) return null;
        if (poll.kind === 'confidenceRating') {
          const high = n(`${o.id}.high`);
          const low = n(`${o.id}.low`);
          if (high === null || low === null) return null;
          officials[o.id] = { valid, high, confidence, low };
        } else {
          const noConfidence = n(`${o.id}.noConfidence`);
          if (noConfidence === null) return null;
          officials[o.id] = { valid, confidence, noConfidence };
        }
      }
      return { kind: poll.kind, issued, collected, officials };
    }
    case 'election': {
      const [issued, collected, valid] = [n('issued'), n('collected'), n('valid')];
      if (issued === null || collected === null || valid === null) return null;
      const votes: Record<string, number> = {};
      for (const c of poll.candidates) {
        const v = n(`vote.${c.id}`);
        if (v === null) return null;
        votes[c.id] = v;
      }
      return { kind: 'election', issued, collected, valid, votes };
    }
  }
}

/** The sum beside the fields; `short` (a table cell) shows "✓ 58 / 58" and gives the sentence to screen readers. */
function Sum({ ok, text, short }: { ok: boolean; text: string; short?: string }) {
  const { t } = useT();
  const full = `${text} — ${ok ? t('polls.sumOk') : t('polls.sumBad')}`;
  return (
    <span className={`sum ${ok ? 'sum-ok' : 'sum-bad'}`}>
      <span aria-hidden="true">{ok ? '✓ ' : '≠ '}</span>
      {short ? (
        <>
          <span aria-hidden="true">{short}</span>
          <span className="hall-sr-only">{full}</span>
        </>
      ) : (
        full
      )}
    </span>
  );
}

export function CountsForm({ poll }: { poll: PollView }) {
  const { t, k } = useT();
  const [f, setF] = useState<Fields>({});
  const formId = useId();
  const counts = build(poll, f);

  const input = (key: string, label: string, hideLabel = false) => (
    <label className={`field count-field${hideLabel ? ' field-bare' : ''}`}>
      <span className={hideLabel ? 'hall-sr-only' : 'field-label'}>{label}</span>
      <input
        className="input input-count"
        type="text"
        inputMode="numeric"
        pattern="[0-9]*"
        autoComplete="off"
        value={f[key] ?? ''}
        aria-invalid={f[key] !== undefined && f[key] !== '' && num(f[key]) === null ? true : undefined}
        onChange={(e) => setF((old) => ({ ...old, [key]: e.target.value }))}
      />
    </label>
  );
  const val = (key: string) => num(f[key]) ?? 0;

  let body;
  if (poll.kind === 'motion') {
    const sum = val('yes') + val('no') + val('abstain');
    body = (
      <>
        <div className="field-row">
          {input('yes', t('polls.yes'))}
          {input('no', t('polls.no'))}
          {input('abstain', t('polls.abstain'))}
        </div>
        <Sum ok={sum <= poll.totalDelegates} text={t('polls.sumMotion', { sum, total: poll.totalDelegates })} />
      </>
    );
  } else if (poll.kind === 'election') {
    const sum = poll.candidates.reduce((a, c) => a + val(`vote.${c.id}`), 0);
    const max = val('valid') * poll.seats;
    body = (
      <>
        <div className="field-row">
          {input('issued', t('polls.issued'))}
          {input('collected', t('polls.collected'))}
          {input('valid', t('polls.valid'))}
        </div>
        <div className="field-row wrap">
          {poll.candidates.map((c) => (
            <span key={c.id}>{input(`vote.${c.id}`, t('polls.votesFor', { name: c.name }))}</span>
          ))}
        </div>
        <Sum ok={sum <= max} text={t('polls.sumElection', { sum, max })} />
      </>
    );
  } else {
    const levels = poll.kind === 'confidenceRating' ? (['high', 'confidence', 'low'] as const) : (['confidence', 'noConfidence'] as const);
    body = (
      <>
        <div className="field-row">
          {input('issued', t('polls.issued'))}
          {input('collected', t('polls.collected'))}
        </div>
        <table className="table counts-table">
          <thead>
            <tr>
              <th scope="col">{t('questioning.respondent')}</th>
              <th scope="col">{t('polls.valid')}</th>
              {levels.map((l) => (
                <th key={l} scope="col">
                  {k(`common:choices.${l}`)}
                </th>
              ))}
              <th scope="col">{t('polls.check')}</th>
            </tr>
          </thead>
          <tbody>
            {poll.officials.map((o) => {
              const valid = val(`${o.id}.valid`);
              const sum = levels.reduce((a, l) => a + val(`${o.id}.${l}`), 0);
              return (
                <tr key={o.id}>
                  <th scope="row">
                    {o.name}
                    <br />
                    <span className="muted small">{o.post}</span>
                  </th>
                  <td>{input(`${o.id}.valid`, `${o.name}: ${t('polls.valid')}`, true)}</td>
                  {levels.map((l) => (
                    <td key={l}>{input(`${o.id}.${l}`, `${o.name}: ${k(`common:choices.${l}`)}`, true)}</td>
                  ))}
                  <td>
                    <Sum ok={sum === valid} text={t('polls.sumOfficial', { sum, valid })} short={`${sum} / ${valid}`} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </>
    );
  }

  return (
    <section className="counts-form" aria-labelledby={formId}>
      <h3 id={formId} className="sub-title">
        {t('polls.counts')}
      </h3>
      <p className="hint">{t('polls.countsHint')}</p>
      {body}
      <div className="form-actions">
        {counts ? (
          <CommandButton
            type="poll.close"
            payload={{ pollId: poll.pollId, counts }}
            variant="primary"
            showReason
            confirm={{ title: t('polls.closeCounts') }}
          >
            {t('polls.closeCounts')}
          </CommandButton>
        ) : (
          <button type="button" className="btn btn-primary" aria-disabled="true">
            {t('polls.closeCounts')}
          </button>
        )}
      </div>
    </section>
  );
}

