/**
 * One minutes document at a time: its free-text parts (the secretary's), the chair's approval, the approved versions
 * with their hashes, and the files. What is not free text (attendance, speeches, results…) is the journal's and is
 * only seen in the files: the editor never shows it as editable.
 */
import { vnDateTime as when, type MinutesDraftText } from '@hall/core';
import { useView } from '@hall/client-kit/react';
import { useEffect, useId, useState } from 'react';
import { useT } from '../../i18n.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { useNotify } from '../ui/notices.tsx';
import { errorText, minutesFileUrl, recordsApi, type SessionRecords } from './api.ts';
import { DownloadButton } from './DownloadButton.tsx';
import type { RecordsAccess } from './RecordsTab.tsx';

const EMPTY: MinutesDraftText = { number: '', place: '', venue: '', chairName: '', secretaryName: '', opening: '', itemNotes: {}, closing: '' };
type Line = 'number' | 'place' | 'venue' | 'chairName' | 'secretaryName';
const LINES: Line[] = ['number', 'place', 'venue', 'chairName', 'secretaryName'];
/** The server's limits (core `MinutesDraftText`), so the field stops where the server would refuse. */
const MAX: Record<Line, number> = { number: 60, place: 100, venue: 300, chairName: 200, secretaryName: 200 };

