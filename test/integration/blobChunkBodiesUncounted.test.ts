// Adversarial pass (attacks-media): chunk bodies that are not counted while they arrive. PROTOCOL
// ("Uploading", step 2) answers a PATCH with 429 `rate-limited` "when the credential already has 4
// chunks and downloads in flight", and SECURITY ("Cost bounds") says a PATCH body is at most 4 MiB
// and "each credential has at most 4 chunks and downloads in flight together", so a credential
// holds at most about 4 MiB of the hub's memory. But the route takes its transfer slot only in the
// handler, after Fastify has read the whole body into memory (server/http/blobRoutes.ts), and no
// idle timer or slot guards a PATCH body while it arrives (the preParsing hook guards POSTs only).
// So a member holds any number of 4 MiB bodies open at once (here 4 trickling chunks, and a 5th and
// a download are still taken); an observer can do the same against an upload id it made up, since
// the id is checked only after the body is read. Real hub, real SQLite. FAILS on main.
//
// A fix takes the credential's transfer slot (and checks the upload id and its owner) in the PATCH's
// onRequest/preParsing, before a byte of the body is read, with the same idle timer as POST bodies.
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { describeBlob } from '../../shared/blobs/describeBlob';
import type { BlobContent } from '../../shared/blobs/blobRef';
import { entryMutators } from '../../shared/records/entry';
import type { JoinResponse } from '../../shared/sync/protocol';
import { TUS_CHUNK_CONTENT_TYPE, TUS_VERSION } from '../../shared/sync/blobProtocol';
import { startTestHub, type TestHub } from '../support/hub';
import { createUpdate, editContext, push } from '../support/hubRequests';
import { createUpload, getBlob, sendChunk, uploadBlob } from '../support/blobRequests';
import { sharedPractice as practice } from '../support/blobFixtures';


const CHUNK = 1 << 20;

let hub: TestHub;
let member: JoinResponse;
const photos: { bytes: Uint8Array; content: BlobContent }[] = [];
const held: ClientRequest[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  member = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
  for (let index = 0; index < 6; index += 1) {
    const bytes = new Uint8Array(randomBytes(2 * CHUNK));
    photos.push({ bytes, content: describeBlob(bytes, 'image/jpeg') });
  }
  const ctx = editContext(member.org.id, 'member');
  const update = createUpdate('entry', practice, ctx, (doc: Y.Doc) =>
    photos.forEach((photo, index) =>
      entryMutators.addAttachment.apply(doc, { id: `photo-${index}`, attachment: { kind: 'photo', ref: { ...photo.content, variants: {} }, name: `p${index}.jpg`, caption: '', consent: 'given', keepsLocation: false } }, ctx),
    ),
  );
  expect((await push(hub.url, member.token, [{ id: 'entry-chunks', type: 'entry', update }])).status).toBe(200);
  // The last photo is stored, to be downloaded below.
  expect((await uploadBlob(hub.url, member.token, photos[5]!.content, photos[5]!.bytes)).status).toBe(204);
});

afterAll(async () => {
  for (const req of held) req.destroy();
  await hub?.close();
});

/** A PATCH whose body is announced whole and sent only in part: a chunk in flight on a slow link. */
function trickle(location: string, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(location, hub.url), {
      method: 'PATCH',
      headers: { authorization: `Bearer ${member.token}`, 'tus-resumable': TUS_VERSION, 'upload-offset': '0', 'content-type': TUS_CHUNK_CONTENT_TYPE, 'content-length': String(chunk.length) },
    });
    req.on('error', () => undefined);
    held.push(req);
    req.write(chunk.subarray(0, chunk.length / 2), (error) => (error ? reject(error) : resolve()));
  });
}

