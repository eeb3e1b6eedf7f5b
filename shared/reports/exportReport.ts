import { renderReportCsvInChunks } from './renderCsv';
import { renderReportBody, renderSectionHtml, wrapHtmlDocument } from './renderHtml';
import { renderReportMarkdown } from './renderMarkdown';
import type { ReportModel, ReportSection } from './reportModel';
import type { ReportPhotos } from './reportPhotos';

/*
 * A report model into the text of a file, a piece at a time: `pause()` between pieces lets a
 * screen repaint and take input while a large export is written (the browser passes a zero-delay
 * timer, Node tests a resolved promise), and `onProgress` reports the share done. PDF is the HTML
 * document handed to the platform's printer (DesktopBridge.printToPdf), which embeds the
 * document's data: images in the PDF. Photos come in `photos` (loadReportPhotos, from the device's
 * blob store); CSV and Markdown name attachments and embed nothing.
 */

export const reportFormats = ['pdf', 'html', 'csv', 'markdown'] as const;
export type ReportFormat = (typeof reportFormats)[number];

export interface ExportOptions {
  readonly pause: () => Promise<void>;
  readonly onProgress?: (done: number) => void;
  /** Heads the number column of a chart written as a Markdown table. */
  readonly valueLabel: string;
  /** The photos HTML and PDF embed (loadReportPhotos); absent or null: photos are named, not shown. */
  readonly photos?: ReportPhotos | null;
}

export const fileTypes: Readonly<Record<ReportFormat, { readonly extension: string; readonly name: string }>> = {
  pdf: { extension: 'pdf', name: 'PDF' },
  html: { extension: 'html', name: 'HTML' },
  csv: { extension: 'csv', name: 'CSV' },
  markdown: { extension: 'md', name: 'Markdown' },
};

/** The HTML document, section by section. */
export async function renderReportHtmlInChunks(model: ReportModel, options: Pick<ExportOptions, 'pause' | 'onProgress' | 'photos'>): Promise<string> {
  const sections = [model.freshnessSection, ...model.sections];
  let done = 0;
  const parts = new Map<ReportSection, string>();
  for (const section of sections) {
    parts.set(section, renderSectionHtml(section, options.photos ?? null));
    done += 1;
    options.onProgress?.(done / sections.length);
    await options.pause();
  }
  return wrapHtmlDocument(model, renderReportBody(model, (section) => parts.get(section) ?? renderSectionHtml(section, options.photos ?? null)));
}

/** The text of the file for `format`; for 'pdf', the HTML to print. */
export async function exportReportText(model: ReportModel, format: ReportFormat, options: ExportOptions): Promise<string> {
  switch (format) {
    case 'pdf':
    case 'html':
      return renderReportHtmlInChunks(model, options);
    case 'csv':
      return renderReportCsvInChunks(model.table, options);
    case 'markdown': {
      await options.pause();
      const text = renderReportMarkdown(model, options.valueLabel);
      options.onProgress?.(1);
      return text;
    }
  }
}
