/**
 * Strings for this app: the kit's `common` namespace (docs/rules.md words, shared by every app) through `t`, and this
 * app's own `wallApp` namespace (src/strings.ts) through `w`.
 */
import { createI18n, useKitTranslation } from '@hall/client-kit/react';
import { storedLang } from '@hall/client-kit';
import { useMemo } from 'react';
import { WALL_NS, wallStrings } from '../strings.ts';

export type AppI18n = ReturnType<typeof createI18n>;

export function createAppI18n(): AppI18n {
  const i18n = createI18n(storedLang());
  i18n.addResourceBundle('vi', WALL_NS, wallStrings.vi, true, true);
  i18n.addResourceBundle('en', WALL_NS, wallStrings.en, true, true);
  return i18n;
}

export function useStrings() {
  const { t, i18n } = useKitTranslation('common');
  const lang = i18n.language;
  const w = useMemo(() => i18n.getFixedT(lang, WALL_NS), [i18n, lang]);
  return { t, w, lang };
}
