// A comment is as private as what it is attached to, over real HTTP and WebSocket on a real hub
// (loopback, port 0), on SQLite and (given FIELDWISE_TEST_DATABASE_URL) PostgreSQL: a comment
// under a private draft reaches nobody outside the draft's organization by pull, /yjs or a hub
// bundle; it reaches them once the entry is shared and is withdrawn when it is made private again.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { exportOrgBundle } from '../../server/hub/bundles';
import { nodeBundleCompression } from '../../server/hub/bundles';
import type { HubStorage } from '../../server/storage/hubStorage';
import { openPostgresStorage } from '../../server/storage/postgresStorage';
import { openSqliteStorage } from '../../server/storage/sqliteStorage';
import { commentMutators } from '../../shared/records/comment';
import { entryMutators } from '../../shared/records/entry';
import type { InputTypes } from '../../shared/records/registry';
import { readBundle, readBundleRecords } from '../../shared/sync/bundle';
import { PullFrameReader } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push, request } from '../support/hubRequests';

const databaseUrl = process.env.FIELDWISE_TEST_DATABASE_URL;
const cleanups: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const draft: InputTypes['entry'] = {
  kind: 'practice',
  title: 'Seed saving calendar',
  language: 'en',
  attribution: { holderKind: 'community', holderName: 'Fengyu village', consent: 'community-approved' },
  sharing: 'private',
};

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

/** Opens /yjs/<id>: 'open' once the hub sends its sync step 1, or the close code it refused with. */
function openYjs(hub: TestHub, token: string, recordId: string): Promise<{ socket: WebSocket; outcome: 'open' | number; closed: Promise<number> }> {
  const socket = new WebSocket(`${hub.url.replace(/^http/, 'ws')}/yjs/${recordId}?token=${encodeURIComponent(token)}`);
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  cleanups.push(() => socket.terminate());
  return new Promise((resolve) => {
    socket.once('message', () => resolve({ socket, outcome: 'open', closed }));
    void closed.then((code) => resolve({ socket, outcome: code, closed }));
  });
}

async function bundleIds(hub: TestHub, orgId: string, since: number): Promise<string[]> {
  const { bytes } = await exportOrgBundle(hub.hub, { orgId, since, signer: hub.hub.hubKey });
  return (await readBundleRecords(readBundle(bytes), nodeBundleCompression)).map((record) => record.id);
}

/** Runs one SQL statement on the storage's own database, as an older hub's data would look. */
type RawSql = (statement: string) => Promise<void>;

