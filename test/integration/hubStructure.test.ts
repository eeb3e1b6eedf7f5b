import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { commitSystemChange } from '../../server/hub/systemWrites';
import type { StoredRecord } from '../../server/storage/hubStorage';
import { commentMutators } from '../../shared/records/comment';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import { entryReviewMutators } from '../../shared/records/entryReview';
import { networkMutators } from '../../shared/records/network';
import { moduleFor, type InputTypes } from '../../shared/records/registry';
import type { RecordType, Role } from '../../shared/records/recordType';
import { errorBodySchema, type JoinResponse } from '../../shared/sync/protocol';
import { openTestProposal } from '../support/governance';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, editContext, push, type HubAnswer } from '../support/hubRequests';

/*
 * Authorization at the level of the Yjs structure (shared/records/structureActions.ts), through
 * POST /v1/push and /yjs/<id> on a real hub: a reviewer or the secretariat, allowed one action on
 * another organization's record, may touch only that action's parts — not a link target, a mark,
 * an attribute, a junk key or node that no projected field shows — and structure a record type's
 * layout has no room for is refused for everyone as `bad-structure`.
 */

let hub: TestHub;
const joined = {} as Record<'secretariat' | 'steward' | 'member' | 'member2', JoinResponse>;
type Who = keyof typeof joined;
const roleOf: Record<Who, Role> = { secretariat: 'secretariat', steward: 'steward', member: 'member', member2: 'member' };
const opened: { provider: WebsocketProvider; doc: Y.Doc }[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  joined.secretariat = await hub.join(hub.secretariatCode);
  joined.steward = await hub.join(await hub.invite('Erhai Watershed Alliance', 'steward'));
  joined.member = await hub.join(await hub.invite('Fengyu Farmers Cooperative', 'member'));
  joined.member2 = await hub.join(await hub.invite('Cangshan Seed Bank', 'member'));
  // The proposal the comments here are on: a comment reads through its target, so it must exist.
  await openTestProposal(hub, 'proposal-1');
  // The steward reviews with the secretariat's review scope, as a steward must.
  const network = (await hub.storage.getRecord('network'))!;
  await commitSystemChange(hub.storage, network.header, (doc) =>
    networkMutators.setStewardGrant.apply(doc, { orgId: joined.steward.org.id, scopes: ['review'] }, editContext(joined.secretariat.org.id, 'secretariat')),
  );
});

afterEach(() => {
  for (const { provider, doc } of opened.splice(0)) {
    provider.destroy();
    doc.destroy();
  }
});

afterAll(async () => {
  await hub.close();
});

const sharedEntry: EntryInput = {
  kind: 'practice',
  title: 'Rainwater cellars',
  language: 'en',
  body: 'Dig below the frost line',
  sharing: 'network',
  attribution: { holderKind: 'community', holderName: 'Fengyu village', consent: 'community-approved' },
};

let counter = 0;

/** A linked, formatted paragraph as the editor writes it: a link mark on a word, a heading level. */
function writeRichBody(doc: Y.Doc): void {
  const heading = new Y.XmlElement('heading');
  heading.setAttribute('level', '2');
  heading.insert(0, [new Y.XmlText('Cellars')]);
  const paragraph = new Y.XmlElement('paragraph');
  const text = new Y.XmlText();
  text.insert(0, 'see the guide');
  text.format(8, 5, { link: { href: 'https://guide.example/cellars' } });
  paragraph.insert(0, [text]);
  doc.getXmlFragment('body').push([heading, paragraph]);
}

/** A record of `type` owned by `owner`, written straight into storage as its owner's device would. */
async function seed<T extends RecordType>(type: T, owner: Who, input: InputTypes[T], change?: (doc: Y.Doc) => void): Promise<StoredRecord> {
  const id = type === 'org' ? joined[owner].org.id : `${type}-structure-${++counter}`;
  const module = moduleFor(type);
  const ctx = editContext(joined[owner].org.id, roleOf[owner]);
  if (type === 'org') return (await hub.storage.getRecord(id))!;
  await commitSystemChange(hub.storage, { id, type, ownerOrg: joined[owner].org.id, createdAt: Date.now() }, (doc) => {
    module.create(doc, module.parseInput(input), ctx);
    change?.(doc);
  });
  return (await hub.storage.getRecord(id))!;
}

const seedEntry = (owner: Who = 'member') => seed('entry', owner, { ...sharedEntry, body: '' }, writeRichBody);

function pushChange(who: Who, record: StoredRecord, change: (doc: Y.Doc) => void): Promise<HubAnswer> {
  return push(hub.url, joined[who].token, [{ id: record.header.id, type: record.header.type, update: changeUpdate(record.state, change) }]);
}

async function expectRefused(send: () => Promise<HubAnswer>, record: StoredRecord, status: number, code: string): Promise<void> {
  const answer = await send();
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status, body: { error: { code, recordId: record.header.id } } });
  errorBodySchema.parse(answer.body);
  const after = (await hub.storage.getRecord(record.header.id))!;
  expect(after.seq).toBe(record.seq);
  expect(Buffer.from(after.state).equals(Buffer.from(record.state))).toBe(true);
}

