// Open attack (issue-19 re-pass, MEDIUM, design): the grace period after closing is for an
// organization's ballot cast before closing on an offline laptop and late to arrive, but the hub
// takes any own cast timed before closing, also a change of a vote it already received in time. In
// a live poll every organization reads every ballot, so once the vote has closed an organization
// sees the final count and, for 72 hours, pushes a new cast timed a millisecond before closing that
// replaces its vote and turns the outcome; the seal counts it (flagged late, as an offline laptop's
// honest ballot is). Real hub over HTTP (SQLite, manual clock). Fails today; passes once a recast
// received after closing no longer replaces a cast the hub received before closing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ballotMutators, type Choice } from '../../shared/records/ballot';
import { expectTaken, HOUR_MS, startVotingHub, type VotingHub } from '../support/votingHub';

let net: VotingHub<'alpha' | 'beta' | 'gamma'>;

beforeAll(async () => {
  net = await startVotingHub({
    alpha: { name: 'Fengyu Farmers Cooperative', role: 'member' },
    beta: { name: 'Cangshan Seed Bank', role: 'member' },
    gamma: { name: 'Erhai Watershed Alliance', role: 'member' },
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
  await net.pushRecord('gamma', 'ballot', id, update);

  const sealed = await net.passSealing(poll);
  expect(sealed.tally?.outcome.winnerId).toBe('yes');
});
