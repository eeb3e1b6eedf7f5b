// The storage that governance adds, on both adapters: the hub's seal key (made once; several hub
// processes on one PostgreSQL sign with the same key and seal a proposal once). Cast arrival times
// and the sealing schedule are in the storage contract's governance schedule section
// (hubStorage.contract.ts).
// PostgreSQL runs when FIELDWISE_TEST_DATABASE_URL names a database, e.g.
//   FIELDWISE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx vitest run test/integration/governanceStorage.test.ts
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Hub } from '../../server/hub/hub';
import { loadHubKey } from '../../server/hub/hubKey';
import { NETWORK_RECORD_ID } from '../../shared/records/network';
import { initNetwork } from '../../server/hub/networkAdmin';
import { sealProposal, SEAL_SETTLE_MS } from '../../server/hub/sealing';
import { commitSystemChange } from '../../server/hub/systemWrites';
import type { HubStorage } from '../../server/storage/hubStorage';
import { openPostgresStorage } from '../../server/storage/postgresStorage';
import { projectionOf } from '../../server/storage/projectionOf';
import { openSqliteStorage } from '../../server/storage/sqliteStorage';
import { verifySeal } from '../../shared/governance/verifySeal';
import { runHubCommand } from '../support/hubProcess';
import { network } from '../../shared/records/network';
import { proposal } from '../../shared/records/proposal';
import { resultId } from '../../shared/records/result';
import { hubMembers, openVoteIn } from '../support/governance';

const databaseUrl = process.env.FIELDWISE_TEST_DATABASE_URL;
const HOUR_MS = 3_600_000;

function governanceStorageContract(name: string, open: () => Promise<HubStorage>, cleanup: () => Promise<void>): void {
  describe(`governance storage: ${name}`, () => {
    let storage: HubStorage;
    beforeEach(async () => {
      storage = await open();
    });
    afterEach(async () => {
      await storage.close();
    });
    afterAll(cleanup);

    it('makes the hub key once: loading it again, or racing, gives the same key', async () => {
      const keys = await Promise.all([loadHubKey(storage), loadHubKey(storage)]);
      const again = await loadHubKey(storage);
      expect(keys[0]!.publicKey).toMatch(/^[0-9a-f]{64}$/);
      expect(keys[1]!.publicKey).toBe(keys[0]!.publicKey);
      expect(again.publicKey).toBe(keys[0]!.publicKey);
    });

    it('init writes the hub key into the network record', async () => {
      await initNetwork(storage, { name: 'Seal network', now: 5 });
      const stored = (await storage.getRecord(NETWORK_RECORD_ID))!;
      const doc = new Y.Doc();
      Y.applyUpdate(doc, stored.state);
      expect(network.read(doc).hubKey).toBe((await loadHubKey(storage)).publicKey);
    });

    it('opening the hub commits nothing once the network record carries the key', async () => {
      await initNetwork(storage, { name: 'Seal network', now: 5 });
      const seq = await storage.lastSeq();
      await Hub.open({ storage });
      await Hub.open({ storage });
      expect(await storage.lastSeq()).toBe(seq);
    });
  });
}

let sqliteDir: string | null = null;
let sqliteFiles = 0;
governanceStorageContract(
  'sqlite',
  async () => {
    sqliteDir ??= mkdtempSync(join(tmpdir(), 'fw-gov-sqlite-'));
    const storage = openSqliteStorage(join(sqliteDir, `hub-${++sqliteFiles}.db`));
    await storage.migrate();
    return storage;
  },
  async () => {
    if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
  },
);

describe('hub key on the command line', () => {
  it("`hub key` prints the public key that init wrote into the network record", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-gov-cli-'));
    try {
      expect(runHubCommand(['init', '--data', dir, '--network', 'Key network']).status).toBe(0);
      const printed = runHubCommand(['key', '--data', dir]);
      expect(printed.status, printed.stderr).toBe(0);
      const storage = openSqliteStorage(join(dir, 'hub.sqlite'));
      try {
        const doc = new Y.Doc();
        Y.applyUpdate(doc, (await storage.getRecord(NETWORK_RECORD_ID))!.state);
        expect(printed.lastLine).toMatch(/^[0-9a-f]{64}$/);
        expect(network.read(doc).hubKey).toBe(printed.lastLine);
      } finally {
        await storage.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

const testSchemas: string[] = [];
const newSchemaName = (): string => {
  const schemaName = `fw_gov_${process.pid}_${randomBytes(6).toString('hex')}`;
  testSchemas.push(schemaName);
  return schemaName;
};

async function dropTestSchemas(connectionString: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    for (const schemaName of testSchemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schemaName}" CASCADE`);
  } finally {
    await client.end();
  }
}

describe.runIf(databaseUrl !== undefined)('governance on PostgreSQL', () => {
  const connectionString = databaseUrl ?? '';
  governanceStorageContract('postgres', () => openPostgresStorage({ connectionString, schema: newSchemaName() }), () => dropTestSchemas(connectionString));

  it('two hub processes on one database share the seal key and seal a due proposal exactly once', async () => {
    const schema = newSchemaName();
    const storages = [await openPostgresStorage({ connectionString, schema }), await openPostgresStorage({ connectionString, schema })];
    try {
      const opensAt = Date.UTC(2026, 0, 1);
      await initNetwork(storages[0]!, { name: 'Two hubs', now: opensAt });
      const hubs = await Promise.all(storages.map((storage) => Hub.open({ storage, now: () => opensAt })));
      expect(hubs[1]!.hubKey.publicKey).toBe(hubs[0]!.hubKey.publicKey);

      const secretariatId = (await storages[0]!.getMeta('secretariatOrg'))!;
      const ctx = { orgId: secretariatId, deviceId: 'dev-test', role: 'secretariat', now: opensAt } as const;
      const input = proposal.parseInput({ title: 'Shared seed bank', options: [{ id: 'yes', label: 'Yes' }], method: 'single', opensAt, closesAt: opensAt + HOUR_MS, graceHours: 1 });
      const members = await hubMembers(storages[0]!);
      await commitSystemChange(storages[0]!, { id: 'proposal-pg', type: 'proposal', ownerOrg: secretariatId, createdAt: opensAt }, (doc) => {
        proposal.create(doc, input, ctx);
        openVoteIn(doc, members, ctx);
      });
      const sealAt = opensAt + 2 * HOUR_MS + SEAL_SETTLE_MS + 1;
      const outcomes = await Promise.all(hubs.map((hub, index) => sealProposal(hub.storage, hub.hubKey, 'proposal-pg', sealAt + index)));
      expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['already-sealed', 'sealed']);
      const sealed = projectionOf((await storages[1]!.getRecord(resultId('proposal-pg')))!, 'result');
      expect(verifySeal(sealed, hubs[0]!.hubKey.publicKey)).toEqual({ isValid: true, reason: null });
    } finally {
      await Promise.all(storages.map((storage) => storage.close()));
    }
  });

  afterAll(() => dropTestSchemas(connectionString));
});
