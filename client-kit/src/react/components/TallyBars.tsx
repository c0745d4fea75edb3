import type { ResultView } from '@hall/core';
import { useKitTranslation } from '../i18n.ts';
import { cx } from './util.ts';

export interface TallyBarsProps {
  /** A motion result; other kinds render nothing (use `ResultPanel`). */
  result: ResultView | null | undefined;
  className?: string;
}

/**
 * Yes / no / abstain as bars against the total delegates — the legal base, so a bar's length is the share the law
 * counts. Numbers and percentages are core's formatted lines; the bars are decoration (hidden from screen readers),
 * and each row is labelled in words so nothing depends on colour.
 */
export function TallyBars({ result, className }: TallyBarsProps) {
  const { t } = useKitTranslation();
  if (!result || result.kind !== 'motion') return null;
  const rows = [
    { key: 'yes', count: result.yes, line: result.lines.yes },
    { key: 'no', count: result.no, line: result.lines.no },
    { key: 'abstain', count: result.abstain, line: result.lines.abstain },
  ] as const;
  const width = (count: number) => `${result.total > 0 ? Math.min(100, (count / result.total) * 100) : 0}%`;
  return (
    <figure className={cx('hall-tally', className)}>
      <figcaption className="hall-tally__caption">{t('result.totalDelegates', { total: result.total })}</figcaption>
      <ul className="hall-tally__list">
        {rows.map((row) => (
          <li key={row.key} className={cx('hall-tally__row', `hall-tally__row--${row.key}`)}>
            <span className="hall-tally__label">{t(`choices.${row.key}`)}</span>
            <span className="hall-tally__value">{row.line}</span>
            <span className="hall-tally__track" aria-hidden="true">
              <span className="hall-tally__bar" style={{ width: width(row.count) }} />
            </span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
