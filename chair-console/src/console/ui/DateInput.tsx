/**
 * A date typed in Vietnamese order (dd/mm/yyyy) whatever the browser's locale: `<input type="date">` shows
 * mm/dd/yyyy on an English-language Chromium, and "03/04" then means two different days to two secretaries. The
 * field holds what was typed; the parent gets an ISO date (YYYY-MM-DD), or `null` while it is empty or not a date.
 */
import { useId, useState } from 'react';
import { useT } from '../../i18n.ts';

/** "5/1/2027" or "05/01/2027" → "2027-01-05"; anything that is not a real calendar day → null. */
export function parseVietnameseDate(text: string): string | null {
  const m = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$/.exec(text);
  if (!m) return null;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export interface DateInputProps {
  label: string;
  /** Called with the ISO date, '' when cleared, or null while the text is not a date. */
  onChange: (iso: string | null) => void;
}

export function DateInput({ label, onChange }: DateInputProps) {
  const { t } = useT();
  const [text, setText] = useState('');
  const ids = { input: useId(), hint: useId() };
  const invalid = text.trim() !== '' && parseVietnameseDate(text) === null;
  return (
    <label className="field" htmlFor={ids.input}>
      <span className="field-label">{label}</span>
      <input
        id={ids.input}
        className="input"
        inputMode="numeric"
        autoComplete="off"
        placeholder="dd/mm/yyyy"
        value={text}
        aria-invalid={invalid || undefined}
        aria-describedby={ids.hint}
        onChange={(e) => {
          setText(e.target.value);
          onChange(e.target.value.trim() === '' ? '' : parseVietnameseDate(e.target.value));
        }}
      />
      <span id={ids.hint} className={invalid ? 'hint hint-refused' : 'hint'}>
        {invalid ? t('questioning.dateInvalid') : t('questioning.dateFormat')}
      </span>
    </label>
  );
}
