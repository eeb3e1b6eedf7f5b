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
 * held the window for seconds (issue 17). The shell goes in at once with an empty page for every
 * 40 entries (progressiveBody.ts); a page's entries are written once it comes near the viewport, a
 * few at a time, with the host aria-busy while pages are written; written pages out of view are
 * not laid out (content-visibility, the preview's own rule: the exported file has none).
 */

/** Entries per page of the preview (see PREVIEW_CSS). */
const ENTRIES_PER_PAGE = 40;
/**
 * Entries parsed in one insertAdjacentHTML: a page in one piece was a single call of 80 to 120 ms
 * on a loaded two-core laptop (issue 17), which no slicer can cut; between pieces the time slicer
 * yields once its budget is spent.
 */
const ENTRIES_PER_PIECE = 8;

/** Height a page takes until it is written: about what 40 entries take, so the scroll bar is near right. */
const UNWRITTEN_PAGE_HEIGHT = '600em';
/** How far ahead of the viewport pages are written, so scrolling seldom meets an empty one. */
const WRITE_AHEAD_MARGIN = '1500px 0px';

/*
 * Each page of entries (a plain block, no style of its own) is written once it comes near the
 * viewport: the 10,000 entries of a digest all in the shadow root were a hundred thousand
 * elements, which every Mantine select of the screen walks when it looks for its options
 * (find-element-in-shadow-dom.mjs descends into every open shadow root: 30 to 120 ms a select, on
 * each mount and each choice, on a loaded two-core laptop; issue 17). A written page is neither
 * styled nor laid out while out of view.
 */
const PREVIEW_CSS = `.fw-preview-page { content-visibility: auto; contain-intrinsic-size: auto ${UNWRITTEN_PAGE_HEIGHT}; } .fw-preview-page[data-fw-unwritten] { height: ${UNWRITTEN_PAGE_HEIGHT}; }`;

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

/** The element itself or its nearest ancestor that scrolls (null: the window). */
function scrollBoxOf(element: Element): Element | null {
  for (let box: Element | null = element; box; box = box.parentElement) {
    const { overflowY } = getComputedStyle(box);
    if (overflowY === 'auto' || overflowY === 'scroll') return box;
  }
  return null;
}

interface UnwrittenPage {
  readonly items: readonly ReportEntryItem[];
  readonly start: number;
  readonly end: number;
}

/**
 * Puts an empty page before each slot for every ENTRIES_PER_PAGE of its entries, and writes a
 * page's entries once it comes near the viewport, in pieces under the time slicer, until `signal`
 * aborts. `onBusy` says whether pages are being written.
 */
function writePagesInView(root: ShadowRoot, slots: readonly (readonly ReportEntryItem[])[], photos: ReportPhotos | null, signal: AbortSignal, onBusy: (isBusy: boolean) => void): void {
  const unwritten = new Map<Element, UnwrittenPage>();
  for (const [index, items] of slots.entries()) {
    const slot = root.querySelector(`template[${ENTRIES_SLOT_ATTRIBUTE}="${index}"]`);
    if (!slot) continue;
    for (let start = 0; start < items.length; start += ENTRIES_PER_PAGE) {
      const page = document.createElement('div');
      page.className = 'fw-preview-page';
      page.setAttribute('data-fw-unwritten', '');
      slot.before(page);
      unwritten.set(page, { items, start, end: Math.min(items.length, start + ENTRIES_PER_PAGE) });
    }
    slot.remove();
  }
  const due: Element[] = [];
  let isWriting = false;
  const pause = timeSlicer();
  const writeDue = async () => {
    isWriting = true;
    onBusy(true);
    for (let page = due.shift(); page && !signal.aborted; page = due.shift()) {
      const { items, start, end } = unwritten.get(page)!;
      unwritten.delete(page);
      for (let from = start; from < end; from += ENTRIES_PER_PIECE) {
        // The pieces of a page joined are its entries as one piece (slotPieceHtml).
        page.insertAdjacentHTML('beforeend', slotPieceHtml(items, from, Math.min(end, from + ENTRIES_PER_PIECE), photos));
        const paused = pause();
        if (paused) await paused;
        if (signal.aborted) return;
      }
      page.removeAttribute('data-fw-unwritten');
    }
    isWriting = false;
    if (!signal.aborted) onBusy(false);
  };
  const observer = new IntersectionObserver(
    (seen) => {
      for (const { target, isIntersecting } of seen) {
        if (!isIntersecting || !unwritten.has(target)) continue;
        observer.unobserve(target);
        due.push(target);
      }
      if (due.length > 0 && !isWriting) void writeDue();
    },
    // The preview scrolls in a box of its own (the host), not the window: a margin widens only the
    // observer's own root, and the scroll box clips the rest, so the root is that box.
    { root: scrollBoxOf(root.host), rootMargin: WRITE_AHEAD_MARGIN },
  );
  for (const page of unwritten.keys()) observer.observe(page);
  signal.addEventListener('abort', () => observer.disconnect(), { once: true });
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
    writePagesInView(root, slots, photos, controller.signal, (isBusy) => host.setAttribute('aria-busy', String(isBusy)));
    return () => controller.abort();
  }, [model, photos]);
  return <div ref={hostRef} className="fw-report-preview" role="document" aria-label={label} lang={model.language} data-testid="report-preview" data-kind={model.kind} />;
}
