import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { RecordHeader } from '../../shared/records/recordType';
import type { RuleFacts } from '../../shared/records/recordModule';
import { StaleWriteError, type CredentialRow, type HubStorage, type RecordWrite } from '../../server/storage/hubStorage';

/*
 * The behaviour every HubStorage adapter must have (STYLE.md: every storage backend passes one
 * contract suite), in one section per concern of the interface (server/storage/hubStorage.ts):
 * meta, directory, record log, governance schedule, pull checkpoints, lifecycle. Each test gets a
 * fresh, empty storage from `open`, closed after the test; `cleanup` runs once after the suite
 * (drop schemas, remove files).
 */

/** A record's Y.Doc with helpers that return real Yjs updates, so blobs are checked byte for byte. */
class Doc {
  readonly doc = new Y.Doc();
  readonly updates: Uint8Array[] = [];

  /** Sets a field and returns the update that change produced. */
  set(field: string, value: string): Uint8Array {
    const before = Y.encodeStateVector(this.doc);
    this.doc.getMap('fields').set(field, value);
    const update = Y.encodeStateAsUpdate(this.doc, before);
    this.updates.push(update);
    return update;
  }

  state(): Uint8Array {
    return Y.encodeStateAsUpdate(this.doc);
  }
}

function fieldsOf(state: Uint8Array): Record<string, unknown> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  const fields = doc.getMap('fields').toJSON();
  doc.destroy();
  return fields;
}

const bytes = (value: Uint8Array): number[] => Array.from(value);

function header(id: string, overrides: Partial<RecordHeader> = {}): RecordHeader {
  return { id, type: 'entry', ownerOrg: 'org-a', createdAt: 1_700_000_000_000, ...overrides };
}

function write(
  id: string,
  update: Uint8Array,
  state: Uint8Array,
  options: { expectedSeq?: number | null; header?: RecordHeader; projection?: Record<string, unknown>; facts?: RuleFacts } = {},
): RecordWrite {
  return {
    header: options.header ?? header(id),
    update,
    state,
    projection: options.projection ?? { title: id },
    facts: options.facts ?? {},
    credentialId: 'cred-1',
    expectedSeq: options.expectedSeq ?? null,
  };
}

/** Commits one change to `doc` under record `id`, prepared from the stored version as the hub does; returns its seq. */
async function change(storage: HubStorage, id: string, doc: Doc, value: string, facts: RuleFacts = {}): Promise<number> {
  const expectedSeq = (await storage.getRecord(id))?.seq ?? null;
  const update = doc.set('title', value);
  const [seq] = await storage.commit([write(id, update, doc.state(), { expectedSeq, projection: { title: value }, facts })]);
  return seq!;
}

const HOUR_MS = 3_600_000;

