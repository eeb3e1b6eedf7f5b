import { toBase64UrlEncoded } from 'lib0/buffer';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { RecordType } from '../../shared/records/recordType';
import { newSigningKey, signerFor, streamCompression, writeBundle } from '../../shared/sync/bundle';
import { joinResponseSchema, type JoinResponse } from '../../shared/sync/protocol';
import type { TestHub } from './hub';
import { request, type HubAnswer } from './hubRequests';

/*
 * The hub's three write entry points as a client reaches them, for tests that send the same change
 * through each: `POST /v1/push` (hubRequests.ts), the standard Yjs endpoint `/yjs/<id>` through the
 * real y-websocket provider, and a signed field bundle uploaded to `POST /v1/bundles`.
 */

const compression = streamCompression(CompressionStream, DecompressionStream);

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** A joined device with a bundle signing key registered at join. */
export interface BundleDevice extends JoinResponse {
  readonly secretKey: Uint8Array;
}

export async function joinWithBundleKey(hub: TestHub, code: string): Promise<BundleDevice> {
  const key = newSigningKey();
  const body = { code, deviceName: 'field laptop', devicePublicKey: toBase64UrlEncoded(key.publicKey) };
  const response = await fetch(`${hub.url}/v1/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== 200) throw new Error(`join refused: ${await response.text()}`);
  return { ...joinResponseSchema.parse(await response.json()), secretKey: key.secretKey };
}

/** Uploads a field bundle of `records` signed by `device` to POST /v1/bundles. */
export async function uploadBundle(hub: TestHub, device: BundleDevice, records: readonly { id: string; type: RecordType; update: Uint8Array; isFullState?: boolean }[]): Promise<HubAnswer> {
  const header = { networkId: device.networkId, orgId: device.org.id, kind: 'field-to-hub' as const, deviceId: device.deviceId, credentialId: device.credentialId, createdAt: Date.now(), fromSeq: 0, toSeq: 0 };
  const bytes = await writeBundle(
    header,
    records.map((record) => ({ id: record.id, type: record.type, ownerOrg: device.org.id, createdAt: 0, seq: 0, isFullState: record.isFullState ?? false, update: record.update })),
    signerFor(device.secretKey),
    compression,
  );
  return request(hub.url, '/v1/bundles', { method: 'POST', token: device.token, body: bytes, headers: { 'content-type': 'application/octet-stream' } });
}

/** A y-websocket provider on `/yjs/<recordId>`, synced; `close` tears it down. */
export async function yjsProvider(hub: TestHub, token: string, recordId: string): Promise<{ doc: Y.Doc; provider: WebsocketProvider; close: () => void }> {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${hub.url.replace(/^http/, 'ws')}/yjs`, recordId, doc, {
    connect: true,
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 100,
  });
  const close = () => {
    provider.destroy();
    doc.destroy();
  };
  try {
    await waitFor(() => provider.synced, 'the provider to sync');
  } catch (error) {
    close();
    throw error;
  }
  return { doc, provider, close };
}

/**
 * Makes `change` through `/yjs/<recordId>` and waits until the hub has either refused it (logged
 * with a code) or committed it; returns the refusal's code, or null when it was committed.
 */
export async function yjsEdit(hub: TestHub, token: string, recordId: string, change: (doc: Y.Doc) => void): Promise<string | null> {
  const before = (await hub.storage.getRecord(recordId))?.seq ?? 0;
  const logged = hub.logs.length;
  const { doc, close } = await yjsProvider(hub, token, recordId);
  try {
    doc.transact(() => change(doc));
    let code: string | null | undefined;
    await waitFor(async () => {
      const refusal = hub.logs.slice(logged).find((entry) => entry.path === '/yjs' && entry.recordId === recordId && typeof entry.code === 'string');
      if (refusal) code = refusal.code as string;
      else if (((await hub.storage.getRecord(recordId))?.seq ?? 0) > before) code = null;
      return code !== undefined;
    }, 'the hub to refuse or commit the /yjs edit');
    return code!;
  } finally {
    close();
  }
}
