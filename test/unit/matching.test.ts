// The partner finder, offer matching and the stage self-assessment of shared/matching (issue 7):
// hand-worked rankings, the reasons behind every score, filters, weights, and offer eligibility.
import { describe, expect, it } from 'vitest';
import { distanceKm } from '../../shared/matching/distanceKm';
import { matchOffer } from '../../shared/matching/matchOffer';
import { offerEligibility } from '../../shared/matching/offerEligibility';
import { offersFor } from '../../shared/matching/offersFor';
import { defaultMatchWeights, rankPartners, type Candidate, type MatchableOrg, type MatchWeights, type PartnerNeed } from '../../shared/matching/rankPartners';
import { suggestStage, type Assessment } from '../../shared/matching/suggestStage';
import type { OfferProjection } from '../../shared/records/offer';
import { defaultStages } from '../../shared/records/network';

function org(id: string, fields: Partial<MatchableOrg>): Candidate {
  return { id, projection: { name: id, region: [], coordinates: null, capabilities: [], staffSize: 0, stage: '', ...fields } };
}

const stageOrder = defaultStages.map((s) => s.id);

// Weights (defaults): region 0.3, distance 0.2, capabilities 0.3, size 0.1, stage 0.1.
// Region shares: township (3 levels) 1, county 0.6, province 0.3, none 0. Adjacent band/stage: 0.5.
const need: PartnerNeed = {
  region: ['Yunnan', 'Dali', 'Xizhou'],
  capabilities: ['water', 'training', 'monitoring'],
  staffSize: '6-20',
  stages: ['growing'],
};
// Cang:    township 0.3·1 = 0.3  + caps 1/3·0.3 = 0.1 + size 6-20 0.1 + stage seed 0        = 0.5
const cang = org('o-cang', { name: 'Cang', region: ['Yunnan', 'Dali', 'Xizhou'], capabilities: ['water'], staffSize: 10, stage: 'seed' });
// Erhai:   county 0.3·0.6 = 0.18 + caps 3/3·0.3 = 0.3 + size 21-50 adjacent 0.05 + growing 0.1 = 0.63
const erhai = org('o-erhai', {
  name: 'Erhai',
  region: ['Yunnan', 'Dali', 'Shuanglang'],
  capabilities: ['Water', 'training', 'monitoring'],
  staffSize: 25,
  stage: 'growing',
});
// Lijiang: province 0.3·0.3 = 0.09 + caps 2/3·0.3 = 0.2 + size 0.1 + growing 0.1             = 0.49
const lijiang = org('o-lijiang', { name: 'Lijiang', region: ['Yunnan', 'Lijiang'], capabilities: ['water', 'training'], staffSize: 8, stage: 'growing' });
// Chengdu: none 0 + caps 2/3·0.3 = 0.2 + size 51+ two bands away 0 + established 0            = 0.2
const chengdu = org('o-chengdu', { name: 'Chengdu', region: ['Sichuan', 'Chengdu'], capabilities: ['training', 'monitoring'], staffSize: 60, stage: 'established' });
const four = [cang, erhai, lijiang, chengdu];

const summary = (ms: readonly { id: string; score: number }[]) => ms.map((m) => [m.id, m.score]);

