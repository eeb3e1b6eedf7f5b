// The workbench's pure parts beside matching: the network's self-assessment as the network record
// holds it, the stage history with who changed it, and network health worked out by hand.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { challengeCounts, challengesByTopic, lastMonths, monthKey, orgActivity, type HealthRecord } from '../../shared/matching/networkHealth';
import { suggestStage } from '../../shared/matching/suggestStage';
import { RecordInputError } from '../../shared/records/recordError';
import { assessmentSchema, network, networkMutators } from '../../shared/records/network';
import { interest, interestMutators } from '../../shared/records/interest';
import { org, orgMutators } from '../../shared/records/org';
import type { EditContext } from '../../shared/records/recordModule';

const T0 = Date.UTC(2026, 10, 15, 12); // 2026-11-15
const DAY_MS = 24 * 60 * 60 * 1000;
const secretariat: EditContext = { orgId: 'org-sec', deviceId: 'dev-s', role: 'secretariat', now: T0 };
const member: EditContext = { orgId: 'org-fengyu', deviceId: 'dev-f', role: 'member', now: T0 };

const assessmentInput = {
  questions: [
    { id: 'staff', text: 'Do you have paid staff?', weight: 1, answers: [{ id: 'none', text: 'No', points: 0 }, { id: 'paid', text: 'Yes', points: 2 }] },
    { id: 'audit', text: 'Are your accounts audited?', weight: 2, answers: [{ id: 'no', text: 'No', points: 0 }, { id: 'yes', text: 'Yes', points: 1.5 }] },
  ],
  thresholds: [
    { stage: 'seed', minPoints: 0 },
    { stage: 'growing', minPoints: 2 },
    { stage: 'established', minPoints: 4 },
  ],
};

describe('the self-assessment on the network record', () => {
  it('gives a question without a weight the weight 1', () => {
    const { weight: _dropped, ...unweighted } = assessmentInput.questions[0]!;
    expect(assessmentSchema.parse({ questions: [unweighted], thresholds: [] }).questions[0]!.weight).toBe(1);
  });

  it('is kept whole and suggests a stage from the answers', () => {
    const doc = new Y.Doc();
    network.create(doc, network.parseInput({ name: 'Erhai network' }), secretariat);
    expect(network.read(doc).assessment).toBeNull();
    networkMutators.setAssessment.apply(doc, assessmentInput, secretariat);
    const assessment = network.read(doc).assessment!;
    expect(assessment.questions.map((q) => q.weight)).toEqual([1, 2]);
    // paid 2·1 + yes 1.5·2 = 5 -> established; paid alone 2 -> growing; nothing 0 -> seed.
    expect(suggestStage({ staff: 'paid', audit: 'yes' }, assessment)).toEqual({ stage: 'established', total: 5, unanswered: [] });
    expect(suggestStage({ staff: 'paid', audit: 'no' }, assessment).stage).toBe('growing');
    expect(suggestStage({}, assessment)).toEqual({ stage: 'seed', total: 0, unanswered: ['staff', 'audit'] });
    networkMutators.setAssessment.apply(doc, null, secretariat);
    expect(network.read(doc).assessment).toBeNull();
  });

  it('refuses duplicate question or answer ids and a question without answers, writing nothing', () => {
    const doc = new Y.Doc();
    network.create(doc, network.parseInput({ name: 'Erhai network' }), secretariat);
    const before = Y.encodeStateAsUpdate(doc);
    const bad = [
      { ...assessmentInput, questions: [assessmentInput.questions[0]!, assessmentInput.questions[0]!] },
      { ...assessmentInput, questions: [{ ...assessmentInput.questions[0]!, answers: [{ id: 'a', text: 'A', points: 1 }, { id: 'a', text: 'B', points: 2 }] }] },
      { ...assessmentInput, questions: [{ ...assessmentInput.questions[0]!, answers: [] }] },
    ];
    for (const value of bad) expect(() => networkMutators.setAssessment.apply(doc, value, secretariat)).toThrow(RecordInputError);
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
  });
});

describe("an organization's stage", () => {
  it('logs every change with who made it and when; answers are kept without changing the stage', () => {
    const doc = new Y.Doc();
    org.create(doc, org.parseInput({ name: 'Fengyu cooperative', stage: 'seed' }), secretariat);
    orgMutators.setSelfAssessment.apply(doc, { staff: 'paid', audit: 'yes' }, { ...member, now: T0 + DAY_MS });
    let p = org.read(doc);
    expect(p.selfAssessment).toEqual({ answers: { staff: 'paid', audit: 'yes' }, at: T0 + DAY_MS, byOrg: member.orgId });
    expect(p.stage).toBe('seed');
    orgMutators.setStage.apply(doc, 'established', { ...member, now: T0 + 2 * DAY_MS });
    orgMutators.setStage.apply(doc, 'growing', { ...secretariat, now: T0 + 3 * DAY_MS });
    p = org.read(doc);
    expect(p.stageHistory).toEqual([
      { stage: 'seed', at: T0, byOrg: secretariat.orgId },
      { stage: 'established', at: T0 + 2 * DAY_MS, byOrg: member.orgId },
      { stage: 'growing', at: T0 + 3 * DAY_MS, byOrg: secretariat.orgId },
    ]);
  });

  it('reads a step logged before the author was kept with an empty author', () => {
    const doc = new Y.Doc();
    org.create(doc, org.parseInput({ name: 'Old profile' }), member);
    doc.getArray('log.stageHistory').push([{ stage: 'seed', at: 5 }]);
    expect(org.read(doc).stageHistory).toEqual([{ stage: 'seed', at: 5, byOrg: '' }]);
  });
});

