/**
 * Text from scanned files that the tool keeps or prints (a URL, a quoted line in a warning) with every credential
 * taken out first: the secret detectors' matches replaced by their redacted previews, and, for URLs, the parts where
 * literal credentials hide (user info, query, fragment) dropped.
 */
import { redact } from '../core/redact.js';
import { SecretScanner } from './engine.js';
import { DETECTORS } from './index.js';

let scanner: SecretScanner | undefined;

/** `text` with every credential the secret detectors recognise in it replaced by its redacted preview. */
export function redactSecretsIn(text: string): string {
  scanner ??= new SecretScanner(DETECTORS);
  let out = '';
  let at = 0;
  for (const m of scanner.scan(text)) {
    if (m.start < at) continue;
    out += text.slice(at, m.start) + redact(m.secret, m.detector.prefixLength);
    at = m.end;
  }
  return out + text.slice(at);
}

/**
 * A URL reduced to scheme, host and path: the user info, the query and the fragment (`?`/`#` onwards)
 * are dropped, and so is the `=` of an n8n expression, whose text is reduced the same way
 * (`={{ $json.base }}/webhook/abc?x=1` → `{{ $json.base }}/webhook/abc`). A credential the secret detectors
 * recognise in what is left (a bot token or a webhook secret in the path) is replaced by its redacted preview.
 */
export function reduceUrl(raw: string): string {
  let url = raw.startsWith('=') ? raw.slice(1) : raw;
  url = url.trim();
  const cut = url.search(/[?#]/);
  if (cut >= 0) url = url.slice(0, cut);
  const scheme = url.indexOf('://');
  if (scheme >= 0) {
    const hostStart = scheme + 3;
    const slash = url.indexOf('/', hostStart);
    const authority = url.slice(hostStart, slash === -1 ? url.length : slash);
    const at = authority.lastIndexOf('@');
    if (at >= 0) url = url.slice(0, hostStart) + url.slice(hostStart + at + 1);
  }
  return redactSecretsIn(url);
}

/** One line of a file for a message: the first `max` characters of its first line, credentials redacted. */
export function quoteLine(text: string, max = 60): string {
  const line = text.split('\n')[0]!.trim();
  const cut = line.length > max ? `${line.slice(0, max)}…` : line;
  return redactSecretsIn(cut);
}