// mulberry32: a small seeded generator, so a failing shuffle can be replayed from its seed.
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function shuffled<T>(items: readonly T[], next: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
const seeds = process.env.MATCHING_SEED ? [Number(process.env.MATCHING_SEED)] : Array.from({ length: 40 }, (_, i) => i + 1);
const replay = (seed: number) => `replay: MATCHING_SEED=${seed} npx vitest run test/unit/matching.test.ts`;

describe('rankPartners', () => {
  it('ranks the hand-worked example by region, capabilities, size and stage', () => {
    expect(summary(rankPartners(need, four))).toEqual([
      ['o-erhai', 0.63],
      ['o-cang', 0.5],
      ['o-lijiang', 0.49],
      ['o-chengdu', 0.2],
    ]);
  });

  it('gives a stage next to a wanted one half the stage weight when the stage order is passed', () => {
    // Cang (seed) and Chengdu (established) sit next to growing: each gains 0.1·0.5 = 0.05.
    expect(summary(rankPartners(need, four, defaultMatchWeights, { stageOrder }))).toEqual([
      ['o-erhai', 0.63],
      ['o-cang', 0.55],
      ['o-lijiang', 0.49],
      ['o-chengdu', 0.25],
    ]);
  });

  it('carries every reason with its parameters, weight and points', () => {
    const [top] = rankPartners(need, four);
    expect(top?.reasons).toEqual([
      { key: 'same-county', levels: 2, weight: 0.3, points: 0.18 },
      { key: 'capabilities', matched: 3, wanted: 3, missing: [], weight: 0.3, points: 0.3 },
      { key: 'size-adjacent', staff: 25, band: '21-50', weight: 0.1, points: 0.05 },
      { key: 'stage', stage: 'growing', weight: 0.1, points: 0.1 },
    ]);
    const byId = new Map(rankPartners(need, four, defaultMatchWeights, { stageOrder }).map((m) => [m.id, m.reasons]));
    expect(byId.get('o-cang')).toEqual([
      { key: 'same-township', levels: 3, weight: 0.3, points: 0.3 },
      { key: 'capabilities', matched: 1, wanted: 3, missing: ['training', 'monitoring'], weight: 0.3, points: 0.1 },
      { key: 'size-match', staff: 10, band: '6-20', weight: 0.1, points: 0.1 },
      { key: 'stage-adjacent', stage: 'seed', weight: 0.1, points: 0.05 },
    ]);
    expect(byId.get('o-lijiang')?.[0]).toEqual({ key: 'same-province', levels: 1, weight: 0.3, points: 0.09 });
    expect(byId.get('o-chengdu')).toEqual([
      { key: 'different-region', levels: 0, weight: 0.3, points: 0 },
      { key: 'capabilities', matched: 2, wanted: 3, missing: ['water'], weight: 0.3, points: 0.2 },
      { key: 'size-mismatch', staff: 60, band: '51+', weight: 0.1, points: 0 },
      { key: 'stage-adjacent', stage: 'established', weight: 0.1, points: 0.05 },
    ]);
  });

  it('reports unknown region, size and stage instead of guessing them', () => {
    const [blank] = rankPartners(need, [org('o-blank', {})]);
    expect(blank?.reasons.map((r) => r.key)).toEqual(['region-unknown', 'capabilities', 'size-unknown', 'stage-unknown']);
    expect(blank?.score).toBe(0);
  });

  it('reorders when the capability weight doubles', () => {
    // capabilities 0.6: Cang 0.3 + 0.2 + 0.1 + 0 = 0.6; Erhai 0.18 + 0.6 + 0.05 + 0.1 = 0.93;
    // Lijiang 0.09 + 0.4 + 0.1 + 0.1 = 0.69 (now above Cang); Chengdu 0.4.
    expect(summary(rankPartners(need, four, { ...defaultMatchWeights, capabilities: 0.6 }))).toEqual([
      ['o-erhai', 0.93],
      ['o-lijiang', 0.69],
      ['o-cang', 0.6],
      ['o-chengdu', 0.4],
    ]);
  });

  it('responds to weights linearly', () => {
    const scores = (w: MatchWeights) => new Map(rankPartners({ ...need, coordinates: { lat: 25.6, lon: 100.2 } }, four, w, { stageOrder }).map((m) => [m.id, m.score]));
    const a: MatchWeights = { region: 0.7, distance: 0.1, capabilities: 0.2, size: 0.4, stage: 0.9 };
    const b: MatchWeights = { region: 0.1, distance: 0.5, capabilities: 1.3, size: 0, stage: 0.2 };
    const sum = { region: 0.8, distance: 0.6, capabilities: 1.5, size: 0.4, stage: 1.1 };
    const [sa, sb, ssum, szero] = [scores(a), scores(b), scores(sum), scores({ region: 0, distance: 0, capabilities: 0, size: 0, stage: 0 })];
    for (const { id } of four) {
      expect(ssum.get(id)).toBeCloseTo((sa.get(id) ?? NaN) + (sb.get(id) ?? NaN), 8);
      expect(szero.get(id)).toBe(0);
    }
  });

  it('refuses a negative weight', () => {
    expect(() => rankPartners(need, four, { ...defaultMatchWeights, size: -0.1 })).toThrow(RangeError);
  });

  it('breaks ties by name, then by id', () => {
    const same = { region: ['Yunnan'], capabilities: ['water'] };
    const ties = [org('b-2', { ...same, name: 'Beta' }), org('a-9', { ...same, name: 'Beta' }), org('z-1', { ...same, name: 'Alpha' })];
    expect(rankPartners({ region: ['Yunnan'], capabilities: ['water'] }, ties).map((m) => m.id)).toEqual(['z-1', 'a-9', 'b-2']);
  });

  it('gives the same order for every shuffle of the input', () => {
    const regions = [['Yunnan', 'Dali', 'Xizhou'], ['Yunnan', 'Dali', 'Wase'], ['Yunnan', 'Kunming'], ['Sichuan'], []];
    const caps = ['water', 'training', 'monitoring', 'law'];
    const base = random(2026);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(base() * xs.length)] as T;
    // Few distinct values, so many ties that only the name and id can order.
    const orgs = Array.from({ length: 60 }, (_, i) =>
      org(`o-${i}`, {
        name: pick(['Alpha', 'Beta', 'Gamma']),
        region: pick(regions),
        coordinates: base() < 0.5 ? null : { lat: 25 + Math.floor(base() * 3), lon: 100 },
        capabilities: caps.filter(() => base() < 0.5),
        staffSize: pick([0, 3, 10, 30, 80]),
        stage: pick(['', ...stageOrder]),
      }),
    );
    const wanted: PartnerNeed = { ...need, coordinates: { lat: 25.5, lon: 100 } };
    const expected = rankPartners(wanted, orgs, defaultMatchWeights, { stageOrder });
    for (const seed of seeds) {
      expect(rankPartners(wanted, shuffled(orgs, random(seed)), defaultMatchWeights, { stageOrder }), replay(seed)).toEqual(expected);
    }
  });

  it('uses distance only when both the need and the organization have coordinates', () => {
    // One degree of longitude on the equator: 2π·6371.0088/360 = 111.195 km;
    // share 1 − 111.195/300 = 0.62935; points 0.2·0.62935 = 0.12587.
    const near = org('o-near', { name: 'Near', coordinates: { lat: 0, lon: 1 } });
    const here = org('o-here', { name: 'Here', coordinates: { lat: 0, lon: 0 } });
    const far = org('o-far', { name: 'Far', coordinates: { lat: 0, lon: 3 } }); // 333.6 km: beyond 300, 0
    const nowhere = org('o-nowhere', { name: 'Nowhere' });
    const ranked = rankPartners({ coordinates: { lat: 0, lon: 0 } }, [near, far, nowhere, here]);
    expect(ranked.map((m) => [m.id, m.reasons])).toEqual([
      ['o-here', [{ key: 'distance', km: 0, weight: 0.2, points: 0.2 }]],
      ['o-near', [{ key: 'distance', km: 111.2, weight: 0.2, points: expect.closeTo(0.12587, 5) }]],
      ['o-far', [{ key: 'distance', km: 333.6, weight: 0.2, points: 0 }]],
      ['o-nowhere', []],
    ]);
    // A need without coordinates never scores distance, even for organizations that have them.
    expect(rankPartners({}, [near, here]).flatMap((m) => m.reasons)).toEqual([]);
  });

  it('measures great-circle distance', () => {
    expect(distanceKm({ lat: 0, lon: 0 }, { lat: 0, lon: 1 })).toBeCloseTo(111.195, 3);
    expect(distanceKm({ lat: 0, lon: 0 }, { lat: 0, lon: 180 })).toBeCloseTo(Math.PI * 6371.0088, 3);
    // Dali to Kunming, about 250 km as the crow flies.
    expect(distanceKm({ lat: 25.6065, lon: 100.2676 }, { lat: 25.0389, lon: 102.7183 })).toBeGreaterThan(240);
    expect(distanceKm({ lat: 25.6065, lon: 100.2676 }, { lat: 25.0389, lon: 102.7183 })).toBeLessThan(260);
  });

  it('scores a staff range: inside 1, in or next to a band the range touches 0.5, else 0', () => {
    const sized = [3, 7, 12, 30, 60].map((staff) => org(`o-${staff}`, { staffSize: staff }));
    const byId = new Map(rankPartners({ staffSize: { min: 8, max: 15 } }, sized).map((m) => [m.id, m.reasons[0]?.key]));
    // 8–15 lies in band 6-20: 3 (1-5) and 30 (21-50) are next to it, 7 is in the band but below 8.
    expect(Object.fromEntries(byId)).toEqual({ 'o-3': 'size-adjacent', 'o-7': 'size-adjacent', 'o-12': 'size-match', 'o-30': 'size-adjacent', 'o-60': 'size-mismatch' });
  });

  it('excludes by filters before ranking, keeping the ranking of the rest', () => {
    const inDali = rankPartners({ ...need, filters: { isWithinRegion: true } }, four.concat(org('o-dali', { name: 'Dali town', region: ['Yunnan', 'Dali'] })));
    // Need region Yunnan/Dali/Xizhou: only Cang is within it; Erhai (Shuanglang) and the county itself are not.
    expect(inDali.map((m) => m.id)).toEqual(['o-cang']);

    const countyNeed: PartnerNeed = { ...need, region: ['Yunnan', 'Dali'], filters: { isWithinRegion: true } };
    expect(summary(rankPartners(countyNeed, four))).toEqual([
      // Both now share 2 levels with the need: 0.18 each. Erhai 0.18+0.3+0.05+0.1; Cang 0.18+0.1+0.1+0.
      ['o-erhai', 0.63],
      ['o-cang', 0.38],
    ]);
    expect(rankPartners({ ...need, filters: { hasAllCapabilities: true } }, four).map((m) => m.id)).toEqual(['o-erhai']);
    expect(rankPartners({ ...need, filters: { isStageWanted: true } }, four, defaultMatchWeights, { stageOrder }).map((m) => m.id)).toEqual(['o-erhai', 'o-lijiang']);
    expect(rankPartners({ ...need, filters: { isSizeInRange: true } }, four).map((m) => m.id)).toEqual(['o-cang', 'o-lijiang']);
    // Filters combine: in growing stage AND in 6-20 staff.
    expect(rankPartners({ ...need, filters: { isStageWanted: true, isSizeInRange: true } }, four).map((m) => m.id)).toEqual(['o-lijiang']);
  });

  it('filters by distance, leaving out organizations without coordinates', () => {
    const orgs = [org('o-near', { coordinates: { lat: 0, lon: 1 } }), org('o-far', { coordinates: { lat: 0, lon: 3 } }), org('o-none', {})];
    expect(rankPartners({ coordinates: { lat: 0, lon: 0 }, filters: { maxDistanceKm: 200 } }, orgs).map((m) => m.id)).toEqual(['o-near']);
  });
});

