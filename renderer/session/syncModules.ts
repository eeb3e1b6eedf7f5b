/*
 * What a session needs only once it syncs: the record and media engines, their HTTP transports and
 * the device's bundle-signing key (Ed25519). One chunk, loaded on the first unlock (session.ts), so
 * the first rows never wait for it and the demo, which never syncs, never loads it. Like every
 * chunk, it is a local file in the desktop app and in the browser build's offline precache.
 */
export { BlobSync } from '../../shared/sync/blobSync';
export { createHttpBlobTransport } from '../../shared/sync/blobTransport';
export { createHttpTransport } from '../../shared/sync/httpTransport';
export { SyncEngine } from '../../shared/sync/syncEngine';
export { ensureDeviceKey, isDeviceKeyRegistered, registerDeviceKey } from './deviceKey';

