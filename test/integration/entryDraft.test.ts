import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openAuthorText, submitAuthorText } from '../../shared/client/authorText';
import { entry, entryMutators, type EntryInput } from '../../shared/records/entry';
import { draft, draftIdOf, draftMutators } from '../../shared/records/entryDraft';
import { entryReviewMutators, isSameText, latestSubmission, pinnedVersionOf, reviewStateOf, versionOf } from '../../shared/records/entryReview';
import { errorBodySchema } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, pull, push, type HubAnswer } from '../support/hubRequests';
import { hubBundleRecords, openYjs, type Cleanups } from '../support/readerViews';
import { syncedClient, type SyncedClient } from '../support/syncedClient';
import { joinWithBundleKey, uploadBundle, yjsEdit, yjsProvider, type BundleDevice } from '../support/writeEntryPoints';

/*
 * The author's draft of an endorsed entry (shared/records/entryDraft.ts), on a real hub on
 * loopback: the author's words after endorsement go to `draft~<entry>` through the door the editor
 * uses (shared/client/authorText.ts), and no other organization's pull, `/yjs` of the entry or of
 * the draft, or hub bundle ever holds them; a draft pushed shared, for another organization's
 * entry or under another id is refused with a code, through push, `/yjs` and a bundle alike; and
 * resubmitting copies the draft into the entry, where the reviewer reads it.
 */

let hub: TestHub;
let author: SyncedClient;
let authorDevice: BundleDevice;
let secretariat: SyncedClient;
let reader: BundleDevice;
const cleanups: Cleanups = [];

beforeAll(async () => {
  hub = await startTestHub();
  authorDevice = await joinWithBundleKey(hub, await hub.invite('Fengyu Farmers Cooperative', 'member'));
  reader = await joinWithBundleKey(hub, await hub.invite('Cangshan Seed Bank', 'member'));
  author = await syncedClient(hub, authorDevice);
  secretariat = await syncedClient(hub, await hub.join(hub.secretariatCode));
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await author?.close();
  await secretariat?.close();
  await hub?.close();
});

const wisdom: EntryInput = {
  kind: 'local-wisdom',
  title: 'Reading the swallows',
  summary: 'Low swallows mean rain within a day.',
  sections: { knowledge: 'When swallows skim the fields, rain comes.' },
  body: 'Endorsed words about swallows.',
  language: 'en',
  sharing: 'network',
  attribution: { holderKind: 'person', holderName: 'Grandmother Li', consent: 'credit-by-name' },
};

const DRAFT_WORDS = 'Unreviewed draft: swallows also fly low before snow';
const DRAFT_TITLE = 'Reading swallows and snow';

const holds = (bytes: Uint8Array, text: string): boolean => Buffer.from(bytes).includes(Buffer.from(text, 'utf8'));

/** Types `text` at the end of the body, as the editor's rich text does (a paragraph of Y.XmlText). */
function typeParagraph(doc: Y.Doc, text: string): void {
  const body = doc.getXmlFragment('body');
  const paragraph = new Y.XmlElement('paragraph');
  body.insert(body.length, [paragraph]);
  const line = new Y.XmlText();
  paragraph.insert(0, [line]);
  line.insert(0, text);
}

/** An entry the author wrote, submitted and the secretariat endorsed, synced both ways; its id. */
async function endorsedEntry(): Promise<string> {
  const id = await author.client.create('entry', wisdom);
  await submitAuthorText(author.client, id, 'Please review.');
  await author.engine.syncNow();
  await secretariat.engine.syncNow();
  await secretariat.client.mutate(id, entryReviewMutators.endorseSubmission, 'Well documented.');
  await secretariat.engine.syncNow();
  await author.engine.syncNow();
  expect(pinnedVersionOf((await author.client.get<'entry'>(id))!.projection)).not.toBeNull();
  return id;
}

