import type * as Y from 'yjs';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { SEAL_SETTLE_MS } from '../../server/hub/sealing';
import { ballotId, ballotMutators, type CastInput, type FacilitatedCastInput } from '../../shared/records/ballot';
import { networkMutators, NETWORK_RECORD_ID, type StewardScope } from '../../shared/records/network';
import type { ProposalInput, ProposalProjection } from '../../shared/records/proposal';
import type { EditContext } from '../../shared/records/recordModule';
import { resultId, type ResultProjection } from '../../shared/records/result';
import type { RecordType, Role } from '../../shared/records/recordType';
import { pushResponseSchema } from '../../shared/sync/protocol';
import { hubMembers, openVoteIn } from './governance';
import { advanceHubClock, manualClock, startTestHub, type ManualClock, type TestHub } from './hub';
import { changeUpdate, createUpdate, editContext, push, type HubAnswer } from './hubRequests';

/*
 * A voting network on a real hub for governance tests over HTTP: the secretariat and the named
 * organizations joined, stewards given their scopes, a clock the test moves, and the writes a
 * voter's or facilitator's device pushes (polls opened as the app opens them, casts, facilitated
 * casts), each answered exactly as the hub answers.
 */

export const HOUR_MS = 3_600_000;
export const GRACE_HOURS = 72;

export interface VotingOrg {
  readonly name: string;
  readonly role: Role;
  /** A steward's grants from the secretariat. */
  readonly stewardScopes?: readonly StewardScope[];
}

export interface VotingHub<Name extends string> {
  readonly hub: TestHub;
  readonly clock: ManualClock;
  readonly orgIdOf: Readonly<Record<Name | 'secretariat', string>>;
  readonly tokenOf: Readonly<Record<Name | 'secretariat', string>>;
  ctxOf(name: Name | 'secretariat', now?: number): EditContext;
  pushRecord(name: Name | 'secretariat', type: RecordType, id: string, update: Uint8Array): Promise<HubAnswer>;
  /** A poll created and opened by `by` (the secretariat by default) as the app does; returns its id. */
  openPoll(overrides?: Partial<ProposalInput>, by?: Name | 'secretariat'): Promise<string>;
  proposal(id: string): Promise<ProposalProjection>;
  /** The update by which `name` writes `change` into `owner`'s ballot (its own by default). */
  ballotUpdate(name: Name | 'secretariat', proposalId: string, change: (doc: Y.Doc, ctx: EditContext) => void, owner?: Name | 'secretariat', isSecret?: boolean): Promise<{ id: string; update: Uint8Array }>;
  castOn(name: Name | 'secretariat', proposalId: string, input: CastInput, isSecret?: boolean): Promise<HubAnswer>;
  facilitate(name: Name | 'secretariat', owner: Name | 'secretariat', proposalId: string, input: FacilitatedCastInput, isSecret?: boolean): Promise<{ id: string; answer: HubAnswer }>;
  /** Moves the hub past the poll's closing plus grace and the settle margin, seals, and returns the result. */
  passSealing(proposalId: string): Promise<ResultProjection>;
  close(): Promise<void>;
}

/** Throws unless the hub took the push (200 with a push response). */
export function expectTaken(answer: HubAnswer): void {
  if (answer.status !== 200) throw new Error(`the hub refused a write the test needs: ${answer.status} ${JSON.stringify(answer.body)}`);
  pushResponseSchema.parse(answer.body);
}

