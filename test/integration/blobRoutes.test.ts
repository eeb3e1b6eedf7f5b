// The blob routes through real HTTP on a real hub (issue 18), for both storage pairs: SQLite with
// blobs in the data folder, and PostgreSQL with blobs in its rows (when FIELDWISE_TEST_DATABASE_URL
// names a database, e.g.
//   FIELDWISE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx vitest run test/integration/blobRoutes.test.ts).
// Each bad input says what it gets, and that nothing else is lost.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { describeBlob } from '../../shared/blobs/describeBlob';
import type { BlobContent } from '../../shared/blobs/blobRef';
import type { Attachment } from '../../shared/records/attachments';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import type { EntryLabelId } from '../../shared/records/entryLabels';
import type { Role } from '../../shared/records/recordType';
import type { JoinResponse } from '../../shared/sync/protocol';
import { blobLimits } from '../../server/hub/blobAccess';
import type { HubBlobStorage } from '../../server/storage/hubBlobStorage';
import { openPostgresStorage } from '../../server/storage/postgresStorage';
import { openPostgresHubBlobStorage } from '../../server/storage/postgresHubBlobStorage';
import { manualClock, startTestHub, type ManualClock, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, pull, push, request } from '../support/hubRequests';
import { blobsMissing, createUpload, deleteUpload, droppedChunk, getBlob, sendChunk, uploadBlob, uploadStatus } from '../support/blobRequests';

const databaseUrl = process.env.FIELDWISE_TEST_DATABASE_URL;

const practice: EntryInput = {
  kind: 'local-wisdom',
  title: 'When the ants foretell rain',
  body: 'An elder explains, in a voice note.',
  language: 'zh-CN',
  attribution: { holderKind: 'community', holderName: 'Fengyu village elders', consent: 'community-approved' },
  sharing: 'network',
};

interface Photo {
  readonly bytes: Uint8Array;
  readonly content: BlobContent;
}

const photoOf = (sizeBytes: number, mediaType = 'image/jpeg'): Photo => {
  const bytes = new Uint8Array(randomBytes(sizeBytes));
  return { bytes, content: describeBlob(bytes, mediaType) };
};

const attachmentOf = (photo: Photo, consent: Attachment['consent'] = 'given'): Omit<Attachment, 'addedAt' | 'addedBy'> => ({
  kind: 'photo',
  ref: { ...photo.content, variants: {} },
  name: 'ants.jpg',
  caption: '',
  consent,
  keepsLocation: false,
});