/** The author drafts on after endorsement, through the editor's door, and syncs. */
async function draftOn(id: string): Promise<string> {
  const text = await openAuthorText(author.client, id);
  try {
    text.doc.transact(() => typeParagraph(text.doc, DRAFT_WORDS));
    await author.client.flushOutbox();
    if (text.isDraft) await author.client.mutate(text.id, draftMutators.setFields, { title: DRAFT_TITLE });
    else await author.client.mutate(text.id, entryMutators.setFields, { title: DRAFT_TITLE });
  } finally {
    author.client.releaseDoc(text.id);
  }
  await author.engine.syncNow();
  return text.id;
}

function expectRefusal(answer: HubAnswer, status: number, code: string): void {
  expect({ status: answer.status, code: errorBodySchema.parse(answer.body).error.code }, JSON.stringify(answer.body)).toEqual({ status, code });
}

describe("the author's draft of an endorsed entry", () => {
  it("never reaches another organization: not by pull, /yjs of the entry or the draft, or a hub bundle", async () => {
    const id = await endorsedEntry();
    const draftId = await draftOn(id);

    // Another organization's pull: the entry as endorsed, nothing of the draft.
    const pulled = await pull(hub.url, reader.token, 0);
    expect(pulled.records.map((r) => r.meta.id)).toContain(id);
    for (const record of pulled.records) {
      expect(holds(record.update, DRAFT_WORDS), record.meta.id).toBe(false);
      expect(holds(record.update, DRAFT_TITLE), record.meta.id).toBe(false);
    }
    expect(pulled.records.map((r) => r.meta.id)).not.toContain(draftId);

    // /yjs/<entry>: the whole doc, as endorsed.
    const live = await yjsProvider(hub, reader.token, id);
    cleanups.push(live.close);
    expect(holds(Y.encodeStateAsUpdate(live.doc), DRAFT_WORDS)).toBe(false);
    expect(entry.read(live.doc).body).toBe(wisdom.body);

    // /yjs/draft~<entry>: refused to another organization, and to the secretariat.
    const secretariatToken = secretariat.join.token;
    for (const token of [reader.token, secretariatToken]) {
      const socket = await openYjs(hub, token, draftId, cleanups);
      expect(socket.outcome).toBe(4404);
    }

    // The hub bundle made for another organization.
    const bundled = await hubBundleRecords(hub, reader.org.id, 0);
    expect(bundled.map((record) => record.id)).toContain(id);
    expect(bundled.map((record) => record.id)).not.toContain(draftId);
    for (const record of bundled) expect(holds(record.update, DRAFT_WORDS), record.id).toBe(false);

    // The draft reached the hub, whole: the organization's other devices get it.
    expect(draftId).toBe(draftIdOf(id));
    const stored = (await hub.storage.getRecord(draftId))!;
    expect(stored.header).toMatchObject({ type: 'draft', ownerOrg: authorDevice.org.id });
    expect(holds(stored.state, DRAFT_WORDS)).toBe(true);
    expect((await pull(hub.url, authorDevice.token, 0)).records.map((r) => r.meta.id)).toContain(draftId);
  });

  it('resubmitting copies the draft into the entry in one change, and the reviewer reads it', async () => {
    const id = await endorsedEntry();
    await draftOn(id);
    await submitAuthorText(author.client, id, 'Added the snow.');
    await author.engine.syncNow();
    await secretariat.engine.syncNow();

    const seen = (await secretariat.client.get<'entry'>(id))!.projection;
    expect(reviewStateOf(seen)).toBe('submitted');
    expect(seen.title).toBe(DRAFT_TITLE);
    expect(seen.body).toContain(DRAFT_WORDS);
    expect(isSameText(latestSubmission(seen)!.version, versionOf(seen))).toBe(true);
    // The endorsed version stays pinned until the reviewer endorses the new one.
    expect(pinnedVersionOf(seen)!.version.body).toBe(wisdom.body);

    await secretariat.client.mutate(id, entryReviewMutators.endorseSubmission, 'The snow sign is right.');
    await secretariat.engine.syncNow();
    expect(pinnedVersionOf((await hub.storage.getRecord(id))!.projection as never)!.version.body).toContain(DRAFT_WORDS);
  });

  it('two devices of the organization starting the draft offline write one seed, which merges into one text', () => {
    const input = draft.parseInput({ draftOf: 'entry-x', version: versionOf({ ...entry.read(new Y.Doc()), title: 'T', body: 'One body.' }), at: 5 });
    const seeds = [1, 2].map(() => {
      const doc = new Y.Doc();
      doc.clientID = draft.seed(input)!.clientId;
      draft.create(doc, input, { ...editContext('org-a', 'member'), now: draft.seed(input)!.now });
      return Y.encodeStateAsUpdate(doc);
    });
    expect(Buffer.from(seeds[0]!).equals(Buffer.from(seeds[1]!))).toBe(true);
    const merged = new Y.Doc();
    for (const seed of seeds) Y.applyUpdate(merged, seed);
    expect(draft.read(merged).body).toBe('One body.');
  });
});