const anyone = { stages: [], regions: [], capabilities: [], minStaff: null, maxStaff: null };

function offer(fields: Partial<OfferProjection>): OfferProjection {
  return {
    title: 'Offer',
    kind: 'training',
    description: '',
    eligibility: anyone,
    places: 10,
    opensAt: 1_000,
    closesAt: 5_000,
    state: 'published',
    createdAt: 0,
    updatedAt: 0,
    ...fields,
  } as OfferProjection;
}

describe('offer eligibility', () => {
  it('holds minimum and maximum staff inclusive', () => {
    const e = { ...anyone, minStaff: 5, maxStaff: 20 };
    const at = (staff: number) => offerEligibility(e, org('o', { staffSize: staff }).projection).isEligible;
    expect([4, 5, 20, 21].map(at)).toEqual([false, true, true, false]);
    expect(offerEligibility(e, org('o', { staffSize: 21 }).projection).reasons).toEqual([
      { key: 'min-staff', staff: 21, minStaff: 5, isMet: true },
      { key: 'max-staff', staff: 21, maxStaff: 20, isMet: false },
    ]);
  });

  it('matches regions as whole path levels: Yunnan holds Yunnan/Dali, not Yunnanx', () => {
    const e = { ...anyone, regions: [['Sichuan'], ['Yunnan']] };
    const result = (region: string[]) => offerEligibility(e, org('o', { region }).projection);
    expect(result(['Yunnan', 'Dali']).reasons).toEqual([{ key: 'region', region: ['Yunnan', 'Dali'], within: ['Yunnan'], isMet: true }]);
    expect(result(['Yunnan']).isEligible).toBe(true);
    expect(result(['Yunnanx']).isEligible).toBe(false);
    expect(result(['Yunnanx', 'Dali']).isEligible).toBe(false);
    expect(result([]).isEligible).toBe(false);
  });

  it('needs every capability and a listed stage, reporting each criterion', () => {
    const e = { ...anyone, stages: ['growing', 'established'], capabilities: ['water', 'law'] };
    const r = offerEligibility(e, org('o', { stage: 'seed', capabilities: ['water'] }).projection);
    expect(r).toEqual({
      isEligible: false,
      reasons: [
        { key: 'stage', stage: 'seed', wanted: ['growing', 'established'], isMet: false },
        { key: 'capabilities', matched: 1, wanted: 2, missing: ['law'], isMet: false },
      ],
    });
  });

  it('opens an offer without criteria to everyone', () => {
    expect(offerEligibility(anyone, org('o', {}).projection)).toEqual({ isEligible: true, reasons: [] });
  });
});

