/**
 * A small XML serializer for the AWS Query protocol's responses, from a plain JS object model:
 * - an object becomes an element per key, in key order;
 * - an array becomes a wrapper element with one `<member>` per item (the Query protocol's
 *   non-flattened lists, which is what IAM and STS use);
 * - a Date becomes its ISO-8601 text; booleans and numbers their text;
 * - `undefined` and `null` are left out (AWS omits absent members).
 */
export type XmlValue = string | number | boolean | Date | null | undefined | XmlValue[] | { [key: string]: XmlValue };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** AWS writes timestamps without milliseconds: `2014-07-30T17:09:20Z`. */
export function awsTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function body(value: XmlValue): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return awsTimestamp(value);
  if (Array.isArray(value)) return value.map((item) => element('member', item)).join('');
  if (typeof value === 'object') return Object.entries(value).map(([key, child]) => element(key, child)).join('');
  return escapeXml(String(value));
}

export function element(name: string, value: XmlValue, attributes = ''): string {
  if (value === undefined || value === null) return '';
  return `<${name}${attributes}>${body(value)}</${name}>`;
}

/** `<{Action}Response xmlns=…><{Action}Result>…</{Action}Result><ResponseMetadata><RequestId>…` */
export function successResponse(action: string, namespace: string, result: Record<string, XmlValue> | undefined, requestId: string): string {
  const resultXml = result === undefined ? '' : element(`${action}Result`, result);
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<${action}Response xmlns="${namespace}">${resultXml}` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`
  );
}

/** The Query protocol's error document: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`. */
export function errorResponse(namespace: string, type: 'Sender' | 'Receiver', code: string, message: string, requestId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<ErrorResponse xmlns="${namespace}">` +
    element('Error', { Type: type, Code: code, Message: message }) +
    element('RequestId', requestId) +
    '</ErrorResponse>'
  );
}
