// Attachments on an entry (issue 18): references only, one key per attachment so concurrent
// attaches merge, tolerant reads, the hub's strict check, and the hashes a record references.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { entry, entryMutators, type EntryInput } from '../../shared/records/entry';
import { MAX_ATTACHMENTS, referencedBlobs, storedAttachmentsViolation } from '../../shared/records/attachments';
import { RecordInputError } from '../../shared/records/recordError';

const ctx = { orgId: 'org-a', deviceId: 'dev-a', role: 'member' as const, now: 1_000 };
const input: EntryInput = { kind: 'practice', title: 'Bottle drip line', language: 'en' };
const hash = (digit: string) => digit.repeat(64);
const photo = {
  kind: 'photo' as const,
  ref: { sha256: hash('a'), sizeBytes: 2_000_000, mediaType: 'image/jpeg', variants: { preview: { sha256: hash('b'), sizeBytes: 150_000, mediaType: 'image/jpeg' }, thumbnail: { sha256: hash('c'), sizeBytes: 12_000, mediaType: 'image/jpeg' } } },
  name: 'drip-line.jpg',
  caption: 'The bottle drip line in May',
  consent: 'not-needed' as const,
  keepsLocation: false,
  widthPx: 4000,
  heightPx: 3000,
};

function created(): Y.Doc {
  const doc = new Y.Doc();
  entry.create(doc, entry.parseInput(input), ctx);
  return doc;
}

describe('attachments', () => {
  it('are added, captioned and removed by reference, with who added them and when', () => {
    const doc = created();
    expect(entry.read(doc).attachments).toEqual([]);
    entryMutators.addAttachment.apply(doc, { id: 'photo-1', attachment: photo }, ctx);
    entryMutators.setAttachmentCaption.apply(doc, { id: 'photo-1', caption: '五月的滴灌瓶' }, { ...ctx, now: 2_000 });
    expect(entry.read(doc).attachments).toEqual([{ id: 'photo-1', ...photo, caption: '五月的滴灌瓶', addedAt: 1_000, addedBy: 'org-a' }]);
    expect(referencedBlobs(entry.read(doc))).toEqual([hash('c'), hash('b'), hash('a')]);
    entryMutators.removeAttachment.apply(doc, 'photo-1', ctx);
    expect(entry.read(doc).attachments).toEqual([]);
    expect(() => entryMutators.setAttachmentConsent.apply(doc, { id: 'photo-1', consent: 'given' }, ctx)).toThrow(RecordInputError);
  });

  it('merge when two devices attach at once', () => {
    const a = created();
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    entryMutators.addAttachment.apply(a, { id: 'photo-1', attachment: photo }, ctx);
    entryMutators.addAttachment.apply(b, { id: 'voice-1', attachment: { ...photo, kind: 'audio', ref: { sha256: hash('d'), sizeBytes: 90_000, mediaType: 'audio/webm', variants: {} }, name: 'elder.webm', durationMs: 42_000, widthPx: undefined, heightPx: undefined } }, { ...ctx, deviceId: 'dev-b' });
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    expect(entry.read(a).attachments.map((item) => item.id)).toEqual(['photo-1', 'voice-1']);
  });

  it('refuses a bad reference at the mutator, naming the field', () => {
    const doc = created();
    const bad = { ...photo, ref: { ...photo.ref, sha256: 'not-a-hash' } };
    expect(() => entryMutators.addAttachment.apply(doc, { id: 'photo-1', attachment: bad }, ctx)).toThrow(RecordInputError);
    expect(() => entryMutators.addAttachment.apply(doc, { id: 'Photo 1', attachment: photo }, ctx)).toThrow(RecordInputError);
  });

  it('read tolerantly, while the hub strict check names what does not read back', () => {
    const doc = created();
    doc.getMap('map.attachments').set('photo-1', { ...photo, addedAt: 1, addedBy: 'org-a', extra: 'x' });
    expect(entry.read(doc).attachments).toEqual([]);
    expect(storedAttachmentsViolation(doc)).toMatchObject({ field: 'attachments' });
    const many = created();
    for (let i = 0; i <= MAX_ATTACHMENTS; i++) many.getMap('map.attachments').set(`p-${i}`, { ...photo, addedAt: 1, addedBy: 'org-a' });
    expect(storedAttachmentsViolation(many)).toMatchObject({ field: 'attachments', reason: expect.stringMatching(/at most 100/) });
    const fine = created();
    entryMutators.addAttachment.apply(fine, { id: 'photo-1', attachment: photo }, ctx);
    expect(storedAttachmentsViolation(fine)).toBeNull();
  });
});
