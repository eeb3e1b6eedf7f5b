import adminZhCN from './admin.zh-CN.json';
import bundlesZhCN from './bundles.zh-CN.json';
import governanceZhCN from './governance.zh-CN.json';
import inboxZhCN from './inbox.zh-CN.json';
import labelsZhCN from './labels.zh-CN.json';
import mediaZhCN from './media.zh-CN.json';
import mediaSyncZhCN from './mediaSync.zh-CN.json';
import offlineZhCN from './offline.zh-CN.json';
import refusalsZhCN from './refusals.zh-CN.json';
import reportsZhCN from './reports.zh-CN.json';
import reviewZhCN from './review.zh-CN.json';
import workbenchZhCN from './workbench.zh-CN.json';
import zhCN from './zh-CN.json';
import { mergeCatalogs, type Catalog } from './mergeCatalogs';

/* Simplified Chinese's strings, in a module of their own: the app loads only the language it shows (i18n.ts). */

export const chineseCatalogFiles: Readonly<Record<string, Catalog>> = {
  'zh-CN.json': zhCN,
  'governance.zh-CN.json': governanceZhCN,
  'reports.zh-CN.json': reportsZhCN,
  'workbench.zh-CN.json': workbenchZhCN,
  'bundles.zh-CN.json': bundlesZhCN,
  'refusals.zh-CN.json': refusalsZhCN,
  'offline.zh-CN.json': offlineZhCN,
  'admin.zh-CN.json': adminZhCN,
  'inbox.zh-CN.json': inboxZhCN,
  'review.zh-CN.json': reviewZhCN,
  'labels.zh-CN.json': labelsZhCN,
  'media.zh-CN.json': mediaZhCN,
  'mediaSync.zh-CN.json': mediaSyncZhCN,
};

export const chineseCatalog: Catalog = mergeCatalogs(chineseCatalogFiles);