export function hubStorageContract(name: string, open: () => Promise<HubStorage>, cleanup?: () => Promise<void>): void {
  describe(`HubStorage contract: ${name}`, () => {
    let storage: HubStorage;
    let scratchDir = '';

    beforeAll(() => {
      scratchDir = mkdtempSync(join(tmpdir(), 'fw-contract-'));
    });
    beforeEach(async () => {
      storage = await open();
    });
    afterEach(async () => {
      await storage.close();
    });
    afterAll(async () => {
      if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
      await cleanup?.();
    });

    async function orgWithInvitation(code: string, expiresAt: number): Promise<void> {
      if (!(await storage.getOrg('org-a'))) await storage.createOrg({ id: 'org-a', name: 'Xishan cooperative', role: 'member', createdAt: 1 });
      await storage.createInvitation({ codeHash: code, orgId: 'org-a', role: 'steward', createdAt: 1, expiresAt });
    }

    const device = (id: string) => ({ id, deviceId: `dev-${id}`, deviceName: `Laptop ${id}`, createdAt: 42 });

    describe('meta', () => {
      it('sets a value only once and returns the value in force', async () => {
        expect(await storage.getMeta('networkId')).toBeNull();
        expect(await storage.initMeta('networkId', 'first')).toBe('first');
        expect(await storage.initMeta('networkId', 'second')).toBe('first');
        expect(await storage.getMeta('networkId')).toBe('first');
      });
    });

    describe('directory', () => {
      describe('orgs', () => {
        it('creates, reads and lists orgs by name then id in code point order', async () => {
          expect(await storage.getOrg('org-x')).toBeNull();
          await storage.createOrg({ id: 'org-b', name: 'alpha', role: 'member', createdAt: 10 });
          await storage.createOrg({ id: 'org-a', name: 'alpha', role: 'steward', createdAt: 11 });
          await storage.createOrg({ id: 'org-c', name: 'Zeta', role: 'secretariat', createdAt: 12 });
          expect(await storage.getOrg('org-b')).toEqual({ id: 'org-b', name: 'alpha', role: 'member', createdAt: 10, lastSeenAt: null });
          expect((await storage.listOrgs()).map((org) => org.id)).toEqual(['org-c', 'org-a', 'org-b']);
        });

        it('refuses a second org with the same id', async () => {
          await storage.createOrg({ id: 'org-a', name: 'A', role: 'member', createdAt: 1 });
          await expect(storage.createOrg({ id: 'org-a', name: 'B', role: 'member', createdAt: 2 })).rejects.toThrow();
          expect((await storage.getOrg('org-a'))?.name).toBe('A');
        });

        it('only moves lastSeenAt forward', async () => {
          await storage.createOrg({ id: 'org-a', name: 'A', role: 'member', createdAt: 1 });
          await storage.touchOrg('org-a', 2_000);
          expect((await storage.getOrg('org-a'))?.lastSeenAt).toBe(2_000);
          await storage.touchOrg('org-a', 1_000);
          expect((await storage.getOrg('org-a'))?.lastSeenAt).toBe(2_000);
          await storage.touchOrg('org-a', 3_000);
          expect((await storage.getOrg('org-a'))?.lastSeenAt).toBe(3_000);
          await storage.touchOrg('org-unknown', 4_000);
          expect(await storage.getOrg('org-unknown')).toBeNull();
        });
      });

      describe('invitations', () => {
        it('redeems an invitation once, into a credential with its org and role', async () => {
          const now = Date.now();
          await orgWithInvitation('hash-1', now + HOUR_MS);
          const credential = await storage.redeemInvitation('hash-1', device('cred-1'), now);
          const expected: CredentialRow = {
            id: 'cred-1',
            orgId: 'org-a',
            deviceId: 'dev-cred-1',
            deviceName: 'Laptop cred-1',
            role: 'steward',
            createdAt: 42,
            revokedAt: null,
          };
          expect(credential).toEqual(expected);
          expect(await storage.getCredential('cred-1')).toEqual(expected);

          expect(await storage.redeemInvitation('hash-1', device('cred-2'), now + 1)).toBeNull();
          expect(await storage.getCredential('cred-2')).toBeNull();
        });

        it('refuses an expired invitation, also at the exact expiry time', async () => {
          const now = Date.now();
          await orgWithInvitation('hash-expired', now - 1);
          await orgWithInvitation('hash-expiring', now);
          expect(await storage.redeemInvitation('hash-expired', device('cred-1'), now)).toBeNull();
          expect(await storage.redeemInvitation('hash-expiring', device('cred-2'), now)).toBeNull();
          expect(await storage.getCredential('cred-1')).toBeNull();
          expect(await storage.getCredential('cred-2')).toBeNull();
        });

        it('refuses an unknown code', async () => {
          await orgWithInvitation('hash-1', Date.now() + HOUR_MS);
          expect(await storage.redeemInvitation('hash-unknown', device('cred-1'), Date.now())).toBeNull();
          expect(await storage.getCredential('cred-1')).toBeNull();
        });

        it('gives exactly one credential to devices racing with one code', async () => {
          const now = Date.now();
          await orgWithInvitation('hash-race', now + HOUR_MS);
          const ids = ['cred-1', 'cred-2', 'cred-3', 'cred-4', 'cred-5'];
          const results = await Promise.all(ids.map((id) => storage.redeemInvitation('hash-race', device(id), now)));
          const winners = results.filter((result) => result !== null);
          expect(winners).toHaveLength(1);
          const stored = await Promise.all(ids.map((id) => storage.getCredential(id)));
          expect(stored.filter((row) => row !== null).map((row) => row.id)).toEqual([winners[0]!.id]);
        });
      });

      describe('credentials', () => {
        async function threeCredentials(): Promise<void> {
          const now = Date.now();
          await storage.createOrg({ id: 'org-a', name: 'A', role: 'member', createdAt: 1 });
          await storage.createOrg({ id: 'org-b', name: 'B', role: 'member', createdAt: 1 });
          for (const [code, org] of [['h-a1', 'org-a'], ['h-a2', 'org-a'], ['h-b1', 'org-b']] as const) {
            await storage.createInvitation({ codeHash: code, orgId: org, role: 'member', createdAt: 1, expiresAt: now + HOUR_MS });
          }
          await storage.redeemInvitation('h-a1', device('a1'), now);
          await storage.redeemInvitation('h-a2', device('a2'), now);
          await storage.redeemInvitation('h-b1', device('b1'), now);
        }

        it('revokes one credential, then the rest of its organization, keeping the first revocation time', async () => {
          await threeCredentials();
          expect(await storage.revokeCredentials({ credentialId: 'a1' }, 100)).toBe(1);
          expect(await storage.revokeCredentials({ credentialId: 'a1' }, 150)).toBe(0);
          expect(await storage.revokeCredentials({ credentialId: 'unknown' }, 150)).toBe(0);
          expect(await storage.revokeCredentials({ orgId: 'org-a' }, 200)).toBe(1);

          expect((await storage.getCredential('a1'))?.revokedAt).toBe(100);
          expect((await storage.getCredential('a2'))?.revokedAt).toBe(200);
          expect((await storage.getCredential('b1'))?.revokedAt).toBeNull();
        });

        it('lists credentials revoked at or after a time', async () => {
          await threeCredentials();
          expect(await storage.revokedSince(0)).toEqual([]);
          await storage.revokeCredentials({ credentialId: 'a1' }, 100);
          await storage.revokeCredentials({ credentialId: 'b1' }, 200);
          expect((await storage.revokedSince(100)).sort()).toEqual(['a1', 'b1']);
          expect(await storage.revokedSince(101)).toEqual(['b1']);
          expect(await storage.revokedSince(200)).toEqual(['b1']);
          expect(await storage.revokedSince(201)).toEqual([]);
        });

        it('registers a device key once per credential and returns the key in force', async () => {
          await threeCredentials();
          const first = new Uint8Array(32).fill(7);
          const second = new Uint8Array(32).fill(9);
          expect(await storage.getDeviceKey('a1')).toBeNull();
          expect(await storage.registerDeviceKey('a1', first, 10)).toEqual(first);
          // Another key for the same credential changes nothing: the first one stays in force.
          expect(await storage.registerDeviceKey('a1', second, 20)).toEqual(first);
          expect(await storage.getDeviceKey('a1')).toEqual(first);
          expect(await storage.registerDeviceKey('a2', second, 20)).toEqual(second);
          expect(await storage.getDeviceKey('b1')).toBeNull();
          await expect(storage.registerDeviceKey('unknown', first, 30)).rejects.toThrow();
        });
      });
    });

    describe('administration', () => {
      async function network(now: number): Promise<void> {
        await storage.createOrg({ id: 'org-a', name: 'A', role: 'member', createdAt: 1 });
        await storage.createOrg({ id: 'org-b', name: 'B', role: 'steward', createdAt: 2 });
        for (const [code, org, createdAt] of [['h-a1', 'org-a', 10], ['h-a2', 'org-a', 11], ['h-b1', 'org-b', 12]] as const) {
          await storage.createInvitation({ codeHash: code.padEnd(64, '0'), orgId: org, role: org === 'org-a' ? 'member' : 'steward', createdAt, expiresAt: now + HOUR_MS });
        }
      }
      const hash = (code: string) => code.padEnd(64, '0');

      describe('invitations', () => {
        it('lists invitations newest first with their states, and names each by an id of its hash', async () => {
          const now = Date.now();
          await network(now);
          await storage.redeemInvitation(hash('h-a1'), device('a1'), now);
          expect(await storage.withdrawInvitations({ codeHash: hash('h-a2') }, now)).toBe(1);
          const listed = await storage.listInvitations();
          expect(listed.map((row) => [row.codeHash.slice(0, 4), row.usedBy, row.withdrawnAt])).toEqual([
            ['h-b1', null, null],
            ['h-a2', null, now],
            ['h-a1', 'a1', null],
          ]);
          expect(listed[2]).toMatchObject({ id: `inv-${hash('h-a1').slice(0, 24)}`, orgId: 'org-a', role: 'member', usedAt: now, expiresAt: now + HOUR_MS });
          expect(await storage.getInvitation({ id: listed[1]!.id })).toEqual(listed[1]);
          expect(await storage.getInvitation({ codeHash: hash('h-b1') })).toEqual(listed[0]);
          expect(await storage.getInvitation({ id: 'inv-unknown' })).toBeNull();
          expect(await storage.getInvitation({ codeHash: 'unknown' })).toBeNull();
        });

        it('withdraws only pending invitations, and a withdrawn one cannot be redeemed', async () => {
          const now = Date.now();
          await network(now);
          await storage.redeemInvitation(hash('h-a1'), device('a1'), now);
          // Used, then withdrawn already, then expired at `later`: none of them is pending.
          expect(await storage.withdrawInvitations({ codeHash: hash('h-a1') }, now)).toBe(0);
          expect(await storage.withdrawInvitations({ codeHash: hash('h-a2') }, now)).toBe(1);
          expect(await storage.withdrawInvitations({ codeHash: hash('h-a2') }, now + 1)).toBe(0);
          expect(await storage.withdrawInvitations({ codeHash: hash('h-b1') }, now + HOUR_MS)).toBe(0);
          expect(await storage.redeemInvitation(hash('h-a2'), device('a2'), now)).toBeNull();
          expect(await storage.getCredential('a2')).toBeNull();
          expect((await storage.getInvitation({ codeHash: hash('h-a2') }))?.usedAt).toBeNull();
        });

        it("withdraws every pending invitation of one organization", async () => {
          const now = Date.now();
          await network(now);
          expect(await storage.withdrawInvitations({ orgId: 'org-a' }, now)).toBe(2);
          expect((await storage.getInvitation({ codeHash: hash('h-b1') }))?.withdrawnAt).toBeNull();
        });
      });

      describe('devices', () => {
        it('lists devices in join order with last contact, app version and revocation', async () => {
          const now = Date.now();
          await network(now);
          await storage.redeemInvitation(hash('h-a1'), { ...device('a1'), createdAt: 1 }, now);
          await storage.redeemInvitation(hash('h-b1'), { ...device('b1'), createdAt: 2 }, now);
          await storage.touchDevice('a1', 500, '0.9.0');
          await storage.touchDevice('a1', 400, null);
          await storage.touchDevice('unknown', 400, '1.0');
          const devices = await storage.listDevices();
          expect(devices.map((row) => row.id)).toEqual(['a1', 'b1']);
          expect(devices[0]).toEqual({
            id: 'a1', orgId: 'org-a', deviceId: 'dev-a1', deviceName: 'Laptop a1', role: 'member', createdAt: 1, revokedAt: null,
            lastSeenAt: 500, appVersion: '0.9.0', revokeReason: null, wipe: false,
          });
          expect(devices[1]).toMatchObject({ lastSeenAt: null, appVersion: null });
          expect(await storage.getDevice('unknown')).toBeNull();
        });

        it('revokes with a reason and wipe once, and marks a device revoked without wipe for wipe', async () => {
          const now = Date.now();
          await network(now);
          await storage.redeemInvitation(hash('h-a1'), device('a1'), now);
          await storage.redeemInvitation(hash('h-a2'), device('a2'), now);
          expect(await storage.revokeDevices({ credentialId: 'a1' }, 100, { reason: 'lost', wipe: false })).toEqual(['a1']);
          expect(await storage.revokeDevices({ credentialId: 'a1' }, 150, { reason: 'again', wipe: true })).toEqual([]);
          expect(await storage.getDevice('a1')).toMatchObject({ revokedAt: 100, revokeReason: 'lost', wipe: false });
          expect(await storage.markWipe('a1', 'stolen')).toBe(true);
          expect(await storage.markWipe('a1', 'stolen twice')).toBe(false);
          expect(await storage.markWipe('a2', 'not revoked')).toBe(false);
          expect(await storage.getDevice('a1')).toMatchObject({ revokedAt: 100, revokeReason: 'stolen', wipe: true });
          expect(await storage.revokedSince(100)).toEqual(['a1']);
        });

        it("revokes a device unless it is its organization's last standing one, even when all are revoked at once", async () => {
          const now = Date.now();
          await network(now);
          await storage.redeemInvitation(hash('h-a1'), device('a1'), now);
          await storage.redeemInvitation(hash('h-a2'), device('a2'), now);
          const outcomes = await Promise.all(['a1', 'a2'].map((id) => storage.revokeDeviceKeepingOne(id, 'org-a', 100, { reason: 'lost', wipe: false })));
          expect([...outcomes].sort()).toEqual(['last-standing', 'revoked']);
          const standing = (await storage.listDevices()).filter((row) => row.orgId === 'org-a' && row.revokedAt === null);
          expect(standing).toHaveLength(1);
          expect(await storage.revokeDeviceKeepingOne(standing[0]!.id, 'org-a', 200, { reason: null, wipe: false })).toBe('last-standing');
          expect(await storage.revokeDeviceKeepingOne(['a1', 'a2'][outcomes.indexOf('revoked')]!, 'org-a', 200, { reason: null, wipe: false })).toBe('already-revoked');
        });
      });

      describe('organizations', () => {
        it('revokes an organization once: its credentials, its pending invitations, the org itself', async () => {
          const now = Date.now();
          await network(now);
          await storage.redeemInvitation(hash('h-a1'), device('a1'), now);
          expect(await storage.revokeOrg('org-a', now, { reason: 'left', wipe: true })).toEqual({ revokedCredentials: ['a1'], withdrawnInvitations: 1 });
          expect(await storage.revokeOrg('org-a', now + 1, { reason: 'again', wipe: false })).toBeNull();
          expect(await storage.orgRevocations()).toEqual([{ orgId: 'org-a', revokedAt: now, reason: 'left' }]);
          expect(await storage.getDevice('a1')).toMatchObject({ revokedAt: now, revokeReason: 'left', wipe: true });
          expect((await storage.getInvitation({ codeHash: hash('h-a2') }))?.withdrawnAt).toBe(now);
          expect((await storage.getInvitation({ codeHash: hash('h-b1') }))?.withdrawnAt).toBeNull();
        });

        it("changes a role on the org, its credentials and its pending invitations, and renames", async () => {
          const now = Date.now();
          await network(now);
          await storage.redeemInvitation(hash('h-a1'), device('a1'), now);
          await storage.setOrgRole('org-a', 'observer');
          await storage.renameOrg('org-a', '西山合作社');
          expect(await storage.getOrg('org-a')).toMatchObject({ role: 'observer', name: '西山合作社' });
          expect((await storage.getCredential('a1'))?.role).toBe('observer');
          expect((await storage.getInvitation({ codeHash: hash('h-a2') }))?.role).toBe('observer');
          expect((await storage.getInvitation({ codeHash: hash('h-a1') }))?.role).toBe('member');
          expect((await storage.getOrg('org-b'))?.role).toBe('steward');
        });
      });

      describe('audit log', () => {
        it('appends entries in order and pages them newest first', async () => {
          const entry = (i: number) => ({
            at: 1000 + i,
            action: 'invite' as const,
            actor: { orgId: i % 2 ? 'org-s' : null, credentialId: i % 2 ? 'cred-s' : null, deviceName: '秘书处' },
            target: { kind: 'org' as const, id: `org-${i}`, name: `Org ${i}` },
            details: { role: 'member', n: i, nested: { text: 'a\u0000b' } },
          });
          const ids: number[] = [];
          for (let i = 0; i < 5; i++) ids.push(await storage.appendAudit(entry(i)));
          expect([...ids].sort((a, b) => a - b)).toEqual(ids);
          const firstPage = await storage.listAudit({ limit: 2 });
          expect(firstPage).toEqual([{ id: ids[4], ...entry(4) }, { id: ids[3], ...entry(3) }]);
          const rest = await storage.listAudit({ before: ids[3]!, limit: 10 });
          expect(rest.map((row) => row.id)).toEqual([ids[2], ids[1], ids[0]]);
        });
      });
    });

    describe('record log', () => {
      it("stores an attached record with its target's read scope and re-derives it, under a new seq, when the target's facts change", async () => {
        const [entryDoc, commentDoc, earlyDoc] = [new Doc(), new Doc(), new Doc()];
        const commentOn = (id: string, doc: Doc, targetId: string) =>
          write(id, doc.set('text', id), doc.state(), { header: header(id, { type: 'comment', ownerOrg: 'org-b' }), projection: { targetId, text: id }, facts: { isHidden: false } });
        // A comment before its target: no scope known yet.
        const [earlySeq] = await storage.commit([commentOn('comment-early', earlyDoc, 'entry-t')]);
        expect((await storage.getRecord('comment-early'))!.facts).toEqual({ isHidden: false, target: { id: 'entry-t', type: null, ownerOrg: null, facts: {} } });
        // The target and another comment in one batch, the comment first: the batch's target counts.
        const seqs = await storage.commit([commentOn('comment-a', commentDoc, 'entry-t'), write('entry-t', entryDoc.set('title', 't'), entryDoc.state(), { facts: { isPrivate: true } })]);
        const scope = { id: 'entry-t', type: 'entry', ownerOrg: 'org-a', facts: { isPrivate: true } };
        expect((await storage.getRecord('comment-a'))!.facts).toEqual({ isHidden: false, target: scope });
        const early = (await storage.getRecord('comment-early'))!;
        expect(early.facts).toEqual({ isHidden: false, target: scope });
        expect(early.seq).toBeGreaterThan(Math.max(earlySeq!, ...seqs));
        expect(early.factsSeq).toBe(early.seq);
        expect(await storage.lastSeq()).toBe(early.seq);
        // Shared: both comments move on with the new scope; a change that keeps the facts moves neither.
        const [sharedSeq] = await storage.commit([write('entry-t', entryDoc.set('sharing', 'network'), entryDoc.state(), { expectedSeq: seqs[1]!, facts: {} })]);
        const shared = await storage.changedSince(sharedSeq!, 10);
        expect(shared.map((record) => record.header.id).sort()).toEqual(['comment-a', 'comment-early']);
        for (const record of shared) expect(record.facts.target).toEqual({ ...scope, facts: {} });
        const [retitledSeq] = await storage.commit([write('entry-t', entryDoc.set('title', 't2'), entryDoc.state(), { expectedSeq: sharedSeq!, facts: {} })]);
        expect(await storage.changedSince(retitledSeq!, 10)).toEqual([]);
        expect(await storage.changedIdsBetween(sharedSeq!, retitledSeq!)).toEqual(['comment-a', 'comment-early', 'entry-t']);
      });

      it('assigns increasing sequence numbers, one per write', async () => {
        expect(await storage.lastSeq()).toBe(0);
        const [a, b, c] = [new Doc(), new Doc(), new Doc()];
        const seqs = await storage.commit([
          write('rec-a', a.set('title', 'a'), a.state()),
          write('rec-b', b.set('title', 'b'), b.state()),
          write('rec-c', c.set('title', 'c'), c.state()),
        ]);
        expect(seqs).toEqual([1, 2, 3]);
        expect(await storage.lastSeq()).toBe(3);
        expect(await storage.commit([])).toEqual([]);
        expect(await storage.lastSeq()).toBe(3);
        expect(await change(storage, 'rec-a', a, 'a2')).toBe(4);
        expect(await storage.lastSeq()).toBe(4);
      });

      it('commits a batch all or nothing', async () => {
        const [a, b] = [new Doc(), new Doc()];
        await change(storage, 'rec-a', a, 'kept');
        const invalid = { ...write('rec-bad', b.set('title', 'x'), b.state()), header: { ...header('rec-bad'), id: null } } as unknown as RecordWrite;
        const aUpdate = a.set('title', 'lost');
        await expect(
          storage.commit([write('rec-a', aUpdate, a.state(), { expectedSeq: 1 }), write('rec-b', b.set('title', 'b'), b.state()), invalid]),
        ).rejects.toThrow();

        expect(await storage.lastSeq()).toBe(1);
        expect(await storage.getRecord('rec-b')).toBeNull();
        const recA = await storage.getRecord('rec-a');
        expect(recA?.seq).toBe(1);
        expect(fieldsOf(recA!.state)).toEqual({ title: 'kept' });
        expect((await storage.changedSince(0, 10)).map((record) => record.header.id)).toEqual(['rec-a']);
        expect((await storage.updatesSince(['rec-a', 'rec-b'], 0)).get('rec-a')).toHaveLength(1);
        // The failed batch used up no numbers.
        expect(await change(storage, 'rec-c', new Doc(), 'next')).toBe(2);
      });

      it('refuses a write prepared from a version that is no longer the latest, writing nothing of the batch', async () => {
        const [a, b] = [new Doc(), new Doc()];
        await change(storage, 'rec-a', a, 'a1'); // 1
        await change(storage, 'rec-a', a, 'a2'); // 2

        const attempts: { expectedSeq: number | null; label: string }[] = [
          { expectedSeq: 1, label: 'an older version' },
          { expectedSeq: null, label: 'as new, though it exists' },
          { expectedSeq: 3, label: 'a version that never was' },
        ];
        for (const { expectedSeq } of attempts) {
          const batch = [write('rec-b', b.set('title', 'b'), b.state()), write('rec-a', a.set('title', 'stale'), a.state(), { expectedSeq })];
          const failure = storage.commit(batch);
          await expect(failure).rejects.toBeInstanceOf(StaleWriteError);
          await expect(failure).rejects.toMatchObject({ recordId: 'rec-a' });
        }
        await expect(storage.commit([write('rec-new', b.state(), b.state(), { expectedSeq: 5 })])).rejects.toMatchObject({ recordId: 'rec-new' });

        expect(await storage.lastSeq()).toBe(2);
        expect(await storage.getRecord('rec-b')).toBeNull();
        expect(await storage.getRecord('rec-new')).toBeNull();
        expect((await storage.getRecord('rec-a'))?.projection).toEqual({ title: 'a2' });
        expect((await storage.updatesSince(['rec-a'], 0)).get('rec-a')).toHaveLength(2);
      });

      it('commits exactly one of two writes racing from one version', async () => {
        const a = new Doc();
        const seq = await change(storage, 'rec-a', a, 'a1');
        const racers = ['left', 'right', 'third'].map((value) => {
          const doc = new Doc();
          Y.applyUpdate(doc.doc, a.state());
          const update = doc.set('title', value);
          return storage.commit([write('rec-a', update, doc.state(), { expectedSeq: seq, projection: { title: value } })]);
        });
        const results = await Promise.allSettled(racers);
        const committed = results.filter((result) => result.status === 'fulfilled');
        expect(committed).toHaveLength(1);
        for (const result of results) {
          if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(StaleWriteError);
        }
        expect(await storage.lastSeq()).toBe(seq + 1);
        expect((await storage.updatesSince(['rec-a'], 0)).get('rec-a')).toHaveLength(2);
      });

      it('moves factsSeq only when the rule facts change', async () => {
        const a = new Doc();
        const created = await change(storage, 'rec-a', a, 'a1', { isPrivate: true });
        expect((await storage.getRecord('rec-a'))?.factsSeq).toBe(created);
        await change(storage, 'rec-a', a, 'a2', { isPrivate: true });
        expect((await storage.getRecord('rec-a'))?.factsSeq).toBe(created);
        const published = await change(storage, 'rec-a', a, 'a3', { isPrivate: false });
        await change(storage, 'rec-a', a, 'a4', { isPrivate: false });
        const record = await storage.getRecord('rec-a');
        expect(record?.factsSeq).toBe(published);
        expect(record?.seq).toBe(published + 1);
        expect((await storage.changedSince(0, 10))[0]?.factsSeq).toBe(published);

        // Within one batch too: the write that changed the facts sets it, a later unchanged one keeps it.
        const u1 = a.set('title', 'a5');
        const s1 = a.state();
        const u2 = a.set('title', 'a6');
        const seqs = await storage.commit([
          write('rec-a', u1, s1, { expectedSeq: record!.seq, facts: { isHidden: true } }),
          write('rec-a', u2, a.state(), { expectedSeq: record!.seq + 1, facts: { isHidden: true } }),
        ]);
        expect((await storage.getRecord('rec-a'))?.factsSeq).toBe(seqs[0]);
      });

      it('keeps every version of the facts with the seq it took effect at, and answers those in force after a checkpoint', async () => {
        const a = new Doc();
        const made = await change(storage, 'rec-a', a, 'a1', { isPrivate: true });
        const edited = await change(storage, 'rec-a', a, 'a2', { isPrivate: true });
        const shared = await change(storage, 'rec-a', a, 'a3', { isPrivate: false });
        const unshared = await change(storage, 'rec-a', a, 'a4', { isPrivate: true });
        const [priv, pub] = [{ isPrivate: true }, { isPrivate: false }];
        const versionsSince = async (since: number) => (await storage.factsSince(['rec-a'], since)).get('rec-a');
        // Before the record existed: only what it had once it did.
        expect(await versionsSince(made - 1)).toEqual([priv, pub, priv]);
        expect(await versionsSince(made)).toEqual([priv, pub, priv]);
        // A change that kept the facts made no version: the one in force at the checkpoint comes first.
        expect(await versionsSince(edited)).toEqual([priv, pub, priv]);
        expect(await versionsSince(shared)).toEqual([pub, priv]);
        expect(await versionsSince(unshared)).toEqual([priv]);
        expect(await versionsSince(unshared + 100)).toEqual([priv]);

        // One version per record and commit: a batch writing it twice is seen whole or not at all.
        const u1 = a.set('title', 'a5');
        const s1 = a.state();
        const [first, second] = await storage.commit([
          write('rec-a', u1, s1, { expectedSeq: unshared, facts: { isHidden: true } }),
          write('rec-a', a.set('title', 'a6'), a.state(), { expectedSeq: unshared + 1, facts: { isPrivate: false } }),
        ]);
        expect(await versionsSince(unshared)).toEqual([priv, pub]);
        expect(await versionsSince(second!)).toEqual([pub]);
        expect(first).toBeLessThan(second!);

        // Several records at once; an attached record gains a version when its target's facts change.
        const comment = new Doc();
        const [commentSeq] = await storage.commit([
          write('comment-a', comment.set('text', 'c'), comment.state(), { header: header('comment-a', { type: 'comment', ownerOrg: 'org-b' }), projection: { targetId: 'rec-a', text: 'c' }, facts: { isHidden: false } }),
        ]);
        await change(storage, 'rec-a', a, 'a7', priv);
        const scope = (facts: RuleFacts) => ({ isHidden: false, target: { id: 'rec-a', type: 'entry', ownerOrg: 'org-a', facts } });
        const both = await storage.factsSince(['rec-a', 'comment-a'], commentSeq!);
        expect(both.get('rec-a')).toEqual([pub, priv]);
        expect(both.get('comment-a')).toEqual([scope(pub), scope(priv)]);
      });

      it('starts a moved record\'s facts history at the move', async () => {
        const a = new Doc();
        await change(storage, 'rec-a', a, 'a1', { isPrivate: false });
        const seq = await change(storage, 'rec-a', a, 'a2', { isPrivate: true });
        const moved = await storage.moveRecord('rec-a', 'rec-b', seq);
        expect(moved).toBe(seq + 1);
        expect((await storage.factsSince(['rec-b'], 0)).get('rec-b')).toEqual([{ isPrivate: true }]);
        expect((await storage.factsSince(['rec-b'], seq)).get('rec-b')).toEqual([{ isPrivate: true }]);
        // A record made later under the freed id has a history of its own.
        const fresh = new Doc();
        const [again] = await storage.commit([write('rec-a', fresh.set('title', 'new'), fresh.state(), { facts: { isHidden: true } })]);
        expect((await storage.factsSince(['rec-a'], again! - 1)).get('rec-a')).toEqual([{ isHidden: true }]);
      });

      it('returns the latest state, projection and facts under the header of the first commit', async () => {
        expect(await storage.getRecord('rec-a')).toBeNull();
        const doc = new Doc();
        const first = header('rec-a', { type: 'entry', ownerOrg: 'org-a', createdAt: 1_000 });
        await storage.commit([write('rec-a', doc.set('title', 'draft'), doc.state(), { header: first, projection: { title: 'draft' } })]);
        const state = doc.state();
        const projection = { title: 'final', tags: ['water', 'seeds'], nested: { count: 3, isOpen: false, none: null }, text: '西山 é \u0000 end' };
        const [seq] = await storage.commit([
          write('rec-a', doc.set('title', 'final'), doc.state(), {
            expectedSeq: 1,
            header: header('rec-a', { type: 'comment', ownerOrg: 'org-b', createdAt: 2_000 }),
            projection,
            facts: { isPrivate: true, isHidden: false },
          }),
        ]);

        const record = await storage.getRecord('rec-a');
        expect(record).not.toBeNull();
        expect(record!.header).toEqual(first);
        expect(record!.seq).toBe(seq);
        expect(record!.compactedSeq).toBe(0);
        expect(record!.factsSeq).toBe(seq);
        expect(record!.state).toBeInstanceOf(Uint8Array);
        expect(bytes(record!.state)).toEqual(bytes(doc.state()));
        expect(bytes(record!.state)).not.toEqual(bytes(state));
        expect(fieldsOf(record!.state)).toEqual({ title: 'final' });
        expect(record!.projection).toEqual(projection);
        expect(record!.facts).toEqual({ isPrivate: true, isHidden: false });
      });

      it('keeps the first header and the last state when a batch writes one record twice, the second from the first', async () => {
        const doc = new Doc();
        const u1 = doc.set('title', 'one');
        const s1 = doc.state();
        const u2 = doc.set('title', 'two');
        const seqs = await storage.commit([
          write('rec-a', u1, s1, { header: header('rec-a', { ownerOrg: 'org-a' }), projection: { title: 'one' } }),
          write('rec-a', u2, doc.state(), { expectedSeq: 1, header: header('rec-a', { ownerOrg: 'org-b' }), projection: { title: 'two' } }),
        ]);
        expect(seqs).toEqual([1, 2]);
        const record = await storage.getRecord('rec-a');
        expect(record?.header.ownerOrg).toBe('org-a');
        expect(record?.seq).toBe(2);
        expect(record?.projection).toEqual({ title: 'two' });
        expect(bytes(record!.state)).toEqual(bytes(doc.state()));
        expect((await storage.updatesSince(['rec-a'], 0)).get('rec-a')!.map(bytes)).toEqual([bytes(u1), bytes(u2)]);
      });

      it('lists changed records in sequence order, each once at its latest change, up to a limit', async () => {
        const [a, b, c] = [new Doc(), new Doc(), new Doc()];
        await change(storage, 'rec-a', a, 'a1');
        await change(storage, 'rec-b', b, 'b1');
        await change(storage, 'rec-c', c, 'c1');
        await change(storage, 'rec-a', a, 'a2');

        const all = await storage.changedSince(0, 10);
        expect(all.map((record) => [record.header.id, record.seq])).toEqual([
          ['rec-b', 2],
          ['rec-c', 3],
          ['rec-a', 4],
        ]);
        expect(all[2]!.projection).toEqual({ title: 'a2' });
        expect((await storage.changedSince(0, 2)).map((record) => record.header.id)).toEqual(['rec-b', 'rec-c']);
        expect((await storage.changedSince(3, 10)).map((record) => record.header.id)).toEqual(['rec-a']);
        expect(await storage.changedSince(4, 10)).toEqual([]);
      });

      it('lists summaries of changed records (header, seq, facts, no state) in sequence order, up to a limit', async () => {
        const [a, b] = [new Doc(), new Doc()];
        await change(storage, 'rec-a', a, 'a1', { isPrivate: true });
        await change(storage, 'rec-b', b, 'b1');
        await change(storage, 'rec-a', a, 'a2', { isPrivate: false });
        expect(await storage.changedSummariesSince(0, 10)).toEqual([
          { header: header('rec-b'), seq: 2, facts: {} },
          { header: header('rec-a'), seq: 3, facts: { isPrivate: false } },
        ]);
        expect((await storage.changedSummariesSince(0, 1)).map((r) => r.header.id)).toEqual(['rec-b']);
        expect(await storage.changedSummariesSince(3, 10)).toEqual([]);
      });

      it('names the records whose last change is in a range of sequence numbers, as one commit announces it', async () => {
        const [a, b, c] = [new Doc(), new Doc(), new Doc()];
        await change(storage, 'rec-a', a, 'a1'); // 1
        const seqs = await storage.commit([write('rec-b', b.set('title', 'b1'), b.state()), write('rec-c', c.set('title', 'c1'), c.state())]); // 2, 3
        expect(seqs).toEqual([2, 3]);
        expect(await storage.changedIdsBetween(1, 3)).toEqual(['rec-b', 'rec-c']);
        expect(await storage.changedIdsBetween(0, 1)).toEqual(['rec-a']);
        // rec-b changed again later: that later change names it, the earlier range no longer does.
        await change(storage, 'rec-b', b, 'b2'); // 4
        expect(await storage.changedIdsBetween(1, 3)).toEqual(['rec-c']);
        expect(await storage.changedIdsBetween(3, 4)).toEqual(['rec-b']);
        expect(await storage.changedIdsBetween(4, 9)).toEqual([]);
      });

      it('returns logged updates above a sequence number, in order, per record', async () => {
        const [a, b] = [new Doc(), new Doc()];
        await change(storage, 'rec-a', a, 'a1'); // 1
        await change(storage, 'rec-b', b, 'b1'); // 2
        await change(storage, 'rec-a', a, 'a2'); // 3
        await change(storage, 'rec-a', a, 'a3'); // 4

        const all = await storage.updatesSince(['rec-a', 'rec-b', 'rec-missing'], 0);
        expect(all.get('rec-a')!.map(bytes)).toEqual(a.updates.map(bytes));
        expect(all.get('rec-b')!.map(bytes)).toEqual(b.updates.map(bytes));
        expect(all.get('rec-missing')).toEqual([]);
        expect(all.get('rec-a')![0]).toBeInstanceOf(Uint8Array);

        const later = await storage.updatesSince(['rec-a', 'rec-b'], 2);
        expect(later.get('rec-a')!.map(bytes)).toEqual(a.updates.slice(1).map(bytes));
        expect(later.get('rec-b')).toEqual([]);

        // The logged updates rebuild the stored state.
        const rebuilt = new Y.Doc();
        for (const update of all.get('rec-a')!) Y.applyUpdate(rebuilt, update);
        expect(rebuilt.getMap('fields').toJSON()).toEqual({ title: 'a3' });
        rebuilt.destroy();
        expect((await storage.updatesSince([], 0)).size).toBe(0);
      });

      it('compacts a record: drops its logged updates up to the point and keeps the folded state', async () => {
        const [a, b] = [new Doc(), new Doc()];
        // Stored states here are the merged log, which keeps overwritten values; the fold through a
        // Y.Doc garbage-collects them, so it is a different, smaller blob the test can tell apart.
        const commitMerged = async (value: string): Promise<number> => {
          const expectedSeq = (await storage.getRecord('rec-a'))?.seq ?? null;
          const update = a.set('title', value);
          const [seq] = await storage.commit([write('rec-a', update, Y.mergeUpdates(a.updates), { expectedSeq })]);
          return seq!;
        };
        await commitMerged('a1'); // 1
        await change(storage, 'rec-b', b, 'b1'); // 2
        await commitMerged('a2'); // 3
        const upto = await commitMerged('a3'); // 4
        const state = a.state();
        expect(state.length).toBeLessThan((await storage.getRecord('rec-a'))!.state.length);

        expect(await storage.compact('rec-a', state, upto)).toBe(true);
        const record = await storage.getRecord('rec-a');
        expect(record?.compactedSeq).toBe(upto);
        expect(record?.seq).toBe(upto);
        expect(bytes(record!.state)).toEqual(bytes(state));
        expect(fieldsOf(record!.state)).toEqual({ title: 'a3' });
        expect((await storage.updatesSince(['rec-a', 'rec-b'], 0)).get('rec-a')).toEqual([]);
        expect((await storage.updatesSince(['rec-b'], 0)).get('rec-b')!.map(bytes)).toEqual(b.updates.map(bytes));

        // A later change is logged again and leaves the compaction point where it was.
        const update = a.set('title', 'a4');
        const [next] = await storage.commit([write('rec-a', update, a.state(), { expectedSeq: upto })]);
        expect(next).toBe(5);
        expect((await storage.getRecord('rec-a'))?.compactedSeq).toBe(upto);
        expect((await storage.updatesSince(['rec-a'], 0)).get('rec-a')!.map(bytes)).toEqual([bytes(update)]);
      });

      it('refuses to compact a record that changed after the compaction point', async () => {
        const a = new Doc();
        const first = await change(storage, 'rec-a', a, 'a1');
        await change(storage, 'rec-a', a, 'a2');
        const stored = await storage.getRecord('rec-a');

        const stale = new Y.Doc();
        Y.applyUpdate(stale, a.updates[0]!);
        expect(await storage.compact('rec-a', Y.encodeStateAsUpdate(stale), first)).toBe(false);
        expect(await storage.compact('rec-a', a.state(), 99)).toBe(false);
        expect(await storage.compact('rec-missing', a.state(), first)).toBe(false);
        stale.destroy();

        const after = await storage.getRecord('rec-a');
        expect(after?.compactedSeq).toBe(0);
        expect(bytes(after!.state)).toEqual(bytes(stored!.state));
        expect((await storage.updatesSince(['rec-a'], 0)).get('rec-a')).toHaveLength(2);
      });

      it('never reuses a sequence number after the whole log was compacted', async () => {
        const [a, b] = [new Doc(), new Doc()];
        const seqA = await change(storage, 'rec-a', a, 'a1');
        const seqB = await change(storage, 'rec-b', b, 'b1');
        expect(await storage.compact('rec-a', a.state(), seqA)).toBe(true);
        expect(await storage.compact('rec-b', b.state(), seqB)).toBe(true);
        expect((await storage.updatesSince(['rec-a', 'rec-b'], 0)).get('rec-b')).toEqual([]);

        expect(await storage.lastSeq()).toBe(seqB);
        expect(await change(storage, 'rec-c', new Doc(), 'c1')).toBe(seqB + 1);
      });

      it('names records with more than a number of logged updates as compaction candidates', async () => {
        const [a, b, c] = [new Doc(), new Doc(), new Doc()];
        for (const value of ['1', '2', '3']) await change(storage, 'rec-a', a, value);
        await change(storage, 'rec-b', b, '1');
        for (const value of ['1', '2']) await change(storage, 'rec-c', c, value);

        expect((await storage.compactionCandidates(1, 10)).sort()).toEqual(['rec-a', 'rec-c']);
        expect(await storage.compactionCandidates(2, 10)).toEqual(['rec-a']);
        expect(await storage.compactionCandidates(3, 10)).toEqual([]);
        const limited = await storage.compactionCandidates(1, 1);
        expect(limited).toHaveLength(1);
        expect(['rec-a', 'rec-c']).toContain(limited[0]);

        const record = await storage.getRecord('rec-a');
        expect(await storage.compact('rec-a', record!.state, record!.seq)).toBe(true);
        expect(await storage.compactionCandidates(1, 10)).toEqual(['rec-c']);
      });
    });

    describe('organization usage', () => {
      const created = (id: string, ownerOrg: string, createdAt: number, type: RecordHeader['type'] = 'entry') => {
        const doc = new Doc();
        const update = doc.set('title', id);
        return write(id, update, doc.state(), { header: header(id, { ownerOrg, createdAt, type }) });
      };

      it('counts the records an organization owns created after a time, oldest first, leaving out its profile', async () => {
        await storage.commit([created('rec-1', 'org-a', 1_000), created('rec-2', 'org-a', 3_000), created('rec-3', 'org-a', 2_000), created('rec-b', 'org-b', 2_500)]);
        await storage.commit([created('org-a', 'org-a', 2_200, 'org')]);

        expect(await storage.recordsCreatedSince('org-a', 0)).toBe(3);
        expect(await storage.recordsCreatedSince('org-a', 1_000)).toBe(2);
        expect(await storage.recordsCreatedSince('org-a', 3_000)).toBe(0);
        expect(await storage.recordsCreatedSince('org-c', 0)).toBe(0);
        expect(await storage.nthRecordCreatedSince('org-a', 0, 1)).toBe(1_000);
        expect(await storage.nthRecordCreatedSince('org-a', 0, 2)).toBe(2_000);
        expect(await storage.nthRecordCreatedSince('org-a', 1_000, 2)).toBe(3_000);
        expect(await storage.nthRecordCreatedSince('org-a', 1_000, 3)).toBeNull();
        expect(await storage.nthRecordCreatedSince('org-a', 0, 0)).toBeNull();
      });

      it('sums the bytes of an organization’s states and logged updates, and compaction gives back the log', async () => {
        const [a, b] = [new Doc(), new Doc()];
        expect(await storage.storedBytes('org-a')).toBe(0);
        await change(storage, 'rec-a', a, 'first');
        await change(storage, 'rec-a', a, 'second value');
        await change(storage, 'rec-b', b, 'b');
        const otherWrite = created('rec-other', 'org-b', 1);
        await storage.commit([otherWrite]);

        const logged = [...a.updates, ...b.updates].reduce((sum, update) => sum + update.length, 0);
        expect(await storage.storedBytes('org-a')).toBe(a.state().length + b.state().length + logged);
        expect(await storage.storedBytes('org-b')).toBe(otherWrite.state.length + otherWrite.update.length);

        const recordA = (await storage.getRecord('rec-a'))!;
        expect(await storage.compact('rec-a', recordA.state, recordA.seq)).toBe(true);
        expect(await storage.storedBytes('org-a')).toBe(recordA.state.length + b.state().length + b.updates[0]!.length);
      });
    });

    describe('governance schedule', () => {
      /** A write with governance's additions; its content is random, so every write is a change. */
      const governed = (id: string, expectedSeq: number | null, extra: Partial<RecordWrite> = {}): RecordWrite => {
        const doc = new Doc();
        const update = doc.set('n', Math.random().toString(36).slice(2));
        return { ...write(id, update, doc.state(), { expectedSeq, header: header(id, { type: 'ballot' }), projection: {} }), credentialId: null, ...extra };
      };

      it('keeps the first receipt time of each cast, per ballot', async () => {
        const [seq] = await storage.commit([governed('ballot~p~a', null, { castArrivals: [{ castAt: 100, receivedAt: 1000 }] })]);
        await storage.commit([governed('ballot~p~a', seq!, { castArrivals: [{ castAt: 100, receivedAt: 5000 }, { castAt: 200, receivedAt: 5000 }] })]);
        await storage.commit([governed('ballot~p~b', null, { castArrivals: [{ castAt: 100, receivedAt: 7000 }] })]);
        const arrivals = await storage.castArrivals(['ballot~p~a', 'ballot~p~b', 'ballot~p~none']);
        expect(arrivals.get('ballot~p~a')).toEqual(new Map([[100, 1000], [200, 5000]]));
        expect(arrivals.get('ballot~p~b')).toEqual(new Map([[100, 7000]]));
        expect(arrivals.get('ballot~p~none')).toEqual(new Map());
      });

      it('writes arrival times and the schedule only with the commit: a stale write leaves neither', async () => {
        await storage.commit([governed('ballot~q~a', null)]);
        await expect(storage.commit([governed('ballot~q~a', null, { castArrivals: [{ castAt: 1, receivedAt: 2 }], sealDueAt: 10 })])).rejects.toThrow(StaleWriteError);
        expect((await storage.castArrivals(['ballot~q~a'])).get('ballot~q~a')).toEqual(new Map());
        expect(await storage.dueSeals(Number.MAX_SAFE_INTEGER, 10)).not.toContain('ballot~q~a');
      });

      it('lists proposals due for sealing, oldest first, until cleared; null unschedules, undefined leaves it', async () => {
        const [a] = await storage.commit([governed('proposal-a', null, { sealDueAt: 300 })]);
        await storage.commit([governed('proposal-b', null, { sealDueAt: 100 }), governed('proposal-c', null, { sealDueAt: 900 })]);
        expect(await storage.dueSeals(500, 10)).toEqual(['proposal-b', 'proposal-a']);
        expect(await storage.dueSeals(500, 1)).toEqual(['proposal-b']);
        const [a2] = await storage.commit([governed('proposal-a', a!)]);
        expect(await storage.dueSeals(500, 10)).toEqual(['proposal-b', 'proposal-a']);
        await storage.commit([governed('proposal-a', a2!, { sealDueAt: 600 })]);
        expect(await storage.dueSeals(500, 10)).toEqual(['proposal-b']);
        await storage.clearSealDue('proposal-b');
        expect(await storage.dueSeals(1000, 10)).toEqual(['proposal-a', 'proposal-c']);
        const c = (await storage.getRecord('proposal-c'))!.seq;
        await storage.commit([governed('proposal-c', c, { sealDueAt: null })]);
        expect(await storage.dueSeals(1000, 10)).toEqual(['proposal-a']);
      });
    });

    describe('pull checkpoints', () => {
      it('keeps the last checkpoint per credential, with its organization, and leaves revoked credentials out', async () => {
        const now = Date.now();
        await storage.createOrg({ id: 'org-a', name: 'A', role: 'member', createdAt: 1 });
        await storage.createOrg({ id: 'org-b', name: 'B', role: 'member', createdAt: 1 });
        for (const [code, org] of [['h-a1', 'org-a'], ['h-a2', 'org-a'], ['h-b1', 'org-b']] as const) {
          await storage.createInvitation({ codeHash: code, orgId: org, role: 'member', createdAt: 1, expiresAt: now + HOUR_MS });
          await storage.redeemInvitation(code, device(code.slice(2)), now);
        }
        expect(await storage.pullCheckpoints()).toEqual([]);
        await storage.setPullCheckpoint('a1', 5, 1_000);
        await storage.setPullCheckpoint('b1', 7, 1_100);
        await storage.setPullCheckpoint('a1', 9, 1_200);
        // A device restored from an older copy pulls from an older checkpoint: the last one stands.
        await storage.setPullCheckpoint('a2', 9, 1_300);
        await storage.setPullCheckpoint('a2', 3, 1_400);
        expect(await storage.pullCheckpoints()).toEqual([
          { credentialId: 'a1', orgId: 'org-a', seq: 9, at: 1_200 },
          { credentialId: 'a2', orgId: 'org-a', seq: 3, at: 1_400 },
          { credentialId: 'b1', orgId: 'org-b', seq: 7, at: 1_100 },
        ]);
        await storage.revokeCredentials({ credentialId: 'a1' }, 2_000);
        expect((await storage.pullCheckpoints()).map((row) => row.credentialId)).toEqual(['a2', 'b1']);
      });
    });

    describe('blob index', () => {
      const hashA = 'a'.repeat(64);
      const hashB = 'b'.repeat(64);
      const attachment = (id: string, sha256: string, consent: 'given' | 'pending', preview?: string) => ({
        id,
        kind: 'photo',
        name: `${id}.jpg`,
        caption: '',
        consent,
        keepsLocation: false,
        addedAt: 1_700_000_000_000,
        addedBy: 'org-a',
        ref: { sha256, sizeBytes: 100, mediaType: 'image/jpeg', variants: preview ? { preview: { sha256: preview, sizeBytes: 10, mediaType: 'image/webp' } } : {} },
      });
      const withAttachments = async (id: string, doc: Doc, attachments: unknown[], facts: RuleFacts = {}) => {
        const expectedSeq = (await storage.getRecord(id))?.seq ?? null;
        const update = doc.set('title', `${id} ${attachments.length}`);
        await storage.commit([write(id, update, doc.state(), { expectedSeq, projection: { title: id, attachments }, facts })]);
      };

      it('indexes every rendition a record references at commit, with the record, and replaces them at the next', async () => {
        const doc = new Doc();
        const before = Date.now();
        await withAttachments('entry-1', doc, [attachment('drip', hashA, 'given', hashB)], { isOwnerOnly: true });
        const refs = await storage.blobReferences([hashA, hashB, 'c'.repeat(64)]);
        expect(refs.map((ref) => [ref.sha256, ref.sizeBytes, ref.mediaType, ref.isConsentPending, ref.header.id, ref.header.ownerOrg])).toEqual([
          [hashA, 100, 'image/jpeg', false, 'entry-1', 'org-a'],
          [hashB, 10, 'image/webp', false, 'entry-1', 'org-a'],
        ]);
        expect(refs[0]!.facts).toEqual({ isOwnerOnly: true });
        expect(await storage.unreferencedBlobs([hashA, 'c'.repeat(64)])).toEqual(new Map([['c'.repeat(64), null]]));

        // The preview dropped (the attachment replaced by one without it): hashB stops being referenced.
        await withAttachments('entry-1', doc, [attachment('drip', hashA, 'pending')]);
        expect((await storage.blobReferences([hashA, hashB])).map((ref) => [ref.sha256, ref.isConsentPending])).toEqual([[hashA, true]]);
        const unreferenced = await storage.unreferencedBlobs([hashA, hashB]);
        expect([...unreferenced.keys()]).toEqual([hashB]);
        expect(unreferenced.get(hashB)).toBeGreaterThanOrEqual(before);

        // A second record sharing the photo; removing it from the first leaves the second's.
        await withAttachments('entry-2', new Doc(), [attachment('same', hashA, 'given')]);
        await withAttachments('entry-1', doc, []);
        expect((await storage.blobReferences([hashA])).map((ref) => ref.header.id)).toEqual(['entry-2']);
      });

      it('shares the bytes when any attachment naming a hash in a record has consent', async () => {
        await withAttachments('entry-1', new Doc(), [attachment('one', hashA, 'pending'), attachment('two', hashA, 'given')]);
        expect((await storage.blobReferences([hashA])).map((ref) => ref.isConsentPending)).toEqual([false]);
      });

      it('keeps the organizations that hold a blob, and forgets them with it', async () => {
        await storage.addBlobHolder(hashA, 'org-a', 1);
        await storage.addBlobHolder(hashA, 'org-a', 2);
        await storage.addBlobHolder(hashA, 'org-b', 3);
        const holders = await storage.blobHolders([hashA, hashB]);
        expect([...holders.get(hashA)!].sort()).toEqual(['org-a', 'org-b']);
        expect([...holders.get(hashB)!]).toEqual([]);
        await storage.forgetBlob(hashA);
        expect([...(await storage.blobHolders([hashA])).get(hashA)!]).toEqual([]);
      });
    });

    describe('lifecycle', () => {
      describe('backup', () => {
        it('writes a consistent copy that holds the records and their updates', async () => {
          await storage.createOrg({ id: 'org-a', name: 'A', role: 'secretariat', createdAt: 1 });
          await storage.initMeta('networkId', 'net-1');
          const a = new Doc();
          await change(storage, 'rec-a', a, 'a1');
          await change(storage, 'rec-a', a, 'a2');
          const outFile = join(scratchDir, `nested-${Math.random().toString(36).slice(2)}`, 'hub.backup');

          await storage.backup(outFile);
          expect(statSync(outFile).size).toBeGreaterThan(0);

          const content = readFileSync(outFile);
          if (content.subarray(0, 16).toString('latin1') === 'SQLite format 3\u0000') {
            const copy = new Database(outFile, { readonly: true });
            try {
              const records = copy.prepare<[], { id: string; seq: number; state: Buffer }>('SELECT id, seq, state FROM records').all();
              expect(records.map((row) => [row.id, row.seq])).toEqual([['rec-a', 2]]);
              expect(bytes(records[0]!.state)).toEqual(bytes(a.state()));
              const updates = copy.prepare<[], { update_bytes: Buffer }>('SELECT update_bytes FROM updates ORDER BY seq').all();
              expect(updates.map((row) => bytes(row.update_bytes))).toEqual(a.updates.map(bytes));
              expect(copy.prepare<[], { id: string }>('SELECT id FROM orgs').all()).toEqual([{ id: 'org-a' }]);
            } finally {
              copy.close();
            }
          } else {
            const lines = content
              .toString('utf8')
              .trimEnd()
              .split('\n')
              .map((line) => JSON.parse(line) as { kind: string } & Record<string, unknown>);
            expect(lines[0]).toMatchObject({ kind: 'backup', format: 'fieldwise-hub-backup', version: 1, seq: 2 });
            const ofKind = (kind: string) => lines.filter((line) => line.kind === kind);
            expect(ofKind('meta')).toEqual([{ kind: 'meta', key: 'networkId', value: 'net-1' }]);
            expect(ofKind('org').map((line) => line.id)).toEqual(['org-a']);
            const records = ofKind('record');
            expect(records.map((line) => [line.id, line.seq])).toEqual([['rec-a', 2]]);
            expect(bytes(Buffer.from(records[0]!.state as string, 'base64'))).toEqual(bytes(a.state()));
            expect(records[0]!.projection).toEqual({ title: 'a2' });
            expect(ofKind('update').map((line) => bytes(Buffer.from(line.update as string, 'base64')))).toEqual(a.updates.map(bytes));
          }
        });
      });
    });
  });
}