describe('matchOffer', () => {
  const training = offer({ eligibility: { ...anyone, regions: [['Yunnan']], minStaff: 6, maxStaff: 50 } });

  it('lists the eligible organizations with their reasons, best fit first', () => {
    // Eligible: Yunnan and 6–50 staff → Erhai (25), Cang (10), Lijiang (8); Chengdu is in Sichuan.
    // Default fit: size in range only (0.1 each), so name decides: Cang, Erhai, Lijiang.
    const matches = matchOffer(training, four);
    expect(matches.map((m) => [m.id, m.score])).toEqual([
      ['o-cang', 0.1],
      ['o-erhai', 0.1],
      ['o-lijiang', 0.1],
    ]);
    expect(matches[0]?.eligibility).toEqual([
      { key: 'region', region: ['Yunnan', 'Dali', 'Xizhou'], within: ['Yunnan'], isMet: true },
      { key: 'min-staff', staff: 10, minStaff: 6, isMet: true },
      { key: 'max-staff', staff: 10, maxStaff: 50, isMet: true },
    ]);
  });

  it('ranks eligible organizations by a given need and lists the ineligible last when asked', () => {
    const matches = matchOffer(training, four, { need, includeIneligible: true });
    // Same scores as the hand-worked ranking: Erhai 0.63, Cang 0.5, Lijiang 0.49; then Chengdu.
    expect(matches.map((m) => [m.id, m.isEligible, m.score])).toEqual([
      ['o-erhai', true, 0.63],
      ['o-cang', true, 0.5],
      ['o-lijiang', true, 0.49],
      ['o-chengdu', false, 0.2],
    ]);
    // Chengdu fails twice: Sichuan is not in Yunnan, and 60 staff is above 50.
    expect(matches[3]?.eligibility.filter((r) => !r.isMet)).toEqual([
      { key: 'region', region: ['Sichuan', 'Chengdu'], within: null, isMet: false },
      { key: 'max-staff', staff: 60, maxStaff: 50, isMet: false },
    ]);
  });
});

