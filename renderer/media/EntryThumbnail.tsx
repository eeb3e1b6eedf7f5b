import type { AttachmentEntry } from '../../shared/records/attachments';
import { useBlobUrl } from './useBlobUrl';

/** A library row's picture: the thumbnail of the entry's first photo, where this device holds it. */
export function EntryThumbnail({ attachments }: { readonly attachments: readonly AttachmentEntry[] }) {
  const photo = attachments.find((attachment) => attachment.kind === 'photo' && attachment.ref.variants.thumbnail);
  const thumbnail = useBlobUrl(photo?.ref.variants.thumbnail ?? null);
  if (!photo) return null;
  // The row keeps its place while the thumbnail is not here yet: every row lines up.
  return thumbnail.kind === 'ready' ? <img className="fw-entry-row-thumbnail" src={thumbnail.url} alt="" data-testid="entry-row-thumbnail" /> : <span className="fw-entry-row-thumbnail" aria-hidden="true" data-testid="entry-row-thumbnail-pending" />;
}
