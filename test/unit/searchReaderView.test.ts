import * as Y from 'yjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FieldwiseClient } from '../../shared/client/client';
import { entry, entryMutators } from '../../shared/records/entry';
import { entryReviewMutators } from '../../shared/records/entryReview';
import { memoryClient } from '../support/clients';

/*
 * Search finds an entry by what its reader is shown. Another organization reads an endorsed
 * entry's pinned version while the author drafts changes (pinnedForReader), so its search must not
 * find the entry by words only the draft holds: they would name an entry that shows none of them,
 * and tell the reader what the author is writing. The author's own organization searches its draft.
 */

const clients: FieldwiseClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

const author = { orgId: 'org-author', role: 'member', deviceId: 'dev-a' } as const;
const reviewer = { orgId: 'secretariat', role: 'secretariat', deviceId: 'dev-s' } as const;

/** An entry of org-author endorsed as "swallows", then redrafted as "drought". */
function endorsedWithDraft(): Uint8Array {
  const doc = new Y.Doc();
  const now = Date.UTC(2026, 10, 1);
  entry.create(doc, entry.parseInput({ kind: 'practice', title: 'Reading the swallows', summary: 'Low swallows mean rain.', language: 'en', sharing: 'network', attribution: { holderKind: 'community', holderName: '', consent: 'anonymous' } }), { ...author, now });
  entryMutators.setBody.apply(doc, 'Swallows skim the fields before rain.', { ...author, now });
  entryReviewMutators.submitForReview.apply(doc, '', { ...author, now: now + 1 });
  entryReviewMutators.endorseSubmission.apply(doc, '', { ...reviewer, now: now + 2 });
  entryMutators.setFields.apply(doc, { title: 'Drought calendar' }, { ...author, now: now + 3 });
  entryMutators.setBody.apply(doc, 'Millet sown after the first thunder survives the drought.', { ...author, now: now + 4 });
  return Y.encodeStateAsUpdate(doc);
}

async function clientOf(orgId: string): Promise<FieldwiseClient> {
  const client = await memoryClient({ identity: { orgId, deviceId: `dev-${orgId}`, role: 'member' } });
  clients.push(client);
  await client.applyRemote([{ header: { id: 'entry-1', type: 'entry', ownerOrg: author.orgId, createdAt: Date.UTC(2026, 10, 1) }, update: endorsedWithDraft() }]);
  return client;
}

describe('search over an endorsed entry with changes in draft', () => {
  it("finds it for another organization by the endorsed words only, never by the draft's", async () => {
    const reader = await clientOf('org-reader');
    expect((await reader.searchEntries('swallows')).map((hit) => hit.id)).toEqual(['entry-1']);
    expect(await reader.searchEntries('drought')).toEqual([]);
    expect(await reader.searchEntries('millet')).toEqual([]);
  });

  it("finds it for the author's organization by its draft", async () => {
    const own = await clientOf(author.orgId);
    expect((await own.searchEntries('drought')).map((hit) => hit.id)).toEqual(['entry-1']);
    expect((await own.searchEntries('millet')).map((hit) => hit.id)).toEqual(['entry-1']);
  });
});
