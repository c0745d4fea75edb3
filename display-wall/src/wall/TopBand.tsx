import type { SessionView } from '@hall/core';
import { useServerNow } from '@hall/client-kit/react';
import { currentItem, formatDate, formatTime } from '../shared/format.ts';
import { useStrings } from '../shared/i18n.ts';

/** The hall's clock: the server's time (corrected for this device's offset), in the hall's time zone. */
export function WallClock({ withDate = false }: { withDate?: boolean }) {
  const { w, lang } = useStrings();
  const now = useServerNow(1000);
  return (
    <div className="wall-clock">
      <time className="wall-clock__time" dateTime={new Date(now).toISOString()} aria-label={`${w('clock')} ${formatTime(now, lang)}`}>
        {formatTime(now, lang)}
      </time>
      {withDate && <span className="wall-clock__date">{formatDate(now, lang)}</span>}
    </div>
  );
}

/** Council, session, sitting and clock; then the current agenda item. */
export function TopBand({ view, showItem = true }: { view: SessionView; showItem?: boolean }) {
  const { w, t } = useStrings();
  const cur = currentItem(view);
  return (
    <header className="wall-top">
      <div className="wall-top__ids">
        <p className="wall-top__council">{view.council.name}</p>
        <h1 className="wall-top__title">{view.title}</h1>
        <p className="wall-top__sitting">
          {view.sitting.title}
          {view.broadcast.onAir && (
            <span className="wall-onair">
              <span aria-hidden="true">● </span>
              {w('onAir')}
            </span>
          )}
        </p>
      </div>
      <WallClock />
      {showItem && (
      <div className="wall-item" aria-label={t('terms.currentItem')}>
        {cur ? (
          <>
            <span className="wall-item__number">{w('itemNumber', { n: cur.number })}</span>
            <span className="wall-item__title">{cur.item.title}</span>
          </>
        ) : (
          <span className="wall-item__title wall-item__title--none">{w('noItem')}</span>
        )}
      </div>
      )}
    </header>
  );
}
