// Open attack (LOW): closing an offer and declining an interest "take a reason", checked with
// String.trim() (nonEmptyText, interest's declinedWithReason), which keeps zero-width and other
// invisible characters. The secretariat closes an offer with the reason U+200B, or declines an
// organization's interest with the note U+2060: the hub takes both and the organization reads a
// blank reason.
// A fix must ensure: one shared "has a visible character" rule (after removing whitespace and
// format/invisible characters) for every required reason: offer closure, interest decline,
// consent block, opening and cancelling a vote (422 invariant-violated / reason-required).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { offerMutators } from '../../shared/records/offer';
import { interestId, interestMutators } from '../../shared/records/interest';
import type { JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push, type HubAnswer } from '../support/hubRequests';

const DAY_MS = 86_400_000;
let hub: TestHub;
let secretariat: JoinResponse;
let member: JoinResponse;
let counter = 0;

beforeAll(async () => {
  hub = await startTestHub();
  secretariat = await hub.join(hub.secretariatCode);
  member = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
});

afterAll(async () => {
  await hub?.close();
});

const secretariatCtx = () => editContext(secretariat.org.id, 'secretariat');
const stateOf = async (id: string) => (await hub.storage.getRecord(id))!.state;
const projectionOf = async (id: string) => (await hub.storage.getRecord(id))!.projection as Record<string, unknown>;

async function accepted(answer: Promise<HubAnswer>): Promise<void> {
  expect((await answer).status).toBe(200);
}

/** A published offer of the secretariat's; returns its id. */
async function publishedOffer(): Promise<string> {
  const id = `offer-${++counter}`;
  const ctx = secretariatCtx();
  const update = createUpdate('offer', { title: `Compost training ${counter}`, kind: 'training', places: 3, opensAt: 0, closesAt: Date.now() + 30 * DAY_MS }, ctx, (doc) => offerMutators.setState.apply(doc, 'published', ctx));
  await accepted(push(hub.url, secretariat.token, [{ id, type: 'offer', update }]));
  return id;
}

async function changeAs(token: string, id: string, type: 'offer' | 'interest', change: (doc: Y.Doc) => void): Promise<HubAnswer> {
  return push(hub.url, token, [{ id, type, update: changeUpdate(await stateOf(id), change) }]);
}

/** The member's interest in `offerId`; returns its id. */
async function memberInterest(offerId: string): Promise<string> {
  const id = interestId(offerId, member.org.id);
  const ctx = editContext(member.org.id, 'member');
  await accepted(push(hub.url, member.token, [{ id, type: 'interest', update: createUpdate('interest', { offerId, message: 'We would send two trainers' }, ctx) }]));
  return id;
}

it('refuses an offer closed with an invisible reason', async () => {
  const offer = await publishedOffer();
  const answer = await changeAs(secretariat.token, offer, 'offer', (doc) => offerMutators.close.apply(doc, '\u200b', secretariatCtx()));
  // Today: 200 and the offer is closed "because ​".
  expect({ status: answer.status, state: (await projectionOf(offer)).state }).toEqual({ status: 422, state: 'published' });
});

it('refuses an interest declined with an invisible note', async () => {
  const interest = await memberInterest(await publishedOffer());
  const answer = await changeAs(secretariat.token, interest, 'interest', (doc) => interestMutators.move.apply(doc, { stage: 'declined', note: '\u2060\u200b' }, secretariatCtx()));
  expect({ status: answer.status, stage: (await projectionOf(interest)).stage }).toEqual({ status: 422, stage: 'new' });
});
