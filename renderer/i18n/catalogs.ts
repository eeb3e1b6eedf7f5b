import adminEn from './admin.en.json';
import adminZhCN from './admin.zh-CN.json';
import bundlesEn from './bundles.en.json';
import bundlesZhCN from './bundles.zh-CN.json';
import en from './en.json';
import governanceEn from './governance.en.json';
import governanceZhCN from './governance.zh-CN.json';
import inboxEn from './inbox.en.json';
import inboxZhCN from './inbox.zh-CN.json';
import labelsEn from './labels.en.json';
import labelsZhCN from './labels.zh-CN.json';
import offlineEn from './offline.en.json';
import offlineZhCN from './offline.zh-CN.json';
import reportsEn from './reports.en.json';
import refusalsEn from './refusals.en.json';
import refusalsZhCN from './refusals.zh-CN.json';
import reportsZhCN from './reports.zh-CN.json';
import reviewEn from './review.en.json';
import reviewZhCN from './review.zh-CN.json';
import workbenchEn from './workbench.en.json';
import workbenchZhCN from './workbench.zh-CN.json';
import zhCN from './zh-CN.json';

/*
 * The catalogs of each language: the app's own (en.json, zh-CN.json) plus one file per feature
 * (governance, reports, workbench, bundles, and refusals: see refusalText.ts), so features grow their strings without editing one
 * shared file. Feature files hold their own top-level keys; a key defined twice is a mistake and
 * fails at start-up rather than one file silently winning.
 */

export const languages = ['en', 'zh-CN'] as const;
export type Language = (typeof languages)[number];

export type Catalog = { readonly [key: string]: string | Catalog };

export const catalogFiles: Readonly<Record<Language, Readonly<Record<string, Catalog>>>> = {
  en: { 'en.json': en, 'governance.en.json': governanceEn, 'reports.en.json': reportsEn, 'workbench.en.json': workbenchEn, 'bundles.en.json': bundlesEn, 'refusals.en.json': refusalsEn, 'offline.en.json': offlineEn, 'admin.en.json': adminEn, 'inbox.en.json': inboxEn, 'review.en.json': reviewEn, 'labels.en.json': labelsEn },
  'zh-CN': {
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
  },
};

function mergeCatalogs(files: Readonly<Record<string, Catalog>>): Catalog {
  const merged: Record<string, string | Catalog> = {};
  const from = new Map<string, string>();
  for (const [file, catalog] of Object.entries(files)) {
    for (const [key, value] of Object.entries(catalog)) {
      const earlier = from.get(key);
      if (earlier !== undefined) throw new Error(`i18n: top-level key "${key}" is in both ${earlier} and ${file}`);
      from.set(key, file);
      merged[key] = value;
    }
  }
  return merged;
}

export const catalogs: Readonly<Record<Language, Catalog>> = {
  en: mergeCatalogs(catalogFiles.en),
  'zh-CN': mergeCatalogs(catalogFiles['zh-CN']),
};
