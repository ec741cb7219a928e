/**
 * Formats that hide credentials from line-oriented regexes: base64 `data:` in
 * Kubernetes Secrets, and notebook sources stored as escaped JSON strings.
 */
import { LineCounter, parseAllDocuments, isMap, isScalar, isPair } from 'yaml';
import type { SecretOccurrence } from '../core/model.js';
import type { ContentScanContext } from './content.js';
import { scanText } from './content.js';

/** Occurrences found inside encoded containers of `text` (in addition to the plain scan). */
export function expandContainers(text: string, path: string, ctx: ContentScanContext): SecretOccurrence[] {
  if (mayHoldContainers(path) && /^kind:\s*Secret\s*$/m.test(text)) return kubernetesSecretData(text, path, ctx);
  return [];
}

/** Files whose containers (Kubernetes Secret `data`) need the whole document: never scanned as a partial delta. */
export function mayHoldContainers(path: string): boolean {
  return /\.(ya?ml)$/i.test(path);
}

/**
 * A Kubernetes Secret's `data` values are base64. Each is decoded and scanned as
 * `KEY: "value"` so both format detectors and key-name-aware generic detectors apply;
 * a hit is reported at the line of the encoded value.
 */
function kubernetesSecretData(text: string, path: string, ctx: ContentScanContext): SecretOccurrence[] {
  const out: SecretOccurrence[] = [];
  let docs;
  const lineCounter = new LineCounter();
  try {
    docs = parseAllDocuments(Buffer.from(text, 'latin1').toString('utf8'), { lineCounter, uniqueKeys: false });
  } catch {
    return out;
  }
  if (!Array.isArray(docs)) return out;
  for (const doc of docs) {
    const root = doc.contents;
    if (!isMap(root)) continue;
    const kind: unknown = root.get('kind');
    if ((isScalar(kind) ? kind.value : kind) !== 'Secret') continue;
    const data = root.get('data', true);
    if (!isMap(data)) continue;
    for (const item of data.items) {
      if (!isPair(item) || !isScalar(item.key) || !isScalar(item.value)) continue;
      const key = String(item.key.value);
      const encoded = String(item.value.value ?? '');
      if (!/^[A-Za-z0-9+/=\s]{4,}$/.test(encoded)) continue;
      const decoded = Buffer.from(encoded.replace(/\s+/g, ''), 'base64').toString('latin1');
      if (decoded.length === 0) continue;
      const pos = item.value.range ? lineCounter.linePos(item.value.range[0]) : { line: 1, col: 1 };
      // Multi-line decoded values (keys, certificates) are scanned as they are.
      const synthetic = decoded.includes('\n') ? decoded : `${key}: "${decoded}"`;
      for (const o of scanText(synthetic, path, ctx)) {
        o.location = { ...o.location, line: pos.line, column: pos.col, endLine: pos.line };
        out.push(o);
      }
    }
  }
  return out;
}

/**
 * Notebook (.ipynb) sources are JSON strings, one per line of code. Undoing the JSON
 * escapes line by line keeps line numbers and lets quoted values be seen as code.
 */
export function unescapeJsonLines(text: string): string {
  return text.replace(/\\(["\\/])|\\[nrt]/g, (whole, ch: string | undefined) => (ch ? ch : whole === '\\t' ? '\t' : ' '));
}
