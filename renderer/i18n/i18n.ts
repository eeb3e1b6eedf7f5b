import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { catalogs, languages, type Language } from './catalogs';

/*
 * English and Simplified Chinese. Every string the UI shows goes through these catalogs;
 * test/unit/i18nCatalogs.test.ts fails on a key missing from either one.
 */

export { languages, type Language };
export const LANGUAGE_KEY = 'fieldwise.language';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

/** The saved choice, else the first preferred language we have (any Chinese reads zh-CN), else English. */
export function pickLanguage(saved: string | null, preferred: readonly string[]): Language {
  if (isLanguage(saved)) return saved;
  for (const tag of preferred) {
    const lower = tag.toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

export async function initI18n(language: Language): Promise<typeof i18next> {
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: catalogs.en }, 'zh-CN': { translation: catalogs['zh-CN'] } },
    lng: language,
    fallbackLng: 'en',
    supportedLngs: [...languages],
    // React escapes what it renders.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = language;
  i18next.on('languageChanged', (lng) => {
    document.documentElement.lang = lng;
  });
  return i18next;
}