async function expectAccepted(send: () => Promise<HubAnswer>): Promise<void> {
  const answer = await send();
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

const ctxOf = (who: Who) => editContext(joined[who].org.id, roleOf[who]);
const bodyText = (doc: Y.Doc, index: number) => (doc.getXmlFragment('body').get(index) as Y.XmlElement).get(0) as Y.XmlText;
const reviewWith = (who: Who, change: (doc: Y.Doc) => void) => (doc: Y.Doc) => {
  entryMutators.addReviewNote.apply(doc, 'Well documented.', ctxOf(who));
  change(doc);
};

/** Changes no projected field shows, each riding along with an allowed review note. */
const hiddenBodyChanges: readonly [string, (doc: Y.Doc) => void][] = [
  ['retargets a link', (doc) => bodyText(doc, 1).format(8, 5, { link: { href: 'https://evil.example/' } })],
  ['adds a bold mark', (doc) => bodyText(doc, 1).format(0, 3, { bold: true })],
  ['changes a heading level', (doc) => (doc.getXmlFragment('body').get(0) as Y.XmlElement).setAttribute('level', '1')],
  ['adds an empty node', (doc) => doc.getXmlFragment('body').push([new Y.XmlElement('horizontalRule')])],
  ['adds a node of a kind the editor does not know', (doc) => doc.getXmlFragment('body').push([new Y.XmlElement('junk')])],
  ['adds an empty section paragraph', (doc) => doc.getXmlFragment('section.context').push([new Y.XmlElement('paragraph')])],
];

describe('a reviewer touches only the review log and status of another organization\'s entry', () => {
  for (const who of ['steward', 'secretariat'] as const) {
    for (const [label, change] of hiddenBodyChanges) {
      it(`refuses a ${who}'s review that also ${label} (403 forbidden)`, async () => {
        const record = await seedEntry();
        await expectRefused(() => pushChange(who, record, reviewWith(who, change)), record, 403, 'forbidden');
      });
    }
  }

  it('refuses a steward who removes another reviewer\'s note: the review log is append-only', async () => {
    const record = await seed('entry', 'member', sharedEntry, (doc) => entryMutators.addReviewNote.apply(doc, 'Checked in the field.', ctxOf('secretariat')));
    await expectRefused(() => pushChange('steward', record, (doc) => doc.getArray('log.reviewNotes').delete(0, 1)), record, 403, 'forbidden');
  });

  it('refuses a steward who adds a plain field no projection reads', async () => {
    const record = await seedEntry();
    await expectRefused(() => pushChange('steward', record, reviewWith('steward', (doc) => doc.getMap('fields').set('note', 'x'))), record, 403, 'forbidden');
  });

  it('accepts the review itself and an endorsement', async () => {
    const record = await seed('entry', 'member', { ...sharedEntry, body: '' }, (doc) => {
      writeRichBody(doc);
      entryReviewMutators.submitForReview.apply(doc, '', ctxOf('member'));
    });
    await expectAccepted(() => pushChange('steward', record, reviewWith('steward', (doc) => entryReviewMutators.endorseSubmission.apply(doc, 'Clear and complete.', ctxOf('steward')))));
  });

  it('lets the owner retarget its own link and format its own body', async () => {
    const record = await seedEntry();
    await expectAccepted(() => pushChange('member', record, hiddenBodyChanges[0]![1]));
    const next = (await hub.storage.getRecord(record.header.id))!;
    await expectAccepted(() => pushChange('member', next, hiddenBodyChanges[1]![1]));
  });
});

describe('the secretariat moderates a comment and touches nothing else', () => {
  it('refuses a hide that also adds a junk field or rewrites the author name', async () => {
    const record = await seed('comment', 'member', { targetId: 'proposal-1', text: 'We agree with the plan.' });
    const hide = (doc: Y.Doc) => commentMutators.hide.apply(doc, 'off topic', ctxOf('secretariat'));
    await expectRefused(() => pushChange('secretariat', record, (doc) => { hide(doc); doc.getMap('fields').set('extra', 'x'); }), record, 403, 'forbidden');
    await expectAccepted(() => pushChange('secretariat', record, hide));
  });
});

/** Structure no record type's layout has room for, on a record its own organization may edit. */
const badStructures: readonly [string, (doc: Y.Doc) => void][] = [
  ['an unknown top-level map', (doc) => doc.getMap('junk').set('a', 1)],
  ['an unknown top-level list', (doc) => doc.getArray('junk-list').push([1])],
  ['a map nested in the fields map', (doc) => doc.getMap('fields').set('nested', new Y.Map())],
  ['a text type nested in the fields map', (doc) => doc.getMap('fields').set('title', new Y.Text('Defaced'))],
];

/** One record of each type a client writes, owned by someone allowed to edit it. */
const ownRecords: readonly [RecordType, Who, () => Promise<StoredRecord>][] = [
  ['org', 'member', () => seed('org', 'member', { name: 'unused' })],
  ['entry', 'member', () => seedEntry()],
  ['proposal', 'secretariat', () => seed('proposal', 'secretariat', { title: 'Pool the seed fund', options: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }], method: 'single', opensAt: Date.now(), closesAt: Date.now() + 86_400_000 })],
  ['comment', 'member', () => seed('comment', 'member', { targetId: 'proposal-1', text: 'We agree.' })],
  ['offer', 'secretariat', () => seed('offer', 'secretariat', { title: 'Drip irrigation training', kind: 'training', places: 12, opensAt: Date.now(), closesAt: Date.now() + 86_400_000 })],
];

