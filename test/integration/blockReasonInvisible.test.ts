// Attack (issue-19 pass, LOW), fixed: "a block in a consent vote requires a reason" was checked
// with String.trim(), which keeps zero-width and other invisible characters. A member blocked with
// a reason of one zero-width space (U+200B) or word joiner (U+2060): the hub took it, the seal
// published an "explained" block, and the reason shown beside the result was blank. The same held
// for a facilitator's block and for the facilitator's `witness`. Now one shared rule decides
// whether a text shows anything (shared/records/visibleText.ts `hasVisibleText`), used by the
// ballot form, the facilitation form, the mutators' input schemas and the hub: 422
// reason-required for a block, 422 witness-required for a witness. FAILED before the fix.
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ballotId, ballotMutators, type Choice } from '../../shared/records/ballot';
import { positionReasonProblem } from '../../shared/governance/positionReason';
import { appendLog } from '../../shared/records/layout';
import { startVotingHub, type VotingHub } from '../support/votingHub';

let net: VotingHub<'steward' | 'alpha' | 'beta'>;

beforeAll(async () => {
  net = await startVotingHub({
    steward: { name: 'Erhai Watershed Alliance', role: 'steward', stewardScopes: ['proposals'] },
    alpha: { name: 'Fengyu Farmers Cooperative', role: 'member' },
    beta: { name: 'Cangshan Seed Bank', role: 'member' },
  });
});

afterAll(async () => {
  await net?.close();
});

const BLOCK: Choice = { method: 'consent', position: 'block' };
const INVISIBLES = [
  ['zero-width space', '\u200b'],
  ['word joiner', '\u2060'],
  ['zero-width joiners', '\u200d\u200c\u200d'],
  ['Hangul filler', '\u3164'],
  ['blank Braille pattern and an ideographic space', '\u2800\u3000'],
] as const;

it.each(INVISIBLES)('refuses a consent block whose reason is only a %s', async (_name, reason) => {
  expect(positionReasonProblem(BLOCK, reason)).toBe('block-needs-reason');
  const poll = await net.openPoll({ method: 'consent', options: [] });
  const answer = await net.castOn('alpha', poll, { choice: BLOCK, reason });
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 422, body: { error: { code: 'reason-required', recordId: ballotId(poll, net.orgIdOf.alpha) } } });
  expect(await net.hub.storage.getRecord(ballotId(poll, net.orgIdOf.alpha))).toBeNull();
});

it('takes a block whose reason is written in any script, an emoji among it', async () => {
  const poll = await net.openPoll({ method: 'consent', options: [] });
  for (const reason of ['下游的田会被淹', '\u200b🌊']) expect(positionReasonProblem(BLOCK, reason)).toBeNull();
  expect((await net.castOn('alpha', poll, { choice: BLOCK, reason: '\u200b下游的田会被淹' })).status).toBe(200);
});

it('refuses a facilitated consent block whose reason, or a facilitation whose witness, is only invisible characters', async () => {
  const poll = await net.openPoll({ method: 'consent', options: [] });
  const cast = { choice: BLOCK, proposalVersion: 1, channel: 'in-person' as const };
  // The app's facilitation refuses the invisible witness before anything is written.
  expect(() => ballotMutators.facilitate.apply(new Y.Doc(), { ...cast, reason: 'Floods the lower fields', witness: '\u200b' }, net.ctxOf('steward'))).toThrow(/visible/);
  // A client written from PROTOCOL.md appends the entry itself.
  const facilitate = async (reason: string, witness: string) => {
    const { id, update } = await net.ballotUpdate('steward', poll, (doc, ctx) => appendLog(doc, 'facilitated', { deviceId: ctx.deviceId, at: ctx.now, ...cast, reason, witness, byOrgId: ctx.orgId }), 'beta');
    const answer = await net.pushRecord('steward', 'ballot', id, update);
    return { status: answer.status, code: (answer.body as { error?: { code?: string } }).error?.code ?? null };
  };
  expect(await facilitate('\u200b', 'Li Wei, village head')).toEqual({ status: 422, code: 'reason-required' });
  expect(await facilitate('Floods the lower fields', '\u200b\u3164')).toEqual({ status: 422, code: 'witness-required' });
  expect(await net.hub.storage.getRecord(ballotId(poll, net.orgIdOf.beta))).toBeNull();
  expect(await facilitate('Floods the lower fields', 'Li Wei, village head')).toEqual({ status: 200, code: null });
});
