import i18next, { type BackendModule } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { languages, type Language } from './languages';
import { mergeCatalogs, type Catalog } from './mergeCatalogs';

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
 * Each language's catalog is two chunks, loaded when that language is first needed: the first
 * screen's strings (the shell, the library, the sync bar), and the other screens' (admin,
 * governance, reports, workbench). The language the UI shows at start loads its first part only;
 * the rest comes with the first screen that needs it (`loadScreenCatalog`) or when the app is idle
 * after start. A language loaded later (a change in Settings, a report or letter written in it:
 * `i18n.loadLanguages` before `getFixedT`) loads both parts at once. All chunks are in the offline
 * precache.
 */
const catalogLoaders: Readonly<Record<Language, { readonly startup: () => Promise<Readonly<Record<string, Catalog>>>; readonly screens: () => Promise<Readonly<Record<string, Catalog>>> }>> = {
  en: {
    startup: () => import('./englishStartupCatalog').then((module) => module.englishStartupFiles),
    screens: () => import('./englishScreensCatalog').then((module) => module.englishScreensFiles),
  },
  'zh-CN': {
    startup: () => import('./chineseStartupCatalog').then((module) => module.chineseStartupFiles),
    screens: () => import('./chineseScreensCatalog').then((module) => module.chineseScreensFiles),
  },
};

/** The language shown at start, whose screens' strings are loaded apart; null before `initI18n`. */
let startLanguage: Language | null = null;
let screenCatalog: Promise<void> | null = null;

async function readCatalog(language: Language): Promise<Catalog> {
  const loaders = catalogLoaders[language];
  if (language === startLanguage && screenCatalog === null) return mergeCatalogs(await loaders.startup());
  const [startup, screens] = await Promise.all([loaders.startup(), loaders.screens()]);
  return mergeCatalogs({ ...startup, ...screens });
}

const catalogBackend: BackendModule = {
  type: 'backend',
  init() {},
  read(language, _namespace, callback) {
    if (!isLanguage(language)) {
      callback(new Error(`i18n: no catalog for "${language}"`), false);
      return;
    }
    readCatalog(language).then(
      (catalog) => callback(null, catalog),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), false),
    );
  },
};

/**
 * The other screens' strings in the language shown at start, added beside the first screen's.
 * Every screen that loads on demand waits for this before it draws (renderer/app/Shell.tsx), so
 * none shows a key; a failed load is tried again by the next screen that asks.
 */
export function loadScreenCatalog(): Promise<void> {
  const language = startLanguage;
  if (language === null) return Promise.resolve();
  screenCatalog ??= catalogLoaders[language].screens().then(
    (files) => {
      i18next.addResourceBundle(language, 'translation', mergeCatalogs(files), true, false);
    },
    (error: unknown) => {
      screenCatalog = null;
      throw error;
    },
  );
  return screenCatalog;
}

export async function initI18n(language: Language): Promise<typeof i18next> {
  startLanguage = language;
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
