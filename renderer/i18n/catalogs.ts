import { chineseCatalog, chineseCatalogFiles } from './chineseCatalog';
import { englishCatalog, englishCatalogFiles } from './englishCatalog';
import type { Language } from './languages';
import type { Catalog } from './mergeCatalogs';

/*
 * Every language's catalog at once, for tests, benchmarks and Node. The app itself loads only the
 * language it shows, on demand (i18n.ts), so the other one is not in its startup bundle.
 */

export { languages, type Language } from './languages';
export type { Catalog } from './mergeCatalogs';

export const catalogFiles: Readonly<Record<Language, Readonly<Record<string, Catalog>>>> = { en: englishCatalogFiles, 'zh-CN': chineseCatalogFiles };

export const catalogs: Readonly<Record<Language, Catalog>> = { en: englishCatalog, 'zh-CN': chineseCatalog };
