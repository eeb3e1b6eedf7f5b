import type * as Y from 'yjs';
import { interestId } from '../../shared/records/interest';
import { offerMutators } from '../../shared/records/offer';
import type { EditContext } from '../../shared/records/recordModule';
import type { JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from './hub';
import { changeUpdate, createUpdate, editContext, push, type HubAnswer } from './hubRequests';

/*
 * Offers and interests on a real hub for tests over HTTP: the secretariat and one member joined,
 * published offers, the member's interest in one, and raw changes pushed as either would push them.
 */

const DAY_MS = 86_400_000;

export interface OfferHub {
  readonly hub: TestHub;
  readonly secretariat: JoinResponse;
  readonly member: JoinResponse;
  secretariatCtx(): EditContext;
  /** A published offer of the secretariat's; returns its id. */
  publishedOffer(): Promise<string>;
  /** The member's interest in `offerId`; returns its id. */
  memberInterest(offerId: string): Promise<string>;
  /** Pushes `change` to the stored record `id` with `token`. */
  changeAs(token: string, id: string, type: 'offer' | 'interest', change: (doc: Y.Doc) => void): Promise<HubAnswer>;
  projectionOf(id: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

function expectTaken(answer: HubAnswer): void {
  if (answer.status !== 200) throw new Error(`the hub refused a write the test needs: ${answer.status} ${JSON.stringify(answer.body)}`);
}

export async function startOfferHub(): Promise<OfferHub> {
  const hub = await startTestHub();
  const secretariat = await hub.join(hub.secretariatCode);
  const member = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
  const secretariatCtx = () => editContext(secretariat.org.id, 'secretariat');
  let counter = 0;
  return {
    hub,
    secretariat,
    member,
    secretariatCtx,
    async publishedOffer() {
      const id = `offer-${++counter}`;
      const ctx = secretariatCtx();
      const update = createUpdate('offer', { title: `Compost training ${counter}`, kind: 'training', places: 3, opensAt: 0, closesAt: Date.now() + 30 * DAY_MS }, ctx, (doc) => offerMutators.setState.apply(doc, 'published', ctx));
      expectTaken(await push(hub.url, secretariat.token, [{ id, type: 'offer', update }]));
      return id;
    },
    async memberInterest(offerId) {
      const id = interestId(offerId, member.org.id);
      expectTaken(await push(hub.url, member.token, [{ id, type: 'interest', update: createUpdate('interest', { offerId, message: 'We would send two trainers' }, editContext(member.org.id, 'member')) }]));
      return id;
    },
    async changeAs(token, id, type, change) {
      return push(hub.url, token, [{ id, type, update: changeUpdate((await hub.storage.getRecord(id))!.state, change) }]);
    },
    projectionOf: async (id) => (await hub.storage.getRecord(id))!.projection,
    close: () => hub.close(),
  };
}
