// Adversarial pass (adv-attack): a review step's id is unique in the entry (PROTOCOL, Review). An
// author who submits new text under the id of the submission a reviewer endorsed makes the latest
// submission read "endorsed" and drop out of every review queue, though nobody reviewed it. Real
// hub on loopback, real SQLite, POST /v1/push; failed before entryReviewPolicy refused reused ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { entryMutators, type EntryInput, type EntryProjection } from '../../shared/records/entry';
import { entryReviewMutators, hasChangesSinceEndorsed, isAwaitingReview, reviewStateOf } from '../../shared/records/entryReview';
import type { AuthorStep } from '../../shared/records/entryReviewSchema';
import { appendLog } from '../../shared/records/layout';
import { networkMutators } from '../../shared/records/network';
import type { Role } from '../../shared/records/recordType';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push, type HubAnswer } from '../support/hubRequests';

let hub: TestHub;
const joined = {} as Record<'secretariat' | 'steward' | 'member', Awaited<ReturnType<TestHub['join']>>>;
type Who = keyof typeof joined;
const roleOf: Record<Who, Role> = { secretariat: 'secretariat', steward: 'steward', member: 'member' };
const ctxOf = (who: Who, now = Date.now()) => editContext(joined[who].org.id, roleOf[who], now);

beforeAll(async () => {
  hub = await startTestHub();
  joined.secretariat = await hub.join(hub.secretariatCode);
  joined.steward = await hub.join(await hub.invite('Erhai Watershed Alliance', 'steward'));
  joined.member = await hub.join(await hub.invite('Fengyu Farmers Cooperative', 'member'));
  const network = (await hub.storage.getRecord('network'))!;
  await commitSystemChange(hub.storage, network.header, (doc) =>
    networkMutators.setStewardGrant.apply(doc, { orgId: joined.steward.org.id, scopes: ['review'] }, editContext(joined.secretariat.org.id, 'secretariat')),
  );
});

afterAll(async () => {
  await hub.close();
});

const wisdom: EntryInput = {
  kind: 'local-wisdom',
  title: 'Reading the swallows',
  summary: 'Low swallows mean rain within a day.',
  sections: { knowledge: 'When swallows skim the fields, rain comes.' },
  language: 'en',
  sharing: 'network',
  attribution: { holderKind: 'person', holderName: 'Grandmother Li', consent: 'credit-by-name' },
};

let counter = 0;
async function pushedEntry(): Promise<string> {
  const id = `entry-forgery-${++counter}`;
  const answer = await push(hub.url, joined.member.token, [{ id, type: 'entry', update: createUpdate('entry', wisdom, ctxOf('member')) }]);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return id;
}

async function change(who: Who, id: string, edit: (doc: Y.Doc) => void): Promise<HubAnswer> {
  const record = (await hub.storage.getRecord(id))!;
  return push(hub.url, joined[who].token, [{ id, type: 'entry', update: changeUpdate(record.state, edit) }]);
}
const projectionOf = async (id: string) => (await hub.storage.getRecord(id))!.projection as unknown as EntryProjection;

describe('review step ids are unique in an entry', () => {
  it('after a real endorsement, the author cannot re-submit under the endorsed submission id to pass new text off as reviewed', async () => {
    const id = await pushedEntry();
    expect((await change('member', id, (doc) => entryReviewMutators.submitForReview.apply(doc, '', ctxOf('member')))).status).toBe(200);
    expect((await change('secretariat', id, (doc) => entryReviewMutators.endorseSubmission.apply(doc, '', ctxOf('secretariat')))).status).toBe(200);
    const endorsed = await projectionOf(id);
    const first = endorsed.authorSteps.find((step) => step.kind === 'submitted')!;
    // The author rewrites the entry and submits the new text under the id the reviewer endorsed.
    const answer = await change('member', id, (doc) => {
      entryMutators.setBody.apply(doc, 'A wholly different claim, never reviewed.', ctxOf('member'));
      const ctx = ctxOf('member', Date.now() + 1000);
      appendLog<AuthorStep>(doc, 'authorSteps', { ...first, at: ctx.now, note: 'resubmitted', version: { ...first.version, body: 'A wholly different claim, never reviewed.' } } as AuthorStep);
    });
    const p = await projectionOf(id);
    // Refused: nothing is written, the endorsed submission stays the latest.
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 403, body: { error: { code: 'forbidden', recordId: id } } });
    expect({ state: reviewStateOf(p), awaiting: isAwaitingReview(p), changed: hasChangesSinceEndorsed(p), submissions: p.authorSteps.length }).toEqual({ state: 'endorsed', awaiting: false, changed: false, submissions: 1 });

    // The honest way still works: new text submitted under a new id waits for review.
    const honest = await change('member', id, (doc) => {
      entryMutators.setBody.apply(doc, 'A wholly different claim, never reviewed.', ctxOf('member'));
      entryReviewMutators.submitForReview.apply(doc, '', ctxOf('member', Date.now() + 2000));
    });
    expect(honest.status, JSON.stringify(honest.body)).toBe(200);
    expect(isAwaitingReview(await projectionOf(id))).toBe(true);
  });

  it('takes two honest steps a device writes in the same millisecond (the app gives the second a new id)', async () => {
    const id = await pushedEntry();
    const now = Date.now();
    const answer = await change('member', id, (doc) => {
      entryReviewMutators.replyInReview.apply(doc, 'Added the season.', ctxOf('member', now));
      entryReviewMutators.submitForReview.apply(doc, '', ctxOf('member', now));
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(new Set((await projectionOf(id)).authorSteps.map((step) => step.id)).size).toBe(2);
  });

  it('refuses a reviewer step that reuses the id of an existing step', async () => {
    const id = await pushedEntry();
    expect((await change('member', id, (doc) => entryReviewMutators.submitForReview.apply(doc, '', ctxOf('member')))).status).toBe(200);
    const submitted = (await projectionOf(id)).authorSteps[0]!;
    const answer = await change('secretariat', id, (doc) => {
      entryReviewMutators.requestChanges.apply(doc, 'Say which season.', ctxOf('secretariat'));
      const steps = doc.getArray<Record<string, unknown>>('log.reviewSteps');
      const step = steps.get(steps.length - 1);
      steps.delete(steps.length - 1, 1);
      steps.push([{ ...step, id: submitted.id }]);
    });
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 403, body: { error: { code: 'forbidden', recordId: id } } });
  });
});
