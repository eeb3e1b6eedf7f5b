import { useEffect, useRef } from 'react';
import { yieldToMain } from '../../shared/client/yieldToMain';
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

/** Entries written per slice: a few kilobytes of markup, well inside the 50 ms budget with their layout. */
const ENTRIES_PER_SLICE = 40;

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

/** Writes each slot's entries before its placeholder, a slice per task, until done or `signal` aborts. */
async function fillSlots(root: ShadowRoot, slots: readonly (readonly ReportEntryItem[])[], photos: ReportPhotos | null, signal: AbortSignal): Promise<void> {
  for (const [index, items] of slots.entries()) {
    const slot = root.querySelector(`template[${ENTRIES_SLOT_ATTRIBUTE}="${index}"]`);
    if (!slot) continue;
    for (let start = 0; start < items.length; start += ENTRIES_PER_SLICE) {
      slot.insertAdjacentHTML('beforebegin', `<div class="fw-preview-page">${slotPieceHtml(items, start, start + ENTRIES_PER_SLICE, photos)}</div>`);
      await yieldToMain();
      if (signal.aborted) return;
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
