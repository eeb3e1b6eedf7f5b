// Attack (issue-19 pass, LOW), fixed: "an interest that stands declined has its reason on the step
// that declined it" was checked by finding the LAST declined step anywhere in the log. Once an
// interest was declined (with a reason) and then accepted, a raw write of `fields.stage =
// 'declined'` with no new step was taken: the interest was declined again with no reason and no
// step, and the organization's step log still ended with "accepted". Now the stage an interest
// reads must be the stage of its last move (shared/records/interest.ts, run by the app and the
// hub): a stage written without its step is refused (422 invariant-violated, field stage).
// FAILED before the fix.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeFields } from '../../shared/records/layout';
import { interestMutators } from '../../shared/records/interest';
import { startOfferHub, type OfferHub } from '../support/offerHub';

let net: OfferHub;

beforeAll(async () => {
  net = await startOfferHub();
});

afterAll(async () => {
  await net?.close();
});

it('refuses a move to declined that logs no step of its own', async () => {
  const interest = await net.memberInterest(await net.publishedOffer());
  const move = (stage: 'declined' | 'accepted' | 'shortlisted', note: string) => net.changeAs(net.secretariat.token, interest, 'interest', (doc) => interestMutators.move.apply(doc, { stage, note }, net.secretariatCtx()));
  expect((await move('declined', 'No places left')).status).toBe(200);
  expect((await move('accepted', 'A place came free')).status).toBe(200);
  const answer = await net.changeAs(net.secretariat.token, interest, 'interest', (doc) => writeFields(doc, { stage: 'declined' }));
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 422, body: { error: { code: 'invariant-violated', field: 'stage', recordId: interest } } });
  const after = (await net.projectionOf(interest)) as { stage: string; steps: { stage: string }[] };
  expect({ stage: after.stage, lastStep: after.steps.at(-1)?.stage }).toEqual({ stage: 'accepted', lastStep: 'accepted' });
  // Any other stage written without its step is refused too; a move with its step is taken.
  expect((await net.changeAs(net.secretariat.token, interest, 'interest', (doc) => writeFields(doc, { stage: 'completed' }))).status).toBe(422);
  expect((await move('shortlisted', '')).status).toBe(200);
});

it('still takes the organization’s own message edits on an interest the secretariat moved', async () => {
  const interest = await net.memberInterest(await net.publishedOffer());
  expect((await net.changeAs(net.secretariat.token, interest, 'interest', (doc) => interestMutators.move.apply(doc, { stage: 'shortlisted', note: '' }, net.secretariatCtx()))).status).toBe(200);
  expect((await net.changeAs(net.member.token, interest, 'interest', (doc) => interestMutators.setMessage.apply(doc, 'Three trainers now', { orgId: net.member.org.id, deviceId: 'dev-m', role: 'member', now: Date.now() }))).status).toBe(200);
});
