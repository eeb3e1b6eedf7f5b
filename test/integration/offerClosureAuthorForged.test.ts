// Attack (issue-19 pass, LOW), fixed: an offer's closure names who closed it (`closure.orgId`),
// and the hub never checked it was the writer: the secretariat (or a steward with the offers
// scope) closed an offer "by" the member organization that was interested in it, and every
// organization read that the member closed it. Now a new or changed closure must name the
// writer's organization, as a review note, a logged step or a moderation must (403 forbidden,
// server/hub/orgNames.ts). FAILED before the fix.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { offerMutators } from '../../shared/records/offer';
import { startOfferHub, type OfferHub } from '../support/offerHub';

let net: OfferHub;

beforeAll(async () => {
  net = await startOfferHub();
});

afterAll(async () => {
  await net?.close();
});

it('refuses an offer closure that names another organization as the one that closed it', async () => {
  const offer = await net.publishedOffer();
  const answer = await net.changeAs(net.secretariat.token, offer, 'offer', (doc) => offerMutators.close.apply(doc, 'All places taken', { ...net.secretariatCtx(), orgId: net.member.org.id }));
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 403, body: { error: { code: 'forbidden', recordId: offer } } });
  expect(await net.projectionOf(offer)).toMatchObject({ state: 'published', closure: null });
});

it('takes the closure in the writer’s own name', async () => {
  const offer = await net.publishedOffer();
  const answer = await net.changeAs(net.secretariat.token, offer, 'offer', (doc) => offerMutators.close.apply(doc, 'All places taken', net.secretariatCtx()));
  expect(answer.status).toBe(200);
  expect(await net.projectionOf(offer)).toMatchObject({ state: 'closed', closure: { orgId: net.secretariat.org.id, reason: 'All places taken' } });
});