export function MinutesSection({ access, data, onChanged }: { access: RecordsAccess; data: SessionRecords; onChanged: () => Promise<void> }) {
  const view = useView();
  const { t } = useT();
  const notify = useNotify();
  const [key, setKey] = useState(data.minutes[0]?.key ?? 'session');
  const [text, setText] = useState<MinutesDraftText | null>(null);
  const [saved, setSaved] = useState<string>('');
  const [saving, setSaving] = useState(false);
  const [approving, setApproving] = useState(false);
  const ids = { pick: useId(), opening: useId(), closing: useId() };
  const summary = data.minutes.find((m) => m.key === key) ?? null;
  const approvals = summary?.approvals ?? [];
  const next = approvals.length + 1;
  const dirty = text !== null && JSON.stringify(text) !== saved;
  // Count minutes have no agenda: their free text is the header lines, the opening and the closing.
  const items = key.startsWith('count-') ? [] : (view?.agenda ?? []);

  useEffect(() => {
    let live = true;
    setText(null);
    recordsApi.minutes(access.token, access.sessionId, key).then(
      (d) => {
        if (!live) return;
        const loaded = { ...EMPTY, ...d.text };
        setText(loaded);
        setSaved(JSON.stringify(loaded));
      },
      (err: unknown) => live && notify(t('records.failed', { message: errorText(err) }), 'error'),
    );
    return () => {
      live = false;
    };
  }, [access.token, access.sessionId, key, notify, t]);

  const save = async () => {
    if (!text) return;
    setSaving(true);
    try {
      await recordsApi.saveDraft(access.token, access.sessionId, key, text);
      setSaved(JSON.stringify(text));
      notify(t('records.minutes.saved'));
      await onChanged();
    } catch (err) {
      notify(t('records.failed', { message: errorText(err) }), 'error');
    } finally {
      setSaving(false);
    }
  };
  const approve = async () => {
    setApproving(false);
    try {
      const res = await recordsApi.approve(access.token, access.sessionId, key);
      notify(t('records.minutes.approved', { version: res.approval.version }));
      await onChanged();
    } catch (err) {
      notify(t('records.failed', { message: errorText(err) }), 'error');
    }
  };
  const set = (patch: Partial<MinutesDraftText>) => setText((cur) => (cur ? { ...cur, ...patch } : cur));
  const files = (version: 'draft' | number, what: string) =>
    (['pdf', 'docx'] as const).flatMap((format) =>
      (['internal', 'public'] as const).map((edition) => {
        const visible = t('records.minutes.file', { format: format.toUpperCase(), edition: t(`records.minutes.${edition}`) });
        return (
          <DownloadButton
            key={`${format}-${edition}`}
            token={access.token}
            url={minutesFileUrl(access.sessionId, key, format, version, edition)}
            label={t('records.minutes.fileLabel', { format: format.toUpperCase(), edition: t(`records.minutes.${edition}`), what })}
          >
            {visible}
          </DownloadButton>
        );
      }),
    );

  return (
    <section className="panel panel-flat records-minutes" aria-labelledby="records-minutes-title">
      <h2 id="records-minutes-title" className="panel-title">
        {t('records.minutes.title')}
      </h2>
      <label className="field" htmlFor={ids.pick}>
        <span className="field-label">{t('records.minutes.pick')}</span>
        <select id={ids.pick} className="input" value={key} onChange={(e) => setKey(e.target.value)}>
          {data.minutes.map((m) => (
            <option key={m.key} value={m.key}>
              {m.title} — {m.approvals.length ? t('records.minutes.approvedCount', { count: m.approvals.length }) : t('records.minutes.notApproved')}
            </option>
          ))}
        </select>
      </label>
      <p className="hint">{summary?.draftUpdatedAt ? t('records.minutes.draftSaved', { when: when(summary.draftUpdatedAt) }) : t('records.minutes.draftNever')}</p>

      <div className="row records-files" role="group" aria-label={t('records.minutes.draftFiles')}>
        <span className="field-label">{t('records.minutes.draftFiles')}:</span>
        {files('draft', t('records.minutes.draftWhat'))}
      </div>

      {text && (
        <form
          className="records-draft"
          aria-label={t('records.minutes.draft')}
          onSubmit={(e) => {
            e.preventDefault();
            if (access.canWrite && dirty) void save();
          }}
        >
          <fieldset className="field" disabled={!access.canWrite}>
            <legend className="field-label">{t('records.minutes.freeText')}</legend>
            <div className="field-grid">
              {LINES.map((line) => (
                <LineField
                  key={line}
                  label={t(`records.minutes.${line}`)}
                  value={text[line]}
                  max={MAX[line]}
                  onChange={(v) => set({ [line]: v })}
                  placeholder={line === 'number' ? t('records.minutes.numberHint') : undefined}
                />
              ))}
            </div>
            <label className="field" htmlFor={ids.opening}>
              <span className="field-label">{t('records.minutes.opening')}</span>
              <textarea id={ids.opening} className="input" rows={3} maxLength={5000} value={text.opening} onChange={(e) => set({ opening: e.target.value })} />
            </label>
            {items.map((item) => (
              <NoteField
                key={item.id}
                label={t('records.minutes.itemNote', { title: item.title })}
                value={text.itemNotes[item.id] ?? ''}
                onChange={(v) => set({ itemNotes: { ...text.itemNotes, [item.id]: v } })}
              />
            ))}
            <label className="field" htmlFor={ids.closing}>
              <span className="field-label">{t('records.minutes.closing')}</span>
              <textarea id={ids.closing} className="input" rows={3} maxLength={5000} value={text.closing} onChange={(e) => set({ closing: e.target.value })} />
            </label>
          </fieldset>
          <div className="form-actions">
            {access.canWrite && (
              <button type="submit" className="btn btn-primary" aria-disabled={!dirty || saving || undefined}>
                {saving ? t('records.minutes.saving') : t('records.minutes.save')}
              </button>
            )}
            {dirty && <span className="hint hint-refused">{t('records.minutes.unsaved')}</span>}
            {access.canApprove && (
              <button
                type="button"
                className="btn"
                aria-disabled={dirty || undefined}
                title={dirty ? t('records.minutes.approveUnsaved') : undefined}
                onClick={() => (dirty ? notify(t('records.minutes.approveUnsaved'), 'error') : setApproving(true))}
              >
                {t('records.minutes.approve', { version: next })}
              </button>
            )}
          </div>
        </form>
      )}

      <h3 className="panel-subtitle">{t('records.minutes.versions')}</h3>
      {approvals.length === 0 ? (
        <p className="muted">{t('records.minutes.versionsEmpty')}</p>
      ) : (
        <table className="table records-versions">
          <caption className="hall-sr-only">{t('records.minutes.versions')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('records.minutes.version')}</th>
              <th scope="col">{t('records.minutes.approvedAt')}</th>
              <th scope="col">{t('records.minutes.sha')}</th>
              <th scope="col">{t('records.minutes.download')}</th>
            </tr>
          </thead>
          <tbody>
            {[...approvals].reverse().map((a) => (
              <tr key={a.version}>
                <td className="strong">{a.version}</td>
                <td>
                  {when(a.at)}
                  <br />
                  <span className="muted small">{a.by}</span>
                </td>
                <td>
                  <code className="hash" title={t('records.minutes.sha')}>
                    {a.sha256}
                  </code>
                  <br />
                  <span className="muted small">{t('records.minutes.publicSha')}: </span>
                  <code className="hash">{a.publicSha256}</code>
                </td>
                <td className="records-files">{files(a.version, t('records.minutes.versionN', { version: a.version }))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {approving && (
        <Dialog
          open
          title={t('records.minutes.approveTitle')}
          onClose={() => setApproving(false)}
          onSubmit={() => void approve()}
          submitLabel={t('records.minutes.approve', { version: next })}
        >
          <p>
            <strong>{summary?.title}</strong>
          </p>
          <p>{t('records.minutes.approveBody', { version: next })}</p>
        </Dialog>
      )}
    </section>
  );
}

function LineField({ label, value, max, onChange, placeholder }: { label: string; value: string; max: number; onChange: (v: string) => void; placeholder?: string | undefined }) {
  const id = useId();
  return (
    <label className="field" htmlFor={id}>
      <span className="field-label">{label}</span>
      <input id={id} className="input" value={value} maxLength={max} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}

function NoteField({ label, value, onChange }: { label: string; value: string; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <label className="field" htmlFor={id}>
      <span className="field-label">{label}</span>
      <textarea id={id} className="input" rows={2} maxLength={20_000} value={value} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}
