/**
 * Strings for the three apps, Vietnamese first. One i18next instance per app (not the global singleton), so a test or
 * a page with two consoles never shares a language by accident.
 */
import i18next, { type i18n, type Module, type Newable } from 'i18next';
import { en } from './en.ts';
import { vi, type Catalog } from './vi.ts';

export { vi, en, type Catalog };

export const LANGS = ['vi', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'vi';
export const NAMESPACES = ['common', 'chair', 'delegate', 'wall'] as const;
export type Namespace = (typeof NAMESPACES)[number];

export const resources: Record<Lang, Catalog> = { vi, en };

/** Where the apps keep the chosen language (localStorage). */
export const LANG_STORAGE_KEY = 'hall.lang';

export const isLang = (x: unknown): x is Lang => typeof x === 'string' && (LANGS as readonly string[]).includes(x);

/** The language saved by `storeLang`, else Vietnamese. Never throws (storage may be forbidden). */
export function storedLang(storage: Pick<Storage, 'getItem'> | null | undefined = defaultStorage()): Lang {
  try {
    const v = storage?.getItem(LANG_STORAGE_KEY);
    return isLang(v) ? v : DEFAULT_LANG;
  } catch {
    return DEFAULT_LANG;
  }
}

export function storeLang(lang: Lang, storage: Pick<Storage, 'setItem'> | null | undefined = defaultStorage()): void {
  try {
    storage?.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    // private mode or quota: the choice lasts for this page only
  }
}

function defaultStorage(): Storage | null {
  try {
    return (globalThis as { localStorage?: Storage }).localStorage ?? null;
  } catch {
    return null;
  }
}

export interface CreateI18nOptions {
  /** i18next plugins to `use` before init (the React entry adds `initReactI18next`). */
  plugins?: (Module | Newable<Module>)[];
}

/** A ready instance: resources are bundled, so it is initialised synchronously and `t` works at once. */
export function createI18n(lang: Lang = DEFAULT_LANG, options: CreateI18nOptions = {}): i18n {
  const instance = i18next.createInstance();
  for (const plugin of options.plugins ?? []) instance.use(plugin);
  void instance.init({
    lng: isLang(lang) ? lang : DEFAULT_LANG,
    fallbackLng: DEFAULT_LANG,
    supportedLngs: [...LANGS],
    resources: resources as unknown as Record<string, Record<string, object>>,
    ns: [...NAMESPACES],
    defaultNS: 'common',
    // React escapes on render; escaping here too would show "&amp;" in names like "Kinh tế & Ngân sách".
    interpolation: { escapeValue: false },
    initAsync: false,
    react: { useSuspense: false },
  });
  return instance;
}
