import { encode } from 'uqr';

/*
 * The invitation link as a QR code, for a phone or a second laptop's camera. Drawn as one SVG path
 * (a square per dark module) with the standard four-module quiet zone, so the same drawing serves
 * the console's screen and the printed letter. Error correction M: a letter that was folded or
 * photographed at an angle still reads.
 */

/** The quiet zone a reader needs around the symbol, in modules. */
const QUIET_ZONE_MODULES = 4;

export interface QrDrawing {
  /** Width and height in modules, quiet zone included. */
  readonly sizeModules: number;
  /** The dark modules as one SVG path in module units. */
  readonly path: string;
  /** The modules, quiet zone included: true for dark. */
  readonly modules: readonly (readonly boolean[])[];
}

export function invitationQr(text: string): QrDrawing {
  const { data } = encode(text, { ecc: 'M', border: QUIET_ZONE_MODULES });
  const parts: string[] = [];
  data.forEach((row, y) => {
    row.forEach((isDark, x) => {
      if (isDark) parts.push(`M${x} ${y}h1v1h-1z`);
    });
  });
  return { sizeModules: data.length, path: parts.join(''), modules: data };
}

/** A standalone SVG document of the code, for the printed letter. */
export function invitationQrSvg(text: string, sizeMm: number): string {
  const { sizeModules, path } = invitationQr(text);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${sizeModules} ${sizeModules}" width="${sizeMm}mm" height="${sizeMm}mm" shape-rendering="crispEdges"><rect width="${sizeModules}" height="${sizeModules}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`;
}
