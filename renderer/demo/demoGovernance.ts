import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import * as Y from 'yjs';
import type { Identity, RemoteUpdate } from '../../shared/client/client';
import { eligibleOrgIds } from '../../shared/governance/eligibleOrgIds';
import { sealedDecision, sealPayload, type SealBallot } from '../../shared/governance/sealedDecision';
import { sealMessage } from '../../shared/governance/verifySeal';
import { ballot, ballotId, ballotMutators, type Choice } from '../../shared/records/ballot';
import { interest, interestId, interestMutators } from '../../shared/records/interest';
import { NETWORK_RECORD_ID, networkMutators, type Member } from '../../shared/records/network';
import { offer, offerMutators, type OfferInput } from '../../shared/records/offer';
import { proposal, proposalMutators, type ProposalInput } from '../../shared/records/proposal';
import type { RecordHeader } from '../../shared/records/recordType';
import { result, resultId } from '../../shared/records/result';

/*
 * The demo network's governance and support offers, so every screen has something to show: an
 * open proposal the demo organization can still vote on (others have), a decided one with its
 * sealed result, two published offers, and interests in them at different pipeline stages.
 *
 * The sealed result is a real `result` record, made as the hub makes one (server/hub/sealing.ts:
 * sealedDecision over the ballots, the canonical payload signed with Ed25519), signed with a key
 * made for this demo and named as the hub key on the demo's network record: the screens verify
 * it exactly as they verify a hub's seal. The secret half is dropped at once, so nothing on the
 * device can sign another.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
const SECRETARIAT = 'secretariat';

type Ctx = { readonly orgId: string; readonly role: Identity['role']; readonly now: number };

/** One record's whole state from its create input and the mutations that follow. */
function build(header: RecordHeader, write: (doc: Y.Doc) => void): RemoteUpdate {
  const doc = new Y.Doc();
  write(doc);
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return { header, update };
}

const ctxOf = (orgId: string, now: number, role: Identity['role'] = orgId === SECRETARIAT ? 'secretariat' : 'member'): Ctx & { deviceId: string } => ({ orgId, role, now, deviceId: 'demo' });

export interface DemoGovernanceOptions {
  readonly now: number;
  readonly members: readonly Member[];
  /** The organization of this device: left without a ballot on the open proposal, to cast one. */
  readonly ownOrgId: string;
}

