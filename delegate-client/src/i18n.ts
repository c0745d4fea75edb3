/**
 * The app's one i18next instance: the kit's catalogs (Vietnamese default, English) plus this app's own namespace.
 * `useT` gives the app's words (`t`) and the kit's shared words (`tc`: phases, purposes, choices, refusals).
 */
import { storedLang, type Namespace } from '@hall/client-kit';
import { createI18n, useKitTranslation } from '@hall/client-kit/react';
import { NS, strings } from './strings.ts';

export const i18n = createI18n(storedLang());
i18n.addResourceBundle('vi', NS, strings.vi, true, true);
i18n.addResourceBundle('en', NS, strings.en, true, true);
if (typeof document !== 'undefined') document.documentElement.lang = i18n.language;

type Vars = Record<string, unknown>;
export type T = (key: string, vars?: Vars) => string;

export function useT(): { t: T; tc: T; lang: 'vi' | 'en' } {
  // The app namespace is not one of the kit's typed names; i18next itself takes any registered namespace.
  const { t } = useKitTranslation(NS as unknown as Namespace);
  const { t: common, i18n: instance } = useKitTranslation('common');
  return {
    t: t as unknown as T,
    tc: common as unknown as T,
    lang: instance.language === 'en' ? 'en' : 'vi',
  };
}

/** The councils sit in Việt Nam: an instant is dated in the hall's time zone, not the tablet's. */
export const HALL_TIME_ZONE = 'Asia/Ho_Chi_Minh';

const dayParts = new Intl.DateTimeFormat('en-GB', { timeZone: HALL_TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric' });
const timeParts = new Intl.DateTimeFormat('en-GB', { timeZone: HALL_TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const part = (f: Intl.DateTimeFormat, ms: number, type: Intl.DateTimeFormatPartTypes) => f.formatToParts(ms).find((p) => p.type === type)?.value ?? '';

/**
 * "28/12/2028" from a server timestamp, in both languages and whatever the browser's locale or time zone: the
 * Vietnamese order (dd/mm/yyyy) is built from parts, never left to a locale's default.
 */
export function formatDate(ms: number): string {
  return `${part(dayParts, ms, 'day')}/${part(dayParts, ms, 'month')}/${part(dayParts, ms, 'year')}`;
}

/** "14:05 28/12" — a time and day in the hall's time zone (24-hour clock). */
export function formatTimeDay(ms: number): string {
  return `${part(timeParts, ms, 'hour')}:${part(timeParts, ms, 'minute')} ${part(dayParts, ms, 'day')}/${part(dayParts, ms, 'month')}`;
}

/** "08/12/2028" from a calendar date ("2028-12-08", a session's date): no time zone can move it a day. */
export function formatCalendarDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}
