// Adversarial pass (attacks): a consent withdrawal that left the knowledge shared in another
// language. A translation is an entry of its own, owned by whoever translated it (any
// organization that may read the original), with the original's attribution copied and its own
// sharing. When the knowledge holder withdrew consent, the original became a private draft and
// left every other reader, while the translation, another organization's shared entry, was still
// pulled by the whole network. Failed before the fix; now a translation is read through its
// original as a comment is through its target (shared/rules/rules.ts, readThroughTarget).
// Real hub, real SQLite, POST /v1/push, GET /v1/pull, /yjs and hub bundles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push } from '../support/hubRequests';
import { hubBundleIds, openYjs, pullIds, type Cleanups } from '../support/readerViews';

let hub: TestHub;
let holder: Awaited<ReturnType<TestHub['join']>>;
let translator: Awaited<ReturnType<TestHub['join']>>;
let reader: Awaited<ReturnType<TestHub['join']>>;

beforeAll(async () => {
  hub = await startTestHub();
  holder = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
  translator = await hub.join(await hub.invite('Cangshan Seed Bank'));
  reader = await hub.join(await hub.invite('Nujiang Women Weavers'));
});

const cleanups: Cleanups = [];

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await hub.close();
});

const wisdom: EntryInput = {
  kind: 'local-wisdom',
  title: '看燕子低飞',
  summary: '燕子贴地飞，一天内下雨。',
  sections: { knowledge: '燕子贴着田飞的时候，雨就要来了。' },
  language: 'zh-CN',
  sharing: 'network',
  attribution: { holderKind: 'person', holderName: '李奶奶', consent: 'credit-by-name' },
};

describe('a translation after the holder withdraws consent (attack)', () => {
  it('serves no other organization a translation of an entry whose consent was withdrawn', async () => {
    const originalId = 'entry-swallows';
    expect((await push(hub.url, holder.token, [{ id: originalId, type: 'entry', update: createUpdate('entry', wisdom, editContext(holder.org.id, 'member')) }])).status).toBe(200);
    // Another organization translates it, as the app's Translate does: a new entry of its own.
    const translationId = 'entry-swallows-en';
    const translation: EntryInput = {
      ...wisdom,
      title: 'Reading the swallows',
      summary: 'Low swallows mean rain within a day.',
      sections: { knowledge: 'When swallows skim the fields, rain comes.' },
      language: 'en',
      translation: { of: originalId, translator: 'Wang Jun' },
    };
    expect((await push(hub.url, translator.token, [{ id: translationId, type: 'entry', update: createUpdate('entry', translation, editContext(translator.org.id, 'member')) }])).status).toBe(200);
    const before = await pullIds(hub.url, reader.token, 0);
    expect(before.ids).toEqual(expect.arrayContaining([originalId, translationId]));

    // Grandmother Li takes her consent back.
    const withdraw = changeUpdate((await hub.storage.getRecord(originalId))!.state, (doc) =>
      entryMutators.setAttribution.apply(doc, { ...wisdom.attribution!, consent: 'pending' }, editContext(holder.org.id, 'member')),
    );
    expect((await push(hub.url, holder.token, [{ id: originalId, type: 'entry', update: withdraw }])).status).toBe(200);
    const after = await pullIds(hub.url, reader.token, before.checkpoint);
    expect(after.withdrawn).toContain(originalId);
    const fresh = await pullIds(hub.url, reader.token, 0);
    expect({ withdrawn: after.withdrawn.includes(translationId), servedFresh: fresh.ids.includes(translationId) }).toEqual({ withdrawn: true, servedFresh: false });
  });

  it('withdraws a translation, and a comment on it, when the original is labelled TK Secret/Sacred: pull, an open /yjs socket, a new one and the hub bundle', async () => {
    const originalId = 'entry-frogs';
    const frogs: EntryInput = { ...wisdom, title: '听蛙声', summary: '蛙声停，霜要来。', sections: { knowledge: '夜里蛙声突然停了，第二天早上有霜。' } };
    expect((await push(hub.url, holder.token, [{ id: originalId, type: 'entry', update: createUpdate('entry', frogs, editContext(holder.org.id, 'member')) }])).status).toBe(200);
    const translationId = 'entry-frogs-en';
    const translation: EntryInput = { ...frogs, title: 'Listening to frogs', summary: 'Frogs fall silent before frost.', sections: { knowledge: 'When the frogs stop at night, frost comes by morning.' }, language: 'en', translation: { of: originalId, translator: 'Wang Jun' } };
    expect((await push(hub.url, translator.token, [{ id: translationId, type: 'entry', update: createUpdate('entry', translation, editContext(translator.org.id, 'member')) }])).status).toBe(200);
    const commentId = `comment-on-${translationId}`;
    const comment = createUpdate('comment', { targetId: translationId, text: 'Our elders say the same of crickets.' }, editContext(reader.org.id, 'member'));
    expect((await push(hub.url, reader.token, [{ id: commentId, type: 'comment', update: comment }])).status).toBe(200);
    const before = await pullIds(hub.url, reader.token, 0);
    expect(before.ids).toEqual(expect.arrayContaining([originalId, translationId, commentId]));
    const socket = await openYjs(hub, reader.token, translationId, cleanups);
    expect(socket.outcome).toBe('open');
    // Nobody translates a translation: a translation is read through its original, one step.
    const twice: EntryInput = { ...translation, language: 'fr', title: 'Écouter les grenouilles', translation: { of: translationId, translator: 'Li Na' } };
    expect((await push(hub.url, reader.token, [{ id: 'entry-frogs-fr', type: 'entry', update: createUpdate('entry', twice, editContext(reader.org.id, 'member')) }])).body).toMatchObject({ error: { code: 'forbidden' } });

    const label = changeUpdate((await hub.storage.getRecord(originalId))!.state, (doc) =>
      entryMutators.setLabels.apply(doc, [{ id: 'tk-secret-sacred', texts: { en: '', zh: '' } }], editContext(holder.org.id, 'member')),
    );
    expect((await push(hub.url, holder.token, [{ id: originalId, type: 'entry', update: label }])).status).toBe(200);

    expect(await socket.closed).toBe(4403);
    expect((await openYjs(hub, reader.token, translationId, cleanups)).outcome).toBe(4404);
    const after = await pullIds(hub.url, reader.token, before.checkpoint);
    expect(after.withdrawn).toEqual(expect.arrayContaining([originalId, translationId, commentId]));
    for (const org of [reader, translator]) {
      const fresh = await pullIds(hub.url, org.token, 0);
      expect(fresh.ids).not.toContain(translationId);
      expect(fresh.ids).not.toContain(commentId);
      expect(await hubBundleIds(hub, org.org.id, 0)).not.toContain(translationId);
    }
    // The original's own organization still reads it all.
    expect((await pullIds(hub.url, holder.token, 0)).ids).toEqual(expect.arrayContaining([originalId, translationId, commentId]));
  });
});
