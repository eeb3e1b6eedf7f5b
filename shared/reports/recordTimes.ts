/*
 * When a record was written, as screens and reports show it. The header's `createdAt` is when the
 * hub first received the record (it sets it on first push, from its own clock), so an entry
 * written offline on Monday and sent on Friday would read "created Friday", after its own last
 * update. The record's content carries the time it was written by the device's clock: that is
 * shown, except where it is later than the hub's receipt (a fast clock), where the hub's time is
 * the better bound. The update time is never earlier than the creation time shown.
 */

export interface ShownTimes {
  readonly createdAt: number;
  readonly updatedAt: number;
}

export function shownTimes(header: { readonly createdAt: number }, content: { readonly createdAt?: number; readonly updatedAt?: number }): ShownTimes {
  const authored = content.createdAt !== undefined && content.createdAt > 0 ? content.createdAt : header.createdAt;
  // Not yet sent (header time from this device) or sent: never later than the hub's receipt.
  const createdAt = header.createdAt > 0 ? Math.min(authored, header.createdAt) : authored;
  const updatedAt = Math.max(createdAt, content.updatedAt ?? createdAt);
  return { createdAt, updatedAt };
}
