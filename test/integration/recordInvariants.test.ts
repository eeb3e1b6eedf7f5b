// Record invariants are enforced by the hub on every write path, with the functions the app's own
// create and mutators run (shared/records/invariants.ts): a real hub on loopback, real SQLite,
// and each state sent as a client written from docs/PROTOCOL.md would send it, through
// POST /v1/push, the standard Yjs endpoint /yjs/<id> (the real y-websocket provider) and a signed
// field bundle on POST /v1/bundles. Each refusal is 422 `invariant-violated` naming the field, and
// nothing is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import { entryReviewMutators } from '../../shared/records/entryReview';
import type { RecordType } from '../../shared/records/recordType';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push, type HubAnswer } from '../support/hubRequests';
import { joinWithBundleKey, uploadBundle, yjsEdit, type BundleDevice } from '../support/writeEntryPoints';

let hub: TestHub;
let alpha: BundleDevice;
let sec: BundleDevice;

beforeAll(async () => {
  hub = await startTestHub();
  sec = await joinWithBundleKey(hub, hub.secretariatCode);
  alpha = await joinWithBundleKey(hub, await hub.invite('Fengyu Farmers Cooperative'));
});

afterAll(async () => {
  await hub.close();
});

const shared: EntryInput = {
  kind: 'local-wisdom',
  title: 'Reading the swallows before the rains',
  language: 'zh-CN',
  attribution: { holderKind: 'community', holderName: 'Fengyu village elders', consent: 'community-approved' },
  sharing: 'network',
};

const setField = (key: string, value: unknown) => (doc: Y.Doc) => doc.getMap('fields').set(key, value);
const setLabels = (labels: Record<string, unknown>) => (doc: Y.Doc) => {
  for (const [id, texts] of Object.entries(labels)) doc.getMap('map.labels').set(id, texts);
};

let serial = 0;
const freshId = (type: RecordType) => `${type}-invariant-${++serial}`;

type Via = 'push' | 'bundle';

/** By push, or by a bundle from another device of the same organization (a credential uploads at most 6 bundles a minute). */
async function senderFor(via: Via, device: BundleDevice): Promise<(record: { id: string; type: RecordType; update: Uint8Array }) => Promise<HubAnswer>> {
  if (via === 'push') return (record) => push(hub.url, device.token, [record]);
  const fresh = await joinWithBundleKey(hub, await hub.inviteDevice(device.org.id));
  return (record) => uploadBundle(hub, fresh, [record]);
}

async function send(via: Via, device: BundleDevice, record: { id: string; type: RecordType; update: Uint8Array }): Promise<HubAnswer> {
  return (await senderFor(via, device))(record);
}

function expectViolation(answer: HubAnswer, field: string, recordId: string): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(422);
  expect(answer.body).toMatchObject({ error: { code: 'invariant-violated', field, recordId } });
}

/** A stored, valid shared entry of alpha's: its id and state. */
async function storedEntry(input: EntryInput = shared): Promise<{ id: string; state: Uint8Array; seq: number }> {
  const id = freshId('entry');
  expect((await push(hub.url, alpha.token, [{ id, type: 'entry', update: createUpdate('entry', input, editContext(alpha.org.id, 'member')) }])).status).toBe(200);
  const stored = (await hub.storage.getRecord(id))!;
  return { id, state: stored.state, seq: stored.seq };
}

async function expectUnchanged(id: string, seq: number, state: Uint8Array): Promise<void> {
  const after = (await hub.storage.getRecord(id))!;
  expect(after.seq).toBe(seq);
  expect(Buffer.from(after.state).equals(Buffer.from(state))).toBe(true);
}

