import { afterEach, describe, expect, it } from 'vitest';
import type { FieldwiseClient } from '../../shared/client/client';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import { memoryClient } from '../support/clients';

const open: FieldwiseClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

const consented = { holderKind: 'community', holderName: '', consent: 'community-approved' } as const;

const ashZh: EntryInput = {
  kind: 'local-wisdom',
  title: '用草木灰防治菜虫',
  summary: '老人们说，清晨把草木灰撒在菜叶上，可以赶走菜青虫。',
  body: '我们在村里推广节水灌溉技术以后，又试了这个老办法，效果很好。',
  tags: ['病虫害', '有机'],
  region: ['云南省', '大理州', '洱源县'],
  language: 'zh-CN',
  attribution: consented,
  sharing: 'network',
};
const rainEn: EntryInput = {
  kind: 'practice',
  title: 'Rainwater harvesting for school gardens',
  summary: 'Roof gutters feed two tanks that water the vegetable beds through the dry season.',
  tags: ['water', 'schools'],
  region: ['Guizhou', 'Qiandongnan'],
  language: 'en',
  attribution: consented,
  sharing: 'network',
};
const floodEn: EntryInput = {
  kind: 'challenge',
  title: 'Flood warnings reach elderly villagers too late',
  summary: 'Phone alerts miss people without smartphones; the village broadcast is the fallback.',
  tags: ['disaster', 'water'],
  region: ['Yunnan', 'Dali'],
  language: 'en',
  attribution: consented,
  sharing: 'network',
};

async function seeded() {
  const client = await memoryClient();
  open.push(client);
  const ids = {
    ash: await client.create('entry', ashZh),
    rain: await client.create('entry', rainEn),
    flood: await client.create('entry', floodEn),
  };
  return { client, ids };
}

const idsOf = (hits: { id: string }[]) => hits.map((h) => h.id);

describe('entry search', () => {
  it('finds a Chinese entry by a word in the middle of a sentence', async () => {
    const { client, ids } = await seeded();
    expect(idsOf(await client.searchEntries('灌溉'))).toEqual([ids.ash]);
    expect(idsOf(await client.searchEntries('菜青虫'))).toEqual([ids.ash]);
    expect(idsOf(await client.searchEntries('效果'))).toEqual([ids.ash]);
    expect(await client.searchEntries('灌木')).toEqual([]);
  });

  it('still finds an English entry with a typo or a prefix', async () => {
    const { client, ids } = await seeded();
    expect(idsOf(await client.searchEntries('harvestign'))).toEqual([ids.rain]);
    expect(idsOf(await client.searchEntries('rainwat'))).toEqual([ids.rain]);
    expect(idsOf(await client.searchEntries('elderley villagers'))).toEqual([ids.flood]);
  });

  it('combines words and filters by kind, tag, region, organization and status', async () => {
    const { client, ids } = await seeded();
    expect(idsOf(await client.searchEntries('water')).sort()).toEqual([ids.rain, ids.flood].sort());
    expect(idsOf(await client.searchEntries('water', { kind: 'challenge' }))).toEqual([ids.flood]);
    expect(idsOf(await client.searchEntries('water', { tag: 'schools' }))).toEqual([ids.rain]);
    expect(idsOf(await client.searchEntries('water', { region: ['Yunnan'] }))).toEqual([ids.flood]);
    expect(idsOf(await client.searchEntries('water', { region: ['Yunnan'], kind: 'practice' }))).toEqual([]);
    expect(idsOf(await client.searchEntries('water', { ownerOrg: 'org-a', status: 'shared' })).sort()).toEqual([ids.rain, ids.flood].sort());
    expect(await client.searchEntries('water', { ownerOrg: 'org-b' })).toEqual([]);
    expect(idsOf(await client.searchEntries('草木灰', { region: ['云南省', '大理州'] }))).toEqual([ids.ash]);
    expect(await client.searchEntries('flood tanks')).toEqual([]);
  });

  it('follows edits: a renamed entry is found by its new words only', async () => {
    const { client, ids } = await seeded();
    expect(idsOf(await client.searchEntries('flood'))).toEqual([ids.flood]);
    await client.mutate(ids.flood, entryMutators.setFields, { title: 'Landslide warnings reach elderly villagers too late' });
    await client.mutate(ids.flood, entryMutators.setBody, '山体滑坡预警');
    await waitFor(async () => (await client.searchEntries('landslide')).length === 1);
    expect(await client.searchEntries('flood')).toEqual([]);
    expect(idsOf(await client.searchEntries('滑坡'))).toEqual([ids.flood]);
    const added = await client.create('entry', { ...rainEn, title: 'Flood-proof seed storage' });
    await waitFor(async () => (await client.searchEntries('flood')).length === 1);
    expect(idsOf(await client.searchEntries('flood'))).toEqual([added]);
  });
});

/** The index follows the store's change stream, which delivers just after the write resolves. */
async function waitFor(condition: () => Promise<boolean>, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
