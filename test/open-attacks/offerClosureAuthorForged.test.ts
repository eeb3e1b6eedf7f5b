// Open attack (LOW): an offer's closure names who closed it (`closure.orgId`), and the hub never
// checks it is the writer: the secretariat (or a steward with the offers scope) closes an offer
// "by" the member organization that was interested in it, and every organization reads that the
// member closed it. (An interest step's `byOrg` is checked, 403; an outcome statement's `orgId`
// is not either: outcomeAuthorForged.test.ts.)
// A fix must ensure: a new or changed `closure` names the writer's organization and a time near
// the hub's clock (forbidden otherwise).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { offerMutators } from '../../shared/records/offer';
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

it('refuses an offer closure that names another organization as the one that closed it', async () => {
  const offer = await publishedOffer();
  const answer = await changeAs(secretariat.token, offer, 'offer', (doc) => offerMutators.close.apply(doc, 'All places taken', { ...secretariatCtx(), orgId: member.org.id }));
  const closure = (await projectionOf(offer)).closure as { orgId: string } | null;
  // Today: 200, and the closure reads as the member's.
  expect(closure?.orgId === member.org.id ? 'forged closer stored' : 'not stored').toBe('not stored');
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 403, body: { error: { code: 'forbidden', recordId: offer } } });
});
