import { mergeCatalogs, type Catalog } from './mergeCatalogs';
import { chineseScreensFiles } from './chineseScreensCatalog';
import { chineseStartupFiles } from './chineseStartupCatalog';

/* Every Simplified Chinese string: the first screen's and the other screens' files together (i18n.ts loads them in two parts). */

export const chineseCatalogFiles: Readonly<Record<string, Catalog>> = { ...chineseStartupFiles, ...chineseScreensFiles };

export const chineseCatalog: Catalog = mergeCatalogs(chineseCatalogFiles);
