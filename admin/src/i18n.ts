/** The kit's i18next instance with this app's namespace; `a` reads this app's strings, `t` the kit's shared words. */
import { createI18n, useKitTranslation } from '@hall/client-kit/react';
import { storedLang } from '@hall/client-kit';
import { useMemo } from 'react';
import { ADMIN_NS, adminStrings } from './strings.ts';

export function createAppI18n() {
  const i18n = createI18n(storedLang());
  i18n.addResourceBundle('vi', ADMIN_NS, adminStrings.vi, true, true);
  i18n.addResourceBundle('en', ADMIN_NS, adminStrings.en, true, true);
  return i18n;
}

export function useStrings() {
  const { t, i18n } = useKitTranslation('common');
  const lang = i18n.language;
  const a = useMemo(() => i18n.getFixedT(lang, ADMIN_NS), [i18n, lang]);
  return { t, a, lang };
}
