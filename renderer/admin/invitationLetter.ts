import type { TFunction } from 'i18next';
import { invitationQrSvg } from './invitationQr';

/*
 * The printable invitation letter: who is invited to which network, the link and its QR code, the
 * code and the hub address written apart (for typing them in), when it expires, and the steps to
 * join. One complete HTML document in the letter's language, printed to PDF through the bridge
 * (the desktop's printToPdf; the browser's print dialog). Every piece of text is escaped: an
 * organization's name is anyone's words.
 */

export interface LetterFacts {
  readonly networkName: string;
  readonly secretariatName: string;
  readonly orgName: string;
  readonly roleLabel: string;
  readonly link: string;
  readonly code: string;
  readonly hubUrl: string;
  readonly expiresAt: number;
  /** 'zh-CN' or 'en': the letter's language, also for its dates. */
  readonly language: string;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function invitationLetterHtml(t: TFunction, facts: LetterFacts): string {
  const expires = new Intl.DateTimeFormat(facts.language, { dateStyle: 'long' }).format(new Date(facts.expiresAt));
  const e = (key: string, values?: Record<string, string>) => escapeHtml(t(key, values ?? {}));
  const steps = ['step1', 'step2', 'step3', 'step4'].map((step) => `<li>${e(`admin.letter.${step}`, { hub: facts.hubUrl })}</li>`).join('');
  return `<!doctype html>
<html lang="${facts.language === 'zh-CN' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><title>${e('admin.letter.title', { network: facts.networkName })}</title>
<style>
@page { size: A4; margin: 20mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif; font-size: 11pt; line-height: 1.6; color: #111; }
h1 { font-size: 18pt; margin: 0 0 4mm; }
.qr { float: right; margin: 0 0 4mm 6mm; text-align: center; font-size: 9pt; }
.code { font-family: "DejaVu Sans Mono", "Courier New", monospace; font-size: 14pt; letter-spacing: 0.05em; }
.link { font-family: "DejaVu Sans Mono", "Courier New", monospace; font-size: 9pt; word-break: break-all; }
.box { border: 1px solid #888; border-radius: 2mm; padding: 3mm 4mm; margin: 4mm 0; clear: both; }
.note { color: #444; font-size: 9.5pt; }
</style></head><body>
<div class="qr">${invitationQrSvg(facts.link, 45)}<div>${e('admin.letter.scan')}</div></div>
<h1>${e('admin.letter.title', { network: facts.networkName })}</h1>
<p>${e('admin.letter.greeting', { org: facts.orgName })}</p>
<p>${e('admin.letter.body', { network: facts.networkName, role: facts.roleLabel, secretariat: facts.secretariatName })}</p>
<div class="box">
<div>${e('admin.letter.linkLabel')}</div><div class="link">${escapeHtml(facts.link)}</div>
<div>${e('admin.letter.codeLabel')} <span class="code">${escapeHtml(facts.code)}</span></div>
<div>${e('admin.letter.hubLabel')} <span class="link">${escapeHtml(facts.hubUrl)}</span></div>
<div><strong>${e('admin.letter.expires', { date: expires })}</strong></div>
</div>
<h2>${e('admin.letter.stepsTitle')}</h2>
<ol>${steps}</ol>
<p class="note">${e('admin.letter.once')}</p>
<p class="note">${e('admin.letter.keep')}</p>
<p>${e('admin.letter.signature', { secretariat: facts.secretariatName })}</p>
</body></html>`;
}