describe('a new record that breaks an invariant is refused, by push and by bundle', () => {
  const ctx = () => editContext(alpha.org.id, 'member');
  const cases: { what: string; field: string; type: RecordType; by: () => BundleDevice; update: () => Uint8Array }[] = [
    {
      what: 'a local-wisdom entry shared with the network while consent is pending',
      field: 'sharing',
      type: 'entry',
      by: () => alpha,
      update: () =>
        createUpdate('entry', { ...shared, sharing: 'private', attribution: { ...shared.attribution!, consent: 'pending' } }, ctx(), (doc) => {
          setField('sharing', 'network')(doc);
          setField('status', 'shared')(doc);
        }),
    },
    { what: 'a shared entry that calls itself a draft', field: 'status', type: 'entry', by: () => alpha, update: () => createUpdate('entry', shared, ctx(), setField('status', 'draft')) },
    { what: 'a private entry born shared', field: 'status', type: 'entry', by: () => alpha, update: () => createUpdate('entry', { ...shared, sharing: 'private' }, ctx(), setField('status', 'shared')) },
    { what: 'an entry with an empty title', field: 'title', type: 'entry', by: () => alpha, update: () => createUpdate('entry', shared, ctx(), setField('title', '  ')) },
    { what: 'an entry of a kind that does not exist', field: 'kind', type: 'entry', by: () => alpha, update: () => createUpdate('entry', shared, ctx(), setField('kind', 'recipe')) },
    {
      what: 'an entry whose attribution has a key its schema has not',
      field: 'attribution',
      type: 'entry',
      by: () => alpha,
      update: () => createUpdate('entry', shared, ctx(), setField('attribution', { ...shared.attribution, secretNote: 'x' })),
    },
    {
      what: 'an entry crediting its holder by name with no name',
      field: 'attribution.holderName',
      type: 'entry',
      by: () => alpha,
      update: () => createUpdate('entry', shared, ctx(), setField('attribution', { holderKind: 'person', holderName: '', consent: 'credit-by-name' })),
    },
    {
      what: 'an entry whose consent record says consent was given in a way there is none of',
      field: 'attribution',
      type: 'entry',
      by: () => alpha,
      update: () => createUpdate('entry', shared, ctx(), setField('attribution', { ...shared.attribution, consentRecord: { givenBy: 'Elder He', givenAt: 0, how: 'implied', use: '' } })),
    },
    {
      what: 'an entry under the community’s own conditions with no conditions written',
      field: 'licence.conditions',
      type: 'entry',
      by: () => alpha,
      update: () => createUpdate('entry', shared, ctx(), setField('licence', { id: 'community-conditions', conditions: '' })),
    },
    {
      what: 'a proposal that closes before it opens',
      field: 'closesAt',
      type: 'proposal',
      by: () => sec,
      update: () =>
        createUpdate(
          'proposal',
          { title: 'Adopt the seed charter', options: [{ id: 'yes', label: 'Yes' }], method: 'advice', opensAt: 1_000, closesAt: 2_000 },
          editContext(sec.org.id, 'secretariat'),
          setField('closesAt', 500),
        ),
    },
  ];
  for (const via of ['push', 'bundle'] as const) {
    for (const c of cases) {
      it(`refuses ${c.what} (${via}: 422 invariant-violated, field ${c.field})`, async () => {
        const id = freshId(c.type);
        const sender = await senderFor(via, c.by());
        const seq = await hub.storage.lastSeq();
        expectViolation(await sender({ id, type: c.type, update: c.update() }), c.field, id);
        expect(await hub.storage.getRecord(id)).toBeNull();
        expect(await hub.storage.lastSeq()).toBe(seq);
      });
    }
  }
});

