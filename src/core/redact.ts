/**
 * A short preview of a secret that is safe to print: the format's fixed prefix
 * (when the detector declares one) and a few trailing characters. Short secrets
 * show less, so that a preview never gives away more than a quarter of a value.
 */
export function redact(secret: string, prefixLength = 0): string {
  const prefix = secret.slice(0, Math.min(prefixLength, Math.floor(secret.length / 2)));
  const rest = secret.length - prefix.length;
  const tail = rest >= 24 ? 4 : rest >= 12 ? 2 : 0;
  return `${prefix}…${tail > 0 ? secret.slice(-tail) : ''}`;
}
