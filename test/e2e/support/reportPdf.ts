import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browserProfile';

/*
 * Reports read back by real tools: Chromium prints a report's HTML to PDF (what Electron's
 * webContents.printToPDF does on the desktop), poppler's pdftotext and pdfinfo read the file, and
 * a page that answers every request it makes shows what a report tries to fetch.
 */

export function launchReportBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true });
}

/** The report's own document address while it loads; nothing else may be requested. */
export const REPORT_URL = 'http://report.invalid/report.html';

/**
 * Prints `html` as Chromium does, with the page size the document's CSS asks for (@page A4).
 * The document is served at REPORT_URL through interception; any other request is refused.
 */
export async function printHtmlToPdf(browser: Browser, html: string): Promise<Buffer> {
  const page = await browser.newPage();
  try {
    await page.route('**', async (route) => {
      if (route.request().url() === REPORT_URL) await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
      else await route.abort();
    });
    await page.goto(REPORT_URL, { waitUntil: 'load' });
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    return await page.pdf({ preferCSSPageSize: true, printBackground: true });
  } finally {
    await page.close();
  }
}

/**
 * Whether fontconfig (which Chromium on Linux draws with) has `family` with glyphs for `language`.
 * Chromium prints CJK as Type 3 glyphs, so the PDF itself no longer names the font it drew with.
 */
export function hasFontFor(family: string, language: string): boolean {
  return execFileSync('fc-list', [`:family=${family}:lang=${language}`, 'family'], { encoding: 'utf8' }).trim() !== '';
}

/** Every URL the page requested while loading `html` and settling (the document's own included). */
export async function requestsWhileLoading(browser: Browser, html: string): Promise<string[]> {
  const page = await browser.newPage();
  const requested: string[] = [];
  try {
    page.on('request', (request) => requested.push(request.url()));
    await page.route('**', async (route) => {
      if (route.request().url() === REPORT_URL) await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
      else await route.abort();
    });
    await page.goto(REPORT_URL, { waitUntil: 'networkidle' });
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    // Printing is when print-only resources would load.
    await page.pdf({ preferCSSPageSize: true });
    return requested;
  } finally {
    await page.close();
  }
}

export interface PdfReadBack {
  readonly text: string;
  readonly pageSize: string;
  readonly pages: number;
}

/** pdftotext and pdfinfo over the PDF's bytes. */
export function readPdf(pdf: Uint8Array): PdfReadBack {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwise-report-pdf-'));
  try {
    const file = join(dir, 'report.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    const pageSize = /^Page size:\s+(.+)$/m.exec(info)?.[1]?.trim() ?? '';
    const pages = Number(/^Pages:\s+(\d+)$/m.exec(info)?.[1] ?? 0);
    return { text, pageSize, pages };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface PdfImage {
  readonly page: number;
  readonly widthPx: number;
  readonly heightPx: number;
  /** How the image is stored: 'jpeg' (DCT, passed through), 'image' (Flate), … as pdfimages names it. */
  readonly encoding: string;
}

/** The images embedded in the PDF, as `pdfimages -list` lists them (soft masks left out). */
export function pdfImages(pdf: Uint8Array): PdfImage[] {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwise-report-pdf-'));
  try {
    const file = join(dir, 'report.pdf');
    writeFileSync(file, pdf);
    const listing = execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' });
    return listing
      .split('\n')
      .slice(2)
      .map((line) => line.trim().split(/\s+/))
      .filter((cells) => cells.length >= 9 && cells[2] === 'image')
      .map((cells) => ({ page: Number(cells[0]), widthPx: Number(cells[3]), heightPx: Number(cells[4]), encoding: cells[8]! }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A JPEG of exactly `widthPx` x `heightPx`, a gradient between two colours, drawn by Chromium's canvas. */
export async function jpegOf(browser: Browser, widthPx: number, heightPx: number, from: string, to: string): Promise<Uint8Array> {
  const page = await browser.newPage();
  try {
    const base64 = await page.evaluate(
      ({ widthPx, heightPx, from, to }) => {
        const canvas = document.createElement('canvas');
        canvas.width = widthPx;
        canvas.height = heightPx;
        const context = canvas.getContext('2d')!;
        const gradient = context.createLinearGradient(0, 0, widthPx, heightPx);
        gradient.addColorStop(0, from);
        gradient.addColorStop(1, to);
        context.fillStyle = gradient;
        context.fillRect(0, 0, widthPx, heightPx);
        return canvas.toDataURL('image/jpeg', 0.8).split(',')[1]!;
      },
      { widthPx, heightPx, from, to },
    );
    return new Uint8Array(Buffer.from(base64, 'base64'));
  } finally {
    await page.close();
  }
}

/** A page size as pdfinfo gives it ('594.96 x 841.92 pts (A4)'), rounded to whole points. */
export function pointsOf(pageSize: string): { readonly width: number; readonly height: number; readonly name: string } {
  const match = /^([\d.]+) x ([\d.]+) pts(?: \((.+)\))?$/.exec(pageSize);
  if (!match) throw new Error(`not a pdfinfo page size: "${pageSize}"`);
  return { width: Math.round(Number(match[1])), height: Math.round(Number(match[2])), name: match[3] ?? '' };
}

/**
 * Keeps the srcdoc of every print frame the web bridge adds to `page` from now on (the page is
 * already open, so no init script: the observer goes into the running document). The bridge hands
 * that HTML to the browser's print dialog, which a headless browser cannot operate.
 */
export async function watchPrintFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const printed: string[] = [];
    (window as unknown as { __fieldwisePrintFrames: string[] }).__fieldwisePrintFrames = printed;
    new MutationObserver((mutations) => {
      for (const mutation of mutations) for (const node of mutation.addedNodes) if (node instanceof HTMLIFrameElement && node.classList.contains('fw-print-frame')) printed.push(node.srcdoc);
    }).observe(document, { childList: true, subtree: true });
  });
}

/** The HTML of the print frames added since `watchPrintFrames`, waiting for at least `count`. */
export async function printedFrames(page: Page, count: number): Promise<string[]> {
  await page.waitForFunction((n) => ((window as unknown as { __fieldwisePrintFrames?: string[] }).__fieldwisePrintFrames?.length ?? 0) >= n, count, { timeout: 20_000 });
  return page.evaluate(() => [...(window as unknown as { __fieldwisePrintFrames: string[] }).__fieldwisePrintFrames]);
}
