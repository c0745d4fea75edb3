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

/** "28/12/2028" (vi) or "28 Dec 2028" (en), from a server timestamp. */
export function formatDate(ms: number, lang: 'vi' | 'en'): string {
  return new Date(ms).toLocaleDateString(lang === 'en' ? 'en-GB' : 'vi-VN', lang === 'en' ? { day: 'numeric', month: 'short', year: 'numeric' } : { day: '2-digit', month: '2-digit', year: 'numeric' });
}
