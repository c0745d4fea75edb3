/**
 * The app's one i18next instance: the kit's catalogs (Vietnamese default, English) plus this app's own namespace.
 * `useT` gives the app's words (`t`) and the kit's shared words (`tc`: phases, purposes, choices, refusals).
 */
import { storedLang, type Namespace } from '@hall/client-kit';
import { vnHhmm, vnShortDate } from '@hall/core';
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

/** "14:05 28/12" — a time and day in the hall's time zone (24-hour clock), whatever the tablet's own zone. */
export function formatTimeDay(ms: number): string {
  return `${vnHhmm(ms)} ${vnShortDate(ms).slice(0, 5)}`;
}
