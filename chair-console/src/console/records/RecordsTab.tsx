/**
 * "Biên bản / Hồ sơ": the paperwork of the session, all derived from its journal by the server (docs/records.md).
 * The secretary edits the free-text parts of a minutes draft, the chair approves it (an immutable version whose
 * SHA-256 enters the journal), both download the minutes, count minutes and exports, keep the counting committee and
 * the commitments register, and read the statistics. The server decides who may do what (writers: chair and
 * secretary; approval: the chair); the console only leaves out what the role may never do.
 */
import { useView } from '@hall/client-kit/react';
import { useCallback, useEffect, useState } from 'react';
import type { Auth } from '../../auth-store.ts';
import { useT, type Key } from '../../i18n.ts';
import { errorText, recordsApi, type SessionRecords } from './api.ts';
import { CommitteeSection } from './CommitteeSection.tsx';
import { ExportsSection } from './ExportsSection.tsx';
import { MinutesSection } from './MinutesSection.tsx';
import { RegisterSection } from './RegisterSection.tsx';
import { StatisticsSection } from './StatisticsSection.tsx';

const SECTIONS = ['minutes', 'committee', 'exports', 'register', 'statistics'] as const;
type Section = (typeof SECTIONS)[number];

export interface RecordsAccess {
  token: string;
  sessionId: string;
  /** Chair and secretary edit drafts, the committee and follow-ups. */
  canWrite: boolean;
  /** Only the chair approves minutes. */
  canApprove: boolean;
}

export function RecordsTab({ auth }: { auth: Auth }) {
  const view = useView();
  const { t } = useT();
  const [section, setSection] = useState<Section>('minutes');
  const [data, setData] = useState<SessionRecords | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sessionId = view?.sessionId ?? '';
  const role = auth.claims.role;
  const access: RecordsAccess = { token: auth.token, sessionId, canWrite: role === 'chair' || role === 'secretary', canApprove: role === 'chair' };

  const reload = useCallback(async () => {
    if (!sessionId) return;
    try {
      setData(await recordsApi.session(auth.token, sessionId));
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }, [auth.token, sessionId]);

  // The record follows the journal: a new approval (or anything journaled) is a reason to read it again, but not
  // every ballot — the seq moves with each, so only the paperwork and the sitting count trigger a reload here.
  const approvals = view?.paperwork?.approvals.length ?? 0;
  const sitting = view?.sitting.number ?? 0;
  const announced = view?.polls.filter((p) => p.status === 'announced').length ?? 0;
  useEffect(() => {
    void reload();
  }, [reload, approvals, sitting, announced]);

  return (
    <div className="records" aria-label={t('records.label')}>
      <div className="records-head">
        <nav className="segmented records-nav" aria-label={t('records.label')}>
          {SECTIONS.map((s) => (
            <button key={s} type="button" className={`segment${section === s ? ' is-on' : ''}`} aria-current={section === s ? 'true' : undefined} onClick={() => setSection(s)}>
              {t(`records.sections.${s}` as Key)}
            </button>
          ))}
        </nav>
        <button type="button" className="btn btn-small btn-quiet" onClick={() => void reload()}>
          ↻ {t('records.refresh')}
        </button>
      </div>
      {!access.canWrite && <p className="banner banner-info">{t('records.readOnly')}</p>}
      {error && (
        <p role="alert" className="error-text">
          {t('records.failed', { message: error })}
        </p>
      )}
      {!data && !error && <p aria-busy="true">{t('records.loading')}</p>}
      {data && section === 'minutes' && <MinutesSection access={access} data={data} onChanged={reload} />}
      {section === 'committee' && <CommitteeSection />}
      {section === 'exports' && <ExportsSection access={access} />}
      {section === 'register' && view && <RegisterSection access={access} councilId={view.council.id} />}
      {data && section === 'statistics' && <StatisticsSection stats={data.statistics} />}
    </div>
  );
}
