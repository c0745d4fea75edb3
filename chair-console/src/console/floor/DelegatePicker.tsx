/**
 * Finding one delegate of 85 by what the chair has in front of them: part of a name (with or without diacritics), a
 * seat number or a group. An ARIA combobox: type, ↑/↓ through the matches, Enter picks; the list shows a few rows,
 * not the whole roll.
 */
import { useView } from '@hall/client-kit/react';
import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { useT } from '../../i18n.ts';

export interface PickableDelegate {
  id: string;
  name: string;
  seat: string;
  group: string;
}

const SHOWN = 8;

/** The sitting delegates of the roll, as the picker lists them. */
export function useRollDelegates(): PickableDelegate[] {
  const roll = useView()?.roll;
  return useMemo(() => (roll ?? []).map((r) => ({ id: r.delegateId, name: r.name, seat: r.seat, group: r.group })), [roll]);
}

/** "Nguyễn Đức" → "nguyen duc": the chair types without diacritics as often as with them. */
export const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase();

/**
 * Every word typed must be found (name, seat or group, diacritics folded); a number alone must be a whole number, so
 * "tổ 1" finds group 1 and not groups 10–16. Delegates whose name, seat or group holds the whole phrase come first.
 */
export function matchDelegates(all: readonly PickableDelegate[], query: string): PickableDelegate[] {
  const phrase = fold(query).trim().replace(/\s+/g, ' ');
  const words = phrase.split(' ').filter(Boolean);
  if (words.length === 0) return [...all];
  const tests = words.map((w) => (/^\d+$/.test(w) ? (hay: string) => new RegExp(`(^|[^\\p{L}\\d])${w}(?!\\d)`, 'u').test(hay) : (hay: string) => hay.includes(w)));
  const found = all.map((d) => ({ d, hay: fold(`${d.name} ${d.seat} ${d.group}`), whole: [d.name, d.seat, d.group].some((f) => fold(f).includes(phrase)) }));
  const hits = found.filter((x) => tests.every((test) => test(x.hay)));
  return [...hits.filter((x) => x.whole), ...hits.filter((x) => !x.whole)].map((x) => x.d);
}

export function DelegatePicker({ delegates, value, onChange }: { delegates: readonly PickableDelegate[]; value: string; onChange: (id: string) => void }) {
  const { t } = useT();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const ids = { input: useId(), list: useId(), status: useId() };
  const matches = useMemo(() => matchDelegates(delegates, query), [delegates, query]);
  const shown = matches.slice(0, SHOWN);
  const chosen = delegates.find((d) => d.id === value) ?? null;
  const optionId = (i: number) => `${ids.list}-${i}`;

  const pick = (d: PickableDelegate) => {
    onChange(d.id);
    setQuery('');
    setOpen(false);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => (shown.length === 0 ? 0 : (a + (e.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length));
    } else if (e.key === 'Enter' && open && shown[active]) {
      // Enter picks the highlighted delegate instead of submitting the form with the previous choice.
      e.preventDefault();
      pick(shown[active]);
    } else if (e.key === 'Escape' && open) {
      e.stopPropagation();
      setOpen(false);
    }
  };

  return (
    <div className="field delegate-picker">
      <label className="field-label" htmlFor={ids.input}>
        {t('floor.searchDelegate')}
      </label>
      <input
        id={ids.input}
        className="input"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={ids.list}
        aria-activedescendant={open && shown[active] ? optionId(active) : undefined}
        aria-describedby={ids.status}
        autoComplete="off"
        placeholder={t('floor.searchPlaceholder')}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={onKey}
      />
      <p id={ids.status} className="hint" aria-live="polite">
        {chosen ? t('floor.picked', { name: `${chosen.seat ? `${chosen.seat} · ` : ''}${chosen.name} — ${chosen.group}` }) : t('floor.matches', { count: matches.length })}
      </p>
      <ul id={ids.list} role="listbox" aria-label={t('floor.searchDelegate')} className="picker-list" hidden={!open}>
        {shown.map((d, i) => (
          <li
            key={d.id}
            id={optionId(i)}
            role="option"
            aria-selected={d.id === value}
            className={`picker-option${i === active ? ' is-active' : ''}`}
            // mousedown, not click: the input keeps focus and the list does not close before the pick lands.
            onMouseDown={(e) => {
              e.preventDefault();
              pick(d);
            }}
          >
            <span className="strong">{d.name}</span>
            <span className="muted">
              {' '}
              · {d.seat ? `${d.seat} · ` : ''}
              {d.group}
            </span>
          </li>
        ))}
      </ul>
      {open && matches.length === 0 && <p className="muted picker-empty">{t('floor.noMatch')}</p>}
      {open && matches.length > SHOWN && <p className="muted picker-empty">{t('floor.moreMatches', { count: matches.length - SHOWN })}</p>}
    </div>
  );
}
