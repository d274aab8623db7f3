// Bulk request bodies: NDJSON of `create` actions, split by document count and by bytes.
// `create` with the record's id makes a re-delivery a 409 instead of a second copy. A versioned
// document (an incident) is `index`ed with its revision as external version: a newer version
// replaces it, an older or re-delivered one is a 409 too.
import type { IndexDocument } from '../../core/ports';
import { dailyIndex } from './index-names';

export interface BulkItem {
  /** position in the list the caller wrote */
  position: number;
  doc: IndexDocument;
  /** action line and source line, each ending in a newline */
  lines: string;
  bytes: number;
}

export function bulkItems(prefix: string, docs: IndexDocument[]): BulkItem[] {
  return docs.map((doc, position) => {
    // NDJSON: one line per document; JSON text only holds raw newlines as whitespace
    const source = doc.source.includes('\n') ? JSON.stringify(JSON.parse(doc.source)) : doc.source;
    const target = { _index: dailyIndex(prefix, doc.kind, doc.timestamp), _id: doc.id };
    const action = doc.version === undefined ? { create: target } : { index: { ...target, version: doc.version, version_type: 'external' } };
    const lines = `${JSON.stringify(action)}\n${source}\n`;
    return { position, doc, lines, bytes: Buffer.byteLength(lines) };
  });
}

/** Consecutive chunks of at most maxDocs items and maxBytes bytes (a single larger item goes alone). */
export function chunk(items: BulkItem[], maxDocs: number, maxBytes: number): BulkItem[][] {
  const out: BulkItem[][] = [];
  let current: BulkItem[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= maxDocs || bytes + item.bytes > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.bytes;
  }
  if (current.length) out.push(current);
  return out;
}

export function bulkBody(items: BulkItem[]): string {
  return items.map((i) => i.lines).join('');
}
