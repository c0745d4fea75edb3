/**
 * The React side of the strings: `createI18n` registers the instance with react-i18next, and the kit's components
 * find an instance even in an app that never set one up (Vietnamese), so they always render words, never keys.
 */
import type { i18n, TFunction } from 'i18next';
import { useContext } from 'react';
import { getI18n, I18nContext, initReactI18next, useTranslation } from 'react-i18next';
import { createI18n as createPlainI18n, DEFAULT_LANG, type Lang, type Namespace } from '../i18n/index.ts';

/** Like the framework-free `createI18n`, plus `initReactI18next` so `useTranslation()` finds it without a provider. */
export function createI18n(lang: Lang = DEFAULT_LANG): i18n {
  return createPlainI18n(lang, { plugins: [initReactI18next] });
}

let fallback: i18n | null = null;

/** `useTranslation` on the provider's instance, else the registered one, else a Vietnamese one of the kit's own. */
export function useKitTranslation(ns: Namespace = 'common') {
  const ctx = useContext(I18nContext);
  const registered = getI18n() as i18n | undefined;
  const instance = ctx?.i18n ?? registered ?? (fallback ??= createPlainI18n(DEFAULT_LANG));
  return useTranslation(ns, { i18n: instance });
}

/**
 * The words for a refusal or an error in the current language. The reason is more precise than the code
 * (`NOT_PRESENT` says why `REJECTED`); the server's own message is the fallback for anything the catalog lacks.
 */
export function refusalText(t: TFunction, s: { code: string; reason?: string | undefined; message?: string | undefined }): string {
  if (s.reason) return t(`refusals.${s.reason}`, { ns: 'common', defaultValue: s.message ?? s.reason });
  return t(`errors.${s.code}`, { ns: 'common', defaultValue: s.message ?? s.code });
}
