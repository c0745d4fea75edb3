/**
 * One i18next instance for the console: the kit's catalogs (`common`, `chair`) plus this app's `console` namespace.
 * Components read words through `useT`, which re-renders on a language switch without needing react-i18next here.
 */
import { useMemo, useSyncExternalStore } from 'react';
import { storedLang, type Lang } from '@hall/client-kit';
import { createI18n } from '@hall/client-kit/react';
import { strings, vi } from './strings.ts';

export const i18n = createI18n(storedLang());
i18n.addResourceBundle('vi', 'console', strings.vi, true, true);
i18n.addResourceBundle('en', 'console', strings.en, true, true);

// Keeps <html lang> right for screen readers and hyphenation when the chair switches language.
const syncHtmlLang = () => document.documentElement.setAttribute('lang', i18n.language);
syncHtmlLang();
i18n.on('languageChanged', syncHtmlLang);

type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];
/** Every key of the console namespace; `_one/_other` plural keys are used through their base name with `count`. */
export type Key = Leaves<typeof vi> | 'header.pending' | 'agenda.docCount';
type Vars = Record<string, string | number>;

const subscribe = (cb: () => void) => {
  i18n.on('languageChanged', cb);
  return () => i18n.off('languageChanged', cb);
};

export interface T {
  lang: Lang;
  /** A console string. */
  t: (key: Key, vars?: Vars) => string;
  /** A kit string, `ns:key` (e.g. `common:phases.inProgress`). */
  k: (key: string, vars?: Vars) => string;
}

export function useT(): T {
  const lang = useSyncExternalStore(subscribe, () => i18n.language) as Lang;
  return useMemo<T>(
    () => ({
      lang,
      t: (key, vars) => i18n.t(`console:${key}`, vars ?? {}),
      k: (key, vars) => i18n.t(key, vars ?? {}),
    }),
    [lang],
  );
}
