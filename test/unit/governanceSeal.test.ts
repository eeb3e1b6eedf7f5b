// Sealed results: what the hub signs (sealedDecision), how anyone checks it offline (verifySeal),
// and the pure pieces both rely on (eligibleOrgIds, countedCast).
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ballotReceipt } from '../../shared/governance/ballotReceipt';
import { canonicalJson } from '../../shared/governance/canonicalJson';
import { countedCast } from '../../shared/governance/countedCast';
import { eligibleOrgIds } from '../../shared/governance/eligibleOrgIds';
import { sealedDecision, sealPayload } from '../../shared/governance/sealedDecision';
import { sealMessage, verifySeal } from '../../shared/governance/verifySeal';
import type { Choice } from '../../shared/records/ballot';
import type { Member } from '../../shared/records/network';
import { parseSealedPayload, result, type ResultInput, type ResultProjection } from '../../shared/records/result';
import { proposalProjection, signedTestResult } from '../support/governance';

const HOUR_MS = 3_600_000;
const T0 = Date.UTC(2025, 5, 1);

function projectionOf(input: ResultInput): ResultProjection {
  const doc = new Y.Doc();
  result.create(doc, result.parseInput(input), { orgId: 'org-secretariat', deviceId: 'hub', role: 'secretariat', now: T0 });
  return result.read(doc);
}

/** Re-signs an altered payload with a key, as an attacker holding some key would. */
function signed(payload: string, secretKey: Uint8Array): ResultInput {
  return { payload, signature: bytesToHex(ed25519.sign(sealMessage(payload), secretKey)), hubKey: bytesToHex(ed25519.getPublicKey(secretKey)) };
}

