import { expect } from 'vitest';
import * as Y from 'yjs';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { SEAL_SETTLE_MS } from '../../server/hub/sealing';
import { ballotId, ballotMutators, ballotTermsOf, type BallotInput, type CastInput } from '../../shared/records/ballot';
import { NETWORK_RECORD_ID, networkMutators } from '../../shared/records/network';
import { proposalMutators, type ProposalInput, type ProposalProjection } from '../../shared/records/proposal';
import { resultId, type ResultProjection } from '../../shared/records/result';
import type { RecordType, Role } from '../../shared/records/recordType';
import { pushResponseSchema } from '../../shared/sync/protocol';
import { advanceHubClock, manualClock, startTestHub, type ManualClock, type TestHub } from './hub';
import { changeUpdate, createUpdate, editContext, push, type HubAnswer } from './hubRequests';

/*
 * A governance network on a real hub for attacks on polls: the secretariat, a steward the
 * secretariat authorized to run proposals, and two members, each with its own device credential,
 * on a hub whose clock the test moves. Every write goes over HTTP push as a device's would.
 */

const HOUR_MS = 3_600_000;
export const POLL_GRACE_HOURS = 72;

export const pollOrgs = ['secretariat', 'steward', 'alpha', 'beta'] as const;
export type PollOrg = (typeof pollOrgs)[number];
const roleOf: Record<PollOrg, Role> = { secretariat: 'secretariat', steward: 'steward', alpha: 'member', beta: 'member' };

export type PollEditContext = ReturnType<typeof editContext>;

export interface PollNetwork {
  readonly hub: TestHub;
  readonly clock: ManualClock;
  readonly orgIdOf: Readonly<Record<PollOrg, string>>;
  readonly tokenOf: Readonly<Record<PollOrg, string>>;
  ctxOf(name: PollOrg, now?: number): PollEditContext;
  pushRecord(name: PollOrg, type: RecordType, id: string, update: Uint8Array): Promise<HubAnswer>;
  /** A yes/no single-choice poll over the next 48 hours, opened by `by` with the voters fixed (steward, alpha, beta); returns its id. */
  openPoll(overrides?: Partial<ProposalInput>, by?: PollOrg): Promise<string>;
  /** Carries the hub's clock past closing plus grace and seals the poll; returns the result. */
  passSealing(proposalId: string): Promise<ResultProjection>;
  /** `name` casts on `proposalId` (its own ballot, created as the app does from the proposal's terms). */
  castOn(name: PollOrg, proposalId: string, input: CastInput): Promise<HubAnswer>;
  changeProposal(name: PollOrg, id: string, change: (doc: Y.Doc, ctx: PollEditContext) => void): Promise<HubAnswer>;
  proposalAsStored(id: string): Promise<ProposalProjection>;
  close(): Promise<void>;
}

export async function expectAccepted(send: () => Promise<HubAnswer>): Promise<void> {
  const answer = await send();
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 200 });
  pushResponseSchema.parse(answer.body);
}

export async function startPollNetwork(startMs: number = Date.UTC(2026, 5, 1, 8, 0, 0)): Promise<PollNetwork> {
  const clock = manualClock(startMs);
  const hub = await startTestHub({ now: clock.now });
  const codes: Record<PollOrg, string> = {
    secretariat: hub.secretariatCode,
    steward: await hub.invite('Erhai Watershed Alliance', 'steward'),
    alpha: await hub.invite('Fengyu Farmers Cooperative'),
    beta: await hub.invite('Cangshan Seed Bank'),
  };
  const orgIdOf = {} as Record<PollOrg, string>;
  const tokenOf = {} as Record<PollOrg, string>;
  for (const name of pollOrgs) {
    const joined = await hub.join(codes[name]);
    orgIdOf[name] = joined.org.id;
    tokenOf[name] = joined.token;
  }
  const ctxOf = (name: PollOrg, now = clock.now()) => editContext(orgIdOf[name], roleOf[name], now);
  const network = (await hub.storage.getRecord(NETWORK_RECORD_ID))!;
  await commitSystemChange(hub.storage, network.header, (doc) =>
    networkMutators.setStewardGrant.apply(doc, { orgId: orgIdOf.steward, scopes: ['proposals'] }, ctxOf('secretariat')),
  );
  const stored = (id: string) => hub.storage.getRecord(id);
  const pushRecord = (name: PollOrg, type: RecordType, id: string, update: Uint8Array) => push(hub.url, tokenOf[name], [{ id, type, update }]);
  const proposalAsStored = async (id: string) => (await stored(id))!.projection as unknown as ProposalProjection;
  let counter = 0;

  return {
    hub,
    clock,
    orgIdOf,
    tokenOf,
    ctxOf,
    pushRecord,
    proposalAsStored,
    async openPoll(overrides = {}, by = 'steward') {
      const id = `proposal-${++counter}`;
      const ctx = ctxOf(by);
      const terms: ProposalInput = {
        title: `Pool the seed fund ${counter}`,
        options: [
          { id: 'yes', label: 'Yes' },
          { id: 'no', label: 'No' },
        ],
        method: 'single',
        opensAt: clock.now(),
        closesAt: clock.now() + 48 * HOUR_MS,
        graceHours: POLL_GRACE_HOURS,
        ...overrides,
      };
      const voters = [orgIdOf.steward, orgIdOf.alpha, orgIdOf.beta];
      await expectAccepted(() =>
        pushRecord(by, 'proposal', id, createUpdate('proposal', terms, ctx, (doc) => proposalMutators.openVote.apply(doc, { reason: 'Agreed at the May meeting', eligibleOrgIds: voters }, ctx))),
      );
      return id;
    },
    async passSealing(proposalId) {
      const { closesAt, graceHours } = await proposalAsStored(proposalId);
      const target = closesAt + graceHours * HOUR_MS + SEAL_SETTLE_MS + 1;
      const outcomes = await advanceHubClock(hub, clock, Math.max(0, target - clock.now()));
      expect(outcomes.get(proposalId)).toMatchObject({ kind: 'sealed', resultId: resultId(proposalId) });
      return (await stored(resultId(proposalId)))!.projection as unknown as ResultProjection;
    },
    async castOn(name, proposalId, input) {
      const id = ballotId(proposalId, orgIdOf[name]);
      const ctx = ctxOf(name);
      const change = (doc: Y.Doc) => ballotMutators.castOn.apply(doc, { reason: '', proposalVersion: 1, ...input }, ctx);
      const existing = await stored(id);
      const terms = await proposalAsStored(proposalId);
      const ballot: BallotInput = { proposalId, ...ballotTermsOf(terms) };
      return pushRecord(name, 'ballot', id, existing ? changeUpdate(existing.state, change) : createUpdate('ballot', ballot, ctx, change));
    },
    async changeProposal(name, id, change) {
      return pushRecord(name, 'proposal', id, changeUpdate((await stored(id))!.state, (doc) => change(doc, ctxOf(name))));
    },
    close: () => hub.close(),
  };
}
