import adminEn from './admin.en.json';
import governanceEn from './governance.en.json';
import reportsEn from './reports.en.json';
import workbenchEn from './workbench.en.json';
import type { Catalog } from './mergeCatalogs';

/* English's strings for the screens that load on demand (renderer/app/Shell.tsx): loaded before the first of them opens. */

export const englishScreensFiles: Readonly<Record<string, Catalog>> = { 'admin.en.json': adminEn, 'governance.en.json': governanceEn, 'reports.en.json': reportsEn, 'workbench.en.json': workbenchEn };
