/** Why a file could not become an attachment. The file is left as it was; nothing is stored. */
export type MediaErrorCode =
  /** Not the image its header or type says (JPEG, PNG, WebP), or cut short. */
  | 'malformed-image'
  /**
   * An image the app cannot decode (HEIC, AVIF, TIFF, camera RAW, ...): it could neither be shown
   * nor have its location data removed, so it is refused rather than kept as a document.
   */
  | 'unsupported-image'
  /** More pixels than a device may decode (a decompression bomb, or a panorama too large to show). */
  | 'too-many-pixels'
  /** Larger than the network's attachment limit (network setting `maxAttachmentBytes`). */
  | 'over-network-limit'
  /** More than this device has room for (the browser's storage quota). */
  | 'over-device-quota';

export class MediaError extends Error {
  override readonly name = 'MediaError';

  constructor(
    readonly code: MediaErrorCode,
    message: string,
    /** The figures the message speaks of, for a translated message. */
    readonly details: Readonly<Record<string, number>> = {},
  ) {
    super(message);
  }
}
