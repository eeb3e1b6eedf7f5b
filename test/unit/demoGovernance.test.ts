import { afterEach, describe, expect, it } from 'vitest';
import type { FieldwiseClient } from '../../shared/client/client';
import { verifySeal } from '../../shared/governance/verifySeal';
import type { BallotProjection } from '../../shared/records/ballot';
import type { InterestProjection } from '../../shared/records/interest';
import { NETWORK_RECORD_ID, type NetworkProjection } from '../../shared/records/network';
import type { OfferProjection } from '../../shared/records/offer';
import type { ProposalProjection } from '../../shared/records/proposal';
import { parseSealedPayload, resultId, type ResultProjection } from '../../shared/records/result';
import { seedDemoNetwork } from '../../renderer/demo/demoNetwork';
import { DEMO_ORG_ID } from '../../renderer/demo/demoRecords';
import { memoryClient } from '../support/clients';

/*
 * The demo network gives every governance and workbench screen something to show
 * (renderer/demo/demoGovernance.ts): an open proposal the demo organization has yet to vote on, a
 * decided one whose sealed result verifies against the network's key, offers and interests.
 */

let client: FieldwiseClient | null = null;
afterEach(async () => {
  await client?.close();
  client = null;
});

const NOW = Date.UTC(2026, 5, 1);

describe('the demo network governance', () => {
  it('has an open proposal with others\' ballots and none yet from the demo organization', async () => {
    client = await memoryClient({ identity: { orgId: DEMO_ORG_ID, role: 'member' } });
    await seedDemoNetwork(client, { now: NOW });
    const proposals = await client.list<'proposal'>({ type: 'proposal' });
    expect(proposals).toHaveLength(2);
    const open = proposals.find((view) => (view.projection as ProposalProjection).closesAt > NOW)!;
    expect((open.projection as ProposalProjection).state).toBe('open');
    expect((open.projection as ProposalProjection).opensAt).toBeLessThan(NOW);
    const ballots = (await client.list<'ballot'>({ type: 'ballot' })).filter((view) => (view.projection as BallotProjection).proposalId === open.header.id);
    expect(ballots.length).toBe(2);
    expect(ballots.every((view) => (view.projection as BallotProjection).choice !== null)).toBe(true);
    expect(ballots.some((view) => view.header.ownerOrg === DEMO_ORG_ID)).toBe(false);
    expect(await client.pendingCount()).toBe(0);
  });

  it('has a decided proposal whose sealed result verifies against the network record\'s hub key', async () => {
    client = await memoryClient({ identity: { orgId: DEMO_ORG_ID, role: 'member' } });
    await seedDemoNetwork(client, { now: NOW });
    const decided = (await client.list<'proposal'>({ type: 'proposal' })).find((view) => (view.projection as ProposalProjection).closesAt < NOW)!;
    const sealed = await client.get<'result'>(resultId(decided.header.id));
    const network = await client.get<'network'>(NETWORK_RECORD_ID);
    const hubKey = (network!.projection as NetworkProjection).hubKey;
    expect(hubKey).toMatch(/^[0-9a-f]{64}$/);
    expect(verifySeal(sealed!.projection as ResultProjection, hubKey)).toMatchObject({ isValid: true });
    // A key other than the network's does not verify it.
    expect(verifySeal(sealed!.projection as ResultProjection, '0'.repeat(64))).toMatchObject({ isValid: false });
    const decision = parseSealedPayload((sealed!.projection as ResultProjection).payload)!;
    expect(decision.proposalId).toBe(decided.header.id);
    expect(decision.tally.outcome).toMatchObject({ status: 'passed', winnerId: 'yes' });
    expect(decision.counted.map((counted) => counted.orgId)).toContain(DEMO_ORG_ID);
    // The network record still has its members after its key was merged in.
    expect((network!.projection as NetworkProjection).members.length).toBeGreaterThan(3);
  });

  it('has published offers with interests at two stages', async () => {
    client = await memoryClient({ identity: { orgId: DEMO_ORG_ID, role: 'member' } });
    await seedDemoNetwork(client, { now: NOW });
    const offers = await client.list<'offer'>({ type: 'offer' });
    expect(offers.map((view) => (view.projection as OfferProjection).state)).toEqual(['published', 'published']);
    const interests = (await client.list<'interest'>({ type: 'interest' })).map((view) => view.projection as InterestProjection);
    expect(interests.length).toBe(3);
    expect(new Set(interests.map((item) => item.stage))).toEqual(new Set(['new', 'shortlisted']));
  });
});
