/** Exports of the session record (XLSX, CSV per table, open-data JSON), internal or public edition. */
import { tableNames } from '@hall/core';
import { useId, useState } from 'react';
import { useT, type Key } from '../../i18n.ts';
import { exportUrl } from './api.ts';
import { DownloadButton } from './DownloadButton.tsx';
import type { RecordsAccess } from './RecordsTab.tsx';

export function ExportsSection({ access }: { access: RecordsAccess }) {
  const { t } = useT();
  const [edition, setEdition] = useState<'internal' | 'public'>('internal');
  const editionId = useId();
  const url = (format: 'xlsx' | 'csv' | 'json', table?: string) => exportUrl(access.sessionId, format, edition, table);
  return (
    <section className="panel panel-flat" aria-labelledby="records-exports-title">
      <h2 id="records-exports-title" className="panel-title">
        {t('records.exports.title')}
      </h2>
      <p className="hint">{t('records.exports.intro')}</p>
      <label className="field field-inline" htmlFor={editionId}>
        <span className="field-label">{t('records.exports.edition')}</span>
        <select id={editionId} className="input" value={edition} onChange={(e) => setEdition(e.target.value as 'internal' | 'public')}>
          <option value="internal">{t('records.minutes.internal')}</option>
          <option value="public">{t('records.minutes.public')}</option>
        </select>
      </label>
      <div className="row records-files">
        <DownloadButton token={access.token} url={url('xlsx')}>
          {t('records.exports.xlsx')}
        </DownloadButton>
        <DownloadButton token={access.token} url={url('json')}>
          {t('records.exports.json')}
        </DownloadButton>
      </div>
      <div className="row records-files">
        {tableNames.map((table) => (
          <DownloadButton key={table} token={access.token} url={url('csv', table)}>
            {t('records.exports.csv', { table: t(`records.exports.tables.${table}` as Key) })}
          </DownloadButton>
        ))}
      </div>
    </section>
  );
}