export function demoGovernance({ now, members, ownOrgId }: DemoGovernanceOptions): RemoteUpdate[] {
  const updates: RemoteUpdate[] = [];
  const others = members.filter((member) => member.orgId !== ownOrgId && member.role !== 'secretariat').map((member) => member.orgId);

  const castBallots = (proposalId: string, casts: readonly (readonly [orgId: string, at: number, choice: Choice])[]): SealBallot[] =>
    casts.map(([orgId, at, choice]) => {
      let projection: SealBallot['ballot'] = { revisions: [] };
      updates.push(
        build({ id: ballotId(proposalId, orgId), type: 'ballot', ownerOrg: orgId, createdAt: at }, (doc) => {
          ballot.create(doc, ballot.parseInput({ proposalId }), ctxOf(orgId, at));
          ballotMutators.cast.apply(doc, choice, ctxOf(orgId, at));
          projection = ballot.read(doc);
        }),
      );
      // As the hub records it: each cast arrived the moment it was made.
      return { orgId, ballot: projection, arrivals: new Map([[at, at]]) };
    });

  const addProposal = (id: string, createdAt: number, input: ProposalInput) => {
    const parsed = proposal.parseInput(input);
    let projection = null as ReturnType<typeof proposal.read> | null;
    updates.push(
      build({ id, type: 'proposal', ownerOrg: SECRETARIAT, createdAt }, (doc) => {
        proposal.create(doc, parsed, ctxOf(SECRETARIAT, createdAt));
        // Opened as the app opens a vote: with its reason and the voters fixed at that moment.
        const reason = '秘书处会议同意付诸表决 The secretariat meeting agreed to put it to a vote';
        proposalMutators.openVote.apply(doc, { reason, eligibleOrgIds: eligibleOrgIds(members, parsed.eligible) }, ctxOf(SECRETARIAT, createdAt));
        projection = proposal.read(doc);
      }),
    );
    return projection!;
  };

  // Open: voting until ten days from now; two organizations have voted.
  const openId = 'proposal-demo-priorities';
  const openOpensAt = now - 3 * DAY_MS;
  addProposal(openId, openOpensAt - HOUR_MS, {
    title: '2027年小额资助优先领域 Small-grant priorities for 2027',
    description: '请按优先顺序排列三个领域。Rank the three areas, most important first.',
    options: [
      { id: 'water', label: '饮水安全 Safe drinking water' },
      { id: 'farming', label: '生态农业培训 Eco-farming training' },
      { id: 'disaster', label: '社区防灾 Community disaster preparedness' },
    ],
    method: 'ranked',
    opensAt: openOpensAt,
    closesAt: now + 10 * DAY_MS,
  });
  castBallots(
    openId,
    others.slice(0, 2).map((orgId, index) => [orgId, openOpensAt + (index + 1) * 5 * HOUR_MS, { method: 'ranked', ranking: index === 0 ? ['water', 'disaster', 'farming'] : ['farming', 'water', 'disaster'] }] as const),
  );

  // Decided: closed three weeks ago, past its grace period, sealed.
  const sealedId = 'proposal-demo-meeting';
  const sealedOpensAt = now - 30 * DAY_MS;
  const sealedTerms = addProposal(sealedId, sealedOpensAt - HOUR_MS, {
    title: '年会在怒江举办 Hold the annual meeting in Nujiang',
    description: '秘书处建议2027年年会在怒江州举办，由饮水安全小组承办。',
    options: [
      { id: 'yes', label: '同意 Yes' },
      { id: 'no', label: '不同意 No' },
    ],
    method: 'single',
    opensAt: sealedOpensAt,
    closesAt: sealedOpensAt + 9 * DAY_MS,
    graceHours: 72,
  });
  const voters = [ownOrgId, ...others];
  const sealedBallots = castBallots(
    sealedId,
    voters.map((orgId, index) => [orgId, sealedOpensAt + (index + 1) * DAY_MS, { method: 'single', optionId: index === voters.length - 1 ? 'no' : 'yes' }] as const),
  );
  const sealedAt = sealedTerms.closesAt + sealedTerms.graceHours * HOUR_MS + HOUR_MS;
  const payload = sealPayload(sealedDecision({ proposalId: sealedId, proposal: sealedTerms, ballots: sealedBallots, eligibleOrgIds: eligibleOrgIds(members, sealedTerms.eligible), sealedAt }));
  const secretKey = ed25519.utils.randomSecretKey();
  const hubKey = bytesToHex(ed25519.getPublicKey(secretKey));
  const signature = bytesToHex(ed25519.sign(sealMessage(payload), secretKey));
  secretKey.fill(0);
  updates.push(
    build({ id: resultId(sealedId), type: 'result', ownerOrg: SECRETARIAT, createdAt: sealedAt }, (doc) => {
      result.create(doc, result.parseInput({ payload, signature, hubKey }), { ...ctxOf(SECRETARIAT, sealedAt), deviceId: 'hub' });
    }),
  );
  // The network names the key its results are checked against (merged into the network record).
  updates.push(
    build({ id: NETWORK_RECORD_ID, type: 'network', ownerOrg: SECRETARIAT, createdAt: now - 90 * DAY_MS }, (doc) => {
      networkMutators.setHubKey.apply(doc, hubKey, ctxOf(SECRETARIAT, now - 90 * DAY_MS));
    }),
  );

  // Offers, and interests at two stages of the pipeline.
  const addOffer = (id: string, createdAt: number, input: OfferInput) => {
    updates.push(
      build({ id, type: 'offer', ownerOrg: SECRETARIAT, createdAt }, (doc) => {
        offer.create(doc, offer.parseInput(input), ctxOf(SECRETARIAT, createdAt));
        offerMutators.setState.apply(doc, 'published', ctxOf(SECRETARIAT, createdAt));
      }),
    );
  };
  const fundId = 'offer-demo-water-fund';
  addOffer(fundId, now - 14 * DAY_MS, {
    title: '饮水安全小额资助 Safe-water small grants',
    kind: 'funding',
    description: '每个机构最多两万元，用于村级饮水设施的修缮和管护。Up to 20,000 yuan per organization for village water systems.',
    places: 5,
    opensAt: now - 14 * DAY_MS,
    closesAt: now + 30 * DAY_MS,
    eligibility: { stages: ['seed', 'growing'], regions: [], capabilities: [], minStaff: null, maxStaff: null },
  });
  const trainingId = 'offer-demo-bookkeeping';
  addOffer(trainingId, now - 7 * DAY_MS, {
    title: '合作社财务公开培训 Open bookkeeping training',
    kind: 'training',
    description: '两天的线下培训，昆明。Two days in Kunming.',
    places: 20,
    opensAt: now - 7 * DAY_MS,
    closesAt: now + 21 * DAY_MS,
  });
  const addInterest = (offerId: string, orgId: string, at: number, message: string, shortlistedAt?: number) => {
    updates.push(
      build({ id: interestId(offerId, orgId), type: 'interest', ownerOrg: orgId, createdAt: at }, (doc) => {
        interest.create(doc, interest.parseInput({ offerId, message }), ctxOf(orgId, at));
        if (shortlistedAt !== undefined) interestMutators.move.apply(doc, { stage: 'shortlisted', note: '符合条件 Meets the criteria' }, ctxOf(SECRETARIAT, shortlistedAt));
      }),
    );
  };
  if (others[0]) addInterest(fundId, others[0], now - 10 * DAY_MS, 'Two school tanks need new covers before the rains.', now - 6 * DAY_MS);
  if (others[1]) addInterest(fundId, others[1], now - 5 * DAY_MS, '老姆登村的引水管道需要更换一段。');
  addInterest(trainingId, ownOrgId, now - 3 * DAY_MS, '我们有两位会计想参加。');
  return updates;
}
