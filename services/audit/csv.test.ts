import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AuditEntry } from '../core/records';
import { csvHeader, csvRow, parseCsv, uncell } from './csv';
import { CSV_COLUMNS, formatEntry, header, parseEntries } from './entries-file';

describe('audit CSV', () => {
  it('writes the header as it is, with no formula guard', () => {
    expect(csvHeader(['sequence', '@timestamp', 'hash'])).toBe('"sequence","@timestamp","hash"\r\n');
    expect(header('csv').startsWith('"sequence","@timestamp","recorded_at",')).toBe(true);
  });

  it('guards values a spreadsheet would run, quotes every cell, and decodes to the values written', () => {
    const values = ['=1+1', '+x', '-1', '@SUM(A1)', '\tTAB', '\rCR', "'already", '\uFF1Dfull-width', 'a "quote", a comma\nand a newline', '', 'plain'];
    const line = csvRow(values);
    expect(line).toBe(`"'=1+1","'+x","'-1","'@SUM(A1)","'\tTAB","'\rCR","''already","'\uFF1Dfull-width","a ""quote"", a comma\nand a newline","","plain"\r\n`);
    expect(parseCsv(line)[0].cells.map(uncell)).toEqual(values);
  });

  it('writes the records of an old export byte for byte as the code before csv-stringify did', () => {
    const dir = path.join(__dirname, 'fixtures', 'ce9ba65', 'export-csv');
    const old = readFileSync(path.join(dir, 'entries.csv'), 'utf8');
    const entries = readFileSync(path.join(__dirname, 'fixtures', 'ce9ba65', 'export-ndjson', 'entries.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEntry);
    const [, ...oldRows] = old.split(/(?<=\r\n)(?=")/);
    expect(entries.map((e) => formatEntry(e, 'csv')).join('')).toBe(oldRows.join(''));
    expect(parseEntries(header('csv') + oldRows.join(''), 'csv').every((p) => 'value' in p)).toBe(true);
    expect(CSV_COLUMNS).toHaveLength(15);
  });
});
