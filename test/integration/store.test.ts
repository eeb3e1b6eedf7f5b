import { firstValueFrom, filter } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { PermissionError } from '../../shared/client/permissionError';
import { openClient, type FieldwiseClient } from '../../shared/client/client';
import { ballotMutators } from '../../shared/records/ballot';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import { entryReviewMutators } from '../../shared/records/entryReview';
import { orgMutators } from '../../shared/records/org';
import { RecordInputError } from '../../shared/records/recordError';
import type { Store } from '../../shared/store/store';
import { syncStateOf } from '../../shared/sync/syncState';
import { indexedDbStorage, memoryClient, uniqueName } from '../support/clients';

const open: FieldwiseClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

async function track(client: Promise<FieldwiseClient>): Promise<FieldwiseClient> {
  const opened = await client;
  open.push(opened);
  return opened;
}

const practice: EntryInput = {
  kind: 'practice',
  title: 'Drip irrigation from recycled bottles',
  summary: 'Plastic bottles buried by each plant',
  body: 'Fill the bottles every third day.\nPoke two holes near the bottom.',
  tags: ['water', 'vegetables'],
  region: ['Yunnan', 'Dali', 'Eryuan'],
  language: 'en',
  attribution: { holderKind: 'community', holderName: 'Xishan village', consent: 'community-approved' },
  sharing: 'network',
};