describe('chunks in flight count toward the credential\'s 4 transfers while their bodies arrive', () => {
  it('refuses a 5th chunk and a download with 429 while 4 chunk bodies are still arriving', async () => {
    const locations: string[] = [];
    for (const photo of photos.slice(0, 5)) {
      const created = await createUpload(hub.url, member.token, photo.content);
      expect(created.status).toBe(201);
      locations.push(created.headers.get('location')!);
    }
    // Four chunks on their way (half of each 1 MiB body sent, the rest not yet).
    await Promise.all(locations.slice(0, 4).map((location, index) => trickle(location, photos[index]!.bytes.subarray(0, CHUNK))));
    await new Promise((resolve) => setTimeout(resolve, 200));

    const fifth = await sendChunk(hub.url, member.token, locations[4]!, 0, photos[4]!.bytes.subarray(0, CHUNK));
    expect([fifth.status, (fifth.body as { error?: { code: string } } | null)?.error?.code]).toEqual([429, 'rate-limited']);
    const download = await getBlob(hub.url, member.token, photos[5]!.content.sha256);
    expect(download.status).toBe(429);
  });
});

describe('a chunk whose body stops arriving, or that names an upload it may not send to', () => {
  let slowHub: TestHub;
  let writer: JoinResponse;
  const photo = photos;
  beforeAll(async () => {
    slowHub = await startTestHub({ uploadIdleMs: 300 });
    writer = await slowHub.join(await slowHub.invite('Erhai Watershed Alliance'));
    const ctx = editContext(writer.org.id, 'member');
    const update = createUpdate('entry', practice, ctx, (doc: Y.Doc) =>
      entryMutators.addAttachment.apply(doc, { id: 'photo-0', attachment: { kind: 'photo', ref: { ...photo[0]!.content, variants: {} }, name: 'p0.jpg', caption: '', consent: 'given', keepsLocation: false } }, ctx),
    );
    expect((await push(slowHub.url, writer.token, [{ id: 'entry-stalled-chunk', type: 'entry', update }])).status).toBe(200);
  });
  afterAll(async () => slowHub?.close());

  /** Sends half of `chunk` as a PATCH announced whole, and resolves with the hub's answer. */
  function answerToHalf(location: string, chunk: Uint8Array): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(new URL(location, slowHub.url), {
        method: 'PATCH',
        headers: { authorization: `Bearer ${writer.token}`, 'tus-resumable': TUS_VERSION, 'upload-offset': '0', 'content-type': TUS_CHUNK_CONTENT_TYPE, 'content-length': String(chunk.length) },
      });
      req.on('error', reject);
      req.on('response', (response) => {
        let body = '';
        response.on('data', (piece: Buffer) => (body += piece.toString('utf8')));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      held.push(req);
      req.write(chunk.subarray(0, chunk.length / 2));
    });
  }

  it('refuses a chunk that sent nothing for the idle time with 408 upload-stalled, keeps nothing of it, and gives its slot back', async () => {
    const created = await createUpload(slowHub.url, writer.token, photo[0]!.content);
    const location = created.headers.get('location')!;
    const stalled = await answerToHalf(location, photo[0]!.bytes.subarray(0, CHUNK));
    expect({ status: stalled.status, code: (JSON.parse(stalled.body) as { error: { code: string } }).error.code }).toEqual({ status: 408, code: 'upload-stalled' });
    // Nothing of the stalled chunk counts: the upload still stands at 0, and the chunk is taken whole when re-sent.
    expect((await sendChunk(slowHub.url, writer.token, location, 0, photo[0]!.bytes.subarray(0, CHUNK))).status).toBe(204);
  });

  it('answers a chunk for an upload id this organization did not create with 404 unknown-upload before its body is read', async () => {
    const answer = await answerToHalf('/v1/uploads/made-up-upload-id', photo[0]!.bytes.subarray(0, CHUNK));
    expect({ status: answer.status, code: (JSON.parse(answer.body) as { error: { code: string } }).error.code }).toEqual({ status: 404, code: 'unknown-upload' });
  });
});
