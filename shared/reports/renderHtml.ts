import { barChartSvg } from './barChartSvg';
import { escapeHtml } from './escapeHtml';
import type { ReportPhotos } from './reportPhotos';
import type { ReportAttachment, ReportBlock, ReportEntryAttachments, ReportEntryItem, ReportModel, ReportPhoto, ReportSection } from './reportModel';

/*
 * A report as one standalone HTML document: styles inline, charts as inline SVG, no script, and
 * nothing fetched from anywhere (no font, image, stylesheet or link to a network address), which
 * the document's own Content-Security-Policy also enforces when it is opened from a disk. Photos
 * are data: URLs of the renditions reportPhotos.ts read from the device, so the file stays whole
 * offline; a photo is looked up only by the renditions its model item names. Chinese
 * text needs a CJK font on the machine that prints or opens it: the font stack names Noto Sans
 * CJK SC (Debian's fonts-noto-cjk) first, then the usual system CJK fonts.
 */

export const REPORT_FONT_FAMILY =
  "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', 'Noto Sans', 'DejaVu Sans', sans-serif";

/** The report's stylesheet; the app's preview adopts the same rules into a shadow root. */
export const REPORT_CSS = `
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
:host, .fw-report { font-family: ${REPORT_FONT_FAMILY}; color: #1f2933; font-size: 10.5pt; line-height: 1.45; }
.fw-report { max-width: 180mm; margin: 0 auto; padding: 8mm 0; background: #fff; }
.fw-report h1 { font-size: 20pt; margin: 0 0 2mm; }
.fw-report h2 { font-size: 14pt; margin: 7mm 0 2mm; border-bottom: 1px solid #c9d2dc; padding-bottom: 1mm; break-after: avoid; }
.fw-report h3 { font-size: 11.5pt; margin: 3mm 0 1mm; break-after: avoid; }
.fw-report .subtitle { font-size: 12pt; color: #52606d; margin: 0 0 2mm; }
.fw-report .generated, .fw-report .meta, .fw-report .caption { color: #52606d; font-size: 9pt; }
.fw-report .criteria { margin: 2mm 0 0; padding-left: 5mm; font-size: 9.5pt; }
.fw-report table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; font-size: 9pt; }
.fw-report caption { text-align: left; color: #52606d; font-size: 9pt; padding-bottom: 1mm; }
.fw-report th, .fw-report td { border: 1px solid #c9d2dc; padding: 1mm 1.5mm; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
.fw-report th { background: #eef2f6; }
.fw-report td.num, .fw-report th.num { text-align: right; font-variant-numeric: tabular-nums; }
.fw-report tr { break-inside: avoid; }
.fw-report thead { display: table-header-group; }
.fw-report .facts { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 4mm; margin: 2mm 0 4mm; }
.fw-report .facts dt { color: #52606d; }
.fw-report .facts dd { margin: 0; }
.fw-report .entry { border-left: 2px solid #2f6f9f; padding: 1mm 0 1mm 3mm; margin: 0 0 4mm; break-inside: avoid; }
.fw-report .entry p { margin: 1mm 0; }
.fw-report .entry h4 { font-size: 9pt; margin: 2mm 0 0; }
.fw-report .entry .entry-text { white-space: pre-wrap; }
.fw-report .labels { display: flex; flex-wrap: wrap; gap: 1mm; margin: 1mm 0 0; padding: 0; list-style: none; }
.fw-report .labels li { border: 1px solid #c9d2dc; border-radius: 2mm; padding: 0 1.5mm; font-size: 8.5pt; color: #52606d; }
.fw-report .attribution { font-size: 9pt; }
.fw-report .attachments { margin: 2mm 0 0; }
.fw-report .photo { margin: 2mm 0; break-inside: avoid; }
.fw-report .photo img { display: block; max-width: 100%; max-height: 110mm; height: auto; border: 1px solid #c9d2dc; }
.fw-report .photo figcaption, .fw-report .photo-missing, .fw-report .attachment-list, .fw-report .attachment-note { font-size: 9pt; color: #52606d; }
.fw-report .photo-missing { border: 1px dashed #c9d2dc; padding: 2mm; }
.fw-report .attachment-list { margin: 1mm 0; padding-left: 5mm; }
.fw-report .chart { display: block; max-width: 100%; height: auto; margin: 2mm 0 4mm; break-inside: avoid; }
.fw-report .stale { color: #a61b1b; font-weight: bold; }
@media print { .fw-report { max-width: none; padding: 0; } }
`;

/** The document's own policy: inline styles, nothing else, from nowhere. */
export const REPORT_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'";

const cellClass = (isNumeric: boolean) => (isNumeric ? ' class="num"' : '');

/** A photo with its caption, or the words that stand in for it when no rendition is on this device. */
function photoHtml(item: ReportAttachment & { readonly photo: ReportPhoto }, photos: ReportPhotos): string {
  const src = item.photo.sources.map((source) => photos.get(source.sha256)).find((url) => url !== undefined);
  if (src === undefined) return `<p class="photo-missing">${escapeHtml(item.photo.missingText)}${item.caption ? `<br>${escapeHtml(item.caption)}` : ''}</p>`;
  const caption = item.caption ? `${escapeHtml(item.caption)} <span class="name">(${escapeHtml(item.name)})</span>` : escapeHtml(item.name);
  // A data: URL in base64 holds no character that ends an attribute; escaped all the same.
  return `<figure class="photo"><img src="${escapeHtml(src)}" alt="${escapeHtml(item.photo.alt)}"><figcaption>${caption}</figcaption></figure>`;
}