describe('local store through the client', () => {
  it('writes, reads and queries records by their index fields', async () => {
    const client = await track(memoryClient());
    const a = await client.create('entry', practice);
    const b = await client.create('entry', { ...practice, kind: 'challenge', title: 'Wells dry in April', tags: ['water'], region: ['Yunnan', 'Lijiang'] });
    await client.create('entry', { ...practice, kind: 'lesson', title: 'Seed fair timing', tags: ['seeds'], region: ['Guizhou'] });

    const read = await client.get<'entry'>(a);
    expect(read?.header).toMatchObject({ id: a, type: 'entry', ownerOrg: 'org-a' });
    expect(read?.projection.body).toBe('Fill the bottles every third day.\nPoke two holes near the bottom.');

    expect((await client.list({ type: 'entry', tag: 'water' })).map((v) => v.header.id).sort()).toEqual([a, b].sort());
    expect((await client.list({ type: 'entry', kind: 'challenge' })).map((v) => v.header.id)).toEqual([b]);
    expect((await client.list({ type: 'entry', region: ['Yunnan'] })).map((v) => v.header.id).sort()).toEqual([a, b].sort());
    expect(await client.list({ type: 'entry', region: ['Yunnan', 'Da'] })).toEqual([]);
    expect(await client.list({ type: 'entry', ownerOrg: 'org-b' })).toEqual([]);
    const latest = await client.list({ type: 'entry', limit: 2 });
    expect(latest).toHaveLength(2);
    expect(latest[0]!.projection.updatedAt).toBeGreaterThanOrEqual(latest[1]!.projection.updatedAt);
  });

  it('emits list and record changes to observers without polling', async () => {
    let clock = 1_000;
    const client = await track(memoryClient({ now: () => ++clock }));
    const id = await client.create('entry', practice);
    const renamed = firstValueFrom(
      client.observeRecord<'entry'>(id).pipe(filter((view) => view?.projection.title === 'Bottle drip irrigation')),
    );
    const twoInList = firstValueFrom(client.observe({ type: 'entry', tag: 'water' }).pipe(filter((list) => list.length === 2)));
    await client.mutate(id, entryMutators.setFields, { title: 'Bottle drip irrigation' });
    await client.create('entry', { ...practice, title: 'Second' });
    expect((await renamed)?.header.id).toBe(id);
    expect((await twoInList).map((v) => v.projection.title)).toEqual(['Second', 'Bottle drip irrigation']);
  });

  it('finds everything again after closing and reopening a persistent store', async () => {
    const storage = indexedDbStorage();
    const name = uniqueName('persist');
    const identity = { orgId: 'org-a', deviceId: 'dev-1', role: 'member' as const };
    const first = await openClient({ storage, name, identity });
    const id = await first.create('entry', practice);
    await first.mutate(id, entryMutators.setSection, { section: 'results', text: 'Yields up 20% in the dry season' });
    const profile = await first.create('org', { name: 'Xishan Farmers Co-op' }, { ownerOrg: 'org-a' }).catch((e: unknown) => e);
    expect(profile).toBeInstanceOf(PermissionError); // a member cannot create profiles
    await syncStateOf(first).setCheckpoint(41);
    const pendingBefore = await first.pendingCount();
    await first.close();

    const second = await track(openClient({ storage, name, identity }));
    const view = await second.get<'entry'>(id);
    expect(view?.projection.sections.results).toBe('Yields up 20% in the dry season');
    expect(view?.projection.title).toBe(practice.title);
    expect(await second.pendingCount()).toBe(pendingBefore);
    expect(await syncStateOf(second).checkpoint()).toBe(41);
  });

  it('loses nothing when it crashes between the outbox write and the record write', async () => {
    const storage = indexedDbStorage();
    const name = uniqueName('crash');
    const identity = { orgId: 'org-a', deviceId: 'dev-1', role: 'member' as const };
    let isCrashing = false;
    // The process "dies" right after the outbox write: the record write never happens.
    const crashAfterOutbox = (store: Store): Store => ({
      ...store,
      putRows: (rows) => (isCrashing ? Promise.reject(new Error('power cut')) : store.putRows(rows)),
    });
    const first = await openClient({ storage, name, identity, wrapStore: crashAfterOutbox });
    const id = await first.create('entry', practice);
    isCrashing = true;
    await expect(first.mutate(id, entryMutators.setFields, { title: 'Typed just before the power cut' })).rejects.toThrow('power cut');
    const created = first.create('entry', { ...practice, title: 'Created just before the power cut' });
    await expect(created).rejects.toThrow('power cut');
    const stale = await first.getRow(id);
    expect(stale?.projection.title).toBe(practice.title); // the record write really did not happen
    await first.close();

    const second = await track(openClient({ storage, name, identity }));
    expect((await second.get<'entry'>(id))?.projection.title).toBe('Typed just before the power cut');
    const titles = (await second.list({ type: 'entry' })).map((v) => v.projection.title).sort();
    expect(titles).toEqual(['Created just before the power cut', 'Typed just before the power cut']);
  });

  it('reopening twice after a crash replays the outbox idempotently', async () => {
    const storage = indexedDbStorage();
    const name = uniqueName('replay');
    const identity = { orgId: 'org-a', deviceId: 'dev-1', role: 'member' as const };
    const first = await openClient({ storage, name, identity });
    const id = await first.create('entry', practice);
    await first.mutate(id, entryMutators.setTags, ['water', 'bottles']);
    const row = await first.getRow(id);
    await first.close();
    const second = await openClient({ storage, name, identity });
    const again = await second.getRow(id);
    await second.close();
    expect(again?.hash).toBe(row?.hash);
    expect(again?.state).toBe(row?.state);
  });

  it('drops overwritten content from a record however often it is edited (compaction through a Y.Doc)', async () => {
    const client = await track(memoryClient());
    const id = await client.create('entry', practice);
    for (let i = 0; i < 300; i++) await client.mutate(id, entryMutators.setFields, { summary: `Revision ${i} of the summary, a sentence long` });
    const row = await client.getRow(id);
    const outboxBytes = (await client.pendingUpdates()).reduce((sum, e) => sum + e.update.byteLength, 0);
    const stateBytes = Buffer.from(row!.state, 'base64').byteLength;
    expect(row?.projection.summary).toBe('Revision 299 of the summary, a sentence long');
    // Old values are garbage-collected; what remains of each overwrite is Yjs' small tombstone
    // (about 20 bytes), which other replicas' concurrent updates may still refer to.
    const state = Buffer.from(row!.state, 'base64');
    expect(state.includes('Revision 298')).toBe(false);
    expect(state.includes('Revision 299')).toBe(true);
    expect(stateBytes).toBeLessThan(300 * 25);
    expect(outboxBytes).toBeGreaterThan(stateBytes * 2);
  });

  it('queues edits of records with the longest ids the hub mints (ballots, interests) in the outbox', async () => {
    // A ballot's id joins the proposal's and the organization's ids; the outbox key must not grow
    // with it (the schema-validated storage refused such keys before).
    const orgId = `org-${'a'.repeat(24)}`;
    const client = await track(memoryClient({ identity: { orgId, role: 'member' } }));
    const proposalId = `proposal-${'b'.repeat(24)}`;
    const ballot = await client.create('ballot', { proposalId });
    expect(ballot.length).toBeGreaterThan(64);
    await client.flush();
    await client.mutate(ballot, ballotMutators.cast, { method: 'single', optionId: 'yes' });
    await client.flush();
    const pending = await client.pendingUpdates();
    expect(pending.map((entry) => entry.header.id)).toEqual([ballot, ballot]);
    expect(new Set(pending.map((entry) => entry.id)).size).toBe(2);
  });

  it('uses one Y.Doc per record for the whole session', async () => {
    const client = await track(memoryClient());
    const id = await client.create('entry', practice);
    const doc = await client.openDoc(id);
    for (let i = 0; i < 20; i++) await client.mutate(id, entryMutators.setFields, { title: `Title ${i}` });
    expect(await client.openDoc(id)).toBe(doc);
    const row = await client.getRow(id);
    const clients = Y.decodeStateVector(Y.encodeStateVectorFromUpdate(Buffer.from(row!.state, 'base64')));
    expect([...clients.keys()]).toEqual([doc.clientID]);
  });

  it('saves edits an editor makes directly on the open Y.Doc', async () => {
    const client = await track(memoryClient());
    const id = await client.create('entry', practice);
    const doc = await client.openDoc(id);
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.insert(0, [new Y.XmlText('Typed in the editor.')]);
    doc.getXmlFragment('section.approach').insert(0, [paragraph]);
    await client.flush();
    expect((await client.get<'entry'>(id))?.projection.sections.approach).toBe('Typed in the editor.');
  });

  it('refuses what the rules forbid and writes nothing', async () => {
    const member = await track(memoryClient());
    const id = await member.create('entry', practice);
    await member.mutate(id, entryReviewMutators.submitForReview, '');
    const pending = await member.pendingCount();
    await expect(member.mutate(id, entryMutators.addReviewNote, 'Looks good')).rejects.toBeInstanceOf(PermissionError);
    await expect(member.mutate(id, entryReviewMutators.endorseSubmission, '')).rejects.toThrow('a member may not review');
    expect(await member.pendingCount()).toBe(pending);
    expect((await member.get<'entry'>(id))?.projection.reviewNotes).toEqual([]);

    const observer = await track(memoryClient({ identity: { orgId: 'org-o', role: 'observer' } }));
    await expect(observer.create('entry', practice)).rejects.toThrow('an observer may not create');
    expect(await observer.pendingCount()).toBe(0);
  });

  it('lets the owner withdraw an endorsed entry when consent is withdrawn, but not un-endorse it', async () => {
    const owner = await track(memoryClient());
    const secretariat = await track(memoryClient({ identity: { orgId: 'sec', role: 'secretariat' } }));
    const id = await owner.create('entry', practice);
    await owner.mutate(id, entryReviewMutators.submitForReview, '');
    await secretariat.applyRemote((await owner.pendingUpdates()).map(({ header, update }) => ({ header, update })));
    await secretariat.mutate(id, entryReviewMutators.endorseSubmission, '');
    await owner.applyRemote((await secretariat.pendingUpdates()).map(({ header, update }) => ({ header, update })));
    expect((await owner.get<'entry'>(id))?.projection.status).toBe('endorsed');
    await expect(owner.mutate(id, entryMutators.withdrawEndorsement, undefined)).rejects.toBeInstanceOf(PermissionError);
    await owner.mutate(id, entryMutators.setSharing, 'private');
    expect((await owner.get<'entry'>(id))?.projection).toMatchObject({ sharing: 'private', status: 'draft' });
  });

  it('names the bad field and writes nothing for invalid input', async () => {
    const client = await track(memoryClient());
    const id = await client.create('entry', practice);
    const pending = await client.pendingCount();
    await expect(client.create('entry', { ...practice, title: '' })).rejects.toMatchObject({ field: 'title' });
    const error = await client.mutate(id, entryMutators.setFields, { language: 'English!!' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordInputError);
    expect((error as RecordInputError).field).toBe('setFields.language');
    await expect(client.mutate(id, entryMutators.setSharing, 'nobody' as never)).rejects.toMatchObject({ field: 'setSharing' });
    expect(await client.pendingCount()).toBe(pending);
    expect((await client.get<'entry'>(id))?.projection.attribution.consent).toBe('community-approved');
  });

  it('folds in remote updates without echoing them to the outbox, and keeps headers immutable', async () => {
    const laptop = await track(memoryClient({ identity: { deviceId: 'laptop' } }));
    const desk = await track(memoryClient({ identity: { deviceId: 'desk' } }));
    const id = await laptop.create('entry', practice);
    const deskDocBefore = await desk.get(id);
    expect(deskDocBefore).toBeNull();
    await desk.applyRemote((await laptop.pendingUpdates()).map(({ header, update }) => ({ header, update, seq: 7 })));
    const mirrored = await desk.get<'entry'>(id);
    expect(mirrored?.projection).toEqual((await laptop.get<'entry'>(id))?.projection);
    expect(mirrored?.seq).toBe(7);
    expect(await desk.pendingCount()).toBe(0);

    // An open editor sees a remote change at once.
    const deskDoc = await desk.openDoc(id);
    await laptop.acknowledge((await laptop.pendingUpdates()).map((e) => e.id));
    await laptop.mutate(id, entryMutators.setFields, { title: 'Renamed on the laptop' });
    await desk.applyRemote((await laptop.pendingUpdates()).map(({ header, update }) => ({ header, update })));
    expect(deskDoc.getMap('fields').get('title')).toBe('Renamed on the laptop');
    expect((await desk.get<'entry'>(id))?.projection.title).toBe('Renamed on the laptop');

    // Someone claiming the record for another organization is ignored.
    const hijack = new Y.Doc();
    hijack.getMap('fields').set('title', 'Hijacked');
    await desk.applyRemote([{ header: { id, type: 'entry', ownerOrg: 'org-evil', createdAt: 0 }, update: Y.encodeStateAsUpdate(hijack) }]);
    expect((await desk.get<'entry'>(id))?.projection.title).toBe('Renamed on the laptop');
    expect((await desk.get(id))?.header.ownerOrg).toBe('org-a');
  });

  it('creates one ballot per organization and proposal, whichever laptop casts it', async () => {
    const client = await track(memoryClient());
    const first = await client.create('ballot', { proposalId: 'proposal-1' });
    const again = await client.create('ballot', { proposalId: 'proposal-1' });
    expect(again).toBe(first);
    expect(first).toBe('ballot~proposal-1~org-a');
  });

  it('agrees on one creation time when two laptops create the same ballot (regression: seed 42)', async () => {
    let clock = 5_000;
    const now = () => (clock += 10);
    const laptop = await track(memoryClient({ identity: { deviceId: 'laptop' }, now }));
    const desk = await track(memoryClient({ identity: { deviceId: 'desk' }, now }));
    const id = await desk.create('ballot', { proposalId: 'proposal-1' });
    await laptop.create('ballot', { proposalId: 'proposal-1' });
    const deskCreatedAt = (await desk.get(id))!.header.createdAt;
    expect((await laptop.get(id))!.header.createdAt).toBeGreaterThan(deskCreatedAt);
    const fromDesk = (await desk.pendingUpdates()).map(({ header, update }) => ({ header, update }));
    const fromLaptop = (await laptop.pendingUpdates()).map(({ header, update }) => ({ header, update }));
    await laptop.applyRemote(fromDesk);
    await desk.applyRemote(fromLaptop);
    expect((await laptop.get(id))?.header).toEqual((await desk.get(id))?.header);
    expect((await laptop.get(id))?.header.createdAt).toBe(deskCreatedAt);
  });

  it('lets an organization edit its own profile but not another one', async () => {
    const secretariat = await track(memoryClient({ identity: { orgId: 'sec', role: 'secretariat' } }));
    const profile = await secretariat.create('org', { name: 'Xishan Co-op', region: ['Yunnan'] }, { ownerOrg: 'org-a' });
    expect(profile).toBe('org-a');
    const member = await track(memoryClient({ identity: { orgId: 'org-b' } }));
    await member.applyRemote((await secretariat.pendingUpdates()).map(({ header, update }) => ({ header, update })));
    await expect(member.mutate('org-a', orgMutators.setProfile, { staffSize: 3 })).rejects.toThrow("a member may not edit another organization's org");
    const own = await track(memoryClient({ identity: { orgId: 'org-a' } }));
    await own.applyRemote((await secretariat.pendingUpdates()).map(({ header, update }) => ({ header, update })));
    await own.mutate('org-a', orgMutators.setStage, 'growing');
    expect((await own.get<'org'>('org-a'))?.projection).toMatchObject({ stage: 'growing', stageHistory: [{ stage: 'growing' }] });
  });
});