describe('offersFor', () => {
  const now = 2_000;
  const me = erhai;
  const offers = [
    { id: 'draft', projection: offer({ title: 'Draft', state: 'draft' }) },
    { id: 'closed', projection: offer({ title: 'Closed', state: 'closed' }) },
    { id: 'later', projection: offer({ title: 'Later', opensAt: 3_000 }) },
    { id: 'ended', projection: offer({ title: 'Ended', closesAt: now }) },
    { id: 'late', projection: offer({ title: 'Closes late', closesAt: 9_000 }) },
    { id: 'soon', projection: offer({ title: 'Closes soon', opensAt: now, closesAt: 2_500, eligibility: { ...anyone, stages: ['growing'] } }) },
    { id: 'small', projection: offer({ title: 'Small only', eligibility: { ...anyone, maxStaff: 20 } }) },
  ];

  it('returns open, published offers the organization is eligible for, soonest closing first', () => {
    // Draft, closed, not yet open (opens 3000) and ended (closes exactly now) are skipped.
    expect(offersFor(me, offers, now)).toEqual([
      { id: 'soon', title: 'Closes soon', isEligible: true, reasons: [{ key: 'stage', stage: 'growing', wanted: ['growing'], isMet: true }] },
      { id: 'late', title: 'Closes late', isEligible: true, reasons: [] },
    ]);
  });

  it('adds the open offers it is not eligible for, with the failing reasons, when asked', () => {
    const all = offersFor(me, offers, now, { includeIneligible: true });
    expect(all.map((o) => [o.id, o.isEligible])).toEqual([
      ['soon', true],
      ['late', true],
      ['small', false],
    ]);
    expect(all[2]?.reasons).toEqual([{ key: 'max-staff', staff: 25, maxStaff: 20, isMet: false }]);
  });
});

