// Attack (issue-19 pass, LOW), fixed: closing an offer and declining an interest "take a reason",
// checked with String.trim(), which keeps zero-width and other invisible characters. The
// secretariat closed an offer with the reason U+200B, or declined an organization's interest with
// the note U+2060: the hub took both and the organization read a blank reason. Now the offer's and
// the interest's invariants (run by the app's mutators and by the hub on every write) and the
// mutators' inputs judge a reason by one shared rule (shared/records/visibleText.ts), and so do
// the reasons for opening and cancelling a vote (422 state-change-unrecorded). FAILED before the fix.
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appendLog, writeFields } from '../../shared/records/layout';
import { interestMutators } from '../../shared/records/interest';
import { offerMutators } from '../../shared/records/offer';
import { proposalMutators } from '../../shared/records/proposal';
import { eligibleOrgIds } from '../../shared/governance/eligibleOrgIds';
import { hubMembers } from '../support/governance';
import { changeUpdate, createUpdate, push } from '../support/hubRequests';
import { joinWithBundleKey, uploadBundle, yjsEdit } from '../support/writeEntryPoints';
import { startOfferHub, type OfferHub } from '../support/offerHub';

const DAY_MS = 86_400_000;
let net: OfferHub;

beforeAll(async () => {
  net = await startOfferHub();
});

afterAll(async () => {
  await net?.close();
});

it('refuses an offer closed with an invisible reason', async () => {
  const offer = await net.publishedOffer();
  expect(() => offerMutators.close.apply(new Y.Doc(), '\u200b', net.secretariatCtx())).toThrow(/visible/);
  const { orgId, now: at } = net.secretariatCtx();
  const answer = await net.changeAs(net.secretariat.token, offer, 'offer', (doc) => writeFields(doc, { state: 'closed', closure: { reason: '\u200b', orgId, at } }));
  expect({ status: answer.status, body: answer.body, state: (await net.projectionOf(offer)).state }).toMatchObject({ status: 422, body: { error: { code: 'invariant-violated', field: 'closure' } }, state: 'published' });
});

it('refuses an interest declined with an invisible note', async () => {
  const interest = await net.memberInterest(await net.publishedOffer());
  expect(() => interestMutators.move.apply(new Y.Doc(), { stage: 'declined', note: '\u2060\u200b' }, net.secretariatCtx())).toThrow(/reason/);
  const { orgId: byOrg, now: at } = net.secretariatCtx();
  const answer = await net.changeAs(net.secretariat.token, interest, 'interest', (doc) => {
    writeFields(doc, { stage: 'declined' });
    appendLog(doc, 'steps', { stage: 'declined', from: 'new', byOrg, at, note: '\u2060\u200b' });
  });
  expect({ status: answer.status, body: answer.body, stage: (await net.projectionOf(interest)).stage }).toMatchObject({ status: 422, body: { error: { code: 'invariant-violated', field: 'steps' } }, stage: 'new' });
});

it('refuses a vote opened or cancelled with an invisible reason', async () => {
  const ctx = net.secretariatCtx();
  expect(() => proposalMutators.cancelVote.apply(new Y.Doc(), '\u3164', ctx)).toThrow(/visible/);
  const voters = eligibleOrgIds(await hubMembers(net.hub.storage), { kind: 'roles', roles: ['secretariat', 'steward', 'member'] });
  const terms = { title: 'Pool the seed fund', options: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }], method: 'single' as const, opensAt: ctx.now, closesAt: ctx.now + DAY_MS };
  const opened = createUpdate('proposal', terms, ctx, (doc) => {
    writeFields(doc, { state: 'open', eligibleOrgIds: voters });
    appendLog(doc, 'stateChanges', { state: 'open', reason: '\u200b', orgId: ctx.orgId, at: ctx.now });
  });
  const answer = await push(net.hub.url, net.secretariat.token, [{ id: 'proposal-invisible', type: 'proposal', update: opened }]);
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 422, body: { error: { code: 'state-change-unrecorded' } } });
});

it('refuses the invisible closure reason through /yjs and in a bundle as on push', async () => {
  const offer = await net.publishedOffer();
  const { orgId, now: at } = net.secretariatCtx();
  const close = (doc: Y.Doc) => writeFields(doc, { state: 'closed', closure: { reason: '\u2060', orgId, at } });
  expect(await yjsEdit(net.hub, net.secretariat.token, offer, close)).toBe('invariant-violated');
  const device = await joinWithBundleKey(net.hub, await net.hub.inviteDevice(orgId));
  const update = changeUpdate((await net.hub.storage.getRecord(offer))!.state, close);
  const answer = await uploadBundle(net.hub, device, [{ id: offer, type: 'offer', update }]);
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 422, body: { error: { code: 'invariant-violated', recordId: offer } } });
  expect((await net.projectionOf(offer)).state).toBe('published');
});
