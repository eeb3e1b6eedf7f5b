/*
 * What each bridge method accepts from the renderer, checked in the main process before anything
 * runs: the renderer is the less trusted side, and TypeScript types do not cross IPC.
 */
import { z } from 'zod';

import type { DesktopBridge } from '../../shared/bridge/desktopBridge';
import type { BridgeMethod } from '../bridgeChannels';
import { hubOriginOf } from './desktopConfig';

/** A secret's name: the UI's own constants, e.g. 'device-token'. */
const secretKey = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a secret key is 1-128 letters, digits, dots, dashes or underscores');

const secretValue = z.string().max(64 * 1024);

const passphrase = z.string().min(1).max(1024);

/** A file name the save dialog suggests: one name, no folders, nothing the OS treats specially. */
const suggestedName = z
  .string()
  .min(1)
  .max(200)
  .refine((name) => !/[/\\:*?"<>|\u0000-\u001f\u007f]/.test(name), 'a suggested name has no path separators or reserved characters')
  .refine((name) => name.trim() === name && !name.startsWith('.'), 'a suggested name has no leading dot or surrounding spaces');

const fileTypeFilters = z
  .array(
    z.strictObject({
      name: z.string().min(1).max(100),
      extensions: z.array(z.string().regex(/^[A-Za-z0-9]{1,16}$/, 'an extension is 1-16 letters or digits, without the dot')).min(1).max(20),
    }),
  )
  .max(20);

/** Bigger exports than this are a bug, not a library. */
export const MAX_SAVE_BYTES = 256 * 1024 * 1024;

const fileData = z.union([
  z.string().max(MAX_SAVE_BYTES),
  z.instanceof(Uint8Array).refine((data) => data.byteLength <= MAX_SAVE_BYTES, `at most ${MAX_SAVE_BYTES} bytes`),
]);

const saveFileRequest = z.strictObject({ suggestedName, filters: fileTypeFilters, data: fileData });

const printToPdfRequest = z.strictObject({
  html: z.string().min(1).max(64 * 1024 * 1024),
  suggestedName,
  pageSize: z.enum(['A4', 'Letter']).optional(),
  isLandscape: z.boolean().optional(),
});

const externalUrl = z.string().min(1).max(4096);

/** A hub address: http(s) as the URL parser reads it (never a prefix match), with no user or password. */
const hubUrl = z
  .string()
  .min(1)
  .max(2048)
  .refine((url) => hubOriginOf(url) !== null, 'a hub URL is an http(s) URL without user or password');

/** A notification's words: plain text of bounded length (the OS shows it as text, never as markup). */
const notificationRequest = z.strictObject({ title: z.string().min(1).max(200), body: z.string().max(1000) });

type ArgumentSchemas = { readonly [M in BridgeMethod]: z.ZodType<Parameters<DesktopBridge[M]>> };

/** One tuple schema per method: the exact argument list, nothing extra. */
export const bridgeArgumentSchemas = {
  appInfo: z.tuple([]),
  secretProtection: z.tuple([]),
  setSecret: z.tuple([secretKey, secretValue, passphrase.optional()]),
  getSecret: z.tuple([secretKey, passphrase.optional()]),
  deleteSecret: z.tuple([secretKey]),
  saveFile: z.tuple([saveFileRequest]),
  printToPdf: z.tuple([printToPdfRequest]),
  openExternal: z.tuple([externalUrl]),
  setHubUrl: z.tuple([hubUrl]),
  notify: z.tuple([notificationRequest]),
} satisfies ArgumentSchemas;
