import i18next from 'i18next';
import { openClient, type FieldwiseClient } from '../../shared/client/client';
import { ballotId, ballotMutators } from '../../shared/records/ballot';
import type { EntryInput } from '../../shared/records/entry';
import { interestId, interestMutators } from '../../shared/records/interest';
import { offerMutators } from '../../shared/records/offer';
import { orgMutators } from '../../shared/records/org';
import { roleSchema } from '../../shared/records/recordType';
import type { ReportLocale } from '../../shared/reports/reportModel';
import type { JoinResponse } from '../../shared/sync/protocol';
import { SyncEngine } from '../../shared/sync/syncEngine';
import type { Clock } from '../../shared/sync/transport';
import { catalogs, type Language } from '../../renderer/i18n/catalogs';
import { memoryStorage } from '../../shared/store/memoryStorage';
import { uniqueName } from '../support/clients';
import { startTestHub, type TestHub } from '../support/hub';
import { httpTransportFor } from '../support/syncedClient';
import { openVoteFrom } from '../support/governance';

/*
 * A small network with Chinese and English content, built through a real hub and real clients on
 * memory storage, on a clock the fixture moves: one organization last synced 60 days ago, a
 * ranked proposal decided in two instant-runoff rounds with one late ballot, an offer with an
 * organization's interest moved along the pipeline. The secretariat's client then pulls it all:
 * that is the device the reports run on.
 */

export const DAY_MS = 86_400_000;

export const names = {
  gardens: 'Qiandongnan School Gardens',
  water: '怒江山区饮水安全小组',
  farm: '西山生态农业合作社',
} as const;

export const titles = {
  rainwater: 'Rainwater harvesting for school gardens',
  compost: 'Composting with school kitchen waste',
  frost: '山区引水管道的冬季防冻',
  fees: '水费收缴难',
  terraces: '梯田保水的老办法',
  proposal: '2027年经验交流会地点',
  offer: '社区饮水管护培训',
} as const;

export const options = [
  { id: 'a-kaili', label: '凯里 Kaili' },
  { id: 'b-liuku', label: '六库 Liuku' },
  { id: 'c-dali', label: '大理 Dali' },
] as const;

export interface ReportsFixture {
  readonly hub: TestHub;
  /** The secretariat's client, holding everything the network shared. */
  readonly client: FieldwiseClient;
  readonly orgIds: { readonly gardens: string; readonly water: string; readonly farm: string; readonly secretariat: string };
  readonly proposalId: string;
  /** The fixture's "now": when the reports are made. */
  readonly now: number;
  /** A day later: the hub seals the decision and the secretariat syncs the result; returns that time. */
  seal(): Promise<number>;
  close(): Promise<void>;
}

const rainwater: EntryInput = {
  kind: 'practice',
  title: titles.rainwater,
  summary: 'Roof gutters feed two tanks that water the beds through the dry season.',
  topic: 'water',
  tags: ['water', 'schools'],
  region: ['Guizhou', 'Qiandongnan'],
  language: 'en',
  author: 'Wang Jun',
  attribution: { holderKind: 'community', holderName: 'Parents committee, Kaili No. 3 School', consent: 'community-approved' },
  sharing: 'network',
};