describe('the interest pipeline', () => {
  it('needs manage for every move, a move back to new included, and only edit for expressing interest', () => {
    const doc = new Y.Doc();
    interest.create(doc, interest.parseInput({ offerId: 'offer-1', message: '' }), member);
    const expressed = interest.read(doc);
    expect(expressed.steps).toEqual([{ stage: 'new', byOrg: member.orgId, at: T0, note: '' }]);
    interestMutators.move.apply(doc, { stage: 'shortlisted', note: '' }, secretariat);
    const shortlisted = interest.read(doc);
    expect(interest.changeActions(expressed, shortlisted)).toEqual(['manage']);
    interestMutators.move.apply(doc, { stage: 'new', note: 'more details needed' }, { ...secretariat, now: T0 + DAY_MS });
    const back = interest.read(doc);
    expect(back.steps.at(-1)).toEqual({ stage: 'new', from: 'shortlisted', byOrg: secretariat.orgId, at: T0 + DAY_MS, note: 'more details needed' });
    expect(interest.changeActions(shortlisted, back)).toEqual(['manage']);
    // A second laptop of the organization logging its own first step is still expressing interest.
    const again = { ...expressed, steps: [...expressed.steps, { stage: 'new' as const, byOrg: member.orgId, at: T0 + 1, note: '' }] };
    expect(interest.changeActions(expressed, again)).toEqual(['edit']);
  });
});

describe('network health', () => {
  it('names months in UTC and counts back across a year boundary', () => {
    expect(monthKey(Date.UTC(2026, 0, 1))).toBe('2026-01');
    expect(monthKey(Date.UTC(2025, 11, 31, 23, 59))).toBe('2025-12');
    expect(lastMonths(Date.UTC(2026, 1, 10), 4)).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });

  it('counts contributions per month and decisions joined, and marks silent organizations', () => {
    const at = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
    const records: HealthRecord[] = [
      { type: 'entry', ownerOrg: 'a', createdAt: at(2026, 11, 2) },
      { type: 'entry', ownerOrg: 'a', createdAt: at(2026, 11, 9) },
      { type: 'comment', ownerOrg: 'a', createdAt: at(2026, 9, 30) },
      // Too old for the three months shown.
      { type: 'entry', ownerOrg: 'a', createdAt: at(2026, 8, 31) },
      // An org profile is not a contribution.
      { type: 'org', ownerOrg: 'b', createdAt: at(2026, 11, 1) },
      { type: 'ballot', ownerOrg: 'c', createdAt: at(2026, 6, 1) },
    ];
    const ballots = [
      { ownerOrg: 'a', proposalId: 'p1' },
      { ownerOrg: 'c', proposalId: 'p1' },
      { ownerOrg: 'c', proposalId: 'p2' },
    ];
    // a: seen a month ago but contributed this month; b: seen yesterday; c: seen 100 days ago, last
    // ballot in June; d: never seen, nothing.
    const seen = new Map<string, number | null>([
      ['a', T0 - 31 * DAY_MS],
      ['b', T0 - DAY_MS],
      ['c', T0 - 100 * DAY_MS],
      ['d', null],
    ]);
    const health = orgActivity(['a', 'b', 'c', 'd'], records, ballots, 3, seen, { now: T0, months: 3, silentAfterMs: 30 * DAY_MS });
    expect(health).toEqual([
      {
        orgId: 'a',
        perMonth: [
          { month: '2026-09', count: 1 },
          { month: '2026-10', count: 0 },
          { month: '2026-11', count: 2 },
        ],
        total: 3,
        decisionsJoined: 1,
        decisionsTotal: 3,
        isSilent: false,
      },
      { orgId: 'b', perMonth: [{ month: '2026-09', count: 0 }, { month: '2026-10', count: 0 }, { month: '2026-11', count: 0 }], total: 0, decisionsJoined: 0, decisionsTotal: 3, isSilent: false },
      { orgId: 'c', perMonth: [{ month: '2026-09', count: 0 }, { month: '2026-10', count: 0 }, { month: '2026-11', count: 0 }], total: 0, decisionsJoined: 2, decisionsTotal: 3, isSilent: true },
      { orgId: 'd', perMonth: [{ month: '2026-09', count: 0 }, { month: '2026-10', count: 0 }, { month: '2026-11', count: 0 }], total: 0, decisionsJoined: 0, decisionsTotal: 3, isSilent: true },
    ]);
  });

  it('counts challenges by topic (else first tag) and region cut to two levels, most first, ties in code-unit order', () => {
    const counts = challengeCounts([
      { topic: '饮水安全', tags: [], region: ['云南省', '怒江州', '老姆登'] },
      { topic: '', tags: ['饮水安全', '治理'], region: ['云南省', '怒江州'] },
      { topic: '治理', tags: [], region: ['云南省', '怒江州'] },
      { topic: '治理', tags: [], region: ['贵州省'] },
      { topic: ' ', tags: [], region: [] },
    ]);
    expect(counts).toEqual([
      { topic: '饮水安全', region: '云南省 / 怒江州', count: 2 },
      { topic: '', region: '', count: 1 },
      { topic: '治理', region: '云南省 / 怒江州', count: 1 },
      { topic: '治理', region: '贵州省', count: 1 },
    ]);
    expect(challengesByTopic(counts)).toEqual([
      { topic: '治理', count: 2 },
      { topic: '饮水安全', count: 2 },
      { topic: '', count: 1 },
    ]);
    expect(challengeCounts([])).toEqual([]);
  });
});
