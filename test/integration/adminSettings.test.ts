import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NetworkSettings } from '../../shared/sync/adminProtocol';
import type { JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { request } from '../support/hubRequests';

/*
 * Tester's walk (adv-walk), through real HTTP on a real hub. The console's settings form sends
 * the whole form on every save; the audit log then said the secretariat changed "networkName,
 * regions, secretariatName, topic, topics" when only the network's name had changed. An audit
 * log that lists changes nobody made cannot be trusted. And two provinces both named 云南省 /
 * Yunnan were saved side by side, so entries and counts split over two "Yunnan"s.
 */

describe('network settings, as the console saves them', () => {
  let hub: TestHub;
  let secretariat: JoinResponse;
  const admin = (method: string, path: string, body?: unknown) =>
    request(hub.url, path, { method, token: secretariat.token, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

  beforeEach(async () => {
    hub = await startTestHub();
    secretariat = await hub.join(hub.secretariatCode, 'Secretariat desk');
  });
  afterEach(async () => {
    await hub?.close();
  });

  it('audits only the settings that changed', async () => {
    const current = ((await admin('GET', '/v1/admin/settings')).body as { settings: NetworkSettings }).settings;
    const answer = await admin('PUT', '/v1/admin/settings', { networkName: '滇西农业网络', secretariatName: current.secretariatName, topic: current.topic, topics: current.topics, regions: current.regions });
    expect(answer.status).toBe(200);
    const [latest] = await hub.storage.listAudit({ limit: 1 });
    expect(latest?.action).toBe('settings');
    expect(latest?.details).toMatchObject({ fields: ['networkName'] });
  });

  it('refuses two regions of the same name under the same parent, writing nothing', async () => {
    const before = await hub.storage.lastSeq();
    const answer = await admin('PUT', '/v1/admin/settings', {
      regions: [
        { id: 'r-1', parentId: null, level: 'province', names: { zh: '云南省', en: 'Yunnan' } },
        { id: 'r-2', parentId: null, level: 'province', names: { zh: '云南省', en: 'Yunnan' } },
      ],
    });
    expect({ status: answer.status, code: (answer.body as { error?: { code?: string } }).error?.code }).toEqual({ status: 400, code: 'bad-region-tree' });
    expect(await hub.storage.lastSeq()).toBe(before);
    // The same name in other case or width is the same name.
    const sameInOtherCase = await admin('PUT', '/v1/admin/settings', {
      regions: [
        { id: 'r-1', parentId: null, level: 'province', names: { zh: '云南省', en: 'Yunnan' } },
        { id: 'r-2', parentId: null, level: 'province', names: { zh: '云南', en: ' ＹＵＮＮＡＮ ' } },
      ],
    });
    expect(sameInOtherCase.status).toBe(400);
    expect(await hub.storage.lastSeq()).toBe(before);
  });
});
