import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { describeBlob } from '../../shared/blobs/describeBlob';
import { FileHubBlobStorage } from '../../server/storage/fileHubBlobStorage';
import type { HubBlobStorage } from '../../server/storage/hubBlobStorage';
import { openPostgresHubBlobStorage } from '../../server/storage/postgresHubBlobStorage';
import { hubBlobStorageContract } from '../unit/hubBlobStorage.contract';

// Files always; PostgreSQL when FIELDWISE_TEST_DATABASE_URL names a database, e.g.
//   FIELDWISE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx vitest run test/integration/hubBlobStorage.test.ts
// Each PostgreSQL storage gets a schema of its own, dropped after the suite.

const databaseUrl = process.env.FIELDWISE_TEST_DATABASE_URL;

const folders = new Map<HubBlobStorage, string>();
hubBlobStorageContract(
  'files',
  async (now) => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-blobs-'));
    const storage = new FileHubBlobStorage(dir, now);
    folders.set(storage, dir);
    return storage;
  },
  async (storage) => {
    rmSync(folders.get(storage)!, { recursive: true, force: true });
    folders.delete(storage);
  },
);

describe('files: the data folder', () => {
  test('keeps blobs under blobs/ and uploads apart, owner-only, and leaves no upload file once stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-blobs-'));
    try {
      const storage = new FileHubBlobStorage(dir);
      const bytes = randomBytes(3000);
      const content = describeBlob(bytes, 'image/jpeg');
      const { uploadId } = await storage.createUpload(content);
      await storage.appendUpload(uploadId, 0, bytes.subarray(0, 1000));
      expect(statSync(join(dir, 'blob-uploads', `${uploadId}.part`)).mode & 0o777).toBe(0o600);
      await storage.appendUpload(uploadId, 1000, bytes.subarray(1000));
      const path = join(dir, 'blobs', content.sha256.slice(0, 2), content.sha256);
      expect(statSync(path).size).toBe(3000);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'blobs')).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'blob-uploads')).mode & 0o777).toBe(0o700);
      expect(() => statSync(join(dir, 'blob-uploads', `${uploadId}.part`))).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(databaseUrl !== undefined)('PostgreSQL blob storage', () => {
  const connectionString = databaseUrl ?? '';
  const pool = new pg.Pool({ connectionString, max: 4 });
  const schemas: string[] = [];

  afterAll(async () => {
    for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  hubBlobStorageContract('postgres', async (now) => {
    const schema = `fw_blob_${process.pid}_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    return openPostgresHubBlobStorage({ pool, schema, now });
  });

  test('keeps a blob in rows of at most 1 MiB and reads any range across them', async () => {
    const schema = `fw_blob_${process.pid}_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    const storage = await openPostgresHubBlobStorage({ pool, schema });
    const bytes = randomBytes(2.5 * 1024 * 1024);
    const content = describeBlob(bytes, 'image/jpeg');
    const { uploadId } = await storage.createUpload(content);
    // Chunks that do not fall on row boundaries.
    let offset = 0;
    for (const size of [700_000, 1_300_000, bytes.length - 2_000_000]) {
      await storage.appendUpload(uploadId, offset, bytes.subarray(offset, offset + size));
      offset += size;
    }
    const rows = await pool.query<{ size: number }>(`SELECT octet_length(bytes) AS size FROM "${schema}".blob_chunks WHERE sha256 = $1`, [content.sha256]);
    expect(Math.max(...rows.rows.map((row) => row.size))).toBeLessThanOrEqual(1024 * 1024);
    expect(Buffer.from((await storage.get(content.sha256))!).equals(bytes)).toBe(true);
    const range = await storage.get(content.sha256, { offset: 1_048_000, length: 1_100_000 });
    expect(Buffer.from(range!).equals(bytes.subarray(1_048_000, 2_148_000))).toBe(true);
  });
});