describe('structure a layout has no room for is refused for every record type (400 bad-structure)', () => {
  for (const [type, owner, make] of ownRecords) {
    for (const [label, change] of badStructures) {
      it(`refuses ${label} in its own ${type}`, async () => {
        const record = await make();
        await expectRefused(() => pushChange(owner, record, change), record, 400, 'bad-structure');
      });
    }
  }

  it('refuses a hook node and a map in the rich-text body', async () => {
    const record = await seedEntry();
    await expectRefused(() => pushChange('member', record, (doc) => doc.getXmlFragment('body').push([new Y.XmlHook('widget') as unknown as Y.XmlElement])), record, 400, 'bad-structure');
    await expectRefused(
      () => pushChange('member', record, (doc) => (doc.getXmlFragment('body').get(0) as Y.XmlElement).setAttribute('level', new Y.Map() as unknown as string)),
      record,
      400,
      'bad-structure',
    );
  });

  it('refuses a new record born with an unknown top-level type', async () => {
    const id = `entry-born-bad-${++counter}`;
    const doc = new Y.Doc();
    moduleFor('entry').create(doc, moduleFor('entry').parseInput(sharedEntry), ctxOf('member'));
    doc.getMap('junk').set('a', 1);
    const answer = await push(hub.url, joined.member.token, [{ id, type: 'entry', update: Y.encodeStateAsUpdate(doc) }]);
    doc.destroy();
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'bad-structure', recordId: id } } });
    expect(await hub.storage.getRecord(id)).toBeNull();
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

async function connectSynced(token: string, recordId: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${hub.url.replace(/^http/, 'ws')}/yjs`, recordId, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 100,
  });
  opened.push({ provider, doc });
  await waitFor(() => provider.synced, 'the provider to sync');
  return doc;
}

const refusalsOf = (recordId: string, code: string): number => hub.logs.filter((entry) => entry.path === '/yjs' && entry.recordId === recordId && entry.code === code).length;

describe('the same through /yjs/<id>', () => {
  for (const [label, change, code] of [
    ['retargets a link in', hiddenBodyChanges[0]![1], 'forbidden'],
    ['adds an unknown top-level type to', badStructures[0]![1], 'bad-structure'],
  ] as const) {
    it(`refuses a steward's review that ${label} another organization's entry`, async () => {
      const record = await seedEntry();
      const doc = await connectSynced(joined.steward.token, record.header.id);
      const refusedBefore = refusalsOf(record.header.id, code);
      doc.transact(() => reviewWith('steward', change)(doc));
      await waitFor(() => refusalsOf(record.header.id, code) > refusedBefore, `the hub to refuse with ${code}`);
      const after = (await hub.storage.getRecord(record.header.id))!;
      expect(after.seq).toBe(record.seq);
    });
  }

  it("commits a steward's plain review through /yjs", async () => {
    const record = await seedEntry();
    const doc = await connectSynced(joined.steward.token, record.header.id);
    doc.transact(() => entryMutators.addReviewNote.apply(doc, 'Good.', ctxOf('steward')));
    await waitFor(async () => (await hub.storage.getRecord(record.header.id))!.seq > record.seq, 'the hub to commit the review');
  });
});

describe('content never speaks for another organization', () => {
  it("refuses a steward's review note signed with the secretariat's organization", async () => {
    const record = await seedEntry();
    const forged = (doc: Y.Doc) => entryMutators.addReviewNote.apply(doc, 'Approved by the secretariat.', { ...ctxOf('steward'), orgId: joined.secretariat.org.id });
    await expectRefused(() => pushChange('steward', record, forged), record, 403, 'forbidden');
  });

  it("refuses a comment whose author name is not its organization's; accepts its own name or none", async () => {
    const comment = (authorName: string) => {
      const doc = new Y.Doc();
      moduleFor('comment').create(doc, moduleFor('comment').parseInput({ targetId: 'proposal-1', text: 'Noted.', authorName }), ctxOf('member'));
      const update = Y.encodeStateAsUpdate(doc);
      doc.destroy();
      return push(hub.url, joined.member.token, [{ id: `comment-claim-${++counter}`, type: 'comment', update }]);
    };
    expect(await comment('Secretariat')).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(await comment('Erhai Watershed Alliance')).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect((await comment('fengyu farmers cooperative')).status).toBe(200);
    expect((await comment('')).status).toBe(200);
  });
});
