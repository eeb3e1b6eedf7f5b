import { afterEach, describe, expect, it } from 'vitest';
import { openClient } from '../../shared/client/client';
import type { EntryInput } from '../../shared/records/entry';
import { roleSchema } from '../../shared/records/recordType';
import type { JoinResponse } from '../../shared/sync/protocol';
import { SyncEngine } from '../../shared/sync/syncEngine';
import type { Clock } from '../../shared/sync/transport';
import { memoryStorage, uniqueName } from '../support/clients';
import { manualClock, startTestHub, type ManualClock, type TestHub } from '../support/hub';
import { httpTransportFor, waitFor } from '../support/syncedClient';
import i18next from 'i18next';
import { catalogs } from '../../renderer/i18n/catalogs';
import { refusalText } from '../../renderer/i18n/refusalText';

/*
 * What the app does with a quota refusal (server/hub/quotas.ts), through a real hub: a 429
 * `quota-records` is waited out for as long as Retry-After says and then sent, nothing
 * quarantined; a 413 `quota-bytes` quarantines the record (kept on the device, listed with the
 * reason in words) since retrying cannot help until the organization has room again.
 */

const practice: EntryInput = { kind: 'practice', title: 'Straw mulch', language: 'en' };

/** The engine's clock is the hub's hand-moved one; its timers run when the test says they are due. */
function engineClockOn(clock: ManualClock): Clock & { runDue(): void; pendingDelays(): number[] } {
  const timers = new Set<{ at: number; delay: number; callback: () => void }>();
  return {
    now: clock.now,
    setTimeout(callback, delayMs) {
      const timer = { at: clock.now() + delayMs, delay: delayMs, callback };
      timers.add(timer);
      return timer;
    },
    clearTimeout(handle) {
      timers.delete(handle as never);
    },
    runDue() {
      for (const timer of [...timers]) {
        if (timer.at > clock.now()) continue;
        timers.delete(timer);
        timer.callback();
      }
    },
    pendingDelays: () => [...timers].map((timer) => timer.delay),
  };
}

let hub: TestHub | undefined;
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await hub?.close();
  hub = undefined;
});

async function deviceOf(testHub: TestHub, join: JoinResponse, clock: Clock) {
  const client = await openClient({ storage: memoryStorage(), name: uniqueName('quota'), identity: { orgId: join.org.id, deviceId: join.deviceId, role: roleSchema.parse(join.role) } });
  const engine = new SyncEngine(client, httpTransportFor(testHub, join), clock, { isLive: false });
  closers.push(async () => {
    await engine.stop();
    await client.close();
  });
  return { client, engine };
}

describe('the sync engine and the quotas', () => {
  it('waits out a quota-records refusal for Retry-After, then sends, quarantining nothing', async () => {
    const clock = manualClock();
    hub = await startTestHub({ now: clock.now, quotas: { newRecordsPerMinute: 2 } });
    const join = await hub.join(await hub.invite('Dali Rural Education Fund'));
    const engineClock = engineClockOn(clock);
    const { client, engine } = await deviceOf(hub, join, engineClock);

    await client.create('entry', practice);
    await engine.syncNow();
    clock.advance(10_000);
    const later = [await client.create('entry', { ...practice, title: 'Seed fair' }), await client.create('entry', { ...practice, title: 'Water rota' })];
    await engine.start();
    await waitFor(() => engine.status.state === 'error', 5_000, 'the push to be refused');
    expect(engine.status).toMatchObject({ state: 'error', code: 'quota-records', nextRetryAt: clock.now() + 50_000, quarantinedCount: 0 });
    expect(await engine.quarantined()).toEqual([]);

    clock.advance(50_000);
    engineClock.runDue();
    await waitFor(async () => (await hub!.storage.getRecord(later[1]!)) !== null && engine.status.state !== 'syncing' && engine.status.pendingCount === 0, 5_000, 'the retry to send the rest');
    for (const id of later) expect(await hub.storage.getRecord(id)).not.toBeNull();
    expect(await engine.quarantined()).toEqual([]);
  });

  it('quarantines a record refused quota-bytes, with the reason in words, and sends the rest', async () => {
    // Room for the small entry and one of 2,000 characters (each kept twice: state and logged
    // update), not for a second one: entries grew by this round's fields, so 6,000 no longer held two.
    hub = await startTestHub({ quotas: { storedBytes: 7_000 } });
    const join = await hub.join(await hub.invite('Dali Rural Education Fund'));
    const { client, engine } = await deviceOf(hub, join, engineClockOn(manualClock()));

    const small = await client.create('entry', practice);
    await engine.syncNow();
    const big = await client.create('entry', { ...practice, title: 'Long notes', summary: 'w'.repeat(2000) });
    const bigger = await client.create('entry', { ...practice, title: 'Longer notes', summary: 'x'.repeat(2000) });
    await engine.syncNow();

    const quarantined = await engine.quarantined();
    expect(quarantined.map((entry) => ({ recordId: entry.recordId, code: entry.code }))).toEqual([{ recordId: bigger, code: 'quota-bytes' }]);
    expect(await hub.storage.getRecord(bigger)).toBeNull();
    expect(await hub.storage.getRecord(big)).not.toBeNull();
    expect(await hub.storage.getRecord(small)).not.toBeNull();

    const i18n = i18next.createInstance();
    await i18n.init({ lng: 'en', resources: { en: { translation: catalogs.en }, 'zh-CN': { translation: catalogs['zh-CN'] } } });
    expect(refusalText(i18n.t, quarantined[0])).toMatch(/space the hub keeps/);
    await i18n.changeLanguage('zh-CN');
    expect(refusalText(i18n.t, quarantined[0])).toMatch(/空间/);
  });
});
