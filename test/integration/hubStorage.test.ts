import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { RecordWrite } from '../../server/storage/hubStorage';
import { openPostgresStorage, type PostgresHubStorage } from '../../server/storage/postgresStorage';
import { openSqliteStorage } from '../../server/storage/sqliteStorage';
import { hubStorageContract } from './hubStorage.contract';

// SQLite always; PostgreSQL when FIELDWISE_TEST_DATABASE_URL names a database, e.g.
//   FIELDWISE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx vitest run test/integration/hubStorage.test.ts
// Every PostgreSQL storage gets a schema of its own, dropped after the suite.

const databaseUrl = process.env.FIELDWISE_TEST_DATABASE_URL;

// Made on first use, so a run that filters the SQLite suite out leaves nothing behind.
let sqliteDir: string | null = null;
let sqliteFiles = 0;
hubStorageContract(
  'sqlite',
  async () => {
    sqliteDir ??= mkdtempSync(join(tmpdir(), 'fw-hub-sqlite-'));
    return openSqliteStorage(join(sqliteDir, `hub-${++sqliteFiles}.db`));
  },
  async () => {
    if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
  },
);

const testSchemas: string[] = [];
const newSchemaName = (): string => {
  const name = `fw_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  testSchemas.push(name);
  return name;
};

async function dropTestSchemas(connectionString: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    for (const schema of testSchemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

describe.runIf(databaseUrl !== undefined)('PostgreSQL hub storage', () => {
  const connectionString = databaseUrl ?? '';

  hubStorageContract(
    'postgres',
    () => openPostgresStorage({ connectionString, schema: newSchemaName() }),
    () => dropTestSchemas(connectionString),
  );

  describe('two hub processes on one database', () => {
    let hubs: PostgresHubStorage[] = [];

    beforeAll(async () => {
      const schema = newSchemaName();
      // Opened together, as two hubs starting at once: both migrate the same schema.
      hubs = await Promise.all([openPostgresStorage({ connectionString, schema }), openPostgresStorage({ connectionString, schema })]);
    });
    afterAll(async () => {
      await Promise.all(hubs.map((hub) => hub.close()));
      await dropTestSchemas(connectionString);
    });

    function batch(prefix: string, size: number): RecordWrite[] {
      return Array.from({ length: size }, (_, index) => {
        const doc = new Y.Doc();
        doc.getMap('fields').set('title', `${prefix}-${index}`);
        const update = Y.encodeStateAsUpdate(doc);
        doc.destroy();
        return {
          header: { id: `${prefix}-${index}`, type: 'entry', ownerOrg: 'org-a', createdAt: 1 },
          update,
          state: update,
          projection: { title: `${prefix}-${index}` },
          facts: {},
          credentialId: null,
          expectedSeq: null,
        };
      });
    }

    it('number concurrent commits without gaps, and a puller never sees a later number before an earlier one', async () => {
      const commitsPerHub = 20;
      let isCommitting = true;
      const observations: number[][] = [];

      // Every write is a new record, so the records table holds every number handed out: at any
      // moment the visible numbers must be exactly 1..k.
      const puller = (async () => {
        const reader = hubs[0]!;
        while (isCommitting) {
          const seqs = (await reader.changedSince(0, 10_000)).map((record) => record.seq);
          observations.push(seqs);
        }
      })();

      const commits = hubs.flatMap((hub, hubIndex) =>
        Array.from({ length: commitsPerHub }, (_, commitIndex) => hub.commit(batch(`h${hubIndex}-c${commitIndex}`, 1 + (commitIndex % 4)))),
      );
      const results = await Promise.all(commits).finally(() => {
        isCommitting = false;
      });
      await puller;

      for (const seqs of results) {
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, index) => seqs[0]! + index));
      }
      const total = results.reduce((sum, seqs) => sum + seqs.length, 0);
      const all = results.flat().sort((x, y) => x - y);
      expect(all).toEqual(Array.from({ length: total }, (_, index) => index + 1));
      expect(await hubs[0]!.lastSeq()).toBe(total);
      expect(await hubs[1]!.lastSeq()).toBe(total);

      expect(observations.length).toBeGreaterThan(0);
      for (const seqs of observations) expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, index) => index + 1));
    });

    it('sees one database from both processes', async () => {
      const [seq] = await hubs[0]!.commit(batch('shared', 1));
      const record = await hubs[1]!.getRecord('shared-0');
      expect(record?.seq).toBe(seq);
      expect(await hubs[1]!.initMeta('hubSecret', 'from-hub-1')).toBe('from-hub-1');
      expect(await hubs[0]!.initMeta('hubSecret', 'from-hub-0')).toBe('from-hub-1');
    });
  });
});
