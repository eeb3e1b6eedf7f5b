import { z } from 'zod';

/*
 * How a record points at binary content (a photo, a voice note, a scanned form). The bytes never
 * go inside the record's Y.Doc (docs/ARCHITECTURE.md, "Binary content"): the record holds a
 * BlobRef, and the bytes live in the device's and the hub's blob stores under their SHA-256.
 * Because the address is the content's hash, a reference can be checked against the bytes on
 * arrival, two records attaching the same photo share one blob, and a blob never changes: an
 * edited photo is a new blob and a new reference.
 */

/** A blob's address: the SHA-256 of its bytes, as 64 lowercase hex digits. */
export const blobHashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 digest in 64 lowercase hex digits');

/** A media type as `type/subtype` (RFC 6838 characters), parameters not included. */
export const mediaTypeSchema = z
  .string()
  .max(127)
  .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/, 'must be a lowercase media type such as image/jpeg');

/** One stored blob: its address, its exact length and what it holds. */
export const blobContentSchema = z.strictObject({
  sha256: blobHashSchema,
  sizeBytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  mediaType: mediaTypeSchema,
});
export type BlobContent = z.infer<typeof blobContentSchema>;

/**
 * The renditions of one attachment, smallest first. The original is what was captured; a preview
 * (a screen-sized image, a compressed clip) and a thumbnail (list-sized) are made from it by the
 * device that captured it, so a 2G link can show every attachment long before any original
 * arrives.
 */
export const blobVariants = ['thumbnail', 'preview', 'original'] as const;
export type BlobVariant = (typeof blobVariants)[number];

/** What a record holds for one attachment: the original's content, and its smaller renditions. */
export const blobRefSchema = blobContentSchema.extend({
  variants: z
    .strictObject({
      preview: blobContentSchema.optional(),
      thumbnail: blobContentSchema.optional(),
    })
    .default({}),
});
export type BlobRef = z.infer<typeof blobRefSchema>;

/** Each rendition a reference names, as (variant, content), smallest variant first. */
export function blobsOf(ref: BlobRef): { readonly variant: BlobVariant; readonly content: BlobContent }[] {
  const original: BlobContent = { sha256: ref.sha256, sizeBytes: ref.sizeBytes, mediaType: ref.mediaType };
  return blobVariants.flatMap((variant) => {
    const content = variant === 'original' ? original : ref.variants[variant];
    return content ? [{ variant, content }] : [];
  });
}
