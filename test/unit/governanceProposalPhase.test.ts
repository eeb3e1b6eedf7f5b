import { describe, expect, it } from 'vitest';
import { decisionPhase, decisionPhases, graceEndsAt, proposalPhase } from '../../shared/governance/proposalPhase';
import { tally } from '../../shared/governance/tally';
import type { ProposalProjection } from '../../shared/records/proposal';

/* The one home of a proposal's phases and of closing plus grace. */

const HOUR = 3_600_000;
const OPENS = 100 * HOUR;
const CLOSES = OPENS + 24 * HOUR;
const terms = { state: 'open' as const, opensAt: OPENS, closesAt: CLOSES, graceHours: 48 };
const GRACE_ENDS = CLOSES + 48 * HOUR;

describe('closing plus grace', () => {
  it('ends the grace period graceHours after closing, and at closing when there is none', () => {
    expect(graceEndsAt(terms)).toBe(GRACE_ENDS);
    expect(graceEndsAt({ ...terms, graceHours: 0 })).toBe(CLOSES);
  });

  it('is the moment the tally stops being provisional and refuses later arrivals', () => {
    const proposal = {
      ...terms,
      title: 'Seed bank',
      description: '',
      options: [{ id: 'yes', label: 'Yes' }],
      method: 'single',
      maxChoices: 1,
      blocksCount: true,
      eligible: { kind: 'all-members' },
      quorum: 0,
      threshold: 0.5,
      secrecy: 'open',
      resultsVisibility: 'live',
      version: 1,
      history: [],
      stateChanges: [],
      eligibleOrgIds: null,
      outcome: null,
      outcomeRevisions: [],
      createdAt: 0,
      updatedAt: 0,
    } satisfies ProposalProjection;
    const ballot = (orgId: string, receivedAt: number) => ({ orgId, choice: { method: 'single' as const, optionId: 'yes' }, castAt: OPENS + HOUR, receivedAt });
    const run = (now: number) => tally({ proposal, ballots: [ballot('on-time', GRACE_ENDS), ballot('too-late', GRACE_ENDS + 1)], eligibleOrgIds: ['on-time', 'too-late'], now });
    expect(run(GRACE_ENDS).isProvisional).toBe(true);
    expect(run(GRACE_ENDS + 1).isProvisional).toBe(false);
    expect(run(GRACE_ENDS + 1).counted.map((b) => b.orgId)).toEqual(['on-time']);
    expect(run(GRACE_ENDS + 1).excluded).toEqual([expect.objectContaining({ orgId: 'too-late', reason: 'received-after-grace' })]);
  });
});

describe('decision phases', () => {
  it('follows the clock: scheduled, voting, grace through its last millisecond, then sealing', () => {
    const at = (now: number) => decisionPhase(terms, now);
    expect([at(OPENS - 1), at(OPENS), at(CLOSES - 1), at(CLOSES), at(GRACE_ENDS), at(GRACE_ENDS + 1)]).toEqual([
      'scheduled',
      'voting',
      'voting',
      'grace',
      'grace',
      'sealing',
    ]);
  });

  it('keeps drafts and cancelled proposals out of the clock, and reads sealed once the result is here', () => {
    expect(decisionPhase({ ...terms, state: 'draft' }, CLOSES)).toBe('draft');
    expect(decisionPhase({ ...terms, state: 'cancelled' }, CLOSES)).toBe('cancelled');
    expect(decisionPhase(terms, GRACE_ENDS + 1, true)).toBe('sealed');
    expect(decisionPhase(terms, OPENS, true)).toBe('sealed');
  });
});

describe("the voter's phase", () => {
  it('groups the decision phases: scheduled is upcoming, voting is open, grace and sealing are closed', () => {
    const moments = [
      { p: { ...terms, state: 'draft' as const }, now: OPENS, voter: 'draft' },
      { p: { ...terms, state: 'cancelled' as const }, now: OPENS, voter: 'cancelled' },
      { p: terms, now: OPENS - 1, voter: 'upcoming' },
      { p: terms, now: OPENS, voter: 'open' },
      { p: terms, now: CLOSES, voter: 'closed' },
      { p: terms, now: GRACE_ENDS + 1, voter: 'closed' },
    ];
    // One moment in each unsealed decision phase, in the list's order.
    expect(moments.map(({ p, now }) => decisionPhase(p, now))).toEqual(decisionPhases.filter((phase) => phase !== 'sealed'));
    expect(moments.map(({ p, now }) => proposalPhase(p, now))).toEqual(moments.map(({ voter }) => voter));
  });
});
