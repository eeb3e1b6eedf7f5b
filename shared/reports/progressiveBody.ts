import { renderBlockHtml, renderEntriesHtml, renderReportBody, renderSectionHtml } from './renderHtml';
import type { ReportEntryItem, ReportModel } from './reportModel';
import type { ReportPhotos } from './reportPhotos';

/*
 * The preview's document in pieces: the body with a placeholder where each entries block goes,
 * and the entries to put there. The preview sets the shell at once and then writes the entries
 * before their placeholder a slice at a time, so a digest of 10,000 entries is never parsed and
 * laid out in one task (issue 17). Filled in order, the body is the very text renderReportBody
 * writes (one line break between entries, as renderEntriesHtml joins them), so the preview still
 * shows exactly the exported document.
 */

export const ENTRIES_SLOT_ATTRIBUTE = 'data-fw-entries-slot';

export interface ProgressiveBody {
  /** The body, each entries block a `<template data-fw-entries-slot="i">` (empty, shown as nothing). */
  readonly shell: string;
  /** The items of slot i, in order. */
  readonly slots: readonly (readonly ReportEntryItem[])[];
}

export function progressiveReportBody(model: ReportModel, photos: ReportPhotos | null): ProgressiveBody {
  const slots: (readonly ReportEntryItem[])[] = [];
  const shell = renderReportBody(model, (section) =>
    renderSectionHtml(section, photos, (block) => {
      if (block.kind !== 'entries') return renderBlockHtml(block, photos);
      slots.push(block.items);
      return `<template ${ENTRIES_SLOT_ATTRIBUTE}="${slots.length - 1}"></template>`;
    }),
  );
  return { shell, slots };
}

/**
 * The text that goes before slot items [start, end): after the first piece, a line break first,
 * so the pieces joined are renderEntriesHtml of the whole block.
 */
export function slotPieceHtml(items: readonly ReportEntryItem[], start: number, end: number, photos: ReportPhotos | null): string {
  return (start > 0 ? '\n' : '') + renderEntriesHtml(items.slice(start, end), photos);
}
