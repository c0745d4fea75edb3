/**
 * A commitment in two keystrokes: `c` opens this form already holding the respondent who is speaking (or the one
 * most recently questioned) and their question, the cursor in the content; Enter saves.
 */
import type { SessionView } from '@hall/core';
import { useView } from '@hall/client-kit/react';
import { useId, useState } from 'react';
import { useT } from '../../i18n.ts';
import { officialsOf } from '../data.ts';
import { useAction } from '../ui/command.tsx';
import { DateInput } from '../ui/DateInput.tsx';
import { Dialog } from '../ui/Dialog.tsx';

function guess(view: SessionView | null): { respondentId: string; questionId: string } {
  const s = view?.speaker;
  const questions = view?.questions ?? [];
  const group = view?.questioning?.activeGroup;
  let respondentId = s?.kind === 'official' && s.id ? s.id : '';
  let questionId = s?.questionId ?? '';
  if (!respondentId && questionId) respondentId = questions.find((q) => q.questionId === questionId)?.respondentId ?? '';
  if (!respondentId) {
    // The respondent of the question handled last in this group, else the group's only respondent.
    const recent = [...questions].reverse().find((q) => (q.status === 'answered' || q.status === 'asked') && (!group || group.respondents.some((r) => r.id === q.respondentId)));
    respondentId = recent?.respondentId ?? group?.respondents[0]?.id ?? '';
  }
  if (!questionId && respondentId) {
    questionId = [...questions].reverse().find((q) => q.respondentId === respondentId && (q.status === 'answered' || q.status === 'asked'))?.questionId ?? '';
  }
  return { respondentId, questionId };
}

export function CommitmentDialog({ onClose }: { onClose: () => void }) {
  const view = useView();
  const { t } = useT();
  const [initial] = useState(() => guess(view));
  const [respondentId, setRespondentId] = useState(initial.respondentId);
  const [questionId, setQuestionId] = useState(initial.questionId);
  const [content, setContent] = useState('');
  const [deadline, setDeadline] = useState<string | null>('');
  const [reportAt, setReportAt] = useState('');
  const ids = { who: useId(), q: useId(), content: useId(), hint: useId(), report: useId() };
  const officials = [...officialsOf(view)].sort((a, b) => Number(b.respondent) - Number(a.respondent));
  const questions = (view?.questions ?? []).filter((q) => !respondentId || q.respondentId === respondentId);

  const payload = {
    commitmentId: 'commitment-check',
    respondentId: respondentId || 'none',
    content: content.trim(),
    ...(questionId ? { questionId } : {}),
    ...(deadline ? { deadline } : {}),
    ...(reportAt.trim() ? { reportAt: reportAt.trim() } : {}),
  };
  const action = useAction('commitment.record', payload, ['commitmentId']);
  const ready = !!respondentId && !!content.trim() && deadline !== null && action.verdict.ok;

  return (
    <Dialog
      open
      wide
      title={t('questioning.commitmentTitle')}
      onClose={onClose}
      onSubmit={() => {
        if (ready && action.run()) onClose();
      }}
      submitLabel={t('questioning.save')}
      submitDisabled={!ready}
      submitHint={!content.trim() ? t('questioning.content') : action.verdict.message}
    >
      <div className="field-row">
        <label className="field" htmlFor={ids.who}>
          <span className="field-label">{t('questioning.commitmentWho')}</span>
          <select
            id={ids.who}
            className="input"
            value={respondentId}
            onChange={(e) => {
              setRespondentId(e.target.value);
              setQuestionId('');
            }}
          >
            <option value="">{t('floor.choose')}</option>
            {officials.map((o) => (
              <option key={o.id} value={o.id}>
                {o.fullName} — {o.post}
              </option>
            ))}
          </select>
        </label>
        <label className="field" htmlFor={ids.q}>
          <span className="field-label">{t('questioning.commitmentQuestion')}</span>
          <select id={ids.q} className="input" value={questionId} onChange={(e) => setQuestionId(e.target.value)}>
            <option value="">{t('questioning.noQuestion')}</option>
            {questions.map((q) => (
              <option key={q.questionId} value={q.questionId}>
                {q.asker}: {q.text.slice(0, 80) || q.questionId}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label className="field" htmlFor={ids.content}>
        <span className="field-label">{t('questioning.content')}</span>
        <textarea
          id={ids.content}
          className="input"
          rows={3}
          maxLength={2000}
          value={content}
          data-autofocus
          aria-describedby={ids.hint}
          onChange={(e) => setContent(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              e.currentTarget.form?.requestSubmit();
            }
          }}
        />
        <span id={ids.hint} className="hint">
          {t('questioning.contentHint')}
        </span>
      </label>
      <div className="field-row">
        <DateInput label={t('questioning.deadline')} onChange={setDeadline} />
        <label className="field" htmlFor={ids.report}>
          <span className="field-label">{t('questioning.reportAt')}</span>
          <input id={ids.report} className="input" value={reportAt} maxLength={200} onChange={(e) => setReportAt(e.target.value)} />
        </label>
      </div>
    </Dialog>
  );
}
