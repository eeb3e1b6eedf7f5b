// Adversarial pass (attacks): an endorsement of text the reviewer never read. PROTOCOL says a
// `submitted` step "submits the entry as it reads" and that the pinned version is "what the author
// submitted and the reviewer read". The hub checked that an endorsement copies its submission, but
// never that a submission's `version` is the entry: an author (a member, through POST /v1/push, as
// a client written from PROTOCOL.md may) submitted a benign entry with a different `version`; the
// reviewer, reading the live entry in the app, pressed Endorse, which pins the submission's copy,
// and other organizations were shown the forged text as "Endorsed". Failed before the fix: the hub
// now refuses a submission whose version is not the entry as it reads after the change
// (server/hub/entryReviewPolicy.ts; docs/SECURITY.md on the concurrent-edit cost). Real hub, real
// SQLite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { entry, type EntryInput } from '../../shared/records/entry';
import { entryReviewMutators, hasChangesSinceEndorsed, latestSubmission, pinnedVersionOf, versionOf } from '../../shared/records/entryReview';
import type { AuthorStep } from '../../shared/records/entryReviewSchema';
import { networkMutators } from '../../shared/records/network';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push } from '../support/hubRequests';

let hub: TestHub;
let author: Awaited<ReturnType<TestHub['join']>>;
let steward: Awaited<ReturnType<TestHub['join']>>;

beforeAll(async () => {
  hub = await startTestHub();
  const secretariat = await hub.join(hub.secretariatCode);
  author = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
  steward = await hub.join(await hub.invite('Erhai Watershed Alliance', 'steward'));
  const network = (await hub.storage.getRecord('network'))!;
  await commitSystemChange(hub.storage, network.header, (doc) =>
    networkMutators.setStewardGrant.apply(doc, { orgId: steward.org.id, scopes: ['review'] }, editContext(secretariat.org.id, 'secretariat')),
  );
});

afterAll(async () => {
  await hub.close();
});

const practice: EntryInput = {
  kind: 'practice',
  title: 'Ash against cabbage worms',
  summary: 'Wood ash on wet leaves at dawn.',
  sections: { approach: 'Sprinkle wood ash on the leaves while the dew is on them.' },
  language: 'en',
  sharing: 'network',
  attribution: { holderKind: 'community', holderName: 'Fengyu village', consent: 'community-approved' },
};

describe('a submission whose version is not the entry (attack)', () => {
  it('refuses a submitted step whose version says something the entry does not', async () => {
    const id = 'entry-ash';
    const ctx = editContext(author.org.id, 'member');
    expect((await push(hub.url, author.token, [{ id, type: 'entry', update: createUpdate('entry', practice, ctx) }])).status).toBe(200);
    const forged = changeUpdate((await hub.storage.getRecord(id))!.state, (doc: Y.Doc) => {
      const live = versionOf(entry.read(doc));
      const step: AuthorStep = { kind: 'submitted', id: `${ctx.deviceId}:${ctx.now}`, byOrg: ctx.orgId, role: ctx.role, at: ctx.now, note: '', version: { ...live, sections: { approach: 'Spray the leaves with diesel mixed in water.' } } };
      doc.getArray('log.authorSteps').push([step]);
    });
    const answer = await push(hub.url, author.token, [{ id, type: 'entry', update: forged }]);
    // Before the fix: 200. The reviewer then endorsed from the live text, and the network read diesel as endorsed.
    if (answer.status === 200) {
      const endorse = changeUpdate((await hub.storage.getRecord(id))!.state, (doc) => entryReviewMutators.endorseSubmission.apply(doc, 'Matches what we saw.', editContext(steward.org.id, 'steward')));
      expect((await push(hub.url, steward.token, [{ id, type: 'entry', update: endorse }])).status).toBe(200);
      const p = (await hub.storage.getRecord(id))!.projection as never;
      expect({ pinned: pinnedVersionOf(p)?.version.sections.approach, shownToOthers: hasChangesSinceEndorsed(p), submitted: latestSubmission(p)?.version.sections.approach }).toMatchObject({
        pinned: 'Spray the leaves with diesel mixed in water.',
        shownToOthers: true,
      });
    }
    expect(answer).toMatchObject({ status: 403, body: { error: { code: 'forbidden', recordId: id } } });
  });
});
