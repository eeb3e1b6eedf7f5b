import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { WebSocket } from 'ws';
import { exportOrgBundle, nodeBundleCompression } from '../../server/hub/bundles';
import type { HubStorage } from '../../server/storage/hubStorage';
import { openPostgresStorage } from '../../server/storage/postgresStorage';
import { openSqliteStorage } from '../../server/storage/sqliteStorage';
import { readBundle, readBundleRecords, type BundleRecord } from '../../shared/sync/bundle';
import { PullFrameReader } from '../../shared/sync/protocol';
import type { TestHub } from './hub';

/*
 * What another organization gets of a record, through each way the hub hands records out: a pull
 * (what it sends and what it withdraws), the standard Yjs endpoint, and a hub bundle; and the two
 * storage adapters a privacy test runs on (PostgreSQL when FIELDWISE_TEST_DATABASE_URL is set).
 */

export type Cleanups = (() => Promise<void> | void)[];

/** GET /v1/pull since `since`: the ids pulled, the ids withdrawn and the checkpoint reached. */
export async function pullIds(url: string, token: string, since: number): Promise<{ ids: string[]; withdrawn: string[]; checkpoint: number }> {
  const response = await fetch(`${url}/v1/pull?since=${since}`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`pull refused: ${response.status} ${await response.text()}`);
  const ids: string[] = [];
  const withdrawn: string[] = [];
  let checkpoint = since;
  for (const frame of new PullFrameReader().push(new Uint8Array(await response.arrayBuffer()))) {
    if (frame.kind === 'error') throw new Error(frame.error.code);
    ids.push(...frame.records.map((record) => record.meta.id));
    withdrawn.push(...(frame.withdrawn ?? []));
    checkpoint = frame.checkpoint;
  }
  return { ids, withdrawn, checkpoint };
}

export interface YjsSocket {
  readonly socket: WebSocket;
  /** 'open' once the hub sent its sync step 1, or the close code it refused with. */
  readonly outcome: 'open' | number;
  readonly closed: Promise<number>;
}

/** Opens /yjs/<id> as `token`; the socket is terminated by `cleanups`. */
export function openYjs(hub: Pick<TestHub, 'url'>, token: string, recordId: string, cleanups: Cleanups): Promise<YjsSocket> {
  const socket = new WebSocket(`${hub.url.replace(/^http/, 'ws')}/yjs/${recordId}?token=${encodeURIComponent(token)}`);
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  cleanups.push(() => socket.terminate());
  return new Promise((resolve) => {
    socket.once('message', () => resolve({ socket, outcome: 'open', closed }));
    void closed.then((code) => resolve({ socket, outcome: code, closed }));
  });
}

/** The records of the hub bundle `hub export-bundle` would write for `orgId` since `since`. */
export async function hubBundleRecords(hub: Pick<TestHub, 'hub'>, orgId: string, since: number): Promise<BundleRecord[]> {
  const { bytes } = await exportOrgBundle(hub.hub, { orgId, since, signer: hub.hub.hubKey });
  return readBundleRecords(readBundle(bytes), nodeBundleCompression);
}

/** The record ids of the hub bundle `hub export-bundle` would write for `orgId` since `since`. */
export async function hubBundleIds(hub: Pick<TestHub, 'hub'>, orgId: string, since: number): Promise<string[]> {
  return (await hubBundleRecords(hub, orgId, since)).map((record) => record.id);
}

export interface StorageUnderTest {
  readonly label: 'sqlite' | 'postgres';
  /** A fresh, empty storage; `cleanups` removes its folder or schema. */
  open(cleanups: Cleanups): Promise<HubStorage>;
}

/** SQLite always; PostgreSQL (its own schema per storage) when FIELDWISE_TEST_DATABASE_URL is set. */
export function storagesUnderTest(): StorageUnderTest[] {
  const sqlite: StorageUnderTest = {
    label: 'sqlite',
    async open(cleanups) {
      const dir = mkdtempSync(join(tmpdir(), 'fw-storage-under-test-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      return openSqliteStorage(join(dir, 'hub.sqlite'));
    },
  };
  const databaseUrl = process.env.FIELDWISE_TEST_DATABASE_URL;
  if (databaseUrl === undefined) return [sqlite];
  const postgres: StorageUnderTest = {
    label: 'postgres',
    async open(cleanups) {
      const schema = `fw_test_${process.pid}_${randomBytes(6).toString('hex')}`;
      cleanups.push(async () => {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      });
      return openPostgresStorage({ connectionString: databaseUrl, schema });
    },
  };
  return [sqlite, postgres];
}
