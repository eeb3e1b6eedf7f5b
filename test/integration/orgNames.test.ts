import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { orgMutators } from '../../shared/records/org';
import type { Role } from '../../shared/records/recordType';
import { errorBodySchema, type JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, editContext, push, type HubAnswer } from '../support/hubRequests';

/*
 * One organization cannot take another's name, through POST /v1/push and /yjs/<id>: a profile
 * renamed to another organization's name in another case, width or with spaces around it is
 * refused with 409 `name-taken`, and nothing is written.
 */

let hub: TestHub;
let member: JoinResponse;
let other: JoinResponse;

beforeAll(async () => {
  hub = await startTestHub();
  member = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
  other = await hub.join(await hub.invite('Erhai Watershed Alliance', 'steward'));
});

afterAll(async () => {
  await hub.close();
});

async function rename(device: JoinResponse, name: string): Promise<HubAnswer> {
  const stored = (await hub.storage.getRecord(device.org.id))!;
  const update = changeUpdate(stored.state, (doc) => orgMutators.setProfile.apply(doc, { name }, editContext(device.org.id, device.role as Role)));
  return push(hub.url, device.token, [{ id: device.org.id, type: 'org', update }]);
}

async function expectNameTaken(name: string): Promise<void> {
  const before = (await hub.storage.getRecord(member.org.id))!;
  const answer = await rename(member, name);
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 409, body: { error: { code: 'name-taken', recordId: member.org.id } } });
  errorBodySchema.parse(answer.body);
  expect((await hub.storage.getRecord(member.org.id))!.seq).toBe(before.seq);
}

describe("a profile cannot take another organization's name", () => {
  for (const name of ['Erhai Watershed Alliance', 'ERHAI watershed alliance', '  Erhai Watershed Alliance ', 'Ｅｒｈａｉ Ｗａｔｅｒｓｈｅｄ Ａｌｌｉａｎｃｅ']) {
    it(`refuses ${JSON.stringify(name)} (409 name-taken)`, () => expectNameTaken(name));
  }

  it('refuses the name another organization gave its own profile, not only the registered one', async () => {
    expect((await rename(other, '洱海流域联盟')).status).toBe(200);
    await expectNameTaken('洱海流域联盟 ');
  });

  it('lets an organization rename itself, its own name in another case included', async () => {
    expect((await rename(member, 'Fengyu Farmers Co-op')).status).toBe(200);
    expect((await rename(member, 'FENGYU FARMERS CO-OP')).status).toBe(200);
  });

  it('refuses the same rename through /yjs', async () => {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(`${hub.url.replace(/^http/, 'ws')}/yjs`, member.org.id, doc, {
      params: { token: member.token },
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      maxBackoffTime: 100,
    });
    try {
      const deadline = Date.now() + 5_000;
      while (!provider.synced && Date.now() < deadline) await sleep(20);
      expect(provider.synced).toBe(true);
      const before = (await hub.storage.getRecord(member.org.id))!;
      const refusals = () => hub.logs.filter((entry) => entry.path === '/yjs' && entry.recordId === member.org.id && entry.code === 'name-taken').length;
      doc.getMap('fields').set('name', 'erhai watershed alliance');
      while (refusals() === 0 && Date.now() < deadline + 5_000) await sleep(20);
      expect(refusals()).toBeGreaterThan(0);
      expect((await hub.storage.getRecord(member.org.id))!.seq).toBe(before.seq);
    } finally {
      provider.destroy();
      doc.destroy();
    }
  });
});