export async function buildReportsFixture(): Promise<ReportsFixture> {
  const realNow = Date.now();
  let offsetMs = -70 * DAY_MS;
  const now = () => realNow + offsetMs;
  const at = (days: number) => {
    offsetMs = days * DAY_MS;
  };
  const clock: Clock = { now, setTimeout: (callback, delayMs) => setTimeout(callback, delayMs), clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>) };
  const hub = await startTestHub({ now });
  const opened: { engine: SyncEngine; client: FieldwiseClient }[] = [];

  const device = async (join: JoinResponse) => {
    const client = await openClient({
      // Not test/support's ajv-validated memory storage: its outbox schema caps ids at 64
      // characters, and the outbox id of a ballot or an interest between two hub-issued ids
      // ('ballot~proposal-<24 hex>~org-<24 hex>~<order>') is longer, so casting failed with 422.
      // Production storage does not validate; the cap is reported to the integrator.
      storage: memoryStorage(),
      name: uniqueName('report'),
      identity: { orgId: join.org.id, deviceId: join.deviceId, role: roleSchema.parse(join.role) },
      now,
    });
    const engine = new SyncEngine(client, httpTransportFor(hub, join), clock, { isLive: false });
    opened.push({ engine, client });
    const sync = async () => {
      await engine.syncNow();
      if (engine.status.pendingCount !== 0) throw new Error(`${join.org.id}: not everything was pushed (${engine.status.state})`);
    };
    return { client, sync, orgId: join.org.id };
  };

  try {
    const secretariat = await device(await hub.join(hub.secretariatCode, 'secretariat laptop'));
    const farm = await device(await hub.join(await hub.invite(names.farm), 'farm laptop'));
    const gardens = await device(await hub.join(await hub.invite(names.gardens), 'gardens laptop'));
    const water = await device(await hub.join(await hub.invite(names.water), 'water laptop'));

    // 60 days ago: the farm cooperative's only visit to the hub.
    at(-60);
    await farm.sync();
    await farm.client.mutate(farm.orgId, orgMutators.setProfile, { region: ['云南省', '大理州', '洱源县'] });
    await farm.client.mutate(farm.orgId, orgMutators.setStage, 'established');
    await farm.client.create('entry', {
      kind: 'local-wisdom',
      title: titles.terraces,
      summary: '秋收后立即修补田埂，冬季灌一次“闭田水”，来年春旱少减产。',
      topic: '水土保持',
      tags: ['梯田'],
      region: ['云南省', '大理州'],
      language: 'zh-CN',
      author: '李秀兰',
      attribution: { holderKind: 'person', holderName: '杨老伯', consent: 'anonymous' },
      sharing: 'network',
    });
    await farm.sync();

    at(-45);
    await gardens.sync();
    await gardens.client.mutate(gardens.orgId, orgMutators.setProfile, { region: ['Guizhou', 'Qiandongnan'], staffSize: 6 });
    await gardens.client.mutate(gardens.orgId, orgMutators.setCapabilities, ['school gardens', 'training']);
    await gardens.client.mutate(gardens.orgId, orgMutators.setStage, 'growing');
    await gardens.client.create('entry', rainwater);
    await gardens.sync();
    at(-25);
    await gardens.client.create('entry', {
      ...rainwater,
      title: titles.compost,
      summary: 'Kitchen scraps and leaves become compost for the beds in eight weeks.',
      topic: 'soil',
      tags: ['soil', 'schools'],
      attribution: { holderKind: 'person', holderName: 'Li Mei', consent: 'credit-by-name' },
    });
    // A private draft: on its own device only, in no report of the network.
    await gardens.client.create('entry', { ...rainwater, title: 'Draft: greenhouse notes', sharing: 'private', attribution: { holderKind: 'person', holderName: '', consent: 'pending' } });
    await gardens.sync();

    at(-20);
    await water.sync();
    await water.client.mutate(water.orgId, orgMutators.setProfile, { region: ['云南省', '怒江州'], staffSize: 4 });
    await water.client.mutate(water.orgId, orgMutators.setStage, 'seed');
    await water.client.create('entry', {
      kind: 'local-wisdom',
      title: titles.frost,
      summary: '把水管埋深到六十厘米以下，冬季断水天数从二十天降到两天。',
      topic: 'water',
      tags: ['饮水安全'],
      region: ['云南省', '怒江州'],
      language: 'zh-CN',
      author: '和建华',
      attribution: { holderKind: 'community', holderName: '老姆登村民小组', consent: 'community-approved' },
      sharing: 'network',
    });
    await water.client.create('entry', {
      kind: 'challenge',
      title: titles.fees,
      summary: '部分农户认为山泉水不该收费，管护资金不足。',
      topic: 'water',
      tags: ['治理'],
      region: ['云南省', '怒江州'],
      language: 'zh-CN',
      attribution: { holderKind: 'person', holderName: '和建华', consent: 'credit-by-name' },
      sharing: 'network',
    });
    await water.sync();

    // The secretariat opens a ranked decision and an offer.
    at(-10);
    const proposalId = await secretariat.client.create('proposal', {
      title: titles.proposal,
      description: '三个候选地点，按偏好排序。',
      options: [...options],
      method: 'ranked',
      opensAt: now(),
      closesAt: now() + 7 * DAY_MS,
      graceHours: 72,
      secrecy: 'open',
      // The secretariat votes too ('all-members' is the member organizations only).
      eligible: { kind: 'roles', roles: ['secretariat', 'steward', 'member'] },
    });
    // Opening fixes the voters from the members this device knows: bring them up to date first.
    await secretariat.sync();
    await openVoteFrom(secretariat.client, proposalId);
    const offerId = await secretariat.client.create('offer', {
      title: titles.offer,
      kind: 'training',
      description: '为期三天的饮水工程管护培训。',
      places: 10,
      opensAt: now(),
      closesAt: now() + 40 * DAY_MS,
    });
    await secretariat.client.mutate(offerId, offerMutators.setState, 'published');
    await secretariat.sync();

    // Ballots: the first round ties three ways, Dali goes out, and its ballot carries Kaili.
    at(-8);
    const cast = async (voter: Awaited<ReturnType<typeof device>>, ranking: string[]) => {
      await voter.sync();
      await voter.client.create('ballot', { proposalId, isSecret: false });
      await voter.client.mutate(ballotId(proposalId, voter.orgId), ballotMutators.cast, { method: 'ranked', ranking });
    };
    await cast(gardens, ['a-kaili', 'b-liuku']);
    await gardens.client.create('interest', { offerId, message: 'We would send two teachers.' });
    await gardens.sync();
    await cast(secretariat, ['c-dali', 'a-kaili']);
    await secretariat.sync();
    // Cast offline before closing, carried to the hub a day after it closed (within the grace).
    await cast(water, ['b-liuku', 'a-kaili']);
    at(-2);
    await water.sync();

    at(-1);
    await secretariat.sync();
    await secretariat.client.mutate(interestId(offerId, gardens.orgId), interestMutators.move, { stage: 'shortlisted', note: '' });
    await secretariat.sync();

    at(0);
    await secretariat.sync();
    for (const other of [farm, gardens, water]) {
      const index = opened.findIndex((item) => item.client === other.client);
      const [closing] = opened.splice(index, 1);
      await closing!.engine.stop();
      await closing!.client.close();
    }
    return {
      hub,
      client: secretariat.client,
      orgIds: { gardens: gardens.orgId, water: water.orgId, farm: farm.orgId, secretariat: secretariat.orgId },
      proposalId,
      now: now(),
      async seal() {
        at(1);
        await hub.hub.sealDue(now());
        await secretariat.sync();
        return now();
      },
      async close() {
        for (const item of opened) {
          await item.engine.stop();
          await item.client.close();
        }
        await hub.close();
      },
    };
  } catch (error) {
    for (const item of opened) {
      await item.engine.stop().catch(() => undefined);
      await item.client.close().catch(() => undefined);
    }
    await hub.close();
    throw error;
  }
}

/** The report's language, translated through the app's own catalogs with i18next. */
export async function reportLocale(language: Language): Promise<ReportLocale> {
  const instance = i18next.createInstance();
  await instance.init({
    resources: { en: { translation: catalogs.en }, 'zh-CN': { translation: catalogs['zh-CN'] } },
    lng: language,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  const t = instance.getFixedT(language);
  return { t: (key, values) => t(key, values ?? {}), language, timeZone: 'UTC' };
}