describe('a change that breaks an invariant is refused, by push, /yjs and bundle', () => {
  const member = () => editContext(alpha.org.id, 'member');
  const cases: { what: string; field: string; change: (doc: Y.Doc) => void }[] = [
    { what: 'a shared entry calling itself endorsed with no endorsement step (the old setEndorsed)', field: 'status', change: setField('status', 'endorsed') },
    { what: 'the title emptied', field: 'title', change: setField('title', '') },
    { what: 'a licence that is not one of the choices', field: 'licence', change: setField('licence', { id: 'cc0', conditions: '' }) },
    { what: 'the community’s conditions emptied', field: 'licence.conditions', change: setField('licence', { id: 'community-conditions', conditions: '' }) },
    { what: 'credit by name with the name taken away', field: 'attribution.holderName', change: setField('attribution', { holderKind: 'person', holderName: '', consent: 'credit-by-name' }) },
    { what: 'a language that is not a language tag', field: 'language', change: setField('language', 'Chinese!') },
    {
      what: 'labels that contradict each other (TK Verified and TK Non-Verified)',
      field: 'labels',
      change: setLabels({ 'tk-verified': { en: '', zh: '' }, 'tk-non-verified': { en: '', zh: '' } }),
    },
    { what: 'a label Local Contexts does not have', field: 'labels', change: setLabels({ 'tk-open-to-anyone': { en: '', zh: '' } }) },
    { what: 'a label text in a language the label has no place for', field: 'labels', change: setLabels({ 'tk-attribution': { en: 'Credit the elders', zh: '', fr: 'x' } }) },
    { what: 'a label text left untrimmed', field: 'labels', change: setLabels({ 'tk-seasonal': { en: ' Spring ', zh: '' } }) },
    { what: 'labels written as one plain field that the projection does not read back', field: 'labels', change: setField('labels', [{ id: 'tk-seasonal', texts: { en: 'Spring', zh: '' } }]) },
  ];
  for (const c of cases) {
    for (const via of ['push', 'bundle'] as const) {
      it(`refuses ${c.what} (${via}, field ${c.field})`, async () => {
        const { id, state, seq } = await storedEntry();
        expectViolation(await send(via, alpha, { id, type: 'entry', update: changeUpdate(state, c.change) }), c.field, id);
        await expectUnchanged(id, seq, state);
      });
    }
    it(`refuses ${c.what} (/yjs: dropped, logged invariant-violated)`, async () => {
      const { id, state, seq } = await storedEntry();
      expect(await yjsEdit(hub, alpha.token, id, c.change)).toBe('invariant-violated');
      await expectUnchanged(id, seq, state);
    });
  }

  it('takes the same changes made whole, as the mutators make them (push and /yjs)', async () => {
    const { id, state } = await storedEntry();
    const update = changeUpdate(state, (doc) => entryMutators.setSharing.apply(doc, 'private', member()));
    expect((await push(hub.url, alpha.token, [{ id, type: 'entry', update }])).status).toBe(200);
    expect((await hub.storage.getRecord(id))!.projection).toMatchObject({ sharing: 'private', status: 'draft' });
    expect(await yjsEdit(hub, alpha.token, id, setField('attribution', { ...shared.attribution, consent: 'pending' }))).toBeNull();
    expect((await hub.storage.getRecord(id))!.projection).toMatchObject({ attribution: { consent: 'pending' } });
  });

  it('takes credit by name with the name and a consent record (push and /yjs), and the hub projects both', async () => {
    const consentRecord = { givenBy: 'He Jianhua', givenAt: Date.UTC(2026, 3, 12), how: 'recorded', use: 'Training in member villages' };
    const named = { holderKind: 'person', holderName: 'He Jianhua', consent: 'credit-by-name', consentRecord };
    const { id, state } = await storedEntry();
    expect((await push(hub.url, alpha.token, [{ id, type: 'entry', update: changeUpdate(state, setField('attribution', named)) }])).status).toBe(200);
    expect((await hub.storage.getRecord(id))!.projection).toMatchObject({ attribution: named });
    const other = await storedEntry();
    expect(await yjsEdit(hub, alpha.token, other.id, setField('attribution', { ...named, consentRecord: { ...consentRecord, how: 'written' } }))).toBeNull();
    expect((await hub.storage.getRecord(other.id))!.projection).toMatchObject({ attribution: { holderName: 'He Jianhua', consentRecord: { how: 'written' } } });
  });

  it('takes a licence the owner chose (push and /yjs), the community’s conditions with their text', async () => {
    const { id, state } = await storedEntry();
    expect((await push(hub.url, alpha.token, [{ id, type: 'entry', update: changeUpdate(state, setField('licence', { id: 'cc-by-nc-4.0', conditions: '' })) }])).status).toBe(200);
    expect((await hub.storage.getRecord(id))!.projection).toMatchObject({ licence: { id: 'cc-by-nc-4.0', conditions: '' } });
    const own = { id: 'community-conditions', conditions: 'Only for member villages' };
    expect(await yjsEdit(hub, alpha.token, id, setField('licence', own))).toBeNull();
    expect((await hub.storage.getRecord(id))!.projection).toMatchObject({ licence: own });
  });

  it('leaves endorsing to reviewers: a member endorsing its own entry is refused 403, the secretariat endorsing its submission is taken', async () => {
    const { id } = await storedEntry();
    expect((await push(hub.url, alpha.token, [{ id, type: 'entry', update: changeUpdate((await hub.storage.getRecord(id))!.state, (doc) => entryReviewMutators.submitForReview.apply(doc, '', editContext(alpha.org.id, 'member'))) }])).status).toBe(200);
    const { state, seq } = (await hub.storage.getRecord(id))!;
    const selfEndorse = (doc: Y.Doc) => entryReviewMutators.endorseSubmission.apply(doc, '', editContext(alpha.org.id, 'member'));
    for (const via of ['push', 'bundle'] as const) {
      const answer = await send(via, alpha, { id, type: 'entry', update: changeUpdate(state, selfEndorse) });
      expect(answer).toMatchObject({ status: 403, body: { error: { code: 'forbidden', recordId: id } } });
    }
    expect(await yjsEdit(hub, alpha.token, id, selfEndorse)).toBe('forbidden');
    await expectUnchanged(id, seq, state);
    const endorse = changeUpdate(state, (doc) => entryReviewMutators.endorseSubmission.apply(doc, '', editContext(sec.org.id, 'secretariat')));
    expect((await push(hub.url, sec.token, [{ id, type: 'entry', update: endorse }])).status).toBe(200);
    expect((await hub.storage.getRecord(id))!.projection).toMatchObject({ status: 'endorsed' });
  });
});

