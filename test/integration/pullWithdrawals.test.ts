// A pull's `withdrawn` list names only records the reader could have held (issue 12, "no oracle"),
// over real HTTP on a real hub (loopback, port 0), on SQLite and (given FIELDWISE_TEST_DATABASE_URL)
// PostgreSQL: another organization's secret ballot, private draft or comment under its draft never
// shows up there by id, whatever checkpoint the reader sends; a record the reader could read at its
// checkpoint, or at any moment after it, is still withdrawn when it stops being readable.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { commitSystemChange } from '../../server/hub/systemWrites';
import type { HubStorage } from '../../server/storage/hubStorage';
import { openPostgresStorage } from '../../server/storage/postgresStorage';
import { openSqliteStorage } from '../../server/storage/sqliteStorage';
import { ballotId, ballotMutators } from '../../shared/records/ballot';
import { entryMutators } from '../../shared/records/entry';
import { proposal } from '../../shared/records/proposal';
import type { InputTypes } from '../../shared/records/registry';
import { PullFrameReader } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push } from '../support/hubRequests';
import { hubMembers, openVoteIn } from '../support/governance';

const databaseUrl = process.env.FIELDWISE_TEST_DATABASE_URL;
const cleanups: (() => Promise<void> | void)[] = [];
const DAY_MS = 24 * 60 * 60 * 1000;

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const entryInput = (sharing: 'private' | 'network'): InputTypes['entry'] => ({
  kind: 'practice',
  title: 'Seed saving calendar',
  language: 'en',
  attribution: { holderKind: 'community', holderName: 'Fengyu village', consent: 'community-approved' },
  sharing,
});

