/** The agenda with the current item marked (in words and with aria-current), its documents, and "go to". */
import { useView } from '@hall/client-kit/react';
import { isHallError } from '@hall/client-kit';
import { openDocument } from '../api.ts';
import { useT } from '../i18n.ts';
import { CommandButton } from './ui/command.tsx';
import { useNotify } from './ui/notices.tsx';

export function AgendaPanel({ token }: { token: string }) {
  const view = useView();
  const { t, k } = useT();
  const notify = useNotify();
  if (!view) return null;

  const open = (id: string) => {
    openDocument(token, id).catch((err: unknown) =>
      notify(t('agenda.docFailed', { message: isHallError(err) ? err.message : String(err) }), 'error'),
    );
  };

  const docList = (docs: { id: string; title: string }[]) => (
    <ul className="docs" aria-label={t('agenda.documents')}>
      {docs.map((d) => (
        <li key={d.id}>
          <button type="button" className="link" onClick={() => open(d.id)} aria-label={t('agenda.openDoc', { title: d.title })}>
            <span aria-hidden="true">▤ </span>
            {d.title}
          </button>
        </li>
      ))}
    </ul>
  );

  return (
    <section className="panel" aria-labelledby="agenda-title">
      <h2 id="agenda-title" className="panel-title">
        {t('agenda.title')}
      </h2>
      {view.agenda.length === 0 && <p className="muted">{t('agenda.empty')}</p>}
      <ol className="agenda">
        {view.agenda.map((item, i) => {
          const current = item.id === view.currentItemId;
          return (
            <li key={item.id} className={`agenda-item${current ? ' agenda-current' : ''}`} aria-current={current ? 'step' : undefined}>
              <div className="agenda-head">
                <span className="agenda-n" aria-hidden="true">
                  {i + 1}
                </span>
                <div className="agenda-text">
                  <span className="agenda-title">{item.title}</span>
                  <span className="agenda-meta">
                    {k(`common:agendaKinds.${item.kind}`)}
                    {current && (
                      <strong className="badge badge-current">
                        <span aria-hidden="true">▶ </span>
                        {t('agenda.current')}
                      </strong>
                    )}
                  </span>
                </div>
              </div>
              {item.documents.length > 0 &&
                (current ? (
                  docList(item.documents)
                ) : (
                  // Other items keep their documents one click away, so the agenda fits the column.
                  <details className="agenda-docs">
                    <summary>
                      <span aria-hidden="true">▤ </span>
                      {t('agenda.docCount', { count: item.documents.length })}
                    </summary>
                    {docList(item.documents)}
                  </details>
                ))}
              {!current && (
                <CommandButton type="agenda.goTo" payload={{ itemId: item.id }} small variant="quiet" label={t('agenda.goToLabel', { n: i + 1, title: item.title })}>
                  {t('agenda.goTo')} →
                </CommandButton>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
