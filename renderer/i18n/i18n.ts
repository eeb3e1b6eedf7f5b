import i18next, { type BackendModule } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { languages, type Language } from './languages';
import type { Catalog } from './mergeCatalogs';

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

/**
 * Each language's catalog is its own chunk, loaded when that language is first needed: the one the
 * UI shows at start, another on a change in Settings, or a report or letter written in it
 * (`i18n.loadLanguages` before `getFixedT`). Both chunks are in the offline precache.
 */
const catalogLoaders: Readonly<Record<Language, () => Promise<Catalog>>> = {
  en: () => import('./englishCatalog').then((module) => module.englishCatalog),
  'zh-CN': () => import('./chineseCatalog').then((module) => module.chineseCatalog),
};

const catalogBackend: BackendModule = {
  type: 'backend',
  init() {},
  read(language, _namespace, callback) {
    if (!isLanguage(language)) {
      callback(new Error(`i18n: no catalog for "${language}"`), false);
      return;
    }
    catalogLoaders[language]().then(
      (catalog) => callback(null, catalog),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), false),
    );
  },
};

export async function initI18n(language: Language): Promise<typeof i18next> {
  await i18next.use(catalogBackend).use(initReactI18next).init({
    lng: language,
    // No fallback language: both catalogs hold every key (test/unit/i18nCatalogs.test.ts), and a
    // fallback would load the other language's whole catalog at every start.
    fallbackLng: false,
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