/** GET /v1/pull since `since`: the ids pulled, the ids withdrawn and the checkpoint reached. */
async function pullIds(url: string, token: string, since: number): Promise<{ ids: string[]; withdrawn: string[]; checkpoint: number }> {
  const response = await fetch(`${url}/v1/pull?since=${since}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
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

/** The secretariat's open poll with secret ballots, as the hub stores one. */
async function openSecretPoll(hub: TestHub, secretariatOrg: string, proposalId: string): Promise<void> {
  const ctx = editContext(secretariatOrg, 'secretariat');
  const input = {
    title: 'Pool the seed fund',
    options: [
      { id: 'yes', label: 'Yes' },
      { id: 'no', label: 'No' },
    ],
    method: 'single',
    secrecy: 'secret',
    opensAt: Date.now() - DAY_MS,
    closesAt: Date.now() + DAY_MS,
    eligible: { kind: 'roles', roles: ['secretariat', 'steward', 'member'] },
  } satisfies InputTypes['proposal'];
  const members = await hubMembers(hub.storage);
  await commitSystemChange(hub.storage, { id: proposalId, type: 'proposal', ownerOrg: secretariatOrg, createdAt: Date.now() }, (doc) => {
    proposal.create(doc, proposal.parseInput(input), ctx);
    openVoteIn(doc, members, ctx);
  });
}

/** Runs one SQL statement on the storage's own database, as an older hub's data would look. */
type RawSql = (statement: string) => Promise<void>;

function withdrawalSuite(label: string, openStorage: () => Promise<HubStorage & { rawSql: RawSql }>): void {
  describe(`a pull withdraws only what the reader could have held (${label})`, () => {
    it("never names another organization's secret ballot, private draft or comment under it, from any checkpoint", async () => {
      const hub = await startTestHub({ storage: await openStorage() });
      cleanups.push(() => hub.close());
      const sec = await hub.join(hub.secretariatCode);
      const voter = await hub.join(await hub.invite('Cangshan Seed Bank'));
      const prober = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
      const voterCtx = editContext(voter.org.id, 'member');
      const proposalId = 'proposal-seed-fund';
      await openSecretPoll(hub, sec.org.id, proposalId);
      const before = await pullIds(hub.url, prober.token, 0);
      expect(before.ids).toContain(proposalId);

      // After the prober's checkpoint, the voter casts a secret ballot, keeps a private draft,
      // edits it and comments under it.
      const voteId = ballotId(proposalId, voter.org.id);
      const vote = createUpdate('ballot', { proposalId, isSecret: true }, voterCtx, (doc) => ballotMutators.cast.apply(doc, { method: 'single', optionId: 'yes' }, voterCtx));
      expect((await push(hub.url, voter.token, [{ id: voteId, type: 'ballot', update: vote }])).status).toBe(200);
      const draftId = 'entry-voter-draft';
      expect((await push(hub.url, voter.token, [{ id: draftId, type: 'entry', update: createUpdate('entry', entryInput('private'), voterCtx) }])).status).toBe(200);
      const retitle = changeUpdate((await hub.storage.getRecord(draftId))!.state, (doc) => entryMutators.setFields.apply(doc, { title: 'Seed saving calendar, second year' }, voterCtx));
      expect((await push(hub.url, voter.token, [{ id: draftId, type: 'entry', update: retitle }])).status).toBe(200);
      const comment = createUpdate('comment', { targetId: draftId, text: 'Check the dates' }, voterCtx);
      expect((await push(hub.url, voter.token, [{ id: 'comment-voter', type: 'comment', update: comment }])).status).toBe(200);
      const hidden = [voteId, draftId, 'comment-voter'];

      // From its real checkpoint, or any number it cares to send, the prober learns none of their ids.
      for (const since of [before.checkpoint, 1, before.checkpoint - 1, before.checkpoint + 1]) {
        const pulled = await pullIds(hub.url, prober.token, since);
        for (const id of hidden) {
          expect(pulled.ids).not.toContain(id);
          expect(pulled.withdrawn, `withdrawn since ${since}`).not.toContain(id);
        }
      }
      // The secretariat reads the secret ballot; it is not withdrawn from it either.
      const secPull = await pullIds(hub.url, sec.token, before.checkpoint);
      expect(secPull.ids).toContain(voteId);
      expect(secPull.withdrawn).toEqual([]);
    });

    it('withdraws a record the reader could read at its checkpoint or after it, and only once it stops being readable', async () => {
      const hub = await startTestHub({ storage: await openStorage() });
      cleanups.push(() => hub.close());
      const alpha = await hub.join(await hub.invite('Cangshan Seed Bank'));
      const beta = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
      const alphaCtx = editContext(alpha.org.id, 'member');
      const setSharing = async (id: string, sharing: 'private' | 'network') => {
        const update = changeUpdate((await hub.storage.getRecord(id))!.state, (doc) => entryMutators.setSharing.apply(doc, sharing, alphaCtx));
        expect((await push(hub.url, alpha.token, [{ id, type: 'entry', update }])).status).toBe(200);
      };
      const retitle = async (id: string, title: string) => {
        const update = changeUpdate((await hub.storage.getRecord(id))!.state, (doc) => entryMutators.setFields.apply(doc, { title }, alphaCtx));
        expect((await push(hub.url, alpha.token, [{ id, type: 'entry', update }])).status).toBe(200);
      };

      // Shared when beta pulled: made private again, it is withdrawn from beta's checkpoint.
      expect((await push(hub.url, alpha.token, [{ id: 'entry-shared', type: 'entry', update: createUpdate('entry', entryInput('network'), alphaCtx) }])).status).toBe(200);
      const first = await pullIds(hub.url, beta.token, 0);
      expect(first.ids).toContain('entry-shared');
      // Shared only after beta's checkpoint and private again before its next pull: beta may hold
      // a copy from /yjs meanwhile, so it is withdrawn too.
      expect((await push(hub.url, alpha.token, [{ id: 'entry-briefly', type: 'entry', update: createUpdate('entry', entryInput('private'), alphaCtx) }])).status).toBe(200);
      await setSharing('entry-briefly', 'network');
      await setSharing('entry-briefly', 'private');
      await setSharing('entry-shared', 'private');
      await retitle('entry-shared', 'Renamed while private');
      const second = await pullIds(hub.url, beta.token, first.checkpoint);
      expect(second.withdrawn.sort()).toEqual(['entry-briefly', 'entry-shared']);
      expect(second.ids).not.toContain('entry-shared');

      // Once withdrawn, a private record's later changes are nobody else's business: not named again.
      await retitle('entry-shared', 'Renamed again');
      await setSharing('entry-briefly', 'private');
      await retitle('entry-briefly', 'Still private');
      expect((await pullIds(hub.url, beta.token, second.checkpoint)).withdrawn).toEqual([]);
      // Shared and private once more: withdrawn again from the checkpoint it was shared at.
      await setSharing('entry-shared', 'network');
      const third = await pullIds(hub.url, beta.token, second.checkpoint);
      expect(third.ids).toContain('entry-shared');
      await setSharing('entry-shared', 'private');
      expect((await pullIds(hub.url, beta.token, third.checkpoint)).withdrawn).toEqual(['entry-shared']);
    });

    it('treats a record stored by an older hub as possibly held before its facts last changed, and exactly after that', async () => {
      const storage = await openStorage();
      const hub = await startTestHub({ storage });
      cleanups.push(() => hub.close());
      const alpha = await hub.join(await hub.invite('Cangshan Seed Bank'));
      const beta = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
      const alphaCtx = editContext(alpha.org.id, 'member');
      const first = await pullIds(hub.url, beta.token, 0);
      expect((await push(hub.url, alpha.token, [{ id: 'entry-old', type: 'entry', update: createUpdate('entry', entryInput('private'), alphaCtx) }])).status).toBe(200);
      // As a hub before this change stored it: no history of its facts; the start fills it in.
      await storage.rawSql('DELETE FROM facts_history');
      await storage.migrate();
      const factsSeq = (await storage.getRecord('entry-old'))!.factsSeq;
      expect((await storage.factsSince(['entry-old'], factsSeq - 1)).get('entry-old')).toEqual([null, { isPrivate: true }]);
      expect((await storage.factsSince(['entry-old'], factsSeq)).get('entry-old')).toEqual([{ isPrivate: true }]);
      // What it could read before the upgrade is not known, so a checkpoint from then still gets it named.
      const second = await pullIds(hub.url, beta.token, first.checkpoint);
      expect(second.withdrawn).toEqual(['entry-old']);
      // From a checkpoint after its facts last changed, and for every record stored since, it is exact.
      const retitle = changeUpdate((await hub.storage.getRecord('entry-old'))!.state, (doc) => entryMutators.setFields.apply(doc, { title: 'Retitled' }, alphaCtx));
      expect((await push(hub.url, alpha.token, [{ id: 'entry-old', type: 'entry', update: retitle }])).status).toBe(200);
      expect((await push(hub.url, alpha.token, [{ id: 'entry-new', type: 'entry', update: createUpdate('entry', entryInput('private'), alphaCtx) }])).status).toBe(200);
      expect((await pullIds(hub.url, beta.token, second.checkpoint)).withdrawn).toEqual([]);
    });
  });
}

withdrawalSuite('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-pull-withdrawals-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'hub.sqlite');
  const rawSql: RawSql = async (statement) => {
    const db = new Database(file);
    db.exec(statement);
    db.close();
  };
  return Object.assign(openSqliteStorage(file), { rawSql });
});

if (databaseUrl !== undefined) {
  withdrawalSuite('postgres', async () => {
    const schema = `fw_test_${process.pid}_${randomBytes(6).toString('hex')}`;
    cleanups.push(async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    });
    const storage = await openPostgresStorage({ connectionString: databaseUrl, schema });
    const rawSql: RawSql = async (statement) => {
      const client = await storage.pool.connect();
      try {
        await client.query(`SET search_path TO "${schema}"`);
        await client.query(statement);
      } finally {
        await client.query('RESET search_path');
        client.release();
      }
    };
    return Object.assign(storage, { rawSql });
  });
}
