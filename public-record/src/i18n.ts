/** The kit's i18next instance with this app's namespace; `p` reads this app's strings, `t` the kit's shared words. */
import { createI18n, useKitTranslation } from '@hall/client-kit/react';
import { storedLang } from '@hall/client-kit';
import { useMemo } from 'react';
import { PUBLIC_NS, publicStrings } from './strings.ts';

export function createAppI18n() {
  const i18n = createI18n(storedLang());
  i18n.addResourceBundle('vi', PUBLIC_NS, publicStrings.vi, true, true);
  i18n.addResourceBundle('en', PUBLIC_NS, publicStrings.en, true, true);
  return i18n;
}

export function useStrings() {
  const { t, i18n } = useKitTranslation('common');
  const lang = i18n.language;
  const p = useMemo(() => i18n.getFixedT(lang, PUBLIC_NS), [i18n, lang]);
  return { t, p, lang };
}
