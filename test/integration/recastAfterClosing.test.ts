// Attack (issue-19 re-pass, MEDIUM, design), fixed: the grace period after closing is for an
// organization's ballot cast before closing on an offline laptop and late to arrive, but the hub
// takes any own cast timed before closing, also a change of a vote it already received in time. In
// a live poll every organization reads every ballot, so once the vote has closed an organization
// sees the final count and, for 72 hours, pushes a new cast timed a millisecond before closing that
// replaces its vote and turns the outcome; the seal counts it (flagged late, as an offline laptop's
// honest ballot is). Real hub over HTTP (SQLite, manual clock). FAILED before the fix: now a ballot
// the hub holds takes no new own cast once voting has closed (409 cast-after-closing), while an
// organization's first ballot, late from an offline laptop, still counts in the grace period.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ballotMutators, type Choice } from '../../shared/records/ballot';
import { expectTaken, HOUR_MS, startVotingHub, type VotingHub } from '../support/votingHub';

let net: VotingHub<'alpha' | 'beta' | 'gamma' | 'delta'>;

beforeAll(async () => {
  net = await startVotingHub({
    alpha: { name: 'Fengyu Farmers Cooperative', role: 'member' },
    beta: { name: 'Cangshan Seed Bank', role: 'member' },
    gamma: { name: 'Erhai Watershed Alliance', role: 'member' },
    delta: { name: 'Xizhou Water Users', role: 'member' },
  });
});

afterAll(async () => {
  await net?.close();
});

const YES: Choice = { method: 'single', optionId: 'yes' };
const NO: Choice = { method: 'single', optionId: 'no' };

it('does not let an organization change, after closing, a vote the hub received before closing', async () => {
  const poll = await net.openPoll({ resultsVisibility: 'live' });
  expectTaken(await net.castOn('alpha', poll, { choice: YES }));
  expectTaken(await net.castOn('beta', poll, { choice: NO }));
  expectTaken(await net.castOn('gamma', poll, { choice: YES }));
  const { closesAt } = await net.proposal(poll);

  // A day after closing, with every ballot read (live results), Gamma switches sides, its new cast
  // timed just before closing.
  net.clock.advance(closesAt - net.clock.now() + 24 * HOUR_MS);
  const backdated = net.ctxOf('gamma', closesAt - 1);
  const { id, update } = await net.ballotUpdate('gamma', poll, (doc) => ballotMutators.castOn.apply(doc, { choice: NO, reason: '', proposalVersion: 1 }, backdated));
  const recast = await net.pushRecord('gamma', 'ballot', id, update);
  expect({ status: recast.status, body: recast.body }).toMatchObject({ status: 409, body: { error: { code: 'cast-after-closing' } } });
  // Delta's laptop was offline: its first ballot, cast before closing, arrives in the grace period and counts.
  const offline = net.ctxOf('delta', closesAt - HOUR_MS);
  const late = await net.ballotUpdate('delta', poll, (doc) => ballotMutators.castOn.apply(doc, { choice: YES, reason: '', proposalVersion: 1 }, offline));
  expectTaken(await net.pushRecord('delta', 'ballot', late.id, late.update));

  const sealed = await net.passSealing(poll);
  expect(sealed.tally?.outcome.winnerId).toBe('yes');
  expect(sealed.tally?.participation.voted).toBe(4);
  expect(sealed.counted.filter((ballot) => ballot.isLate).map((ballot) => ballot.orgId)).toEqual([net.orgIdOf.delta]);
});
