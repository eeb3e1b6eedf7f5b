// Attack (LOW, fixed): the outcome statement's review date was checked only as \d{4}-\d{2}-\d{2},
// so "2026-02-30" or "9999-99-99" was taken: the decision record and report printed a date that
// does not exist, and the review the issue promises ("the review date appears in the inbox when
// it comes") never came. An outcome whose `decided` was one zero-width space was taken as well.
// Now `reviewOn` is a day that exists (shared/records/calendarDate.ts, the app's form runs the same
// function) and `decided` holds a visible character: 422 `invariant-violated` otherwise.
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Choice } from '../../shared/records/ballot';
import { proposalMutators } from '../../shared/records/proposal';
import { expectAccepted, startPollNetwork, type PollNetwork } from '../support/pollNetwork';

const YES: Choice = { method: 'single', optionId: 'yes' };
const statement = { decided: 'Half the fund goes to the river villages', actions: 'Erhai Alliance drafts the grant letters', reviewOn: '2026-09-01' };

let net: PollNetwork;

beforeAll(async () => {
  net = await startPollNetwork();
});

afterAll(async () => {
  await net?.close();
});

async function sealedPoll(): Promise<string> {
  const poll = await net.openPoll();
  await expectAccepted(() => net.castOn('alpha', poll, { choice: YES, proposalVersion: 1 }));
  await net.passSealing(poll);
  return poll;
}

it.each([
  ['a day that does not exist', { reviewOn: '2026-02-30' }],
  ['February 29 of a common year', { reviewOn: '2027-02-29' }],
  ['month 99', { reviewOn: '9999-99-99' }],
  ['an invisible decision', { decided: '\u200b' }],
])('refuses an outcome statement with %s', async (_name, change) => {
  const poll = await sealedPoll();
  // Written as a client built from PROTOCOL.md would, past the app's own schema.
  const answer = await net.changeProposal('steward', poll, (doc, ctx) => doc.getArray('log.outcomes').push([{ ...statement, ...change, orgId: ctx.orgId, at: ctx.now }]));
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 422, body: { error: { code: 'invariant-violated', field: 'outcomeRevisions', recordId: poll } } });
  expect((await net.proposalAsStored(poll)).outcomeRevisions).toEqual([]);
});

it("refuses the same statement in the app's own mutator, before anything is written", () => {
  const doc = new Y.Doc();
  expect(() => proposalMutators.writeOutcome.apply(doc, { ...statement, reviewOn: '2026-02-30' }, net.ctxOf('steward'))).toThrow();
  expect(doc.getArray('log.outcomes').length).toBe(0);
});

it('takes February 29 of a leap year', async () => {
  const poll = await sealedPoll();
  await expectAccepted(() => net.changeProposal('steward', poll, (doc, ctx) => proposalMutators.writeOutcome.apply(doc, { ...statement, reviewOn: '2028-02-29' }, ctx)));
  expect((await net.proposalAsStored(poll)).outcome).toMatchObject({ reviewOn: '2028-02-29' });
});
