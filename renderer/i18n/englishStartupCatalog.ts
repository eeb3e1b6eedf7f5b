import bundlesEn from './bundles.en.json';
import english from './en.json';
import inboxEn from './inbox.en.json';
import labelsEn from './labels.en.json';
import mediaEn from './media.en.json';
import mediaSyncEn from './mediaSync.en.json';
import offlineEn from './offline.en.json';
import refusalsEn from './refusals.en.json';
import reviewEn from './review.en.json';
import standingEn from './standing.en.json';
import type { Catalog } from './mergeCatalogs';

/*
 * English's strings for the first screen and everything on screen from the start (the shell,
 * the library, the sync bar, refusals, a device's standing): what the app loads at start
 * (i18n.ts). The screens' own strings are in englishScreensCatalog.ts, loaded after.
 */

export const englishStartupFiles: Readonly<Record<string, Catalog>> = { 'en.json': english, 'bundles.en.json': bundlesEn, 'inbox.en.json': inboxEn, 'labels.en.json': labelsEn, 'media.en.json': mediaEn, 'mediaSync.en.json': mediaSyncEn, 'offline.en.json': offlineEn, 'refusals.en.json': refusalsEn, 'review.en.json': reviewEn, 'standing.en.json': standingEn };