/**
 * The photos it may show, then the other attachments by name, then why some are not shown.
 * `photos` null: not looked up (a caller that embeds nothing), so photos are named like the rest.
 */
function attachmentsHtml(attachments: ReportEntryAttachments | null, photos: ReportPhotos | null): string {
  if (!attachments) return '';
  const isShown = (item: ReportAttachment): item is ReportAttachment & { readonly photo: ReportPhoto } => item.photo !== undefined && photos !== null;
  const figures = photos === null ? [] : attachments.items.filter(isShown).map((item) => photoHtml(item, photos));
  const named = attachments.items.filter((item) => !isShown(item));
  const list = named.length > 0 ? `<ul class="attachment-list">${named.map((item) => `<li>${escapeHtml(item.line)}</li>`).join('')}</ul>` : '';
  const notes = attachments.notes.map((note) => `<p class="attachment-note">${escapeHtml(note)}</p>`).join('');
  return `<div class="attachments"><h4>${escapeHtml(attachments.heading)}</h4>${figures.join('')}${list}${notes}</div>`;
}

export function renderBlockHtml(block: ReportBlock, photos: ReportPhotos | null = null): string {
  switch (block.kind) {
    case 'paragraph':
      return `<p>${escapeHtml(block.text)}</p>`;
    case 'facts':
      return `<dl class="facts">${block.items.map((item) => `<dt>${escapeHtml(item.label)}</dt><dd>${escapeHtml(item.value)}</dd>`).join('')}</dl>`;
    case 'table': {
      if (block.rows.length === 0) return '';
      const numeric = new Set(block.numericColumns);
      const head = block.columns.map((column, index) => `<th scope="col"${cellClass(numeric.has(index))}>${escapeHtml(column)}</th>`).join('');
      const body = block.rows.map((row) => `<tr>${row.map((cell, index) => `<td${cellClass(numeric.has(index))}>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n');
      return `<table><caption>${escapeHtml(block.caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
    }
    case 'bars':
      return block.bars.length === 0 ? '' : `<figure class="figure"><figcaption class="caption">${escapeHtml(block.caption)}</figcaption>${barChartSvg(block.caption, block.bars)}</figure>`;
    case 'entries':
      return renderEntriesHtml(block.items, photos);
  }
}

/** An entries block's items, one <article> each, a line break between them. */
export function renderEntriesHtml(items: readonly ReportEntryItem[], photos: ReportPhotos | null = null): string {
  return items.map((item) => renderEntryHtml(item, photos)).join('\n');
}

function renderEntryHtml(item: ReportEntryItem, photos: ReportPhotos | null): string {
  return (
    `<article class="entry" id="${escapeHtml(item.id)}"><h3>${escapeHtml(item.title)}</h3>` +
    `<p class="meta">${escapeHtml(item.meta)}</p>` +
    (item.summary ? `<p class="summary">${escapeHtml(item.summary)}</p>` : '') +
    item.content.map((part) => `<h4>${escapeHtml(part.heading)}</h4><p class="entry-text">${escapeHtml(part.text)}</p>`).join('') +
    attachmentsHtml(item.attachments, photos) +
    `<p class="attribution">${escapeHtml(item.attribution)}</p>` +
    `<ul class="labels">${item.labels.map((label) => `<li>${escapeHtml(label)}</li>`).join('')}</ul></article>`
  );
}

/** `renderBlock` lets the preview stand a placeholder in for an entries block it fills in later (progressiveBody.ts). */
export function renderSectionHtml(section: ReportSection, photos: ReportPhotos | null = null, renderBlock: (block: ReportBlock) => string = (block) => renderBlockHtml(block, photos)): string {
  return `<section id="${escapeHtml(section.id)}"><h2>${escapeHtml(section.heading)}</h2>\n${section.blocks.map(renderBlock).join('\n')}\n</section>`;
}

/** The report's body: header, freshness, sections. The preview shows exactly this. */
export function renderReportBody(model: ReportModel, renderSection: (section: ReportSection) => string = (section) => renderSectionHtml(section)): string {
  const header =
    `<header><h1>${escapeHtml(model.title)}</h1>` +
    (model.subtitle ? `<p class="subtitle">${escapeHtml(model.subtitle)}</p>` : '') +
    `<p class="generated">${escapeHtml(model.generatedAtText)}</p>` +
    `<ul class="criteria">${model.criteria.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul></header>`;
  return `<main class="fw-report">${header}\n${[model.freshnessSection, ...model.sections].map(renderSection).join('\n')}\n</main>`;
}

export function wrapHtmlDocument(model: Pick<ReportModel, 'language' | 'title'>, body: string): string {
  return (
    `<!doctype html>\n<html lang="${escapeHtml(model.language)}">\n<head>\n<meta charset="utf-8">\n` +
    `<meta http-equiv="Content-Security-Policy" content="${REPORT_CONTENT_SECURITY_POLICY}">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>${escapeHtml(model.title)}</title>\n` +
    `<style>${REPORT_CSS}</style>\n</head>\n<body>\n${body}\n</body>\n</html>\n`
  );
}

/** `photos`: what loadReportPhotos read for this model; null embeds none and names each photo. */
export function renderReportHtml(model: ReportModel, photos: ReportPhotos | null = null): string {
  return wrapHtmlDocument(model, renderReportBody(model, (section) => renderSectionHtml(section, photos)));
}