describe('a withdrawal is never refused: states that read private are taken, by push, /yjs and bundle', () => {
  // Each stored shape a merge of honest edits can leave (entrySharing.ts), written straight.
  const cases: { what: string; change: (doc: Y.Doc) => void }[] = [
    { what: 'consent taken back to pending while the entry stays shared', change: setField('attribution', { ...shared.attribution, consent: 'pending' }) },
    { what: 'a shared entry whose status says draft (made private on another device)', change: setField('status', 'draft') },
    { what: 'an entry made private but left shared in its status', change: setField('sharing', 'private') },
  ];
  for (const c of cases) {
    for (const via of ['push', 'bundle'] as const) {
      it(`takes ${c.what} (${via}) and reads it a private draft`, async () => {
        const { id, state } = await storedEntry();
        const answer = await send(via, alpha, { id, type: 'entry', update: changeUpdate(state, c.change) });
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        expect((await hub.storage.getRecord(id))!).toMatchObject({ projection: { sharing: 'private', status: 'draft' }, facts: { isPrivate: true } });
      });
    }
    it(`takes ${c.what} (/yjs) and reads it a private draft`, async () => {
      const { id } = await storedEntry();
      expect(await yjsEdit(hub, alpha.token, id, c.change)).toBeNull();
      expect((await hub.storage.getRecord(id))!).toMatchObject({ projection: { sharing: 'private', status: 'draft' }, facts: { isPrivate: true } });
    });
  }
});
