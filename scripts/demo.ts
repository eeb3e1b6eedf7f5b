/*
 * `npm start` until the desktop app lands (issue 4): a headless walk through the client core.
 * Two member organizations and the secretariat work offline on their own stores, exchange their
 * outbox updates the way the sync engine will, and search the shared library in both languages.
 */
import { memoryStorage } from '../shared/store/memoryStorage';
import { openClient, type FieldwiseClient, type Identity } from '../shared/client/client';
import { entryMutators, type EntryInput } from '../shared/records/entry';
import { entryReviewMutators } from '../shared/records/entryReview';

const people: Identity[] = [
  { orgId: 'xishan-coop', deviceId: 'laptop-1', role: 'member' },
  { orgId: 'qiandongnan-school-gardens', deviceId: 'laptop-1', role: 'member' },
  { orgId: 'secretariat', deviceId: 'office', role: 'secretariat' },
];

const consent = { holderKind: 'community', holderName: '西山村', consent: 'community-approved' } as const;
const library: [number, EntryInput][] = [
  [0, { kind: 'local-wisdom', title: '用草木灰防治菜虫', summary: '清晨把草木灰撒在菜叶上，可以赶走菜青虫。', tags: ['病虫害'], region: ['云南省', '大理州', '洱源县'], language: 'zh-CN', attribution: consent, sharing: 'network' }],
  [0, { kind: 'practice', title: '节水灌溉：塑料瓶滴灌', summary: '把旧塑料瓶埋在每株菜旁边，三天加一次水。', tags: ['水'], region: ['云南省', '大理州'], language: 'zh-CN', attribution: consent, sharing: 'network' }],
  [1, { kind: 'practice', title: 'Rainwater harvesting for school gardens', summary: 'Roof gutters feed two tanks that water the beds through the dry season.', tags: ['water', 'schools'], region: ['Guizhou', 'Qiandongnan'], language: 'en', attribution: { ...consent, holderName: 'Parents committee' }, sharing: 'network' }],
  [1, { kind: 'challenge', title: 'Left-behind children skip the garden club', summary: 'Grandparents need the children at home after school.', tags: ['education'], region: ['Guizhou'], language: 'en', attribution: { ...consent, holderName: 'Teachers' }, sharing: 'network' }],
];

async function exchange(clients: FieldwiseClient[]): Promise<void> {
  for (const from of clients) {
    const pending = await from.pendingUpdates();
    for (const to of clients) if (to !== from) await to.applyRemote(pending.map(({ header, update }) => ({ header, update })));
    await from.acknowledge(pending.map((entry) => entry.id));
  }
}

async function main(): Promise<void> {
  const storage = memoryStorage();
  const clients = await Promise.all(people.map((identity) => openClient({ storage, identity })));
  const [xishan, , secretariat] = clients as [FieldwiseClient, FieldwiseClient, FieldwiseClient];

  const ids: string[] = [];
  for (const [author, input] of library) ids.push(await clients[author]!.create('entry', input));
  console.log(`Written offline: ${library.length} entries; changes waiting to sync: ${(await Promise.all(clients.map((c) => c.pendingCount()))).join(', ')}`);

  await xishan.mutate(ids[0]!, entryReviewMutators.submitForReview, '');
  await exchange(clients);
  await secretariat.mutate(ids[0]!, entryMutators.addReviewNote, 'A clear write-up; please add the season it works in.');
  await secretariat.mutate(ids[0]!, entryReviewMutators.endorseSubmission, '');
  await exchange(clients);

  const endorsed = await xishan.get<'entry'>(ids[0]!);
  console.log(`Xishan sees its entry "${endorsed?.projection.title}" as ${endorsed?.projection.status}, review: ${endorsed?.projection.reviewNotes[0]?.text}`);
  for (const query of ['灌溉', '菜虫', 'rainwatr', 'children garden']) {
    const hits = await xishan.searchEntries(query);
    const titles = await Promise.all(hits.map(async (hit) => (await xishan.get<'entry'>(hit.id))?.projection.title));
    console.log(`search "${query}": ${titles.join(' | ') || '(nothing)'}`);
  }
  await Promise.all(clients.map((client) => client.close()));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
