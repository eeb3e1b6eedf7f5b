import bundlesZhCN from './bundles.zh-CN.json';
import inboxZhCN from './inbox.zh-CN.json';
import labelsZhCN from './labels.zh-CN.json';
import mediaZhCN from './media.zh-CN.json';
import mediaSyncZhCN from './mediaSync.zh-CN.json';
import offlineZhCN from './offline.zh-CN.json';
import refusalsZhCN from './refusals.zh-CN.json';
import reviewZhCN from './review.zh-CN.json';
import standingZhCN from './standing.zh-CN.json';
import chinese from './zh-CN.json';
import type { Catalog } from './mergeCatalogs';

/*
 * Simplified Chinese's strings for the first screen and everything on screen from the start (the shell,
 * the library, the sync bar, refusals, a device's standing): what the app loads at start
 * (i18n.ts). The screens' own strings are in chineseScreensCatalog.ts, loaded after.
 */

export const chineseStartupFiles: Readonly<Record<string, Catalog>> = { 'zh-CN.json': chinese, 'bundles.zh-CN.json': bundlesZhCN, 'inbox.zh-CN.json': inboxZhCN, 'labels.zh-CN.json': labelsZhCN, 'media.zh-CN.json': mediaZhCN, 'mediaSync.zh-CN.json': mediaSyncZhCN, 'offline.zh-CN.json': offlineZhCN, 'refusals.zh-CN.json': refusalsZhCN, 'review.zh-CN.json': reviewZhCN, 'standing.zh-CN.json': standingZhCN };
