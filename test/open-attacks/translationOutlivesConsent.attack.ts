// Adversarial pass (attacks): a consent withdrawal that leaves the knowledge shared in another
// language. A translation is an entry of its own, owned by whoever translated it (any
// organization that may read the original: "a reader who may not edit the entry may still
// translate it"), with the original's attribution copied and its own sharing. When the knowledge
// holder withdraws consent, the original becomes a private draft and leaves every other reader;
// the translation, another organization's shared entry, is still pulled by the whole network
// (translationOrigin.ts: "the original going private later does not lock its translation").
// Real hub, real SQLite, POST /v1/push and GET /v1/pull. FAILS on main: the withdrawal of consent
// should reach the translations of what it withdraws (for instance, a translation read through
// its original as a comment is, or reading private while its original is not readable).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push } from '../support/hubRequests';
import { pullIds } from '../support/readerViews';

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

afterAll(async () => {
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
    // On main: the translation is not withdrawn, and a fresh pull still serves it to the network.
    const fresh = await pullIds(hub.url, reader.token, 0);
    expect({ withdrawn: after.withdrawn.includes(translationId), servedFresh: fresh.ids.includes(translationId) }).toEqual({ withdrawn: true, servedFresh: false });
  });
});