describe('the hub refuses a draft that is not its own entry’s private draft', () => {
  /** A fresh entry of the author's organization on the hub, and a draft update for it. */
  async function entryAndDraft(change?: (doc: Y.Doc) => void): Promise<{ id: string; update: Uint8Array }> {
    const id = await author.client.create('entry', wisdom);
    await author.engine.syncNow();
    const version = versionOf((await author.client.get<'entry'>(id))!.projection);
    return { id, update: createUpdate('draft', { draftOf: id, version, at: 1 }, editContext(authorDevice.org.id, 'member'), change) };
  }
  const shared = (doc: Y.Doc) => doc.getMap('fields').set('sharing', 'network');

  it('pushed shared: invariant-violated, nothing stored', async () => {
    const { id, update } = await entryAndDraft(shared);
    expectRefusal(await push(hub.url, authorDevice.token, [{ id: draftIdOf(id), type: 'draft', update }]), 422, 'invariant-violated');
    expect(await hub.storage.getRecord(draftIdOf(id))).toBeNull();
  });

  it("pushed by another organization for this one's entry: wrong-id, as for an entry the hub does not hold", async () => {
    const { id, update } = await entryAndDraft();
    expectRefusal(await push(hub.url, reader.token, [{ id: draftIdOf(id), type: 'draft', update }]), 400, 'wrong-id');
    const missing = createUpdate('draft', { draftOf: 'entry-never-pushed', version: versionOf({ ...entry.read(new Y.Doc()), title: 'Guessed' }), at: 1 }, editContext(reader.org.id, 'member'));
    expectRefusal(await push(hub.url, reader.token, [{ id: draftIdOf('entry-never-pushed'), type: 'draft', update: missing }]), 400, 'wrong-id');
    expect(await hub.storage.getRecord(draftIdOf(id))).toBeNull();
  });

  it('under an id that is not draft~<its entry>, or a draft~ id on another type: wrong-id', async () => {
    const { id, update } = await entryAndDraft();
    expectRefusal(await push(hub.url, authorDevice.token, [{ id: 'draft-elsewhere', type: 'draft', update }]), 400, 'wrong-id');
    expectRefusal(await push(hub.url, authorDevice.token, [{ id: draftIdOf(`${id}-other`), type: 'draft', update }]), 400, 'wrong-id');
    const asEntry = createUpdate('entry', wisdom, editContext(authorDevice.org.id, 'member'));
    expectRefusal(await push(hub.url, authorDevice.token, [{ id: draftIdOf(id), type: 'entry', update: asEntry }]), 400, 'wrong-id');
  });

  it('made shared through /yjs or a field bundle: invariant-violated, the draft unchanged', async () => {
    const { id, update } = await entryAndDraft();
    const draftId = draftIdOf(id);
    expect((await push(hub.url, authorDevice.token, [{ id: draftId, type: 'draft', update }])).status).toBe(200);
    const before = (await hub.storage.getRecord(draftId))!;
    expect(await yjsEdit(hub, authorDevice.token, draftId, shared)).toBe('invariant-violated');
    const bundled = await uploadBundle(hub, authorDevice, [{ id: draftId, type: 'draft', update: changeUpdate(before.state, shared) }]);
    expect(JSON.stringify(bundled.body)).toContain('invariant-violated');
    expect((await hub.storage.getRecord(draftId))!.seq).toBe(before.seq);
  });
});
