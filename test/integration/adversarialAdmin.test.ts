import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { HubStorage } from '../../server/storage/hubStorage';
import { openPostgresStorage } from '../../server/storage/postgresStorage';
import { openSqliteStorage } from '../../server/storage/sqliteStorage';
import { startTestHub } from '../support/hub';
import { request } from '../support/hubRequests';

/*
 * Adversarial review (issue 14): "revoking the secretariat's own last device" must be refused
 * (secretariat-protected). The check reads the standing devices, then revokes: two revocations
 * sent at once both pass the check.
 */

const databaseUrl = process.env.FIELDWISE_TEST_DATABASE_URL;
const pgSchemas: string[] = [];

const adapters: { name: string; open(dir: string): Promise<HubStorage> | HubStorage }[] = [
  { name: 'sqlite', open: (dir) => openSqliteStorage(`${dir}/adv.sqlite`) },
  ...(databaseUrl
    ? [
        {
          name: 'postgres',
          open: () => {
            const schema = `fw_adv_${process.pid}_${randomBytes(5).toString('hex')}`;
            pgSchemas.push(schema);
            return openPostgresStorage({ connectionString: databaseUrl, schema });
          },
        },
      ]
    : []),
];

afterAll(async () => {
  if (!databaseUrl || pgSchemas.length === 0) return;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const schema of pgSchemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
});

describe.each(adapters)('adversarial: the secretariat keeps a device ($name)', (adapter) => {
  it("refuses to revoke the secretariat's last standing device when all its devices are revoked at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-adv-'));
    const hub = await startTestHub({ storage: await adapter.open(dir) });
    try {
      const first = await hub.join(hub.secretariatCode, 'office desktop');
      let actor = first;
      // The race is not won every time: try a few rounds, each revoking every standing device at once.
      for (let round = 0; round < 6; round++) {
        const fresh = [await hub.join(await hub.inviteDevice(first.org.id), `laptop ${round}a`), await hub.join(await hub.inviteDevice(first.org.id), `laptop ${round}b`)];
        const standingBefore = (await hub.storage.listDevices()).filter((device) => device.orgId === first.org.id && device.revokedAt === null);
        actor = fresh[0]!;
        const answers = await Promise.all(
          standingBefore.map((device) =>
            request(hub.url, `/v1/admin/devices/${encodeURIComponent(device.id)}/revoke`, {
              method: 'POST',
              token: actor.token,
              body: JSON.stringify({ reason: 'lost' }),
              headers: { 'content-type': 'application/json' },
            }),
          ),
        );
        const standing = (await hub.storage.listDevices()).filter((device) => device.orgId === first.org.id && device.revokedAt === null);
        // Observed on PostgreSQL: every revocation answered 200 and no secretariat device stands.
        expect(standing.length, `round ${round}: ${answers.map((answer) => answer.status).join(', ')}`).toBeGreaterThanOrEqual(1);
      }
    } finally {
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
