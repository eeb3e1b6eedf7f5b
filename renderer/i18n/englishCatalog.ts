import { mergeCatalogs, type Catalog } from './mergeCatalogs';
import { englishScreensFiles } from './englishScreensCatalog';
import { englishStartupFiles } from './englishStartupCatalog';

/* Every English string: the first screen's and the other screens' files together (i18n.ts loads them in two parts). */

export const englishCatalogFiles: Readonly<Record<string, Catalog>> = { ...englishStartupFiles, ...englishScreensFiles };

export const englishCatalog: Catalog = mergeCatalogs(englishCatalogFiles);
