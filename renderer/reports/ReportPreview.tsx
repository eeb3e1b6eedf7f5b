import { useEffect, useRef } from 'react';
import { REPORT_CSS, renderReportBody, renderSectionHtml } from '../../shared/reports/renderHtml';
import type { ReportModel } from '../../shared/reports/reportModel';
import type { ReportPhotos } from '../../shared/reports/reportPhotos';

/*
 * The live preview: the exported document's own body and stylesheet, in a shadow root so its rules
 * neither reach the app nor are reached by it. The app's Content-Security-Policy allows no inline
 * <style>, so the stylesheet is a constructed one (the CSSOM, which the policy does not govern),
 * and the markup has no style attributes. The body is built from escaped text only (renderHtml.ts),
 * and photos are the data: URLs the export embeds (the app's policy allows data: images); until
 * they are read (`photos` null) a photo is named, not said to be missing.
 */

let sheet: CSSStyleSheet | null = null;
function reportSheet(): CSSStyleSheet {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(REPORT_CSS);
  }
  return sheet;
}

export function ReportPreview({ model, photos, label }: { readonly model: ReportModel; readonly photos: ReportPhotos | null; readonly label: string }) {
  const hostRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [reportSheet()];
    root.innerHTML = renderReportBody(model, (section) => renderSectionHtml(section, photos));
  }, [model, photos]);
  return <div ref={hostRef} className="fw-report-preview" role="document" aria-label={label} lang={model.language} data-testid="report-preview" data-kind={model.kind} />;
}