describe('verifySeal', () => {
  const seal = signedTestResult('proposal-seed-fund');
  const good = projectionOf(seal.input);

  it('accepts a result signed by the trusted hub key', () => {
    expect(verifySeal(good, seal.publicKey)).toEqual({ isValid: true, reason: null });
    // The three stored strings alone verify too (a report may keep just those).
    expect(verifySeal({ payload: good.payload, signature: good.signature, hubKey: good.hubKey }, seal.publicKey).isValid).toBe(true);
  });

  it('refuses without a trusted key, and against another key', () => {
    expect(verifySeal(good, '')).toEqual({ isValid: false, reason: 'no-trusted-key' });
    expect(verifySeal(good, null)).toEqual({ isValid: false, reason: 'no-trusted-key' });
    const other = bytesToHex(ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
    expect(verifySeal(good, other)).toEqual({ isValid: false, reason: 'key-mismatch' });
    // A result that names the trusted key but was signed by another.
    const impostor = signed(good.payload, ed25519.utils.randomSecretKey());
    expect(verifySeal(projectionOf({ ...impostor, hubKey: seal.publicKey }), seal.publicKey)).toEqual({ isValid: false, reason: 'bad-signature' });
    expect(verifySeal(good, 'not hex')).toEqual({ isValid: false, reason: 'malformed' });
  });

  it('refuses an altered tally, in the signed payload or in the projection read from it', () => {
    const decision = parseSealedPayload(good.payload)!;
    const altered = sealPayload({ ...decision, tally: { ...decision.tally, outcome: { ...decision.tally.outcome, status: 'failed' } } });
    expect(verifySeal(projectionOf({ ...seal.input, payload: altered }), seal.publicKey)).toEqual({ isValid: false, reason: 'bad-signature' });
    const shown = { ...good, tally: { ...good.tally!, participation: { ...good.tally!.participation, voted: 2 } } };
    expect(verifySeal(shown, seal.publicKey)).toEqual({ isValid: false, reason: 'payload-mismatch' });
  });

  it('refuses an altered receipt, in the payload or the projection', () => {
    const decision = parseSealedPayload(good.payload)!;
    const forgedReceipt = 'f'.repeat(64);
    const altered = sealPayload({ ...decision, counted: decision.counted.map((ballot) => ({ ...ballot, receipt: forgedReceipt })) });
    expect(verifySeal(projectionOf({ ...seal.input, payload: altered }), seal.publicKey)).toEqual({ isValid: false, reason: 'bad-signature' });
    const shown = { ...good, counted: good.counted.map((ballot) => ({ ...ballot, receipt: forgedReceipt })) };
    expect(verifySeal(shown, seal.publicKey)).toEqual({ isValid: false, reason: 'payload-mismatch' });
    const dropped = { ...good, counted: [] };
    expect(verifySeal(dropped, seal.publicKey)).toEqual({ isValid: false, reason: 'payload-mismatch' });
  });

  it('refuses a signature over the bare payload: seals are signed with their own context', () => {
    const bare = bytesToHex(ed25519.sign(utf8ToBytes(good.payload), seal.secretKey));
    expect(verifySeal({ ...good, signature: bare }, seal.publicKey)).toEqual({ isValid: false, reason: 'bad-signature' });
    expect(verifySeal({ ...good, signature: good.signature.slice(2) }, seal.publicKey)).toEqual({ isValid: false, reason: 'malformed' });
  });

  it('reads a result whose payload is not a sealed decision as malformed, never as valid, even when signed', () => {
    const brokenPayload = '{"format":"fieldwise-result"}';
    const doc = new Y.Doc();
    for (const [key, value] of Object.entries(signed(brokenPayload, seal.secretKey))) doc.getMap('fields').set(key, value);
    const broken = result.read(doc);
    expect(broken.tally).toBeNull();
    expect(verifySeal(broken, seal.publicKey)).toEqual({ isValid: false, reason: 'malformed' });
    // And the record module refuses to create one.
    expect(() => projectionOf(signed(brokenPayload, seal.secretKey))).toThrow(/payload/);
  });
});

describe('sealedDecision', () => {
  const terms = {
    title: 'Which training first',
    options: [
      { id: 'soil', label: 'Soil' },
      { id: 'seed', label: 'Seed' },
    ],
    method: 'single' as const,
    opensAt: T0,
    closesAt: T0 + 10 * HOUR_MS,
    graceHours: 2,
  };
  const yes: Choice = { method: 'single', optionId: 'soil' };
  const no: Choice = { method: 'single', optionId: 'seed' };
  const ballots = [
    {
      orgId: 'org-a',
      ballot: { revisions: [{ deviceId: 'dev-a1', at: T0 + HOUR_MS, choice: no }, { deviceId: 'dev-a2', at: T0 + 2 * HOUR_MS, choice: yes }] },
      arrivals: new Map([[T0 + HOUR_MS, T0 + HOUR_MS], [T0 + 2 * HOUR_MS, T0 + 11 * HOUR_MS]]),
    },
    { orgId: 'org-b', ballot: { revisions: [{ deviceId: 'dev-b', at: T0 + 3 * HOUR_MS, choice: no }] }, arrivals: new Map([[T0 + 3 * HOUR_MS, T0 + 3 * HOUR_MS]]) },
  ];

  it('seals the latest cast of each organization, its receipt and lateness; under secret ballots no choice and no cast time', () => {
    const secret = sealedDecision({ proposalId: 'p1', proposal: proposalProjection({ ...terms, secrecy: 'secret' }), ballots, eligibleOrgIds: ['org-b', 'org-a', 'org-c'], sealedAt: T0 + 13 * HOUR_MS });
    expect(secret.counted).toEqual([
      { orgId: 'org-a', receipt: ballotReceipt({ proposalId: 'p1', orgId: 'org-a', choice: yes, castAt: T0 + 2 * HOUR_MS }), isLate: true, receivedAt: T0 + 11 * HOUR_MS, castAt: null },
      { orgId: 'org-b', receipt: ballotReceipt({ proposalId: 'p1', orgId: 'org-b', choice: no, castAt: T0 + 3 * HOUR_MS }), isLate: false, receivedAt: T0 + 3 * HOUR_MS, castAt: null },
    ]);
    expect(secret.eligibleOrgIds).toEqual(['org-a', 'org-b', 'org-c']);
    expect(secret.tally).toMatchObject({ counts: { votes: { soil: 1, seed: 1 } }, participation: { eligible: 3, voted: 2 }, notHeardFrom: 1 });
    const payload = sealPayload(secret);
    expect(payload).toBe(canonicalJson(secret));
    expect(payload).not.toContain('optionId');
    expect(payload).not.toContain(String(T0 + 2 * HOUR_MS));

    const open = sealedDecision({ proposalId: 'p1', proposal: proposalProjection(terms), ballots, eligibleOrgIds: ['org-a', 'org-b'], sealedAt: T0 + 13 * HOUR_MS });
    expect(open.counted.map((ballot) => ballot.castAt)).toEqual([T0 + 2 * HOUR_MS, T0 + 3 * HOUR_MS]);
  });

  it("salts each receipt with its ballot's salt: the same cast under another salt gets another receipt", () => {
    const proposal = proposalProjection({ ...terms, secrecy: 'secret' });
    const salted = (salt: string) =>
      sealedDecision({ proposalId: 'p1', proposal, ballots: [{ ...ballots[1]!, ballot: { ...ballots[1]!.ballot, receiptSalt: salt } }], eligibleOrgIds: ['org-b'], sealedAt: T0 + 13 * HOUR_MS }).counted[0]!.receipt;
    expect(salted('01'.repeat(16))).toBe(ballotReceipt({ proposalId: 'p1', orgId: 'org-b', choice: no, castAt: T0 + 3 * HOUR_MS, salt: '01'.repeat(16) }));
    expect(salted('01'.repeat(16))).not.toBe(salted('02'.repeat(16)));
    expect(salted('01'.repeat(16))).not.toBe(ballotReceipt({ proposalId: 'p1', orgId: 'org-b', choice: no, castAt: T0 + 3 * HOUR_MS }));
  });

  it('is the same whatever order ballots and eligible ids come in', () => {
    const proposal = proposalProjection(terms);
    const a = sealedDecision({ proposalId: 'p1', proposal, ballots, eligibleOrgIds: ['org-a', 'org-b'], sealedAt: T0 + 13 * HOUR_MS });
    const b = sealedDecision({ proposalId: 'p1', proposal, ballots: [...ballots].reverse(), eligibleOrgIds: ['org-b', 'org-a', 'org-a'], sealedAt: T0 + 13 * HOUR_MS });
    expect(sealPayload(b)).toBe(sealPayload(a));
  });

  it('lists an ineligible ballot as excluded with its reason', () => {
    const sealed = sealedDecision({ proposalId: 'p1', proposal: proposalProjection(terms), ballots, eligibleOrgIds: ['org-a'], sealedAt: T0 + 13 * HOUR_MS });
    expect(sealed.counted.map((ballot) => ballot.orgId)).toEqual(['org-a']);
    expect(sealed.excluded).toEqual([{ orgId: 'org-b', reason: 'not-eligible', receivedAt: T0 + 3 * HOUR_MS, castAt: T0 + 3 * HOUR_MS }]);
  });
});

describe('eligibleOrgIds', () => {
  const members: Member[] = [
    { orgId: 'org-sec', name: 'Secretariat', role: 'secretariat' },
    { orgId: 'org-steward', name: 'Steward', role: 'steward' },
    { orgId: 'org-b', name: 'B', role: 'member' },
    { orgId: 'org-a', name: 'A', role: 'member' },
    { orgId: 'org-obs', name: 'Observer', role: 'observer' },
  ];

  it('all members: members and stewards, sorted; never the secretariat or observers', () => {
    expect(eligibleOrgIds(members, { kind: 'all-members' })).toEqual(['org-a', 'org-b', 'org-steward']);
  });

  it('chosen organizations: only those in the network, never observers', () => {
    expect(eligibleOrgIds(members, { kind: 'orgs', orgIds: ['org-b', 'org-gone', 'org-obs', 'org-sec'] })).toEqual(['org-b', 'org-sec']);
  });

  it('roles: members holding one of them, never observers', () => {
    expect(eligibleOrgIds(members, { kind: 'roles', roles: ['secretariat', 'observer'] })).toEqual(['org-sec']);
    expect(eligibleOrgIds(members, { kind: 'roles', roles: ['steward'] })).toEqual(['org-steward']);
  });
});

describe('countedCast', () => {
  const a: Choice = { method: 'single', optionId: 'a' };
  const b: Choice = { method: 'single', optionId: 'b' };

  it('is the latest revision by cast time, not the order the log holds them in', () => {
    const revisions = [
      { deviceId: 'laptop-2', at: 300, choice: b },
      { deviceId: 'laptop-1', at: 100, choice: a },
    ];
    expect(countedCast({ revisions })).toEqual({ choice: b, castAt: 300, deviceId: 'laptop-2', reason: '', proposalVersion: 1, facilitation: null });
    expect(countedCast({ revisions: [...revisions].reverse() })).toEqual({ choice: b, castAt: 300, deviceId: 'laptop-2', reason: '', proposalVersion: 1, facilitation: null });
  });

  it('breaks a tie at one instant by the greater canonical choice, and is null without revisions', () => {
    const tied = [
      { deviceId: 'laptop-1', at: 100, choice: b },
      { deviceId: 'laptop-2', at: 100, choice: a },
    ];
    expect(countedCast({ revisions: tied })?.choice).toEqual(b);
    expect(countedCast({ revisions: [...tied].reverse() })?.choice).toEqual(b);
    expect(countedCast({ revisions: [] })).toBeNull();
  });
});
