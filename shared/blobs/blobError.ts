/**
 * Why a blob store refused bytes or a request. A refusal stores nothing: a blob is either all
 * there under its hash, or absent.
 */
export type BlobErrorCode =
  /** The bytes do not hash to the address they were sent for. */
  | 'hash-mismatch'
  /** The bytes are not as long as the reference says. */
  | 'size-mismatch'
  /** An upload chunk did not start where the upload stands (tus: 409 Conflict); resume from `offset`. */
  | 'offset-mismatch'
  /** No upload has that id: it finished, was aborted, or never began. */
  | 'unknown-upload'
  /** A read range outside the blob. */
  | 'out-of-range';

export class BlobError extends Error {
  override readonly name = 'BlobError';

  constructor(
    readonly code: BlobErrorCode,
    message: string,
    /** For 'offset-mismatch': the offset the upload stands at. */
    readonly offset?: number,
  ) {
    super(message);
  }
}