describe('suggestStage', () => {
  const assessment: Assessment = {
    questions: [
      { id: 'staff', answers: [{ id: 'none', points: 0 }, { id: 'paid', points: 2 }] },
      { id: 'audit', weight: 2, answers: [{ id: 'no', points: 0 }, { id: 'yes', points: 3 }] },
      { id: 'years', answers: [{ id: '<2', points: 0 }, { id: '2-5', points: 1 }, { id: '>5', points: 2 }] },
    ],
    // Listed out of order on purpose: the highest threshold reached wins.
    thresholds: [
      { stage: 'established', minPoints: 6 },
      { stage: 'seed', minPoints: 0 },
      { stage: 'mature', minPoints: 9 },
      { stage: 'growing', minPoints: 3 },
    ],
  };

  it('maps the weighted total to the highest stage reached', () => {
    // 2 + 2·3 + 1 = 9 → mature (threshold 9 inclusive).
    expect(suggestStage({ staff: 'paid', audit: 'yes', years: '2-5' }, assessment)).toEqual({ stage: 'mature', total: 9, unanswered: [] });
    // 2 + 2·0 + 2 = 4 → growing.
    expect(suggestStage({ staff: 'paid', audit: 'no', years: '>5' }, assessment).stage).toBe('growing');
    // 0 + 2·3 + 0 = 6 → established.
    expect(suggestStage({ staff: 'none', audit: 'yes', years: '<2' }, assessment).stage).toBe('established');
  });

  it('counts missing or unknown answers as 0 and names them', () => {
    expect(suggestStage({ staff: 'paid', years: 'forever' }, assessment)).toEqual({ stage: 'seed', total: 2, unanswered: ['audit', 'years'] });
  });

  it('suggests no stage when no threshold is reached', () => {
    expect(suggestStage({}, { ...assessment, thresholds: [{ stage: 'growing', minPoints: 1 }] }).stage).toBeNull();
  });
});
