import WebSocket from 'ws';
import { gzipSync } from 'node:zlib';
import { openClient, type FieldwiseClient } from '../../shared/client/client';
import { roleSchema } from '../../shared/records/recordType';
import type { StoreStorage } from '../../shared/store/storeStorage';
import { createHttpTransport } from '../../shared/sync/httpTransport';
import type { JoinResponse } from '../../shared/sync/protocol';
import { SyncEngine, type SyncEngineOptions } from '../../shared/sync/syncEngine';
import type { Clock, SyncTransport } from '../../shared/sync/transport';
import { memoryStorage, uniqueName } from './clients';
import type { TestHub } from './hub';

/*
 * A headless client with its sync engine, from a join response: Node's fetch and the `ws`
 * WebSocket as the transport's ports, the real timers as its clock.
 */

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface SyncedClient {
  readonly join: JoinResponse;
  readonly client: FieldwiseClient;
  readonly engine: SyncEngine;
  /** The transport the engine uses (after `wrapTransport`). */
  readonly transport: SyncTransport;
  /** Stops the engine and closes the client. */
  close(): Promise<void>;
}

export interface SyncedClientOptions {
  readonly storage?: StoreStorage;
  readonly name?: string;
  readonly wrapTransport?: (transport: SyncTransport) => SyncTransport;
  readonly engine?: SyncEngineOptions;
  readonly isGzipped?: boolean;
}

export function httpTransportFor(hub: Pick<TestHub, 'url'>, join: JoinResponse, options: { isGzipped?: boolean } = {}): SyncTransport {
  return createHttpTransport({
    baseUrl: hub.url,
    token: join.token,
    fetch: (url, init) => fetch(url, init),
    WebSocket,
    ...(options.isGzipped ? { gzip: async (text: string) => new Uint8Array(gzipSync(text)), gzipMinBytes: 0 } : {}),
  });
}

export async function syncedClient(hub: Pick<TestHub, 'url'>, join: JoinResponse, options: SyncedClientOptions = {}): Promise<SyncedClient> {
  const client = await openClient({
    storage: options.storage ?? memoryStorage(),
    name: options.name ?? uniqueName('synced'),
    identity: { orgId: join.org.id, deviceId: join.deviceId, role: roleSchema.parse(join.role) },
  });
  const base = httpTransportFor(hub, join, { isGzipped: options.isGzipped ?? false });
  const transport = options.wrapTransport ? options.wrapTransport(base) : base;
  const engine = new SyncEngine(client, transport, systemClock, options.engine);
  return {
    join,
    client,
    engine,
    transport,
    async close() {
      await engine.stop();
      await client.close();
    },
  };
}

/** Polls `check` until it returns true; fails after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
