import { useEffect, useRef } from 'react';
import { timeSlicer } from '../../shared/client/yieldToMain';
import { ENTRIES_SLOT_ATTRIBUTE, progressiveReportBody, slotPieceHtml } from '../../shared/reports/progressiveBody';
import { REPORT_CSS } from '../../shared/reports/renderHtml';
import type { ReportEntryItem, ReportModel } from '../../shared/reports/reportModel';
import type { ReportPhotos } from '../../shared/reports/reportPhotos';

/*
 * The live preview: the exported document's own body and stylesheet, in a shadow root so its rules
 * neither reach the app nor are reached by it. The app's Content-Security-Policy allows no inline
 * <style>, so the stylesheet is a constructed one (the CSSOM, which the policy does not govern),
 * and the markup has no style attributes. The body is built from escaped text only (renderHtml.ts),
 * and photos are the data: URLs the export embeds (the app's policy allows data: images); until
 * they are read (`photos` null) a photo is named, not said to be missing.
 *
 * A digest of 10,000 entries is a document of tens of thousands of elements: written in one go it
 * held the window for seconds (issue 17). The shell goes in at once and the entries follow a
 * slice at a time (progressiveBody.ts), with the host aria-busy until the last is in; entries out
 * of view are not laid out (content-visibility, the preview's own rule: the exported file has none).
 */

/** Entries per page of the preview (see PREVIEW_CSS). */
const ENTRIES_PER_PAGE = 40;
/**
 * Entries parsed in one insertAdjacentHTML: a page in one piece was a single call of 80 to 120 ms
 * on a loaded two-core laptop (issue 17), which no slicer can cut; between pieces the time slicer
 * yields once its budget is spent.
 */
const ENTRIES_PER_PIECE = 8;

/*
 * Each slice of entries sits in a page of its own (a plain block, no style of its own), which is
 * neither styled nor laid out while out of view: a few hundred pages to skip instead of thousands
 * of entries, so a repaint elsewhere on the screen (the export's progress bar) stays cheap.
 */
const PREVIEW_CSS = `.fw-preview-page { content-visibility: auto; contain-intrinsic-size: auto 200em; }`;

let sheets: CSSStyleSheet[] | null = null;
function reportSheets(): CSSStyleSheet[] {
  if (!sheets) {
    sheets = [REPORT_CSS, PREVIEW_CSS].map((css) => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      return sheet;
    });
  }
  return sheets;
}

/** Writes each slot's entries before its placeholder, a page at a time in pieces, until done or `signal` aborts. */
async function fillSlots(root: ShadowRoot, slots: readonly (readonly ReportEntryItem[])[], photos: ReportPhotos | null, signal: AbortSignal): Promise<void> {
  const pause = timeSlicer();
  for (const [index, items] of slots.entries()) {
    const slot = root.querySelector(`template[${ENTRIES_SLOT_ATTRIBUTE}="${index}"]`);
    if (!slot) continue;
    for (let pageStart = 0; pageStart < items.length; pageStart += ENTRIES_PER_PAGE) {
      const page = document.createElement('div');
      page.className = 'fw-preview-page';
      slot.before(page);
      const pageEnd = Math.min(items.length, pageStart + ENTRIES_PER_PAGE);
      for (let start = pageStart; start < pageEnd; start += ENTRIES_PER_PIECE) {
        // The pieces of a page joined are the page's entries as one piece (slotPieceHtml).
        page.insertAdjacentHTML('beforeend', slotPieceHtml(items, start, Math.min(pageEnd, start + ENTRIES_PER_PIECE), photos));
        const paused = pause();
        if (paused) await paused;
        if (signal.aborted) return;
      }
    }
    slot.remove();
  }
}

export function ReportPreview({ model, photos, label }: { readonly model: ReportModel; readonly photos: ReportPhotos | null; readonly label: string }) {
  const hostRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = reportSheets();
    const { shell, slots } = progressiveReportBody(model, photos);
    root.innerHTML = shell;
    const controller = new AbortController();
    host.setAttribute('aria-busy', 'true');
    void fillSlots(root, slots, photos, controller.signal).then(() => {
      if (!controller.signal.aborted) host.setAttribute('aria-busy', 'false');
    });
    return () => controller.abort();
  }, [model, photos]);
  return <div ref={hostRef} className="fw-report-preview" role="document" aria-label={label} lang={model.language} data-testid="report-preview" data-kind={model.kind} />;
}
