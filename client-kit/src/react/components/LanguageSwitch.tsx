import { isLang, LANGS, storeLang, type Lang } from '../../i18n/index.ts';
import { useKitTranslation } from '../i18n.ts';
import { cx } from './util.ts';

export interface LanguageSwitchProps {
  onChange?: (lang: Lang) => void;
  /** Save the choice in localStorage (`hall.lang`) for the next visit (default true). */
  persist?: boolean;
  className?: string;
}

/** Tiếng Việt / English. Each language is named in itself, so it is findable whichever is showing. */
export function LanguageSwitch({ onChange, persist = true, className }: LanguageSwitchProps) {
  const { t, i18n } = useKitTranslation();
  const current: Lang = isLang(i18n.resolvedLanguage) ? i18n.resolvedLanguage : isLang(i18n.language) ? i18n.language : 'vi';
  const choose = (lang: Lang) => {
    void i18n.changeLanguage(lang);
    if (persist) storeLang(lang);
    const doc = (globalThis as { document?: Document }).document;
    if (doc) doc.documentElement.lang = lang;
    onChange?.(lang);
  };
  return (
    <div role="group" aria-label={t('language.label')} className={cx('hall-lang', className)}>
      {LANGS.map((lang) => (
        <button
          key={lang}
          type="button"
          lang={lang}
          className={cx('hall-button', 'hall-lang__option', lang === current && 'hall-lang__option--current')}
          aria-pressed={lang === current}
          onClick={() => choose(lang)}
        >
          {t(`language.${lang}`)}
        </button>
      ))}
    </div>
  );
}