export async function startVotingHub<Name extends string>(orgs: Readonly<Record<Name, VotingOrg>>): Promise<VotingHub<Name>> {
  const clock = manualClock(Date.UTC(2026, 5, 1, 8, 0, 0));
  const hub = await startTestHub({ now: clock.now });
  const orgIdOf = {} as Record<Name | 'secretariat', string>;
  const tokenOf = {} as Record<Name | 'secretariat', string>;
  const roleOf = { secretariat: 'secretariat' } as Record<Name | 'secretariat', Role>;
  const secretariat = await hub.join(hub.secretariatCode);
  orgIdOf.secretariat = secretariat.org.id;
  tokenOf.secretariat = secretariat.token;
  for (const [name, org] of Object.entries(orgs) as [Name, VotingOrg][]) {
    const joined = await hub.join(await hub.invite(org.name, org.role));
    orgIdOf[name] = joined.org.id;
    tokenOf[name] = joined.token;
    roleOf[name] = org.role;
  }
  const ctxOf = (name: Name | 'secretariat', now = clock.now()) => editContext(orgIdOf[name], roleOf[name], now);
  for (const [name, org] of Object.entries(orgs) as [Name, VotingOrg][]) {
    if (!org.stewardScopes) continue;
    const network = (await hub.storage.getRecord(NETWORK_RECORD_ID))!;
    await commitSystemChange(hub.storage, network.header, (doc) => networkMutators.setStewardGrant.apply(doc, { orgId: orgIdOf[name], scopes: [...org.stewardScopes!] }, ctxOf('secretariat')));
  }
  const stored = (id: string) => hub.storage.getRecord(id);
  const pushRecord = (name: Name | 'secretariat', type: RecordType, id: string, update: Uint8Array) => push(hub.url, tokenOf[name], [{ id, type, update }]);
  let counter = 0;

  const scene: VotingHub<Name> = {
    hub,
    clock,
    orgIdOf,
    tokenOf,
    ctxOf,
    pushRecord,
    async openPoll(overrides = {}, by = 'secretariat') {
      const id = `proposal-${++counter}`;
      const terms: ProposalInput = {
        title: `Pool the seed fund ${counter}`,
        options: [
          { id: 'yes', label: 'Yes' },
          { id: 'no', label: 'No' },
        ],
        method: 'single',
        opensAt: clock.now(),
        closesAt: clock.now() + 48 * HOUR_MS,
        graceHours: GRACE_HOURS,
        ...overrides,
      };
      const ctx = ctxOf(by);
      const members = await hubMembers(hub.storage);
      expectTaken(await pushRecord(by, 'proposal', id, createUpdate('proposal', terms, ctx, (doc) => openVoteIn(doc, members, ctx))));
      return id;
    },
    async proposal(id) {
      return (await stored(id))!.projection as unknown as ProposalProjection;
    },
    async ballotUpdate(name, proposalId, change, owner = name, isSecret = false) {
      const id = ballotId(proposalId, orgIdOf[owner]);
      const ctx = ctxOf(name);
      const existing = await stored(id);
      const update = existing ? changeUpdate(existing.state, (doc) => change(doc, ctx)) : createUpdate('ballot', { proposalId, isSecret }, ctx, (doc) => change(doc, ctx));
      return { id, update };
    },
    async castOn(name, proposalId, input, isSecret = false) {
      const { id, update } = await scene.ballotUpdate(name, proposalId, (doc, ctx) => ballotMutators.castOn.apply(doc, { reason: '', proposalVersion: 1, ...input }, ctx), name, isSecret);
      return pushRecord(name, 'ballot', id, update);
    },
    async facilitate(name, owner, proposalId, input, isSecret = false) {
      const { id, update } = await scene.ballotUpdate(name, proposalId, (doc, ctx) => ballotMutators.facilitate.apply(doc, { reason: '', proposalVersion: 1, ...input }, ctx), owner, isSecret);
      return { id, answer: await pushRecord(name, 'ballot', id, update) };
    },
    async passSealing(proposalId) {
      const target = (await scene.proposal(proposalId)).closesAt + GRACE_HOURS * HOUR_MS + SEAL_SETTLE_MS + 1;
      const outcomes = await advanceHubClock(hub, clock, Math.max(0, target - clock.now()));
      const outcome = outcomes.get(proposalId);
      if (outcome?.kind !== 'sealed') throw new Error(`${proposalId} was not sealed: ${JSON.stringify(outcome)}`);
      return (await stored(resultId(proposalId)))!.projection as unknown as ResultProjection;
    },
    close: () => hub.close(),
  };
  return scene;
}
