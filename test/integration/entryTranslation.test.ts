// Translations through a real hub on loopback: a translation is an entry of its own linked by
// `translation.of`; the hub takes a link to an entry its writer may read, and refuses, with one
// answer that says nothing of what the id holds, a link to another organization's private draft
// or to an id that is no entry (POST /v1/push and /yjs/<id>), storing nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { EntryInput } from '../../shared/records/entry';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push } from '../support/hubRequests';
import { joinWithBundleKey, yjsEdit, type BundleDevice } from '../support/writeEntryPoints';

let hub: TestHub;
let alpha: BundleDevice;
let beta: BundleDevice;

beforeAll(async () => {
  hub = await startTestHub();
  alpha = await joinWithBundleKey(hub, await hub.invite('Fengyu Farmers Cooperative'));
  beta = await joinWithBundleKey(hub, await hub.invite('Xishan Water Users'));
});

afterAll(async () => {
  await hub.close();
});

const original: EntryInput = {
  kind: 'local-wisdom',
  title: '看燕子知雨',
  language: 'zh-CN',
  attribution: { holderKind: 'community', holderName: '老姆登', consent: 'community-approved' },
  sharing: 'network',
};
const translated = (of: string, translator = 'Ma Li'): EntryInput => ({ ...original, title: 'Reading the swallows', language: 'en', translation: { of, translator } });

let serial = 0;
const freshId = () => `entry-translation-${++serial}`;

async function stored(device: BundleDevice, input: EntryInput): Promise<string> {
  const id = freshId();
  expect((await push(hub.url, device.token, [{ id, type: 'entry', update: createUpdate('entry', input, editContext(device.org.id, 'member')) }])).status).toBe(200);
  return id;
}

describe('a translation’s link to its original', () => {
  let shared: string;
  let draft: string;
  beforeAll(async () => {
    shared = await stored(alpha, original);
    draft = await stored(alpha, { ...original, sharing: 'private', attribution: { ...original.attribution!, consent: 'pending' } });
  });

  it('is taken to an entry the translator may read, another organization’s shared entry', async () => {
    const id = freshId();
    const answer = await push(hub.url, beta.token, [{ id, type: 'entry', update: createUpdate('entry', translated(shared), editContext(beta.org.id, 'member')) }]);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect((await hub.storage.getRecord(id))!.projection).toMatchObject({ language: 'en', translation: { of: shared, translator: 'Ma Li' } });
  });

  it('is refused to a private draft and to an id that is no entry, with the same answer, storing nothing (push)', async () => {
    const answers = [];
    for (const of of [draft, 'entry-nothing-here']) {
      const id = freshId();
      const answer = await push(hub.url, beta.token, [{ id, type: 'entry', update: createUpdate('entry', translated(of), editContext(beta.org.id, 'member')) }]);
      expect(answer).toMatchObject({ status: 403, body: { error: { code: 'forbidden', recordId: id } } });
      expect(await hub.storage.getRecord(id)).toBeNull();
      answers.push((answer.body as { error: { message: string } }).error.message);
    }
    expect(answers[0]).toBe(answers[1]);
  });

  it('is refused when an edit links a stored entry to a private draft (push and /yjs)', async () => {
    const id = await stored(beta, translated(shared));
    const before = (await hub.storage.getRecord(id))!;
    const relink = (doc: Y.Doc) => doc.getMap('fields').set('translation', { of: draft, translator: 'Ma Li' });
    expect(await push(hub.url, beta.token, [{ id, type: 'entry', update: changeUpdate(before.state, relink) }])).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(await yjsEdit(hub, beta.token, id, relink)).toBe('forbidden');
    expect((await hub.storage.getRecord(id))!.seq).toBe(before.seq);
  });

  it('lets the owner translate its own private draft', async () => {
    const id = await stored(alpha, { ...translated(draft), sharing: 'private', attribution: { ...original.attribution!, consent: 'pending' } });
    expect((await hub.storage.getRecord(id))!.projection).toMatchObject({ translation: { of: draft } });
  });

  it('needs a translator (422 invariant-violated, field translation.translator)', async () => {
    const id = freshId();
    const answer = await push(hub.url, beta.token, [{ id, type: 'entry', update: createUpdate('entry', { ...original }, editContext(beta.org.id, 'member'), (doc) => doc.getMap('fields').set('translation', { of: shared, translator: '' })) }]);
    expect(answer).toMatchObject({ status: 422, body: { error: { code: 'invariant-violated', field: 'translation.translator', recordId: id } } });
  });
});
