import adminEn from './admin.en.json';
import bundlesEn from './bundles.en.json';
import en from './en.json';
import governanceEn from './governance.en.json';
import inboxEn from './inbox.en.json';
import labelsEn from './labels.en.json';
import mediaEn from './media.en.json';
import mediaSyncEn from './mediaSync.en.json';
import offlineEn from './offline.en.json';
import refusalsEn from './refusals.en.json';
import reportsEn from './reports.en.json';
import reviewEn from './review.en.json';
import workbenchEn from './workbench.en.json';
import { mergeCatalogs, type Catalog } from './mergeCatalogs';

/* English's strings, in a module of their own: the app loads only the language it shows (i18n.ts). */

export const englishCatalogFiles: Readonly<Record<string, Catalog>> = { 'en.json': en, 'governance.en.json': governanceEn, 'reports.en.json': reportsEn, 'workbench.en.json': workbenchEn, 'bundles.en.json': bundlesEn, 'refusals.en.json': refusalsEn, 'offline.en.json': offlineEn, 'admin.en.json': adminEn, 'inbox.en.json': inboxEn, 'review.en.json': reviewEn, 'labels.en.json': labelsEn, 'media.en.json': mediaEn, 'mediaSync.en.json': mediaSyncEn };

export const englishCatalog: Catalog = mergeCatalogs(englishCatalogFiles);
