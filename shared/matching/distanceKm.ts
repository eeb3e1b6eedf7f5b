/** Mean Earth radius (IUGG), the usual constant for the haversine formula. */
const EARTH_RADIUS_KM = 6371.0088;

export interface Coordinates {
  readonly lat: number;
  readonly lon: number;
}

/**
 * Great-circle distance by the haversine formula. Treats the Earth as a sphere: off by up to about
 * 0.5% against the ellipsoid, far below what matters for "who is near".
 */
export function distanceKm(a: Coordinates, b: Coordinates): number {
  const toRad = (deg: number) => (deg * Math.PI) / 180;
  const dLat = toRad(b.lat - a.lat);
  const dLon = toRad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(dLon / 2) ** 2;
  // min() guards against h creeping above 1 by rounding for antipodal points (asin would give NaN).
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