function privacySuite(label: string, openStorage: () => Promise<HubStorage & { rawSql: RawSql }>): void {
  describe(`a comment is as private as its target (${label})`, () => {
    it('keeps comments under a private draft in its organization, sends them once shared and withdraws them when private again', async () => {
      const hub = await startTestHub({ storage: await openStorage() });
      cleanups.push(() => hub.close());
      const sec = await hub.join(hub.secretariatCode);
      const alpha = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
      const beta = await hub.join(await hub.invite('Cangshan Seed Bank'));
      const alphaCtx = editContext(alpha.org.id, 'member');
      const entryId = 'entry-seed-calendar';
      const entryUpdate = createUpdate('entry', draft, alphaCtx);
      expect((await push(hub.url, alpha.token, [{ id: entryId, type: 'entry', update: entryUpdate }])).status).toBe(200);
      let entryState = (await hub.storage.getRecord(entryId))!.state;
      const setSharing = async (sharing: 'private' | 'network') => {
        const update = changeUpdate(entryState, (doc) => entryMutators.setSharing.apply(doc, sharing, alphaCtx));
        expect((await push(hub.url, alpha.token, [{ id: entryId, type: 'entry', update }])).status).toBe(200);
        entryState = (await hub.storage.getRecord(entryId))!.state;
      };
      const commentOn = (token: string, orgId: string, role: 'member' | 'secretariat', id: string) =>
        push(hub.url, token, [{ id, type: 'comment', update: createUpdate('comment', { targetId: entryId, text: `From ${orgId}` }, editContext(orgId, role)) }]);

      // Alpha comments on its own draft; nobody who cannot read the draft may comment on it.
      expect((await commentOn(alpha.token, alpha.org.id, 'member', 'comment-alpha')).status).toBe(200);
      expect(await commentOn(sec.token, sec.org.id, 'secretariat', 'comment-sec')).toMatchObject({ status: 403, body: { error: { code: 'forbidden', recordId: 'comment-sec' } } });
      expect(await commentOn(beta.token, beta.org.id, 'member', 'comment-beta')).toMatchObject({ status: 403, body: { error: { code: 'forbidden', recordId: 'comment-beta' } } });
      expect(await hub.storage.getRecord('comment-sec')).toBeNull();

      // Beta and the secretariat get neither the draft nor its comment, by pull, /yjs or bundle.
      const betaFirst = await pullIds(hub.url, beta.token, 0);
      expect(betaFirst.ids).not.toContain('comment-alpha');
      expect((await pullIds(hub.url, sec.token, 0)).ids).not.toContain('comment-alpha');
      expect((await pullIds(hub.url, alpha.token, 0)).ids).toContain('comment-alpha');
      expect((await openYjs(hub, beta.token, 'comment-alpha')).outcome).toBe(4404);
      expect((await openYjs(hub, sec.token, 'comment-alpha')).outcome).toBe(4404);
      expect((await openYjs(hub, alpha.token, 'comment-alpha')).outcome).toBe('open');
      expect(await bundleIds(hub, beta.org.id, 0)).not.toContain('comment-alpha');
      // Nor does the secretariat's network status count a later comment under the draft as waiting for beta.
      expect((await commentOn(alpha.token, alpha.org.id, 'member', 'comment-alpha-2')).status).toBe(200);
      const status = (await request(hub.url, '/v1/network-status', { token: sec.token })).body as { orgs: { orgId: string; waitingChanges: number | null }[] };
      expect(status.orgs.find((org) => org.orgId === beta.org.id)?.waitingChanges).toBe(0);

      // Shared: beta's next pull brings the comment (whole), /yjs opens, the secretariat may comment.
      await setSharing('network');
      const betaShared = await pullIds(hub.url, beta.token, betaFirst.checkpoint);
      expect(betaShared.ids).toEqual(expect.arrayContaining([entryId, 'comment-alpha']));
      expect(await bundleIds(hub, beta.org.id, betaFirst.checkpoint)).toEqual(expect.arrayContaining([entryId, 'comment-alpha']));
      expect((await commentOn(sec.token, sec.org.id, 'secretariat', 'comment-sec')).status).toBe(200);
      const betaSocket = await openYjs(hub, beta.token, 'comment-alpha');
      expect(betaSocket.outcome).toBe('open');
      const betaAfterSec = await pullIds(hub.url, beta.token, betaShared.checkpoint);
      expect(betaAfterSec.ids).toContain('comment-sec');

      // Private again: beta's open socket closes, its next pull withdraws both comments.
      await setSharing('private');
      expect(await betaSocket.closed).toBe(4403);
      const betaWithdrawn = await pullIds(hub.url, beta.token, betaAfterSec.checkpoint);
      expect(betaWithdrawn.withdrawn).toEqual(expect.arrayContaining([entryId, 'comment-alpha', 'comment-sec']));
      expect(betaWithdrawn.ids).not.toContain('comment-alpha');
      expect(betaWithdrawn.ids).not.toContain('comment-sec');
      expect((await pullIds(hub.url, sec.token, betaAfterSec.checkpoint)).withdrawn).toEqual(expect.arrayContaining(['comment-alpha', 'comment-sec']));
      expect(await bundleIds(hub, beta.org.id, betaAfterSec.checkpoint)).not.toContain('comment-alpha');
      // The secretariat may no longer moderate (hide) the comment under the private draft.
      const hidden = changeUpdate((await hub.storage.getRecord('comment-alpha'))!.state, (doc) =>
        commentMutators.hide.apply(doc, 'off topic', editContext(sec.org.id, 'secretariat')),
      );
      expect(await push(hub.url, sec.token, [{ id: 'comment-alpha', type: 'comment', update: hidden }])).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
      // Alpha still has its comment.
      expect((await pullIds(hub.url, alpha.token, 0)).ids).toContain('comment-alpha');
    });

    it('reads a comment pushed before its entry as its organization\'s alone until the entry arrives', async () => {
      const hub = await startTestHub({ storage: await openStorage() });
      cleanups.push(() => hub.close());
      const alpha = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
      const beta = await hub.join(await hub.invite('Cangshan Seed Bank'));
      const alphaCtx = editContext(alpha.org.id, 'member');
      const comment = createUpdate('comment', { targetId: 'entry-later', text: 'Written offline' }, alphaCtx);
      expect((await push(hub.url, alpha.token, [{ id: 'comment-early', type: 'comment', update: comment }])).status).toBe(200);
      const betaFirst = await pullIds(hub.url, beta.token, 0);
      expect(betaFirst.ids).not.toContain('comment-early');
      expect((await openYjs(hub, beta.token, 'comment-early')).outcome).toBe(4404);
      const shared = createUpdate('entry', { ...draft, sharing: 'network' }, alphaCtx);
      expect((await push(hub.url, alpha.token, [{ id: 'entry-later', type: 'entry', update: shared }])).status).toBe(200);
      expect((await pullIds(hub.url, beta.token, betaFirst.checkpoint)).ids).toEqual(expect.arrayContaining(['entry-later', 'comment-early']));
    });

    it('gives comments stored by an older hub their target scope at start, so sharing and unsharing reach them', async () => {
      const storage = await openStorage();
      const hub = await startTestHub({ storage });
      cleanups.push(() => hub.close());
      const alpha = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
      const beta = await hub.join(await hub.invite('Cangshan Seed Bank'));
      const alphaCtx = editContext(alpha.org.id, 'member');
      expect((await push(hub.url, alpha.token, [{ id: 'entry-old', type: 'entry', update: createUpdate('entry', draft, alphaCtx) }])).status).toBe(200);
      const comment = createUpdate('comment', { targetId: 'entry-old', text: 'Stored long ago' }, alphaCtx);
      expect((await push(hub.url, alpha.token, [{ id: 'comment-old', type: 'comment', update: comment }])).status).toBe(200);
      // As a hub before this change stored it: its own facts only, attached to nothing.
      await storage.rawSql(`UPDATE records SET facts = '{"isHidden":false}', attached_to = NULL WHERE id = 'comment-old'`);
      await storage.migrate();
      expect((await storage.getRecord('comment-old'))!.facts.target).toMatchObject({ id: 'entry-old', type: 'entry', ownerOrg: alpha.org.id, facts: { isPrivate: true } });
      const betaFirst = await pullIds(hub.url, beta.token, 0);
      expect(betaFirst.ids).not.toContain('comment-old');
      const state = (await storage.getRecord('entry-old'))!.state;
      const share = changeUpdate(state, (doc) => entryMutators.setSharing.apply(doc, 'network', alphaCtx));
      expect((await push(hub.url, alpha.token, [{ id: 'entry-old', type: 'entry', update: share }])).status).toBe(200);
      expect((await pullIds(hub.url, beta.token, betaFirst.checkpoint)).ids).toContain('comment-old');
    });
  });
}

privacySuite('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-comment-privacy-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'hub.sqlite');
  const storage = openSqliteStorage(file);
  const rawSql: RawSql = async (statement) => {
    const db = new Database(file);
    db.exec(statement);
    db.close();
  };
  return Object.assign(storage, { rawSql });
});

if (databaseUrl !== undefined) {
  privacySuite('postgres', async () => {
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
