import { z } from 'zod';
import { normalizeHubUrl } from '../session/deviceProfile';

/*
 * A hub that serves the web app answers `GET /v1/hub-info` at its own origin (docs/PROTOCOL.md):
 * the page then knows its hub without anyone typing the address. Any other server (the `npm start`
 * fallback, `npm run web`, a file host) answers something else, read here as "no hub".
 */

const hubInfoSchema = z.object({ kind: z.literal('fieldwise-hub') });

export const HUB_INFO_PATH = '/v1/hub-info';

/** The hub's address when the page at `pageUrl` was served by one, else null; never throws. */
export async function hubServingPage(pageUrl: string, fetchUrl: (url: string) => Promise<Response>): Promise<string | null> {
  let origin: string;
  try {
    const page = new URL(pageUrl);
    if (page.protocol !== 'http:' && page.protocol !== 'https:') return null;
    origin = page.origin;
  } catch {
    return null;
  }
  try {
    const response = await fetchUrl(`${origin}${HUB_INFO_PATH}`);
    if (!response.ok) return null;
    const parsed = hubInfoSchema.safeParse(await response.json());
    return parsed.success ? normalizeHubUrl(origin) : null;
  } catch {
    return null;
  }
}
