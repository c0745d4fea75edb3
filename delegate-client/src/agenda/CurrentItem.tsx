/** The item under discussion and its documents; and the whole agenda with every item's documents. */
import { useView } from '@hall/client-kit/react';
import { useId } from 'react';
import { DocumentList } from '../documents/documents.tsx';
import { useT } from '../i18n.ts';

export function CurrentItem() {
  const { t, tc } = useT();
  const view = useView();
  const titleId = useId();
  if (!view) return null;
  const index = view.agenda.findIndex((i) => i.id === view.currentItemId);
  const item = index >= 0 ? view.agenda[index] : undefined;
  return (
    <section className="card item" aria-labelledby={titleId}>
      <h2 id={titleId} className="card__title">
        {t('item.title')}
      </h2>
      {item ? (
        <>
          <p className="item__meta">
            {t('item.position', { n: index + 1, total: view.agenda.length })} · {tc(`agendaKinds.${item.kind}`)}
          </p>
          <p className="item__title">{item.title}</p>
          <h3 className="card__subtitle">{t('documents.ofItem')}</h3>
          <DocumentList itemId={item.id} />
        </>
      ) : (
        <p className="muted">{t('item.none')}</p>
      )}
    </section>
  );
}

export function AgendaDocuments() {
  const { t, tc } = useT();
  const view = useView();
  const titleId = useId();
  if (!view) return null;
  return (
    <section className="card agenda" aria-labelledby={titleId}>
      <h2 id={titleId} className="card__title">
        {t('item.agenda')}
      </h2>
      <ol className="agenda__list">
        {view.agenda.map((item, i) => {
          const current = item.id === view.currentItemId;
          return (
            <li key={item.id} className={`agenda__item${current ? ' agenda__item--current' : ''}`} aria-current={current ? 'step' : undefined}>
              <p className="agenda__head">
                <span className="agenda__n">{i + 1}.</span>
                <span className="agenda__title">{item.title}</span>
              </p>
              <p className="agenda__kind">
                {tc(`agendaKinds.${item.kind}`)}
                {current ? <span className="tag tag--current">{t('item.current')}</span> : null}
              </p>
              <DocumentList itemId={item.id} />
            </li>
          );
        })}
      </ol>
    </section>
  );
}
