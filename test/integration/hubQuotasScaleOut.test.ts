import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import { joinResponseSchema, type JoinResponse } from '../../shared/sync/protocol';
import { createUpdate, editContext } from '../support/hubRequests';
import { runHubCommand, startHubProcess, type HubProcess } from '../support/hubProcess';

/*
 * The per-organization quotas hold across hub processes on one PostgreSQL, as `hub serve` sets
 * them from its options: records an organization created through one process count at the other,
 * and so do its bytes. Runs when a PostgreSQL URL is given; the database is its own and dropped.
 */

const baseUrl = process.env.FIELDWISE_TEST_DATABASE_URL;
const entryInput: EntryInput = { kind: 'practice', title: 'Straw mulch', language: 'en' };
let counter = 0;

describe.runIf(Boolean(baseUrl))('quotas across two hub processes on one PostgreSQL', () => {
  const database = `fw_quotas_${process.pid}_${randomBytes(4).toString('hex')}`;
  let databaseUrl: string;
  let hubs: HubProcess[] = [];

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const url = new URL(baseUrl!);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
    const init = runHubCommand(['init', '--database-url', databaseUrl, '--network', 'Quota network']);
    expect(init.status, init.stderr).toBe(0);
    // 1 MiB is the smallest stored-bytes quota the option takes.
    const quotas = ['--quota-records-per-minute', '10', '--quota-storage-mib', '1'];
    hubs = await Promise.all([startHubProcess(['--database-url', databaseUrl, ...quotas]), startHubProcess(['--database-url', databaseUrl, ...quotas])]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(hubs.map((hub) => hub.kill()));
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  async function joinAt(hub: HubProcess, orgName: string): Promise<JoinResponse> {
    const code = runHubCommand(['invite', '--database-url', databaseUrl, '--org-name', orgName, '--role', 'member']).lastLine;
    const response = await fetch(`${hub.url}/v1/join`, { method: 'POST', body: JSON.stringify({ code, deviceName: 'laptop' }) });
    return joinResponseSchema.parse(await response.json());
  }

  const entries = (who: JoinResponse, count: number, body = '') =>
    Array.from({ length: count }, () => {
      const ctx = editContext(who.org.id, 'member');
      return { id: `entry-quota-${process.pid}-${++counter}`, update: createUpdate('entry', entryInput, ctx, (doc) => (body ? entryMutators.setBody.apply(doc, body, ctx) : undefined)) };
    });

  async function pushTo(hub: HubProcess, device: JoinResponse, records: readonly { id: string; update: Uint8Array }[]) {
    const response = await fetch(`${hub.url}/v1/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${device.token}` },
      body: JSON.stringify({ records: records.map((record) => ({ id: record.id, type: 'entry', update: Buffer.from(record.update).toString('base64') })) }),
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as unknown };
  }

  it('counts new records made through the other process', async () => {
    const [first, second] = hubs as [HubProcess, HubProcess];
    const alpha = await joinAt(first, 'Dali Rural Education Fund');
    const beta = await joinAt(second, 'Heqing Water Users Association');
    expect((await pushTo(first, alpha, entries(alpha, 6))).status).toBe(200);
    const refused = await pushTo(second, alpha, entries(alpha, 6));
    expect(refused).toMatchObject({ status: 429, body: { error: { code: 'quota-records' } } });
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect((await pushTo(second, beta, entries(beta, 3))).status).toBe(200);
  });

  it('counts bytes stored through the other process', async () => {
    const [first, second] = hubs as [HubProcess, HubProcess];
    const gamma = await joinAt(first, 'Lijiang Seed Savers');
    // 20,000 three-byte characters: each entry takes about 120 KB (its state and its logged update).
    const body = '水'.repeat(20_000);
    const fitting = Math.floor((1024 * 1024) / (2 * entries(gamma, 1, body)[0]!.update.length));
    let accepted = 0;
    for (let attempt = 0; attempt <= fitting; attempt++) {
      const answer = await pushTo(first, gamma, entries(gamma, 1, body));
      if (answer.status !== 200) {
        expect(answer).toMatchObject({ status: 413, body: { error: { code: 'quota-bytes' } } });
        break;
      }
      accepted += 1;
    }
    expect(accepted).toBeGreaterThanOrEqual(fitting - 1);
    expect(accepted).toBeLessThanOrEqual(fitting);
    // The other process, which took none of these, refuses the next one too.
    expect(await pushTo(second, gamma, entries(gamma, 1, body))).toMatchObject({ status: 413, body: { error: { code: 'quota-bytes' } } });
  });
});
