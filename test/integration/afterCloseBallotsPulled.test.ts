// Attack (LOW, design; fixed): a proposal set to "Results shown after closing" (resultsVisibility
// 'after-close') hid the running tally only in the app's view. Its (open) ballots were pulled by
// every organization as they were cast, choices included, so any member, observer or scoped
// steward computed the provisional result before closing — the thing the setting promises to
// withhold (and what a runner needs to time a version bump or a late facilitation).
// Now such a ballot carries `isWithheld` (copied from the proposal, the hub refuses another value
// as `secrecy-mismatch`) and is read like a secret one: by its organization and the secretariat
// only, on pull, `/yjs` and in hub bundles; the sealed result publishes the count.
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { ballot, ballotId, ballotMutators, type Choice } from '../../shared/records/ballot';
import { createUpdate, pull, type PullResult } from '../support/hubRequests';
import { expectAccepted, startPollNetwork, type PollNetwork, type PollOrg } from '../support/pollNetwork';

const YES: Choice = { method: 'single', optionId: 'yes' };

let net: PollNetwork;

beforeAll(async () => {
  net = await startPollNetwork();
});

afterAll(async () => {
  await net?.close();
});

function choicesOf(pulled: PullResult, id: string): unknown[] {
  return pulled.records
    .filter((record) => record.meta.id === id)
    .map((record) => {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, record.update);
      return ballot.read(doc).choice;
    });
}

/** How the hub answers a `/yjs` connection to `recordId`: open, or the close code. */
function yjsAnswer(token: string, recordId: string): Promise<'open' | number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${net.hub.url.replace(/^http/, 'ws')}/yjs/${recordId}?token=${encodeURIComponent(token)}`);
    socket.once('message', () => {
      resolve('open');
      socket.close();
    });
    socket.once('close', (code) => resolve(code));
    socket.once('error', () => undefined);
  });
}

it.each<PollOrg>(['beta', 'steward'])("does not hand another organization's ballot to %s before an after-close poll is sealed", async (reader) => {
  const poll = await net.openPoll({ resultsVisibility: 'after-close' });
  await expectAccepted(() => net.castOn('alpha', poll, { choice: YES, proposalVersion: 1 }));
  const alphas = ballotId(poll, net.orgIdOf.alpha);
  expect(choicesOf(await pull(net.hub.url, net.tokenOf[reader], 0), alphas)).toEqual([]);
  expect(await yjsAnswer(net.tokenOf[reader], alphas)).not.toBe('open');
  // Closed, in the grace period: still withheld; the seal publishes the count it went into.
  net.clock.advance(49 * 3_600_000);
  expect(choicesOf(await pull(net.hub.url, net.tokenOf[reader], 0), alphas)).toEqual([]);
  const sealed = await net.passSealing(poll);
  expect(sealed).toMatchObject({ counted: [{ orgId: net.orgIdOf.alpha }], tally: { counts: { method: 'single', votes: { yes: 1 } } } });
});

it('hands the ballot to its own organization and to the secretariat', async () => {
  const poll = await net.openPoll({ resultsVisibility: 'after-close' });
  await expectAccepted(() => net.castOn('alpha', poll, { choice: YES, proposalVersion: 1 }));
  const alphas = ballotId(poll, net.orgIdOf.alpha);
  expect(choicesOf(await pull(net.hub.url, net.tokenOf.alpha, 0), alphas)).toEqual([YES]);
  expect(choicesOf(await pull(net.hub.url, net.tokenOf.secretariat, 0), alphas)).toEqual([YES]);
});

it('still hands a live poll’s open ballot to every member as it is cast', async () => {
  const poll = await net.openPoll();
  await expectAccepted(() => net.castOn('alpha', poll, { choice: YES, proposalVersion: 1 }));
  expect(choicesOf(await pull(net.hub.url, net.tokenOf.beta, 0), ballotId(poll, net.orgIdOf.alpha))).toEqual([YES]);
});

it('refuses a ballot on an after-close poll that does not say it is withheld', async () => {
  const poll = await net.openPoll({ resultsVisibility: 'after-close' });
  const ctx = net.ctxOf('alpha');
  const id = ballotId(poll, net.orgIdOf.alpha);
  const update = createUpdate('ballot', { proposalId: poll, isSecret: false, isWithheld: false }, ctx, (doc) => ballotMutators.castOn.apply(doc, { choice: YES, reason: '', proposalVersion: 1 }, ctx));
  const answer = await net.pushRecord('alpha', 'ballot', id, update);
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 422, body: { error: { code: 'secrecy-mismatch', recordId: id } } });
});