function blobRouteSuite(name: string, open: (clock: ManualClock) => Promise<TestHub>): void {
  describe(`blob routes: ${name}`, () => {
    let hub: TestHub;
    let clock: ManualClock;
    let owner: JoinResponse;
    let ownerSecond: JoinResponse;
    let other: JoinResponse;
    let observer: JoinResponse;
    let secretariat: JoinResponse;
    let entryCount = 0;

    beforeAll(async () => {
      clock = manualClock(Date.now());
      hub = await open(clock);
      owner = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
      ownerSecond = await hub.join(await hub.inviteDevice(owner.org.id));
      other = await hub.join(await hub.invite('Cangshan Seed Bank'));
      observer = await hub.join(await hub.invite('Provincial Agriculture Bureau', 'observer'));
      secretariat = await hub.join(hub.secretariatCode);
    });
    afterAll(async () => hub?.close());

    /** Pushes a new entry of `by` that attaches `photos`; returns its id. */
    async function attach(by: JoinResponse, photos: readonly { photo: Photo; consent?: Attachment['consent'] }[], entry: Partial<Omit<EntryInput, 'labels'>> & { labelIds?: EntryLabelId[] } = {}): Promise<string> {
      const id = `entry-blob-${++entryCount}`;
      const ctx = editContext(by.org.id, by.role as Role, clock.now());
      const { labelIds, ...input } = entry;
      const update = createUpdate('entry', { ...practice, ...input, ...(labelIds ? { labels: labelIds.map((label) => ({ id: label, texts: { en: 'Ask first', zh: '请先问' } })) } : {}) }, ctx, (doc: Y.Doc) => {
        photos.forEach(({ photo, consent }, index) => entryMutators.addAttachment.apply(doc, { id: `photo-${index}`, attachment: attachmentOf(photo, consent) }, ctx));
      });
      const answer = await push(hub.url, by.token, [{ id, type: 'entry', update }]);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return id;
    }

    async function detach(by: JoinResponse, entryId: string, attachmentId: string): Promise<void> {
      const state = (await hub.storage.getRecord(entryId))!.state;
      const update = changeUpdate(state, (doc) => entryMutators.removeAttachment.apply(doc, attachmentId, editContext(by.org.id, by.role as Role, clock.now())));
      expect((await push(hub.url, by.token, [{ id: entryId, type: 'entry', update }])).status).toBe(200);
    }

    async function isStored(photo: Photo): Promise<boolean> {
      return hub.hub.blobAccess.blobs.has(photo.content.sha256);
    }

    it('uploads in chunks, tells where an upload stands, and serves the blob whole to a reader', async () => {
      const photo = photoOf(2_500_000);
      await attach(owner, [{ photo }]);
      const created = await createUpload(hub.url, owner.token, photo.content);
      expect(created.status).toBe(201);
      expect(created.headers.get('tus-resumable')).toBe('1.0.0');
      expect(created.headers.get('upload-offset')).toBe('0');
      const location = created.headers.get('location')!;
      expect(location).toMatch(/^\/v1\/uploads\/[0-9a-f-]{36}$/);

      const first = await sendChunk(hub.url, owner.token, location, 0, photo.bytes.subarray(0, 1 << 20));
      expect(first.status).toBe(204);
      expect(first.headers.get('upload-offset')).toBe(String(1 << 20));
      const status = await uploadStatus(hub.url, owner.token, location);
      expect([status.status, status.headers.get('upload-offset'), status.headers.get('upload-length'), status.headers.get('cache-control')]).toEqual([200, String(1 << 20), '2500000', 'no-store']);
      expect(await isStored(photo)).toBe(false);
      expect((await sendChunk(hub.url, owner.token, location, 1 << 20, photo.bytes.subarray(1 << 20))).headers.get('upload-offset')).toBe('2500000');

      // Spent: the upload id is gone once the blob is stored.
      expect((await uploadStatus(hub.url, owner.token, location)).status).toBe(404);
      const read = await getBlob(hub.url, other.token, photo.content.sha256);
      expect(read.status).toBe(200);
      expect(Buffer.from(read.bytes).equals(Buffer.from(photo.bytes))).toBe(true);
      expect(Object.fromEntries(['content-type', 'content-length', 'accept-ranges', 'cache-control', 'x-content-type-options', 'content-disposition'].map((h) => [h, read.headers.get(h)]))).toEqual({
        'content-type': 'image/jpeg',
        'content-length': '2500000',
        'accept-ranges': 'bytes',
        'cache-control': 'private, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
        'content-disposition': 'attachment',
      });
    });

    it('resumes after a dropped link: the drop keeps no part of its chunk, HEAD says where to go on, and only the rest is sent', async () => {
      const photo = photoOf(300_000);
      await attach(owner, [{ photo }]);
      const location = (await createUpload(hub.url, owner.token, photo.content)).headers.get('location')!;
      expect((await sendChunk(hub.url, owner.token, location, 0, photo.bytes.subarray(0, 100_000))).status).toBe(204);
      await droppedChunk(hub.url, owner.token, location, 100_000, photo.bytes.subarray(100_000, 200_000), 40_000);
      // The device lost its upload id too: announcing the content again finds the same upload.
      const again = await createUpload(hub.url, owner.token, photo.content);
      expect([again.status, again.headers.get('location'), again.headers.get('upload-offset')]).toEqual([201, location, '100000']);
      expect((await uploadStatus(hub.url, owner.token, location)).headers.get('upload-offset')).toBe('100000');
      expect((await sendChunk(hub.url, owner.token, location, 100_000, photo.bytes.subarray(100_000))).status).toBe(204);
      expect(Buffer.from((await getBlob(hub.url, owner.token, photo.content.sha256)).bytes).equals(Buffer.from(photo.bytes))).toBe(true);
    });

    it('dedupes: a second device of the organization, and another organization that may read the blob, send nothing', async () => {
      const photo = photoOf(50_000);
      const entryId = await attach(owner, [{ photo }]);
      expect((await blobsMissing(hub.url, owner.token, [photo.content.sha256])).body).toEqual({ missing: [photo.content.sha256] });
      expect((await uploadBlob(hub.url, owner.token, photo.content, photo.bytes)).status).toBe(204);
      expect((await blobsMissing(hub.url, ownerSecond.token, [photo.content.sha256])).body).toEqual({ missing: [] });
      const second = await createUpload(hub.url, ownerSecond.token, photo.content);
      expect([second.status, second.headers.get('upload-offset'), second.headers.get('upload-length')]).toEqual([201, '50000', '50000']);
      // Another organization attaching the same photo to its own entry, having seen the first.
      await attach(other, [{ photo }]);
      const theirs = await createUpload(hub.url, other.token, photo.content);
      expect(theirs.headers.get('upload-offset')).toBe('50000');
      // Its reference counts on its own now: the first entry dropping the photo leaves it readable.
      await detach(owner, entryId, 'photo-0');
      expect((await getBlob(hub.url, other.token, photo.content.sha256)).status).toBe(200);
    });

    it('refuses bytes that do not match their hash with 422 hash-mismatch, discards the upload, and stores nothing', async () => {
      const photo = photoOf(20_000);
      const untouched = photoOf(10_000);
      await attach(owner, [{ photo }, { photo: untouched }]);
      const untouchedLocation = (await createUpload(hub.url, owner.token, untouched.content)).headers.get('location')!;
      await sendChunk(hub.url, owner.token, untouchedLocation, 0, untouched.bytes.subarray(0, 5000));
      const location = (await createUpload(hub.url, owner.token, photo.content)).headers.get('location')!;
      const tampered = photo.bytes.slice();
      tampered[19_999] = tampered[19_999]! ^ 1;
      const answer = await sendChunk(hub.url, owner.token, location, 0, tampered);
      expect([answer.status, (answer.body as { error: { code: string } }).error.code]).toEqual([422, 'hash-mismatch']);
      expect((await uploadStatus(hub.url, owner.token, location)).status).toBe(404);
      expect(await isStored(photo)).toBe(false);
      expect((await blobsMissing(hub.url, owner.token, [photo.content.sha256])).body).toEqual({ missing: [photo.content.sha256] });
      // The other upload goes on where it stood; the right bytes are taken afterwards.
      expect((await uploadStatus(hub.url, owner.token, untouchedLocation)).headers.get('upload-offset')).toBe('5000');
      expect((await uploadBlob(hub.url, owner.token, photo.content, photo.bytes)).status).toBe(204);
    });

    it('refuses a chunk out of order with 409 offset-mismatch naming the offset, and keeps what came before', async () => {
      const photo = photoOf(30_000);
      await attach(owner, [{ photo }]);
      const location = (await createUpload(hub.url, owner.token, photo.content)).headers.get('location')!;
      await sendChunk(hub.url, owner.token, location, 0, photo.bytes.subarray(0, 10_000));
      const ahead = await sendChunk(hub.url, owner.token, location, 20_000, photo.bytes.subarray(20_000));
      expect([ahead.status, ahead.body]).toEqual([409, { error: { code: 'offset-mismatch', offset: 10_000, message: expect.any(String) } }]);
      const resent = await sendChunk(hub.url, owner.token, location, 0, photo.bytes.subarray(0, 10_000));
      expect((resent.body as { error: { offset: number } }).error.offset).toBe(10_000);
      const pastEnd = await sendChunk(hub.url, owner.token, location, 10_000, new Uint8Array(25_000));
      expect([pastEnd.status, (pastEnd.body as { error: { code: string } }).error.code]).toEqual([413, 'size-mismatch']);
      const tooBig = await sendChunk(hub.url, owner.token, location, 10_000, new Uint8Array(blobLimits.maxChunkBytes + 1));
      expect([tooBig.status, (tooBig.body as { error: { code: string } }).error.code]).toEqual([413, 'body-too-large']);
      expect((await uploadStatus(hub.url, owner.token, location)).headers.get('upload-offset')).toBe('10000');
      expect((await sendChunk(hub.url, owner.token, location, 10_000, photo.bytes.subarray(10_000))).status).toBe(204);
    });

    it('refuses an upload over the network limit with 413 blob-too-large naming the limit, which the secretariat sets and devices read', async () => {
      const photo = photoOf(5000);
      await attach(owner, [{ photo }]);
      const set = await request(hub.url, '/v1/admin/settings', { method: 'PUT', token: secretariat.token, body: JSON.stringify({ maxAttachmentBytes: 4096 }), headers: { 'content-type': 'application/json' } });
      expect([set.status, (set.body as { settings: { maxAttachmentBytes: number } }).settings.maxAttachmentBytes]).toEqual([200, 4096]);
      const network = (await pull(hub.url, owner.token)).records.find((record) => record.meta.id === 'network');
      expect(network?.meta.projection?.maxAttachmentBytes).toBe(4096);
      try {
        const answer = await createUpload(hub.url, owner.token, photo.content);
        expect(answer.status).toBe(413);
        expect((answer.body as { error: { code: string; message: string } }).error).toMatchObject({ code: 'blob-too-large', message: expect.stringContaining('4096 bytes') });
        expect(await isStored(photo)).toBe(false);
      } finally {
        await request(hub.url, '/v1/admin/settings', { method: 'PUT', token: secretariat.token, body: JSON.stringify({ maxAttachmentBytes: 50 * 1024 * 1024 }), headers: { 'content-type': 'application/json' } });
      }
      expect((await uploadBlob(hub.url, owner.token, photo.content, photo.bytes)).status).toBe(204);
    });

    it('refuses an upload no record the caller may edit references (403 forbidden): no record, another organization\'s, an observer, another size or type', async () => {
      const photo = photoOf(4000);
      const forbidden = async (token: string, content: BlobContent) => {
        const answer = await createUpload(hub.url, token, content);
        expect([answer.status, (answer.body as { error: { code: string } }).error.code]).toEqual([403, 'forbidden']);
      };
      await forbidden(owner.token, photo.content);
      await attach(owner, [{ photo }]);
      await forbidden(other.token, photo.content);
      await forbidden(observer.token, photo.content);
      await forbidden(secretariat.token, photo.content);
      await forbidden(owner.token, { ...photo.content, sizeBytes: 3999 });
      await forbidden(owner.token, { ...photo.content, mediaType: 'text/html' });
      expect(await isStored(photo)).toBe(false);
    });

    it('answers a reader who may not read the record exactly as for a blob that is not there (404), and lists it as missing', async () => {
      const draftPhoto = photoOf(3000);
      await attach(owner, [{ photo: draftPhoto }], { sharing: 'private' });
      expect((await uploadBlob(hub.url, owner.token, draftPhoto.content, draftPhoto.bytes)).status).toBe(204);
      expect((await getBlob(hub.url, owner.token, draftPhoto.content.sha256)).status).toBe(200);
      const hidden = await getBlob(hub.url, other.token, draftPhoto.content.sha256);
      const absent = await getBlob(hub.url, other.token, 'f'.repeat(64));
      expect(hidden.status).toBe(404);
      expect(hidden.body).toEqual({ error: { code: 'not-found', message: `no blob ${draftPhoto.content.sha256} this device may read` } });
      expect(absent.body).toEqual({ error: { code: 'not-found', message: `no blob ${'f'.repeat(64)} this device may read` } });
      expect((await getBlob(hub.url, secretariat.token, draftPhoto.content.sha256)).status).toBe(404);
      expect((await blobsMissing(hub.url, other.token, [draftPhoto.content.sha256, 'f'.repeat(64)])).body).toEqual({ missing: [draftPhoto.content.sha256, 'f'.repeat(64)] });
    });

    it('keeps an attachment pending consent with its owner: the owner reads it, every other organization gets 404', async () => {
      const photo = photoOf(3000);
      await attach(owner, [{ photo, consent: 'pending' }]);
      expect((await uploadBlob(hub.url, owner.token, photo.content, photo.bytes)).status).toBe(204);
      expect((await getBlob(hub.url, ownerSecond.token, photo.content.sha256)).status).toBe(200);
      for (const reader of [other, observer, secretariat]) expect((await getBlob(hub.url, reader.token, photo.content.sha256)).status).toBe(404);
    });

    it('never unlocks a blob for an organization that only saw its hash: putting it in an entry of its own gets it a proof upload, not the bytes', async () => {
      const photo = photoOf(6000);
      await attach(owner, [{ photo, consent: 'pending' }]);
      expect((await uploadBlob(hub.url, owner.token, photo.content, photo.bytes)).status).toBe(204);
      // The pending attachment's reference (hash, size, type) reaches every reader of the entry.
      await attach(other, [{ photo }]);
      const created = await createUpload(hub.url, other.token, photo.content);
      expect([created.status, created.headers.get('upload-offset')]).toEqual([201, '0']);
      expect((await getBlob(hub.url, other.token, photo.content.sha256)).status).toBe(404);
      expect((await blobsMissing(hub.url, other.token, [photo.content.sha256])).body).toEqual({ missing: [photo.content.sha256] });
      const wrong = await sendChunk(hub.url, other.token, created.headers.get('location')!, 0, new Uint8Array(6000));
      expect((wrong.body as { error: { code: string } }).error.code).toBe('hash-mismatch');
      expect((await getBlob(hub.url, other.token, photo.content.sha256)).status).toBe(404);
      // The owner's copy is untouched.
      expect(Buffer.from((await getBlob(hub.url, owner.token, photo.content.sha256)).bytes).equals(Buffer.from(photo.bytes))).toBe(true);
    });

    it('never serves the blobs of an owner-only labelled entry to another organization', async () => {
      const photo = photoOf(3000);
      await attach(owner, [{ photo }], { labelIds: ['tk-secret-sacred'] });
      expect((await uploadBlob(hub.url, owner.token, photo.content, photo.bytes)).status).toBe(204);
      expect((await getBlob(hub.url, ownerSecond.token, photo.content.sha256)).status).toBe(200);
      for (const reader of [other, observer, secretariat]) {
        expect((await getBlob(hub.url, reader.token, photo.content.sha256)).status).toBe(404);
        expect((await blobsMissing(hub.url, reader.token, [photo.content.sha256])).body).toEqual({ missing: [photo.content.sha256] });
      }
    });

    it('reads byte ranges (206 with Content-Range), a suffix, and refuses a range outside the blob with 416 out-of-range', async () => {
      const photo = photoOf(10_000);
      await attach(owner, [{ photo }]);
      await uploadBlob(hub.url, owner.token, photo.content, photo.bytes);
      const part = await getBlob(hub.url, other.token, photo.content.sha256, { range: 'bytes=1000-1999' });
      expect([part.status, part.headers.get('content-range'), part.headers.get('content-length')]).toEqual([206, 'bytes 1000-1999/10000', '1000']);
      expect(Buffer.from(part.bytes).equals(Buffer.from(photo.bytes.subarray(1000, 2000)))).toBe(true);
      const rest = await getBlob(hub.url, other.token, photo.content.sha256, { range: 'bytes=9000-' });
      expect(Buffer.from(rest.bytes).equals(Buffer.from(photo.bytes.subarray(9000)))).toBe(true);
      const suffix = await getBlob(hub.url, other.token, photo.content.sha256, { range: 'bytes=-10' });
      expect(Buffer.from(suffix.bytes).equals(Buffer.from(photo.bytes.subarray(-10)))).toBe(true);
      const outside = await getBlob(hub.url, other.token, photo.content.sha256, { range: 'bytes=10000-' });
      expect([outside.status, outside.headers.get('content-range'), (outside.body as { error: { code: string } }).error.code]).toEqual([416, 'bytes */10000', 'out-of-range']);
    });

    it('keeps uploads to the organization that made them, and speaks tus 1.0.0 only (412 otherwise)', async () => {
      const photo = photoOf(8000);
      await attach(owner, [{ photo }]);
      const location = (await createUpload(hub.url, owner.token, photo.content)).headers.get('location')!;
      await sendChunk(hub.url, owner.token, location, 0, photo.bytes.subarray(0, 1000));
      expect((await uploadStatus(hub.url, other.token, location)).status).toBe(404);
      const foreign = await sendChunk(hub.url, other.token, location, 1000, photo.bytes.subarray(1000));
      expect([foreign.status, (foreign.body as { error: { code: string } }).error.code]).toEqual([404, 'unknown-upload']);
      expect((await deleteUpload(hub.url, other.token, location)).status).toBe(404);
      const oldTus = await createUpload(hub.url, owner.token, photo.content, { 'tus-resumable': '0.2.2' });
      expect([oldTus.status, oldTus.headers.get('tus-version'), (oldTus.body as { error: { code: string } }).error.code]).toEqual([412, '1.0.0', 'tus-unsupported']);
      const badMetadata = await createUpload(hub.url, owner.token, photo.content, { 'upload-metadata': 'sha256 !!!' });
      expect([badMetadata.status, (badMetadata.body as { error: { code: string } }).error.code]).toEqual([400, 'bad-request']);
      const wrongType = await sendChunk(hub.url, owner.token, location, 1000, photo.bytes.subarray(1000), { 'content-type': 'application/octet-stream' });
      expect(wrongType.status).toBe(400);
      expect((await uploadStatus(hub.url, owner.token, location)).headers.get('upload-offset')).toBe('1000');
      expect((await deleteUpload(hub.url, owner.token, location)).status).toBe(204);
      expect((await uploadStatus(hub.url, owner.token, location)).status).toBe(404);
      expect(await isStored(photo)).toBe(false);
    });

    it('answers bad questions about missing blobs with 400, and every route without a token with 401', async () => {
      const tooMany = await blobsMissing(hub.url, owner.token, Array.from({ length: 1001 }, (_, i) => i.toString(16).padStart(64, '0')));
      expect([tooMany.status, (tooMany.body as { error: { message: string } }).error.message]).toEqual([400, expect.stringContaining('at most 1000')]);
      expect((await blobsMissing(hub.url, owner.token, ['ABC'])).status).toBe(400);
      expect((await request(hub.url, '/v1/blobs/missing', { method: 'POST', body: '{"sha256s":[]}' })).status).toBe(401);
      expect((await request(hub.url, `/v1/blobs/${'a'.repeat(64)}`)).status).toBe(401);
      expect((await request(hub.url, '/v1/uploads', { method: 'POST', headers: { 'tus-resumable': '1.0.0' } })).status).toBe(401);
    });

    it('takes a blob carried whole (a bundle\'s) under the upload\'s rule, checks its hash, and is idempotent', async () => {
      const photo = photoOf(3000);
      const access = hub.hub.blobAccess;
      const refusal = async (promise: Promise<unknown>) => ((await promise.then(() => null, (error: unknown) => error)) as { code?: string } | null)?.code;
      expect(await refusal(access.importBlob({ orgId: owner.org.id, role: 'member' }, photo.content, photo.bytes))).toBe('forbidden');
      await attach(owner, [{ photo }]);
      expect(await refusal(access.importBlob({ orgId: other.org.id, role: 'member' }, photo.content, photo.bytes))).toBe('forbidden');
      expect(await refusal(access.importBlob({ orgId: owner.org.id, role: 'member' }, photo.content, new Uint8Array(3000)))).toBe('hash-mismatch');
      expect(await isStored(photo)).toBe(false);
      await access.importBlob({ orgId: owner.org.id, role: 'member' }, photo.content, photo.bytes);
      await access.importBlob({ orgId: owner.org.id, role: 'member' }, photo.content, photo.bytes);
      expect(Buffer.from((await getBlob(hub.url, other.token, photo.content.sha256)).bytes).equals(Buffer.from(photo.bytes))).toBe(true);
    });

    it('collects a blob no record references after the grace period, keeps referenced ones, and discards abandoned uploads', async () => {
      const dropped = photoOf(2000);
      const kept = photoOf(2000);
      const abandoned = photoOf(2000);
      const entryId = await attach(owner, [{ photo: dropped }, { photo: kept }, { photo: abandoned }]);
      await uploadBlob(hub.url, owner.token, dropped.content, dropped.bytes);
      await uploadBlob(hub.url, owner.token, kept.content, kept.bytes);
      const abandonedLocation = (await createUpload(hub.url, owner.token, abandoned.content)).headers.get('location')!;
      await sendChunk(hub.url, owner.token, abandonedLocation, 0, abandoned.bytes.subarray(0, 500));
      await detach(owner, entryId, 'photo-0');
      expect((await getBlob(hub.url, owner.token, dropped.content.sha256)).status).toBe(404);

      expect(await hub.hub.collectBlobs()).toMatchObject({ deletedBlobs: 0 });
      expect(await isStored(dropped)).toBe(true);
      clock.advance(blobLimits.abandonedUploadMs + 1000);
      // This one, and any another test of the suite left idle.
      const idle = await hub.hub.collectBlobs();
      expect(idle.deletedBlobs).toBe(0);
      expect(idle.discardedUploads).toBeGreaterThanOrEqual(1);
      expect((await uploadStatus(hub.url, owner.token, abandonedLocation)).status).toBe(404);
      clock.advance(blobLimits.gcGraceMs);
      const collected = await hub.hub.collectBlobs();
      expect(collected.deletedBlobs).toBeGreaterThanOrEqual(1);
      expect(await isStored(dropped)).toBe(false);
      expect(await isStored(kept)).toBe(true);
      expect(Buffer.from((await getBlob(hub.url, other.token, kept.content.sha256)).bytes).equals(Buffer.from(kept.bytes))).toBe(true);
      // Attached again later, it is simply uploaded again.
      await attach(owner, [{ photo: dropped }]);
      expect((await uploadBlob(hub.url, owner.token, dropped.content, dropped.bytes)).status).toBe(204);
      expect(await hub.hub.collectBlobs()).toMatchObject({ deletedBlobs: 0 });
    });
  });
}

blobRouteSuite('SQLite, files in the data folder', (clock) => startTestHub({ now: clock.now }));

describe.runIf(databaseUrl !== undefined)('PostgreSQL', () => {
  const schema = `fw_blobroutes_${process.pid}_${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });
  blobRouteSuite('PostgreSQL, blobs in its rows', async (clock) => {
    const storage = await openPostgresStorage({ connectionString: databaseUrl ?? '', schema });
    return startTestHub({ now: clock.now, storage, blobs: (now): Promise<HubBlobStorage> => openPostgresHubBlobStorage({ pool: storage.pool, schema, now }) });
  });
});
