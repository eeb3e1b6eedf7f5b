import adminZhCN from './admin.zh-CN.json';
import governanceZhCN from './governance.zh-CN.json';
import reportsZhCN from './reports.zh-CN.json';
import workbenchZhCN from './workbench.zh-CN.json';
import type { Catalog } from './mergeCatalogs';

/* Simplified Chinese's strings for the screens that load on demand (renderer/app/Shell.tsx): loaded before the first of them opens. */

export const chineseScreensFiles: Readonly<Record<string, Catalog>> = { 'admin.zh-CN.json': adminZhCN, 'governance.zh-CN.json': governanceZhCN, 'reports.zh-CN.json': reportsZhCN, 'workbench.zh-CN.json': workbenchZhCN };
