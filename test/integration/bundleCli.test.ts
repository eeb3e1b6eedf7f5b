import { randomBytes } from 'node:crypto';
import { get as httpGet } from 'node:http';
import pg from 'pg';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toBase64UrlEncoded } from 'lib0/buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntryInput } from '../../shared/records/entry';
import { newSigningKey, readBundle, streamCompression } from '../../shared/sync/bundle';
import { exportFieldBundle, hubPublicKeyOf, importHubBundle } from '../../shared/sync/bundleTransfer';
import { joinResponseSchema } from '../../shared/sync/protocol';
import { syncStateOf } from '../../shared/sync/syncState';
import { runHubCommand, startHubProcess, type HubProcess } from '../support/hubProcess';
import { syncedClient, type SyncedClient } from '../support/syncedClient';

/*
 * `hub import-bundle` and `hub export-bundle` as the secretariat runs them: real processes on a
 * real data folder, while the hub also serves from it, with bundle files on disk.
 */

const compression = streamCompression(CompressionStream, DecompressionStream);

const practice: EntryInput = {
  kind: 'practice',
  title: '旱季储水 Storing water for the dry season',
  body: 'Line the pit with clay.',
  tags: ['water'],
  language: 'zh-CN',
  attribution: { holderKind: 'community', holderName: 'Xishan village', consent: 'community-approved' },
  sharing: 'network',
};

const baseUrl = process.env.FIELDWISE_TEST_DATABASE_URL;

interface Backend {
  /** The storage options every command gets (`--data DIR` or `--database-url URL`). */
  readonly args: readonly string[];
  dispose(): Promise<void>;
}

async function sqliteBackend(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwise-bundle-cli-'));
  return { args: ['--data', dir], dispose: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** A database of its own on the PostgreSQL CI gives, dropped afterwards. */
async function postgresBackend(): Promise<Backend> {
  const database = `fw_bundles_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(baseUrl!);
  url.pathname = `/${database}`;
  return {
    args: ['--database-url', url.toString()],
    async dispose() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await client.end();
    },
  };
}

const backends: [string, () => Promise<Backend>][] = [['SQLite', sqliteBackend], ...(baseUrl ? [['PostgreSQL', postgresBackend] as [string, () => Promise<Backend>]] : [])];

describe.each(backends)('hub command line: sync bundles (%s)', (_name, openBackend) => {
  let backend: Backend;
  let data: string;
  let serving: HubProcess;
  let field: SyncedClient;
  let secretKey: Uint8Array;

  // A fresh connection each time: spawnSync blocks this process for seconds, long enough for the
  // hub to close an idle keep-alive connection that fetch would then try to reuse.
  const health = (): Promise<number> =>
    new Promise((resolve, reject) => {
      httpGet(`${serving.url}/health`, { agent: false }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve((JSON.parse(body) as { seq: number }).seq));
      }).on('error', reject);
    });
  const checkpoint = async (): Promise<number> => syncStateOf(field.client).checkpoint();

  beforeAll(async () => {
    backend = await openBackend();
    // Bundle files live here whichever storage the hub uses.
    data = mkdtempSync(join(tmpdir(), 'fieldwise-bundle-files-'));
    expect(runHubCommand(['init', ...backend.args, '--network', 'Water Network 水网络']).status).toBe(0);
    const invite = runHubCommand(['invite', ...backend.args, '--org-name', '西山用水户协会', '--role', 'member']);
    expect(invite.status, invite.stderr).toBe(0);
    serving = await startHubProcess([...backend.args]);
    const key = newSigningKey();
    secretKey = key.secretKey;
    const response = await fetch(`${serving.url}/v1/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: invite.lastLine, deviceName: 'field laptop', devicePublicKey: toBase64UrlEncoded(key.publicKey) }),
    });
    field = await syncedClient({ url: serving.url }, joinResponseSchema.parse(await response.json()), { engine: { isLive: false } });
    await field.engine.syncNow();
  }, 120_000);

  afterAll(async () => {
    await field?.close();
    await serving?.kill();
    await backend?.dispose();
    rmSync(data, { recursive: true, force: true });
  });

  it('imports a field bundle once, refuses damaged files, and writes a hub bundle the app applies', async () => {
    const id = await field.client.create('entry', practice);
    const { bytes } = await exportFieldBundle(field.client, { networkId: field.join.networkId, credentialId: field.join.credentialId, secretKey, compression });
    const file = join(data, 'from-field.fwbundle');
    writeFileSync(file, bytes);
    const seq = await health();

    const imported = runHubCommand(['import-bundle', ...backend.args, file]);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.lastLine).toBe(`1 record(s) committed, 0 already up to date; hub seq ${seq + 1}`);
    expect(await health()).toBe(seq + 1);

    const again = runHubCommand(['import-bundle', ...backend.args, file]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.lastLine).toBe(`0 record(s) committed, 1 already up to date; hub seq ${seq + 1}`);

    const damaged = bytes.slice();
    damaged[damaged.length - 120] = damaged[damaged.length - 120]! ^ 0x10;
    writeFileSync(join(data, 'damaged.fwbundle'), damaged);
    const tampered = runHubCommand(['import-bundle', ...backend.args, join(data, 'damaged.fwbundle')]);
    expect(tampered.status).toBe(1);
    expect(tampered.stderr).toMatch(/^refused \(bad-bundle\): tampered/);
    writeFileSync(join(data, 'short.fwbundle'), bytes.subarray(0, bytes.length / 2));
    const truncated = runHubCommand(['import-bundle', ...backend.args, join(data, 'short.fwbundle')]);
    expect(truncated.status).toBe(1);
    expect(truncated.stderr).toMatch(/^refused \(bad-bundle\): truncated/);
    expect(await health()).toBe(seq + 1);

    const missing = runHubCommand(['import-bundle', ...backend.args, join(data, 'nowhere.fwbundle')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot read');
    expect(runHubCommand(['import-bundle', ...backend.args]).status).toBe(2);

    // Back to the field: everything since the device's checkpoint.
    const since = await checkpoint();
    const out = join(data, 'to-field.fwbundle');
    const exported = runHubCommand(['export-bundle', ...backend.args, '--org', field.join.org.id, '--since', String(since), out]);
    expect(exported.status, exported.stderr).toBe(0);
    expect(exported.lastLine).toBe(`bundle written to ${out}`);
    expect(existsSync(`${out}.partial`)).toBe(false);
    const hubBundle = new Uint8Array(readFileSync(out));
    expect(readBundle(hubBundle).header).toMatchObject({ kind: 'hub-to-org', orgId: field.join.org.id, fromSeq: since, toSeq: seq + 1, recordCount: 1 });

    const result = await importHubBundle(field.client, hubBundle, { networkId: field.join.networkId, hubPublicKey: await hubPublicKeyOf(field.client), compression });
    expect(result.checkpointAfter).toBe(seq + 1);
    expect((await field.client.get(id))?.seq).toBe(seq + 1);

    expect(runHubCommand(['export-bundle', ...backend.args, '--org', field.join.org.id, out]).status).toBe(2);
    const unknownOrg = runHubCommand(['export-bundle', ...backend.args, '--org', 'org-nope', '--since', '0', join(data, 'nope.fwbundle')]);
    expect(unknownOrg.status).toBe(1);
    expect(unknownOrg.stderr).toContain('refused (not-found)');
  }, 120_000);
});
