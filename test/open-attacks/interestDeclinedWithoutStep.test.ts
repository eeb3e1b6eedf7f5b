// Open attack (LOW): "an interest that stands declined has its reason on the step that declined
// it" is checked by finding the LAST declined step anywhere in the log. Once an interest was
// declined (with a reason) and then accepted, a raw write of `fields.stage = 'declined'` with no
// new step is taken: the interest is declined again with no reason and no step, and the
// organization's step log still ends with "accepted" (its inbox sees no change of step).
// A fix must ensure: a change of `stage` comes with a new step to that stage from the previous
// one (the last step's stage always equals `stage`), and a move to declined carries its own reason.
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

it('refuses a move to declined that logs no step of its own', async () => {
  const interest = await memberInterest(await publishedOffer());
  await accepted(changeAs(secretariat.token, interest, 'interest', (doc) => interestMutators.move.apply(doc, { stage: 'declined', note: 'No places left' }, secretariatCtx())));
  await accepted(changeAs(secretariat.token, interest, 'interest', (doc) => interestMutators.move.apply(doc, { stage: 'accepted', note: 'A place came free' }, secretariatCtx())));
  const answer = await changeAs(secretariat.token, interest, 'interest', (doc) => doc.getMap('fields').set('stage', 'declined'));
  const after = (await projectionOf(interest)) as { stage: string; steps: { stage: string }[] };
  // Today: 200; the stage reads declined while the last step says accepted.
  expect({ stage: after.stage, lastStep: after.steps.at(-1)?.stage }).toEqual({ stage: 'accepted', lastStep: 'accepted' });
  expect(answer.status).toBe(422);
});
