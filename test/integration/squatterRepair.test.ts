// Repair of data written before ids were reserved, on SQLite and (given FIELDWISE_TEST_DATABASE_URL)
// PostgreSQL: a storage seeded with squatters as an older hub accepted them (a comment at
// `result~P`, one at `ballot~P~O`) is repaired at the next hub start, the moves are reported for
// the log, the organization votes again over HTTP and the vote is sealed.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Hub } from '../../server/hub/hub';
import { SEAL_SETTLE_MS } from '../../server/hub/sealing';
import type { HubStorage } from '../../server/storage/hubStorage';
import { openPostgresStorage } from '../../server/storage/postgresStorage';
import { openSqliteStorage } from '../../server/storage/sqliteStorage';
import { ballotId, ballotMutators } from '../../shared/records/ballot';
import { comment } from '../../shared/records/comment';
import { resultId } from '../../shared/records/result';
import { manualClock, startTestHub } from '../support/hub';
import { createUpdate, editContext, push } from '../support/hubRequests';
import { hubMembers, openVoteIn } from '../support/governance';

const HOUR_MS = 3_600_000;
const databaseUrl = process.env.FIELDWISE_TEST_DATABASE_URL;
const cleanups: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Writes a comment under `id` straight into storage, as a hub without reserved ids accepted it. */
async function seedSquatter(storage: HubStorage, id: string, ownerOrg: string, now: number): Promise<void> {
  const doc = new Y.Doc();
  comment.create(doc, comment.parseInput({ targetId: 'entry-x', text: 'mine now' }), { orgId: ownerOrg, deviceId: 'd', role: 'member', now });
  const projection = comment.read(doc);
  const state = Y.encodeStateAsUpdate(doc);
  await storage.commit([{ header: { id, type: 'comment', ownerOrg, createdAt: now }, update: state, state, projection: { ...projection }, facts: comment.facts(projection), credentialId: null, expectedSeq: null }]);
  doc.destroy();
}

function repairSuite(label: string, openStorage: () => Promise<HubStorage>): void {
  describe(`squatter repair (${label})`, () => {
    it('moves squatters off reserved ids at hub start, so the organization votes again and the vote is sealed', async () => {
      const clock = manualClock(Date.UTC(2026, 5, 1, 8, 0, 0));
      const storage = await openStorage();
      const testHub = await startTestHub({ storage, now: clock.now });
      cleanups.push(() => testHub.close());
      const sec = await testHub.join(testHub.secretariatCode);
      const alpha = await testHub.join(await testHub.invite('Fengyu Farmers Cooperative'));
      const beta = await testHub.join(await testHub.invite('Cangshan Seed Bank'));
      const open = async (id: string) => {
        const ctx = editContext(sec.org.id, 'secretariat', clock.now());
        const terms = { title: id, options: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }], method: 'single' as const, opensAt: clock.now(), closesAt: clock.now() + 4 * HOUR_MS, graceHours: 1 };
        const members = await hubMembers(testHub.storage);
        expect((await push(testHub.url, sec.token, [{ id, type: 'proposal', update: createUpdate('proposal', terms, ctx, (doc) => openVoteIn(doc, members, ctx)) }])).status).toBe(200);
      };
      const betaVotes = () => {
        const ctx = editContext(beta.org.id, 'member', clock.now());
        const update = createUpdate('ballot', { proposalId: 'proposal-frozen' }, ctx, (doc) => ballotMutators.cast.apply(doc, { method: 'single', optionId: 'yes' }, ctx));
        return push(testHub.url, beta.token, [{ id: ballotId('proposal-frozen', beta.org.id), type: 'ballot', update }]);
      };
      await open('proposal-frozen');
      await seedSquatter(storage, resultId('proposal-frozen'), alpha.org.id, clock.now());
      await seedSquatter(storage, ballotId('proposal-frozen', beta.org.id), alpha.org.id, clock.now());
      // Frozen as the attack left it: beta cannot vote (the squatter is alpha's, so beta may not write there).
      expect((await betaVotes()).status).toBe(403);

      const restarted = await Hub.open({ storage, now: clock.now });
      expect(restarted.repairs.map((move) => move.fromId).sort()).toEqual([ballotId('proposal-frozen', beta.org.id), resultId('proposal-frozen')].sort());
      for (const move of restarted.repairs) {
        expect(move).toMatchObject({ type: 'comment', ownerOrg: alpha.org.id });
        expect(await storage.getRecord(move.fromId)).toBeNull();
        const moved = (await storage.getRecord(move.toId))!;
        expect(moved.header).toMatchObject({ id: move.toId, type: 'comment', ownerOrg: alpha.org.id });
        expect(moved.projection.text).toBe('mine now');
      }
      // Again: nothing left to move.
      expect((await Hub.open({ storage, now: clock.now })).repairs).toEqual([]);

      expect((await betaVotes()).status).toBe(200);
      // A squatter on another poll's result, met by the sealer itself, is moved off too.
      await open('proposal-second');
      await seedSquatter(storage, resultId('proposal-second'), alpha.org.id, clock.now());
      clock.advance(5 * HOUR_MS + SEAL_SETTLE_MS + 1);
      const outcomes = await restarted.sealDue(clock.now());
      expect(outcomes.get('proposal-frozen')).toMatchObject({ kind: 'sealed' });
      expect(outcomes.get('proposal-second')).toMatchObject({ kind: 'sealed' });
      for (const id of ['proposal-frozen', 'proposal-second']) expect((await storage.getRecord(resultId(id)))!.header.type).toBe('result');
      const sealed = (await storage.getRecord(resultId('proposal-frozen')))!.projection as { counted: { orgId: string }[] };
      expect(sealed.counted.map((ballot) => ballot.orgId)).toEqual([beta.org.id]);
    });
  });
}

repairSuite('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-repair-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return openSqliteStorage(join(dir, 'hub.sqlite'));
});

if (databaseUrl !== undefined) {
  repairSuite('postgres', async () => {
    const schema = `fw_test_${process.pid}_${randomBytes(6).toString('hex')}`;
    cleanups.push(async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    });
    return openPostgresStorage({ connectionString: databaseUrl, schema });
  });
}
